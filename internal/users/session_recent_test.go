package users_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"portique/internal/users"
)

// A member's requests look their session up again and again: a lookup
// made while the database saw no write is served without its queries, and
// a logout, a withdrawn group, a disabled account or the idle end show at
// the very next lookup.
func TestSessionLookupRecent(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	g, err := s.groups.Create(ctx, cli(), "Élus")
	if err != nil {
		t.Fatal(err)
	}
	uid := s.mustAccount(t, "elu@example.fr", "", g)
	token, err := s.sessions.Create(ctx, uid, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	var queries atomic.Int64
	s.db.Observe(func(string) { queries.Add(1) })
	defer s.db.Observe(nil)
	lookup := func() (*users.Session, error) {
		t.Helper()
		queries.Store(0)
		return s.sessions.Lookup(ctx, token)
	}
	ses, err := lookup()
	if err != nil || !slices.Contains(ses.User.Groups, g) {
		t.Fatalf("first lookup = %+v, %v", ses, err)
	}
	ses, err = lookup()
	if err != nil || !slices.Contains(ses.User.Groups, g) {
		t.Fatalf("second lookup = %+v, %v", ses, err)
	}
	if n := queries.Load(); n != 0 {
		t.Errorf("a second lookup with nothing written made %d queries", n)
	}
	ses.User.Groups[0] = -1 // a caller's copy: the next lookup is not changed by it

	// The group withdrawn: the next lookup no longer has it.
	if err := s.groups.RemoveMember(ctx, cli(), g, uid); err != nil {
		t.Fatal(err)
	}
	if ses, err = lookup(); err != nil || slices.Contains(ses.User.Groups, g) || slices.Contains(ses.User.Groups, -1) {
		t.Fatalf("after the group was withdrawn: %+v, %v", ses, err)
	}
	if queries.Load() == 0 {
		t.Error("the lookup after a write made no query")
	}
	// Past the idle end, whatever was kept: no session.
	lookup() //nolint:errcheck // kept again
	s.clock.Advance(2*time.Hour + time.Second)
	if _, err := lookup(); !errors.Is(err, users.ErrNoSession) {
		t.Fatalf("past the idle end: %v, want ErrNoSession", err)
	}

	// A disabled account, then a logout, end the session at once.
	token, err = s.sessions.Create(ctx, uid, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	lookup() //nolint:errcheck
	lookup() //nolint:errcheck
	if err := s.accounts.SetDisabled(ctx, cli(), uid, true); err != nil {
		t.Fatal(err)
	}
	if _, err := lookup(); !errors.Is(err, users.ErrNoSession) {
		t.Fatalf("disabled account: %v, want ErrNoSession", err)
	}
	if err := s.accounts.SetDisabled(ctx, cli(), uid, false); err != nil {
		t.Fatal(err)
	}
	token, err = s.sessions.Create(ctx, uid, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	lookup() //nolint:errcheck
	ses, _ = lookup()
	if err := s.sessions.Delete(ctx, ses.IDHash); err != nil {
		t.Fatal(err)
	}
	if _, err := lookup(); !errors.Is(err, users.ErrNoSession) {
		t.Fatalf("after logout: %v, want ErrNoSession", err)
	}
}
