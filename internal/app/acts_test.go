package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/config"
	"portique/internal/mail"
)

// `portique actes verify` prints the check, exits non-zero when a
// published file was altered on disk, and writes the administrators'
// alert (to the outbox here: no SMTP server is set).
func TestActesVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = dir
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES ('admin@sydrav.example', 'Admin', TRUE, ?)", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	blobs, err := acts.NewBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	store := acts.New(d, blobs, nil)
	sys := access.System()
	pdf, _ := acts.RenderPDF("Arrêté", []string{"Texte"}, time.Now())
	id, err := store.CreateDraft(ctx, sys, acts.Input{Kind: acts.Arrete, Number: "2026-A-001", Date: "2026-01-05", Subject: "Horaires",
		Signer: acts.Person{First: "B", Last: "C", Title: "Président"}, Public: true}, acts.Upload{Name: "a.pdf", Body: bytes.NewReader(pdf)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Publish(ctx, sys, id, acts.Person{First: "K", Last: "B", Title: "Secrétariat"}); err != nil {
		t.Fatal(err)
	}
	a, _ := store.Act(ctx, sys.Principal, id)
	d.Close()

	run := func() (string, error) {
		var out bytes.Buffer
		err := Run(ctx, Env{Args: []string{"actes", "verify", "--data", dir}, Getenv: env(nil), Stdout: &out, Stderr: &out})
		return out.String(), err
	}
	out, err := run()
	if err != nil || !strings.Contains(out, "1 fichier(s) publiés vérifiés, tous conformes") {
		t.Fatalf("clean register: %v\n%s", err, out)
	}
	path := blobs.Path(a.BlobKey)
	if err := os.WriteFile(path, []byte("%PDF-1.4 falsifié"), 0o640); err != nil {
		t.Fatal(err)
	}
	out, err = run()
	if !errors.Is(err, errIntegrity) || !strings.Contains(out, "NE CORRESPONDENT PLUS") || !strings.Contains(out, a.SHA256) {
		t.Fatalf("altered file: %v\n%s", err, out)
	}
	mails, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	if len(mails) != 1 {
		t.Fatalf("%d alert e-mails in the outbox", len(mails))
	}
	b, _ := os.ReadFile(mails[0])
	if !strings.Contains(string(b), "admin@sydrav.example") || !strings.Contains(string(b), "2026-A-001") {
		t.Errorf("alert e-mail:\n%s", b)
	}
	if err := Run(ctx, Env{Args: []string{"actes"}, Getenv: env(nil), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}); err == nil {
		t.Error("`portique actes` without a subcommand succeeds")
	}

	// The daily housekeeping check: one run per day, alerting the
	// administrators when a file does not match.
	d, err = openDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Now()
	store = acts.New(d, blobs, nil)
	store.Now = func() time.Time { return now }
	m, err := mailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	verifyActsDaily(ctx, cfg, d, store, m, log)
	verifyActsDaily(ctx, cfg, d, store, m, log)
	if mails, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml")); len(mails) != 2 {
		t.Errorf("%d e-mails after two housekeeping rounds the same day, want 2 (the command's and one daily alert)", len(mails))
	}
	now = now.Add(25 * time.Hour)
	verifyActsDaily(ctx, cfg, d, store, m, log)
	if mails, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml")); len(mails) != 3 {
		t.Errorf("no alert the next day (%d e-mails)", len(mails))
	}
}

func mailer(cfg *config.Config) (*mail.Mailer, error) {
	return mail.New(mail.Config{From: cfg.MailFrom, OutboxDir: filepath.Join(cfg.DataDir, "outbox"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}
