package audit_test

import (
	"context"
	"testing"
	"time"

	"portique/internal/audit"
	"portique/internal/dbtest"
)

func TestLogFindPurge(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	entries := []audit.Entry{
		{At: base, Actor: "a@x.fr", ActorID: 1, Action: "login.success", IP: "192.0.2.1"},
		{At: base.Add(time.Hour), Actor: "b@x.fr", Action: "login.failure", Object: "user:2"},
		{At: base.Add(2 * time.Hour), Actor: "a@x.fr", Action: "group.create", Detail: "Élus"},
		{At: base.Add(3 * time.Hour), Actor: "c_d@x.fr", Action: "login_x"},
	}
	for _, e := range entries {
		if err := audit.Log(ctx, d, e); err != nil {
			t.Fatal(err)
		}
	}
	got, more, err := audit.Find(ctx, d, audit.Filter{Action: "login."})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || more || got[0].Action != "login.failure" {
		t.Fatalf("Find(login.) = %+v more=%v", got, more)
	}
	// "_" is a literal, not a LIKE wildcard.
	got, _, _ = audit.Find(ctx, d, audit.Filter{Action: "login_"})
	if len(got) != 1 || got[0].Action != "login_x" {
		t.Fatalf("Find(login_) = %+v", got)
	}
	got, _, _ = audit.Find(ctx, d, audit.Filter{Actor: "A@X"})
	if len(got) != 2 {
		t.Fatalf("Find(actor) = %d entries, want 2", len(got))
	}
	got, more, _ = audit.Find(ctx, d, audit.Filter{Limit: 3})
	if len(got) != 3 || !more {
		t.Fatalf("paging: %d entries more=%v", len(got), more)
	}
	got, _, _ = audit.Find(ctx, d, audit.Filter{From: base.Add(30 * time.Minute), To: base.Add(150 * time.Minute)})
	if len(got) != 2 {
		t.Fatalf("date range: %d entries, want 2", len(got))
	}
	n, err := audit.Purge(ctx, d, base.Add(90*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("Purge = %d, %v; want 2", n, err)
	}
	got, _, _ = audit.Find(ctx, d, audit.Filter{})
	if len(got) != 2 {
		t.Fatalf("after purge: %d entries, want 2", len(got))
	}
}
