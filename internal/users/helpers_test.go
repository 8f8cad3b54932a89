package users_test

import (
	"context"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/clock"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/users"
)

var t0 = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// stores are the users' stores on one database and one fake clock, as
// services.New builds them.
type stores struct {
	db       *db.DB
	clock    *clock.Fake
	accounts *users.Accounts
	groups   *users.Groups
	sessions *users.Sessions
	trail    *audit.Trail
}

func newStores(t testing.TB, p users.Params) *stores {
	t.Helper()
	d := dbtest.NewDB(t)
	clk := clock.NewFake(t0)
	return &stores{
		db: d, clock: clk,
		accounts: &users.Accounts{DB: d, Now: clk.Now, Hasher: users.NewHasher(p, 4), LockoutThreshold: 10,
			LockoutDuration: 24 * time.Hour, SiteName: "SYDRAV", DeletedName: "Compte supprimé"},
		groups:   &users.Groups{DB: d, Now: clk.Now},
		sessions: &users.Sessions{DB: d, Now: clk.Now, Idle: 2 * time.Hour, Max: 12 * time.Hour},
		trail:    &audit.Trail{DB: d},
	}
}

// cli is the actor of the command line.
func cli() access.Actor {
	a := access.System()
	a.Name = "cli"
	return a
}

// adminActor is an administrator account acting from a browser.
func adminActor(id int64) access.Actor {
	return access.Actor{Principal: access.Member(id, true, nil), Name: "admin@example.fr", IP: "192.0.2.10"}
}

// visitor is an anonymous visitor from ip.
func visitor(ip string) access.Actor { return access.Actor{Principal: access.Anonymous(), IP: ip} }

// mustAccount creates an account and gives it pw through its invitation
// link, as a person would.
func (s *stores) mustAccount(t testing.TB, email, pw string, groups ...int64) int64 {
	t.Helper()
	ctx := context.Background()
	u, link, err := s.accounts.Create(ctx, cli(), users.Form{Email: email, Name: "X", Groups: groups})
	if err != nil {
		t.Fatal(err)
	}
	if pw != "" {
		if _, err := s.accounts.UseToken(ctx, visitor("192.0.2.99"), link.Token, users.PurposeInvite, pw, pw); err != nil {
			t.Fatal(err)
		}
	}
	return u.ID
}

// entries returns the audit entries of action (a prefix), newest first.
func (s *stores) entries(t testing.TB, action string) []audit.Entry {
	t.Helper()
	e, _, err := s.trail.Find(context.Background(), audit.Filter{Action: action, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// member is the principal of a plain account.
func member(id int64) access.Actor {
	return access.Actor{Principal: access.Member(id, false, nil), Name: "membre@example.fr", IP: "192.0.2.11"}
}
