package app

import (
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
)

// docBlocks returns the fenced blocks of a Markdown file tagged lang.
func docBlocks(t *testing.T, path, lang string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var cur *strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		l := strings.TrimSpace(line)
		switch {
		case cur == nil && l == "```"+lang:
			cur = &strings.Builder{}
		case cur != nil && l == "```":
			out = append(out, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	return out
}

// TestDeployGuide keeps docs/operations/deploy.md true: the systemd unit's
// command line and variables are accepted by `portique serve` as they are
// written (files named by *_FILE variables stand in), and the nginx and
// Caddy examples send to the address the unit listens on, from an address
// the unit trusts as a proxy.
func TestDeployGuide(t *testing.T) {
	const doc = "../../docs/operations/deploy.md"
	units := docBlocks(t, doc, "ini")
	if len(units) != 1 {
		t.Fatalf("%d systemd units in %s, want 1", len(units), doc)
	}
	var args []string
	env := map[string]string{}
	for _, l := range strings.Split(units[0], "\n") {
		switch {
		case strings.HasPrefix(l, "ExecStart="):
			f := strings.Fields(strings.TrimPrefix(l, "ExecStart="))
			if len(f) < 2 || !strings.HasSuffix(f[0], "/portique") || f[1] != "serve" {
				t.Fatalf("ExecStart does not run portique serve: %s", l)
			}
			args = f[2:]
		case strings.HasPrefix(l, "Environment="):
			kv := strings.TrimPrefix(l, "Environment=")
			k, v, ok := strings.Cut(kv, "=")
			if !ok || strings.ContainsAny(kv, " \"") {
				t.Fatalf("systemd would split or quote this line: %s", l)
			}
			env[k] = v
		}
	}
	if args == nil {
		t.Fatal("the unit has no ExecStart")
	}
	// A *_FILE variable names a secret file; give the test one of its own.
	for k := range env {
		if strings.HasSuffix(k, "_FILE") {
			f := t.TempDir() + "/secret"
			os.WriteFile(f, []byte("smtp://user:secret@mail.example:587\n"), 0o600)
			env[k] = f
		}
	}
	e := Env{Getenv: func(k string) string { return env[k] }, Stdout: io.Discard, Stderr: io.Discard}
	cfg, fs, err := settings(e, "serve", args, nil)
	if err != nil {
		t.Fatalf("portique serve refuses the unit's settings %q %v: %v", args, env, err)
	}
	if fs.NArg() != 0 {
		t.Fatalf("portique serve would ignore %q", fs.Args())
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("the unit's settings do not validate: %v", err)
	}
	if cfg.SMTPURL == "" || cfg.BackupDir == "" {
		t.Fatalf("the unit's e-mail or backup settings were not read: smtp=%q backup=%q", cfg.SMTPURL, cfg.BackupDir)
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	trusted := false
	for _, n := range cfg.TrustedProxies {
		if n.Contains(net.ParseIP(host)) {
			trusted = true
		}
	}
	if !trusted {
		t.Fatalf("the unit listens on %s but does not trust a proxy there (%v)", cfg.Addr, cfg.TrustedProxies)
	}

	for _, c := range []struct{ lang, directive string }{
		{"nginx", `proxy_pass\s+http://([^;\s]+);`},
		{"caddy", `reverse_proxy\s+(\S+)`},
	} {
		blocks := docBlocks(t, doc, c.lang)
		if len(blocks) != 1 {
			t.Fatalf("%d %s blocks, want 1", len(blocks), c.lang)
		}
		m := regexp.MustCompile(c.directive).FindStringSubmatch(blocks[0])
		if m == nil || m[1] != cfg.Addr {
			t.Errorf("the %s example sends to %v, the unit listens on %s", c.lang, m, cfg.Addr)
		}
	}
}
