package users_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/users"
	"portique/internal/valid"
)

var t0 = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func TestCreateValidateAndConflict(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	id, err := users.Create(ctx, d, users.Form{Email: " Jeanne@Example.FR ", Name: " Jeanne ", Groups: []int64{1, 2, 999}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	u, err := users.Get(ctx, d, id)
	if err != nil || u.Email != "jeanne@example.fr" || u.Name != "Jeanne" || len(u.Groups) != 0 || u.HasPassword {
		t.Fatalf("created %+v, %v", u, err)
	}
	_, err = users.Create(ctx, d, users.Form{Email: "JEANNE@example.fr", Name: "Autre"}, t0)
	var ve valid.Errors
	if !errors.As(err, &ve) || ve.Key("email") != "accounts.email.taken" {
		t.Fatalf("duplicate: %v", err)
	}
	for _, bad := range []users.Form{{Email: "", Name: "x"}, {Email: "a@b", Name: "x"}, {Email: "Jeanne <j@x.fr>", Name: "x"}, {Email: "j@x.fr", Name: ""}} {
		if _, err := users.Create(ctx, d, bad, t0); !errors.As(err, &ve) {
			t.Errorf("Create(%+v) = %v, want a validation error", bad, err)
		}
	}
}

func TestTokens(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	id, _ := users.Create(ctx, d, users.Form{Email: "a@example.fr", Name: "A"}, t0)
	tok, err := users.IssueToken(ctx, d, id, users.PurposeReset, t0, users.ResetTTL)
	if err != nil || !users.ValidTokenFormat(tok) {
		t.Fatalf("token %q, %v", tok, err)
	}
	if _, err := users.PeekToken(ctx, d, tok, users.PurposeInvite, t0); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatal("a reset token works as an invitation")
	}
	if _, err := users.PeekToken(ctx, d, tok, users.PurposeReset, t0.Add(time.Hour)); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatal("a token works at its expiry instant")
	}
	got, err := users.ConsumeToken(ctx, d, tok, users.PurposeReset, t0.Add(59*time.Minute))
	if err != nil || got != id {
		t.Fatalf("consume = %d, %v", got, err)
	}
	if _, err := users.ConsumeToken(ctx, d, tok, users.PurposeReset, t0.Add(59*time.Minute)); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatal("a token worked twice")
	}
	// Disabled accounts' links do not work.
	tok2, _ := users.IssueToken(ctx, d, id, users.PurposeReset, t0, users.ResetTTL)
	users.SetDisabled(ctx, d, id, true)
	if _, err := users.PeekToken(ctx, d, tok2, users.PurposeReset, t0); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatal("a disabled account's link works")
	}
}

// FuzzValidTokenFormat: only 43 base64url characters pass.
func FuzzValidTokenFormat(f *testing.F) {
	f.Add(users.NewToken())
	f.Add("")
	f.Add("../../etc/passwd")
	f.Add("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=")
	f.Fuzz(func(t *testing.T, s string) {
		if !users.ValidTokenFormat(s) {
			return
		}
		if len(s) != 43 {
			t.Fatalf("accepted length %d", len(s))
		}
		for _, c := range s {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				t.Fatalf("accepted %q", s)
			}
		}
	})
}

func TestThrottleWindow(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		n, err := users.Hit(ctx, d, "k", time.Minute, t0.Add(time.Duration(i)*time.Second))
		if err != nil || n != i {
			t.Fatalf("hit %d = %d, %v", i, n, err)
		}
	}
	if n, _ := users.Hits(ctx, d, "k", t0.Add(30*time.Second)); n != 3 {
		t.Fatalf("Hits = %d", n)
	}
	if n, _ := users.Hits(ctx, d, "k", t0.Add(2*time.Minute)); n != 0 {
		t.Fatalf("Hits after the window = %d", n)
	}
	if n, _ := users.Hit(ctx, d, "k", time.Minute, t0.Add(2*time.Minute)); n != 1 {
		t.Fatalf("a new window starts at %d", n)
	}
	first, err := users.Once(ctx, d, "once", t0.Add(time.Hour))
	second, _ := users.Once(ctx, d, "once", t0.Add(time.Hour))
	if err != nil || !first || second {
		t.Fatalf("Once = %v, %v, %v", first, second, err)
	}
}

func TestGroups(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	gid, err := users.CreateGroup(ctx, d, "Élus", t0)
	if err != nil {
		t.Fatal(err)
	}
	var ve valid.Errors
	if _, err := users.CreateGroup(ctx, d, "Élus", t0); !errors.As(err, &ve) {
		t.Fatalf("duplicate group: %v", err)
	}
	if err := users.RenameGroup(ctx, d, 1, "Public"); !errors.Is(err, users.ErrBuiltin) {
		t.Fatalf("rename built-in: %v", err)
	}
	if err := users.DeleteGroup(ctx, d, 2); !errors.Is(err, users.ErrBuiltin) {
		t.Fatalf("delete built-in: %v", err)
	}
	uid, _ := users.Create(ctx, d, users.Form{Email: "a@example.fr", Name: "A", Groups: []int64{gid}}, t0)
	if err := users.AddMember(ctx, d, 1, uid); !errors.Is(err, users.ErrBuiltin) {
		t.Fatalf("member of a built-in: %v", err)
	}
	if err := users.AddMember(ctx, d, gid, 9999); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("unknown member: %v", err)
	}
	if err := users.AddMember(ctx, d, gid, uid); err != nil {
		t.Fatalf("re-adding a member: %v", err)
	}
	if err := users.DeleteGroup(ctx, d, gid); err != nil {
		t.Fatal(err)
	}
	if g, _ := users.GroupIDs(ctx, d, uid); len(g) != 0 {
		t.Fatal("membership survived its group")
	}
}

func TestSeedDemo(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	h := users.NewHasher(users.CheapParams, 2)
	res, err := users.SeedDemo(ctx, d, t0, h)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Groups) != 4 || res.AdminID == 0 || len(res.Accounts) != 5 {
		t.Fatalf("demo = %+v", res)
	}
	a := &users.Accounts{DB: d, Now: func() time.Time { return t0 }, Hasher: h, LockoutThreshold: 10, LockoutDuration: time.Hour}
	seen := map[string]bool{}
	for _, acc := range res.Accounts {
		if users.CheckPassword(acc.Password) != "" || seen[acc.Password] {
			t.Errorf("demo password %q is weak or repeated", acc.Password)
		}
		seen[acc.Password] = true
		r, err := a.Login(ctx, acc.Email, acc.Password, "127.0.0.1")
		if err != nil || r.User.ID != acc.ID || r.User.Admin != (acc.Group == "") {
			t.Errorf("login %s: %+v, %v", acc.Email, r, err)
		}
		if acc.Group != "" && (len(r.User.Groups) != 1 || r.User.Groups[0] != res.Groups[acc.Group]) {
			t.Errorf("%s groups = %v", acc.Email, r.User.Groups)
		}
	}
}
