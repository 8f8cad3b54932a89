package users_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"portique/internal/users"
)

// TestConcurrentFailuresLockOnce: a burst of parallel failures locks the
// account once, and only one of them reports it (one email, one
// account.locked entry).
func TestConcurrentFailuresLockOnce(t *testing.T) {
	s := newStores(t, users.CheapParams)
	id := s.mustAccount(t, "a@example.fr", "une phrase de passe")
	users.IPFailureLimit = 1000
	defer func() { users.IPFailureLimit = 30 }()
	var wg sync.WaitGroup
	var mu sync.Mutex
	lockedNow := 0
	for i := 0; i < 25; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.accounts.Login(context.Background(), visitor("192.0.2.1"), "a@example.fr", "faux")
			if !errors.Is(err, users.ErrLoginFailed) {
				t.Errorf("err = %v", err)
			}
			if res.LockedNow != nil {
				mu.Lock()
				lockedNow++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	u, _ := s.accounts.Get(context.Background(), id)
	if lockedNow != 1 || !u.Locked(t0) {
		t.Fatalf("lockedNow = %d, locked = %v", lockedNow, u.Locked(t0))
	}
	if e := s.entries(t, "account.locked"); len(e) != 1 || e[0].ActorID != id || e[0].Actor != "a@example.fr" || e[0].IP != "192.0.2.1" {
		t.Fatalf("account.locked entries = %+v", e)
	}
	if e := s.entries(t, "login.failure"); len(e) != 25 {
		t.Fatalf("%d login.failure entries, want 25", len(e))
	}
}

func TestLockNotExtendedByFurtherFailures(t *testing.T) {
	s := newStores(t, users.CheapParams)
	id := s.mustAccount(t, "a@example.fr", "une phrase de passe")
	for i := 0; i < 10; i++ {
		s.accounts.Login(context.Background(), visitor("192.0.2.1"), "a@example.fr", "faux") //nolint:errcheck
	}
	s.clock.Advance(23 * time.Hour)
	s.accounts.Login(context.Background(), visitor("192.0.2.1"), "a@example.fr", "faux") //nolint:errcheck
	u, _ := s.accounts.Get(context.Background(), id)
	if !u.LockedUntil.Equal(t0.Add(24 * time.Hour)) {
		t.Fatalf("locked until %v, want the first lock's end", u.LockedUntil)
	}
	s.clock.Advance(time.Hour)
	if _, err := s.accounts.Login(context.Background(), visitor("192.0.2.1"), "a@example.fr", "une phrase de passe"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}

// TestLoginAuditNamesWhoTyped: failures are recorded under the email
// typed, successes under the account, with the address.
func TestLoginAuditNamesWhoTyped(t *testing.T) {
	s := newStores(t, users.CheapParams)
	id := s.mustAccount(t, "a@example.fr", "une phrase de passe")
	ctx := context.Background()
	s.accounts.Login(ctx, visitor("192.0.2.7"), " Inconnu@Example.fr", "x") //nolint:errcheck
	if _, err := s.accounts.Login(ctx, visitor("192.0.2.7"), "A@example.fr", "une phrase de passe"); err != nil {
		t.Fatal(err)
	}
	f := s.entries(t, "login.failure")
	if len(f) != 1 || f[0].ActorID != 0 || f[0].Actor != "inconnu@example.fr" || f[0].Object != "" || f[0].IP != "192.0.2.7" {
		t.Fatalf("login.failure = %+v", f)
	}
	ok := s.entries(t, "login.success")
	if len(ok) != 1 || ok[0].ActorID != id || ok[0].Actor != "a@example.fr" || ok[0].Object != "user:"+itoa(id) {
		t.Fatalf("login.success = %+v", ok)
	}
	users.IPFailureLimit = 1
	defer func() { users.IPFailureLimit = 30 }()
	if _, err := s.accounts.Login(ctx, visitor("192.0.2.7"), "a@example.fr", "une phrase de passe"); !errors.Is(err, users.ErrThrottled) {
		t.Fatalf("over the address limit: %v", err)
	}
	if th := s.entries(t, "login.throttled"); len(th) != 1 || th[0].Actor != "a@example.fr" || th[0].ActorID != 0 {
		t.Fatalf("login.throttled = %+v", th)
	}
}

// BenchmarkLogin compares the cost of each kind of failure with the real
// parameters: they should take about the same time (one argon2id hash).
func BenchmarkLogin(b *testing.B) {
	s := newStores(b, users.DefaultParams)
	users.IPFailureLimit = 1 << 30
	s.mustAccount(b, "known@example.fr", "une phrase de passe")
	s.accounts.LockoutThreshold = 1 << 30
	ctx := context.Background()
	for _, c := range []struct{ name, email, pw string }{
		{"success", "known@example.fr", "une phrase de passe"},
		{"wrong-password", "known@example.fr", "faux mot de passe"},
		{"unknown-email", "unknown@example.fr", "faux mot de passe"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				s.accounts.Login(ctx, visitor("192.0.2.1"), c.email, c.pw) //nolint:errcheck
			}
		})
	}
}
