package contact_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/browsertest"
	"portique/internal/clock"
	"portique/internal/contact"
	"portique/internal/contact/form"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/jobs"
	"portique/internal/mail"
	"portique/internal/users"
	"portique/internal/valid"
)

var cfg = form.Config{
	Fields:    "Nom | texte | obligatoire\nCourriel | email | obligatoire\nObjet | choix | Collecte ; Autre\nMessage | texte-long\nPièce | fichier",
	Recipient: "accueil@sydrav.fr", Purpose: "Répondre", DPO: "dpo@sydrav.fr",
}

func newStore(t *testing.T, smtpURL string) (*contact.Store, *db.DB, *clock.Fake) {
	t.Helper()
	d := dbtest.NewDB(t)
	clk := clock.NewFake(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	s := contact.New(d)
	s.Now = clk.Now
	s.Limiter = &users.Throttle{DB: d}
	s.BaseURL, s.SiteName = "https://www.sydrav.fr", "SYDRAV"
	m, err := mail.New(mail.Config{SMTPURL: smtpURL, From: "SYDRAV <no-reply@sydrav.fr>", Now: clk.Now, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s.Mail = m
	return s, d, clk
}

func file(name string, data []byte) contact.Upload {
	return contact.Upload{Name: name, Size: int64(len(data)), Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

var pdf = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

func submission(key string) contact.Submission {
	return contact.Submission{PageID: 7, FormTitle: "Contact", Config: cfg, Key: key, Consent: true, Human: true,
		Values: map[string]string{"f0": "Jeanne Martin", "f1": "jeanne@example.fr", "f2": "Collecte", "f3": "Le bac est cassé."},
		Files:  map[string][]contact.Upload{"f4": {file("photo.pdf", pdf)}}}
}

var visitor = access.Actor{Principal: access.Anonymous(), IP: "203.0.113.9"}

// A message goes to the form's address over the real SMTP client; while
// the server is down it waits in the inbox and its job is retried.
func TestSubmitMailsThroughTheQueue(t *testing.T) {
	mb := browsertest.StartMailServer(t)
	s, d, clk := newStore(t, mb.URL())
	ctx := context.Background()
	m, err := s.Submit(ctx, visitor, submission("k1"))
	if err != nil {
		t.Fatal(err)
	}
	r := jobs.NewRunner(d)
	r.Now = clk.Now
	s.RegisterJobs(r)
	if ran, err := r.RunOne(ctx); !ran || err != nil {
		t.Fatalf("RunOne = %v, %v", ran, err)
	}
	got := mb.Wait(t, "accueil@sydrav.fr", "[Contact] Contact — Collecte", 0)
	for _, w := range []string{"Nom : Jeanne Martin", "Message : Le bac est cassé.", "photo.pdf", "https://www.sydrav.fr/admin/messages/"} {
		if !strings.Contains(got.Text, w) {
			t.Errorf("mail lacks %q:\n%s", w, got.Text)
		}
	}
	if rt := got.Header.Get("Reply-To"); !strings.Contains(rt, "jeanne@example.fr") {
		t.Errorf("Reply-To = %q", rt)
	}
	if m, _ = s.Get(ctx, access.System().Principal, m.ID); m.MailedAt.IsZero() {
		t.Fatal("mailed_at not set")
	}
}

func TestSMTPOutageDelaysNeverLoses(t *testing.T) {
	// A port nobody listens on: the SMTP server is down.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	s, d, clk := newStore(t, "smtp+insecure://"+addr)
	ctx := context.Background()
	m, err := s.Submit(ctx, visitor, submission("k1"))
	if err != nil {
		t.Fatal(err)
	}
	r := jobs.NewRunner(d)
	r.Now, r.MaxAttempts = clk.Now, 2
	s.RegisterJobs(r)
	for i := 0; i < 2; i++ {
		if ran, _ := r.RunOne(ctx); !ran {
			t.Fatalf("attempt %d did not run", i+1)
		}
		clk.Advance(time.Hour)
	}
	if n, _ := s.Unsent(ctx, access.System().Principal); n != 1 {
		t.Fatalf("unsent = %d", n)
	}
	// The job gave up; the housekeeping queues the e-mail again, and it
	// goes once the server is back.
	if n, err := s.RequeueUnsent(ctx); n != 1 || err != nil {
		t.Fatalf("RequeueUnsent = %d, %v", n, err)
	}
	if n, _ := s.RequeueUnsent(ctx); n != 0 {
		t.Fatalf("queued twice: %d", n)
	}
	mb := browsertest.StartMailServer(t)
	s2 := *s
	m2, _ := mail.New(mail.Config{SMTPURL: mb.URL(), From: "no-reply@sydrav.fr", Now: clk.Now})
	s2.Mail = m2
	r2 := jobs.NewRunner(d)
	r2.Now = clk.Now
	s2.RegisterJobs(r2)
	if ran, err := r2.RunOne(ctx); !ran || err != nil {
		t.Fatalf("RunOne = %v, %v", ran, err)
	}
	mb.Wait(t, "accueil@sydrav.fr", "[Contact] Contact — Collecte", 0)
	if got, _ := s.Get(ctx, access.System().Principal, m.ID); got.MailedAt.IsZero() {
		t.Fatal("not marked as mailed")
	}
}

func TestSubmitRefusals(t *testing.T) {
	s, _, _ := newStore(t, "smtp+insecure://127.0.0.1:1")
	ctx := context.Background()
	bad := submission("k1")
	bad.Consent, bad.Human = false, false
	bad.Values["f1"] = "pas une adresse"
	bad.Files["f4"] = []contact.Upload{file("a.exe", append([]byte("MZ\x90\x00"), make([]byte, 100)...))}
	_, err := s.Submit(ctx, visitor, bad)
	var ve valid.Errors
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	for k, key := range map[string]string{"consent": "contact.error.consent", "captcha": "contact.error.captcha", "f1": "contact.error.email", "f4": "contact.error.file_type"} {
		if ve.Key(k) != key {
			t.Errorf("%s: %q, want %q", k, ve.Key(k), key)
		}
	}
	if _, n, _ := s.List(ctx, access.System().Principal, contact.Filter{}); n != 0 {
		t.Fatalf("%d stored", n)
	}
	if _, err := s.Submit(ctx, visitor, submission("k1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(ctx, visitor, submission("k1")); !errors.Is(err, contact.ErrDuplicate) {
		t.Fatalf("second post: %v", err)
	}
	// Rate limit per address.
	for i := 0; i < s.RateLimit; i++ {
		if err := s.Allow(ctx, "198.51.100.1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Allow(ctx, "198.51.100.1"); !errors.Is(err, contact.ErrThrottled) {
		t.Fatalf("flood: %v", err)
	}
	if err := s.Allow(ctx, "198.51.100.2"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

// Reading the inbox needs Manage on it: anonymous and members without the
// grant are refused by every method; attachments are found only with
// their own message's id.
func TestInboxAccessRule(t *testing.T) {
	s, d, clk := newStore(t, "smtp+insecure://127.0.0.1:1")
	ctx := context.Background()
	m1, _ := s.Submit(ctx, visitor, submission("k1"))
	m2, _ := s.Submit(ctx, visitor, submission("k2"))
	var group int64
	if err := d.QueryRow(ctx, "INSERT INTO groups (name, created_at) VALUES ('Accueil', ?) RETURNING id", clk.Now().UTC()).Scan(&group); err != nil {
		t.Fatal(err)
	}
	member := access.Member(5, false, []int64{group})
	for _, p := range []access.Principal{access.Anonymous(), member} {
		if _, _, err := s.List(ctx, p, contact.Filter{}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("List: %v", err)
		}
		if _, err := s.Get(ctx, p, m1.ID); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("Get: %v", err)
		}
		if _, err := s.Attachment(ctx, p, m1.ID, m1.Attachments[0].ID); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("Attachment: %v", err)
		}
		if err := s.SetDone(ctx, access.Actor{Principal: p}, m1.ID, true); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("SetDone: %v", err)
		}
		if err := s.Export(ctx, p, io.Discard, time.UTC); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("Export: %v", err)
		}
	}
	admin := access.System()
	if err := s.SetGrants(ctx, admin, []access.Grant{{GroupID: group, Level: access.Manage}}); err != nil {
		t.Fatal(err)
	}
	if _, n, err := s.List(ctx, member, contact.Filter{}); err != nil || n != 2 {
		t.Fatalf("granted List = %d, %v", n, err)
	}
	if _, err := s.Attachment(ctx, member, m2.ID, m1.Attachments[0].ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("another message's attachment: %v", err)
	}
	a, err := s.Attachment(ctx, member, m1.ID, m1.Attachments[0].ID)
	if err != nil || !bytes.Equal(a.Data, pdf) {
		t.Fatalf("Attachment = %v", err)
	}
	if _, err := s.Get(ctx, member, 99999); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("forged id: %v", err)
	}
}

// Messages past the retention period are purged with their files.
func TestPurgeExpired(t *testing.T) {
	s, d, clk := newStore(t, "smtp+insecure://127.0.0.1:1")
	ctx := context.Background()
	s.Retention = 30 * 24 * time.Hour
	old, _ := s.Submit(ctx, visitor, submission("k1"))
	clk.Advance(20 * 24 * time.Hour)
	recent, _ := s.Submit(ctx, visitor, submission("k2"))
	clk.Advance(15 * 24 * time.Hour)
	if n, err := s.PurgeExpired(ctx); n != 1 || err != nil {
		t.Fatalf("PurgeExpired = %d, %v", n, err)
	}
	if _, err := s.Get(ctx, access.System().Principal, old.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("old message: %v", err)
	}
	if _, err := s.Get(ctx, access.System().Principal, recent.ID); err != nil {
		t.Fatal(err)
	}
	var files int
	d.QueryRow(ctx, "SELECT COUNT(*) FROM contact_attachments").Scan(&files) //nolint:errcheck
	if files != 1 {
		t.Fatalf("%d attachments left", files)
	}
}
