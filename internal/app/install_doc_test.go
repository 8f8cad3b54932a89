package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"portique/internal/dbtest"
)

// shellWords splits a documented command line as a shell would for the
// simple quoting the documentation uses ("double quotes").
func shellWords(t *testing.T, s string) []string {
	var out []string
	var cur strings.Builder
	in, has := false, false
	for _, r := range s {
		switch {
		case r == '"':
			in, has = !in, true
		case r == ' ' && !in:
			if has {
				out = append(out, cur.String())
			}
			cur.Reset()
			has = false
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if in {
		t.Fatalf("unbalanced quotes in %s", s)
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

// docCommands returns the commands of the ```sh blocks of a documentation
// page, in order.
func docCommands(t *testing.T, path string) []string {
	t.Helper()
	var cmds []string
	for _, block := range docBlocks(t, path, "sh") {
		for _, line := range strings.Split(block, "\n") {
			l := strings.TrimSpace(line)
			if l == "" {
				continue
			}
			if !strings.HasPrefix(l, "portique ") {
				t.Fatalf("a command the test cannot run in the documentation: %s", l)
			}
			cmds = append(cmds, l)
		}
	}
	return cmds
}

// TestInstallationDoc follows docs/operations/installation.md on a fresh
// data directory (and, on the PostgreSQL pass, a fresh database): init,
// groups, accounts, settings, then serve; the legal pages must read
// correctly and name no demo body, the data directory and the database
// files must be the owner's only.
func TestInstallationDoc(t *testing.T) {
	cmds := docCommands(t, "../../docs/operations/installation.md")
	if len(cmds) < 10 {
		t.Fatalf("found %d commands in the documentation", len(cmds))
	}
	data := filepath.Join(t.TempDir(), "portique")
	var extra []string
	if os.Getenv(dbtest.EnvPostgres) != "" {
		extra = []string{"--db", dbtest.PostgresURL(t)}
	}
	var printed strings.Builder
	for _, c := range cmds {
		refused := strings.Contains(c, "# refused")
		if i := strings.Index(c, "#"); i >= 0 {
			c = strings.TrimSpace(c[:i])
		}
		args := shellWords(t, strings.ReplaceAll(c, "/var/lib/portique", data))[1:]
		args = append(args, extra...)
		if args[0] == "serve" {
			installServe(t, args, printed.String())
			continue
		}
		var out bytes.Buffer
		err := Run(context.Background(), Env{Args: args, Getenv: env(map[string]string{"PORTIQUE_HASH_CONCURRENCY": "2"}), Stdout: &out, Stderr: io.Discard})
		switch {
		case refused && err == nil:
			t.Errorf("%s: succeeded, the documentation says it is refused", c)
		case refused && (strings.Contains(err.Error(), "⟦") || !strings.ContainsAny(err.Error(), "éèà")):
			t.Errorf("%s: the refusal is not a French sentence: %v", c, err)
		case !refused && err != nil:
			t.Errorf("%s: %v", c, err)
		}
		printed.WriteString(out.String())
		t.Logf("%s\n%s%v", c, out.String(), err)
	}
	// Owner only: the directory and the database files.
	st, err := os.Stat(data)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v (%v), want 0700", st.Mode().Perm(), err)
	}
	if extra == nil {
		files, _ := filepath.Glob(filepath.Join(data, "portique.db*"))
		if len(files) == 0 {
			t.Fatal("no database file")
		}
		for _, f := range files {
			if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v, want 0600", f, st.Mode().Perm())
			}
		}
	}
	out := printed.String()
	for _, want := range []string{"Premier administrateur créé : dgs@exemple.fr", "déjà initialisé", "Groupe créé : Élus",
		"Élus — 0 membre(s)", "Compte créé : elu@exemple.fr", "73282932000074", "non conforme"} {
		if !strings.Contains(out, want) {
			t.Errorf("the commands did not print %q:\n%s", want, out)
		}
	}
}

var invitationRe = regexp.MustCompile(`https://www\.exemple\.fr(/invitation/[A-Za-z0-9_-]{43})`)

// installServe starts the documented serve on a free port and reads what
// a visitor and the first administrator would.
func installServe(t *testing.T, args []string, printed string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	args = append(args, "--addr", "127.0.0.1:0")
	go func() {
		done <- Run(ctx, Env{Args: args, Getenv: env(nil), Stdout: io.Discard, Stderr: io.Discard,
			Ready: func(a string) { ready <- a }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve %v: %v", args, err)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve %v did not start", args)
	}
	get := func(path string) (int, string) {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, c := range []struct {
		path string
		want []string
	}{
		{"/", []string{"Syndicat des eaux du Val", "Accessibilité : non conforme"}},
		{"/mentions-legales", []string{"Syndicat des eaux du Val", "2 place de la Mairie, 07000 Privas", "73282932000074",
			"Claire Martin, présidente", "Hébergeur Libre SAS", "10 rue des Serveurs", "contact@exemple.fr", "04 75 00 00 00"}},
		{"/accessibilite", []string{"Syndicat des eaux du Val s’engage", "non conforme", "aucun audit", "Non-conformités",
			"Dérogations pour charge disproportionnée", "Contenus non soumis", "Établissement de cette déclaration",
			"Retour d’information et contact", "Voies de recours", "Défenseur des droits", "extranet", "schéma pluriannuel"}},
	} {
		code, b := get(c.path)
		if code != http.StatusOK {
			t.Errorf("%s: %d", c.path, code)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(b, w) {
				t.Errorf("%s lacks %q", c.path, w)
			}
		}
		for _, bad := range []string{"SYDRAV", "[date]", "[organisme]", "⟦"} {
			if strings.Contains(b, bad) {
				t.Errorf("%s shows %q", c.path, bad)
			}
		}
	}
	// The last invitation printed for the administrator opens the form.
	links := invitationRe.FindAllStringSubmatch(printed, -1)
	if len(links) < 3 {
		t.Fatalf("%d invitation links printed, want 3 (init, init again, user create)", len(links))
	}
	if code, _ := get(links[1][1]); code != http.StatusOK {
		t.Errorf("the second init's invitation link: %d", code)
	}
	if code, _ := get(links[0][1]); code == http.StatusOK {
		t.Error("the first init's invitation link still works after the second init")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}
