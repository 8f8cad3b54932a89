package app

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// help, --help and -h print the help and succeed, for the program and for
// each command; the command line speaks French, refusals included.
func TestHelpAndFrenchMessages(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"serve", "-h"}, {"init", "--help"}, {"group", "create", "-h"}, {"settings", "set", "-h"}} {
		var out, errOut bytes.Buffer
		err := Run(context.Background(), Env{Args: args, Getenv: env(nil), Stdout: &out, Stderr: &errOut})
		if err != nil {
			t.Errorf("%v: %v (the program would exit 1)", args, err)
		}
		if !strings.Contains(out.String(), "Utilisation : portique") {
			t.Errorf("%v printed no help: %q", args, out.String())
		}
		if errOut.Len() > 0 {
			t.Errorf("%v wrote on stderr: %q", args, errOut.String())
		}
	}
	var out bytes.Buffer
	Run(context.Background(), Env{Args: []string{"-h"}, Getenv: env(nil), Stdout: &out, Stderr: io.Discard}) //nolint:errcheck
	for _, english := range []string{"listen address", "data directory", " default "} {
		if strings.Contains(out.String(), english) {
			t.Errorf("the help speaks English: %q", english)
		}
	}
	data := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "--nope"}, "option inconnue : -nope"},
		{[]string{"migrate", "--lockout-threshold", "x", "--data", data}, "pas un nombre entier"},
		{[]string{"migrate", "--tls-cert", "c.pem", "--data", data}, "--tls-cert et --tls-key vont ensemble"},
		{[]string{"migrate", "--data"}, "attend une valeur"},
		{[]string{"group", "frobnicate"}, "sous-commande inconnue"},
		{[]string{"group", "add", "x@exemple.fr", "--data", data}, "indiquez l’adresse électronique du compte puis le nom du groupe"},
		{[]string{"init", "--data", data}, "indiquez l’adresse électronique du premier administrateur"},
	} {
		err := Run(context.Background(), Env{Args: c.args, Getenv: env(nil), Stdout: io.Discard, Stderr: io.Discard})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

// A data directory and a database file left readable by others (an
// earlier version, a careless copy) are restricted to their owner.
func TestDataDirectoryOwnerOnly(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(data, "portique.db")
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, data, "migrate"); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(data); st.Mode().Perm() != 0o700 {
		t.Errorf("data directory %v, want 0700", st.Mode().Perm())
	}
	files, _ := filepath.Glob(db + "*")
	for _, f := range files {
		if st, _ := os.Stat(f); st.Mode().Perm() != 0o600 {
			t.Errorf("%s %v, want 0600", f, st.Mode().Perm())
		}
	}
	// A new one is created so.
	fresh := filepath.Join(t.TempDir(), "neuf")
	if _, err := runCLI(t, fresh, "migrate"); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(fresh); st.Mode().Perm() != 0o700 {
		t.Errorf("new data directory %v, want 0700", st.Mode().Perm())
	}
	files, _ = filepath.Glob(filepath.Join(fresh, "portique.db*"))
	for _, f := range files {
		if st, _ := os.Stat(f); st.Mode().Perm() != 0o600 {
			t.Errorf("new %s %v, want 0600", f, st.Mode().Perm())
		}
	}
}

// The first start on an empty database without --demo creates the
// administrator named by --admin-email and prints their invitation; the
// next start creates nothing.
func TestFirstStartCreatesAdministrator(t *testing.T) {
	data := t.TempDir()
	start := func(extra ...string) string {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out bytes.Buffer
		done := make(chan error, 1)
		ready := make(chan string, 1)
		go func() {
			done <- Run(ctx, Env{Args: append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, extra...), Getenv: env(nil),
				Stdout: &out, Stderr: io.Discard, Ready: func(a string) { ready <- a }})
		}()
		select {
		case <-ready:
		case err := <-done:
			t.Fatalf("serve: %v", err)
		case <-time.After(60 * time.Second):
			t.Fatal("serve did not start")
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if out := start(); !strings.Contains(out, "portique init --email") {
		t.Errorf("first start without --admin-email: %q", out)
	}
	out := start("--admin-email", "dgs@exemple.fr")
	if !strings.Contains(out, "Premier administrateur créé : dgs@exemple.fr") || !strings.Contains(out, "/invitation/") {
		t.Errorf("first start with --admin-email: %q", out)
	}
	if out := start("--admin-email", "dgs@exemple.fr"); strings.Contains(out, "/invitation/") || strings.Contains(out, "créé") {
		t.Errorf("second start: %q", out)
	}
}

// settings set takes the logo from a file, with its text alternative.
func TestSettingsSetLogo(t *testing.T) {
	data := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 30, 10))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	logo := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(logo, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, data, "settings", "set", "--logo", logo); err == nil || !strings.Contains(err.Error(), "--logo-alt : ") {
		t.Errorf("a logo without its text: %v", err)
	}
	if _, err := runCLI(t, data, "settings", "set"); err == nil || !strings.Contains(err.Error(), "au moins un réglage") {
		t.Errorf("settings set alone: %v", err)
	}
	out, err := runCLI(t, data, "settings", "set", "--logo", logo, "--logo-alt", "Syndicat des eaux", "--audit-date", "2026-01-15", "--audit-rate", "50")
	if err != nil || !strings.Contains(out, "Logo enregistré") {
		t.Fatalf("%q %v", out, err)
	}
	if out, _ := runCLI(t, data, "settings", "show"); !strings.Contains(out, "Syndicat des eaux") || !strings.Contains(out, "partiellement conforme") {
		t.Errorf("settings show: %q", out)
	}
}
