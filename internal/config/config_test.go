package config_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portique/internal/config"
)

func load(t *testing.T, args []string, env map[string]string) (*config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	build := config.Flags(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return build()
}

func TestPrecedence(t *testing.T) {
	c, err := load(t, []string{"--addr", "127.0.0.1:9000"}, map[string]string{
		"PORTIQUE_ADDR":         "127.0.0.1:7000",
		"PORTIQUE_SESSION_IDLE": "30m",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" {
		t.Errorf("Addr = %q, want the flag's value", c.Addr)
	}
	if c.SessionIdle != 30*time.Minute {
		t.Errorf("SessionIdle = %v, want 30m from env", c.SessionIdle)
	}
	if c.LockoutThreshold != 10 || c.LockoutDuration != 24*time.Hour {
		t.Errorf("lockout defaults = %d/%v, want 10/24h", c.LockoutThreshold, c.LockoutDuration)
	}
	if c.BaseURL != "http://127.0.0.1:9000" {
		t.Errorf("BaseURL = %q, want derived from addr", c.BaseURL)
	}
}

func TestSecretFromFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "smtp")
	os.WriteFile(f, []byte("smtp://u:p@mail.example:587\n"), 0o600)
	c, err := load(t, nil, map[string]string{"PORTIQUE_SMTP_URL_FILE": f})
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPURL != "smtp://u:p@mail.example:587" {
		t.Fatalf("SMTPURL = %q", c.SMTPURL)
	}
}

func TestInvalid(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"bad duration":  {"PORTIQUE_SESSION_IDLE": "soon"},
		"bad base url":  {"PORTIQUE_BASE_URL": "ftp://x"},
		"cert w/o key":  {"PORTIQUE_TLS_CERT": "c.pem"},
		"bad tz":        {"PORTIQUE_TIMEZONE": "Mars/Olympus"},
		"bad proxy":     {"PORTIQUE_TRUSTED_PROXIES": "not-an-ip"},
		"idle over max": {"PORTIQUE_SESSION_IDLE": "48h"},
		"zero lockout":  {"PORTIQUE_LOCKOUT_THRESHOLD": "0"},
		"keep none":     {"PORTIQUE_BACKUP_KEEP": "0"},
		"backup often":  {"PORTIQUE_BACKUP_EVERY": "10ms"},
		"missing file":  {"PORTIQUE_SMTP_URL_FILE": "/nonexistent/file"},
	} {
		if _, err := load(t, nil, env); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDaysAndSecureCookies(t *testing.T) {
	c, err := load(t, []string{"--archive-months", "6", "--demo", "--base-url", "https://sydrav.fr/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ArchiveMonths != 6 {
		t.Errorf("ArchiveMonths = %v", c.ArchiveMonths)
	}
	if !c.Demo {
		t.Error("--demo alone must turn the demo on")
	}
	if !c.SecureCookies() || c.BaseURL != "https://sydrav.fr" {
		t.Errorf("SecureCookies=%v BaseURL=%q", c.SecureCookies(), c.BaseURL)
	}
	for _, s := range config.Settings() {
		if !strings.HasPrefix(s[1], "PORTIQUE_") {
			t.Errorf("setting %s has variable %s", s[0], s[1])
		}
	}
}

// TestREADMEListsEverySetting keeps the settings table of docs/operations/running.md complete.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../docs/operations/running.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings() {
		if !strings.Contains(string(b), "`--"+s[0]+"`") || !strings.Contains(string(b), "`"+s[1]+"`") {
			t.Errorf("docs/operations/running.md does not document --%s / %s", s[0], s[1])
		}
	}
}

// With TLS and no --base-url, the links the program writes (e-mails, logs)
// use https; without TLS, http.
func TestDefaultBaseURL(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "http://127.0.0.1:8080"},
		{[]string{"--addr", ":8080"}, "http://localhost:8080"},
		{[]string{"--addr", ":80"}, "http://localhost"},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem", "--addr", "0.0.0.0:8443"}, "https://localhost:8443"},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem", "--addr", "192.0.2.1:443"}, "https://192.0.2.1"},
		{[]string{"--acme-domains", "www.exemple.fr,exemple.fr", "--addr", ":443"}, "https://www.exemple.fr"},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem", "--base-url", "https://site.exemple.fr/"}, "https://site.exemple.fr"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		build := config.Flags(fs, func(string) string { return "" })
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		cfg, err := build()
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if cfg.BaseURL != c.want {
			t.Errorf("%v: base URL %q, want %q", c.args, cfg.BaseURL, c.want)
		}
	}
}
