package app

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/config"
	"portique/internal/contact"
	"portique/internal/contact/form"
	"portique/internal/dbtest"
)

// The hourly housekeeping purges the contact messages past
// --contact-retention and queues again the e-mails whose job gave up.
func TestHousekeepingContact(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.ContactRetention = 30 * 24 * time.Hour
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := services.New(cfg, d, services.Options{Log: log, Now: func() time.Time { return now }, NoSearch: true})
	if err != nil {
		t.Fatal(err)
	}
	sub := func(key string) {
		t.Helper()
		_, err := svc.Contact.Submit(ctx, access.Actor{Principal: access.Anonymous()}, contact.Submission{PageID: 1, FormTitle: "Contact",
			Config: form.Config{Fields: "Nom | texte", Recipient: "a@sydrav.fr", Purpose: "p", DPO: "d"},
			Values: map[string]string{"f0": "Jeanne"}, Consent: true, Human: true, Key: key})
		if err != nil {
			t.Fatal(err)
		}
	}
	sub("old")
	now = now.Add(20 * 24 * time.Hour)
	sub("recent")
	// The first job gave up (the SMTP server stayed down).
	if _, err := d.Exec(ctx, "UPDATE jobs SET done_at = ?, last_error = 'abandoned' WHERE kind = ?", now, contact.JobMail); err != nil {
		t.Fatal(err)
	}
	now = now.Add(15 * 24 * time.Hour)
	contactHousekeeping(ctx, svc, log)
	msgs, n, err := svc.Contact.List(ctx, access.System().Principal, contact.Filter{})
	if err != nil || n != 1 {
		t.Fatalf("after the purge: %d messages, %v", n, err)
	}
	var pending int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM jobs WHERE kind = ? AND done_at IS NULL AND payload = ?", contact.JobMail, strconv.FormatInt(msgs[0].ID, 10)).Scan(&pending); err != nil || pending != 1 {
		t.Fatalf("e-mail of the kept message queued again: %d, %v", pending, err)
	}
}
