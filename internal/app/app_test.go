package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portique/internal/dbtest"
)

// env runs the program with only the given variables (plus the test
// database when the suite runs on PostgreSQL).
func env(vars map[string]string) func(string) string {
	return func(k string) string {
		if k == "PORTIQUE_DB" {
			if v, ok := vars[k]; ok {
				return v
			}
			return ""
		}
		return vars[k]
	}
}

func TestServeDemoStartsAndStops(t *testing.T) {
	if dbtest.Engine() != "sqlite" {
		t.Skip("the demo start-up is exercised on PostgreSQL by the browser tests")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Env{
			Args:   []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--demo"},
			Getenv: env(map[string]string{"PORTIQUE_HASH_CONCURRENCY": "2"}),
			Stdout: &out, Stderr: io.Discard,
			Ready: func(addr string) { ready <- addr },
		})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve ended early: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/healthz = %d", res.StatusCode)
	}
	// The demo pages carry the other areas' blocks: public events on the
	// home page (and a link to the collection days, whose demo territory
	// is seeded), public documents on theirs; the élus' section is private.
	for path, want := range map[string]string{"/": "block-events", "/documents-publics": "block-documents",
		"/?collecte": `href="/collecte"`, "/collecte/valence": "Choisissez votre secteur"} {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("GET %s = %d, want a page with %q", path, res.StatusCode, want)
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = client.Get("http://" + addr + "/espace-elus")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous GET /espace-elus = %d, want a redirect to log in", res.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v after shutdown", err)
	}
	if !strings.Contains(out.String(), "DÉMONSTRATION") || !strings.Contains(out.String(), "admin@") {
		t.Fatalf("demo credentials not printed:\n%s", out.String())
	}
	info, err := os.Stat(filepath.Join(dir, demoFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("demo file: %v %v", info, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil {
		t.Fatalf("secret key not created: %v", err)
	}
}

func TestCommands(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), Env{Args: []string{"version"}, Getenv: env(nil), Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "portique ") {
		t.Fatalf("version printed %q", out.String())
	}
	if err := Run(context.Background(), Env{Args: []string{"frobnicate"}, Getenv: env(nil), Stdout: io.Discard, Stderr: io.Discard}); err == nil {
		t.Fatal("an unknown command must fail")
	}
	err := Run(context.Background(), Env{Args: []string{"migrate", "--session-idle", "never"}, Getenv: env(nil), Stdout: io.Discard, Stderr: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "pas une durée") {
		t.Fatalf("bad setting: err = %v", err)
	}
	out.Reset()
	if err := Run(context.Background(), Env{Args: []string{"migrate", "--data", t.TempDir()}, Getenv: env(nil), Stdout: &out, Stderr: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "sqlite") {
		t.Fatalf("migrate printed %q", out.String())
	}
}

func TestReindexAfterDemo(t *testing.T) {
	if dbtest.Engine() != "sqlite" {
		t.Skip("covered on SQLite; the index engines are tested on both by internal/search")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Env{
			Args:   []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--demo"},
			Getenv: env(nil), Stdout: io.Discard, Stderr: io.Discard,
			Ready: func(addr string) { ready <- addr },
		})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	cancel()
	<-done
	var out bytes.Buffer
	if err := Run(context.Background(), Env{Args: []string{"reindex", "--data", dir}, Getenv: env(nil), Stdout: &out, Stderr: io.Discard}); err != nil {
		t.Fatal(err)
	}
	var n int
	if _, err := fmt.Sscanf(out.String(), "Index de recherche reconstruit : %d", &n); err != nil || n < 10 {
		t.Fatalf("reindex printed %q (n=%d, err=%v), want at least the demo pages and events", out.String(), n, err)
	}
}
