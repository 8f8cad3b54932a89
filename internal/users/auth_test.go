package users_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"portique/internal/clock"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/users"
)

func newAccounts(t testing.TB, d *db.DB, p users.Params) (*users.Accounts, *clock.Fake) {
	clk := clock.NewFake(t0)
	return &users.Accounts{DB: d, Now: clk.Now, Hasher: users.NewHasher(p, 4), LockoutThreshold: 10, LockoutDuration: 24 * time.Hour, SiteName: "SYDRAV"}, clk
}

func mustAccount(t testing.TB, a *users.Accounts, email, pw string) int64 {
	ctx := context.Background()
	id, err := users.Create(ctx, a.DB, users.Form{Email: email, Name: "X"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := a.Hasher.Hash(ctx, pw)
	if err := users.SetPasswordHash(ctx, a.DB, id, h); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestConcurrentFailuresLockOnce: a burst of parallel failures locks the
// account once, and only one of them reports it (one email).
func TestConcurrentFailuresLockOnce(t *testing.T) {
	d := dbtest.NewDB(t)
	a, _ := newAccounts(t, d, users.CheapParams)
	id := mustAccount(t, a, "a@example.fr", "une phrase de passe")
	users.IPFailureLimit = 1000
	defer func() { users.IPFailureLimit = 30 }()
	var wg sync.WaitGroup
	var mu sync.Mutex
	lockedNow := 0
	for i := 0; i < 25; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := a.Login(context.Background(), "a@example.fr", "faux", "192.0.2.1")
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
	u, _ := users.Get(context.Background(), d, id)
	if lockedNow != 1 || !u.Locked(t0) {
		t.Fatalf("lockedNow = %d, locked = %v", lockedNow, u.Locked(t0))
	}
}

func TestLockNotExtendedByFurtherFailures(t *testing.T) {
	d := dbtest.NewDB(t)
	a, clk := newAccounts(t, d, users.CheapParams)
	id := mustAccount(t, a, "a@example.fr", "une phrase de passe")
	for i := 0; i < 10; i++ {
		a.Login(context.Background(), "a@example.fr", "faux", "192.0.2.1") //nolint:errcheck
	}
	clk.Advance(23 * time.Hour)
	a.Login(context.Background(), "a@example.fr", "faux", "192.0.2.1") //nolint:errcheck
	u, _ := users.Get(context.Background(), d, id)
	if !u.LockedUntil.Equal(t0.Add(24 * time.Hour)) {
		t.Fatalf("locked until %v, want the first lock's end", u.LockedUntil)
	}
	clk.Advance(time.Hour)
	if _, err := a.Login(context.Background(), "a@example.fr", "une phrase de passe", "192.0.2.1"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}

// BenchmarkLogin compares the cost of each kind of failure with the real
// parameters: they should take about the same time (one argon2id hash).
func BenchmarkLogin(b *testing.B) {
	d := dbtest.NewDB(b)
	a, _ := newAccounts(b, d, users.DefaultParams)
	users.IPFailureLimit = 1 << 30
	mustAccount(b, a, "known@example.fr", "une phrase de passe")
	a.LockoutThreshold = 1 << 30
	ctx := context.Background()
	for _, c := range []struct{ name, email, pw string }{
		{"success", "known@example.fr", "une phrase de passe"},
		{"wrong-password", "known@example.fr", "faux mot de passe"},
		{"unknown-email", "unknown@example.fr", "faux mot de passe"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				a.Login(ctx, c.email, c.pw, "192.0.2.1") //nolint:errcheck
			}
		})
	}
}
