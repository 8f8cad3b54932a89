package users_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/users"
	"portique/internal/valid"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCreateValidateAndConflict(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	u, link, err := s.accounts.Create(ctx, cli(), users.Form{Email: " Jeanne@Example.FR ", Name: " Jeanne ", Groups: []int64{1, 2, 999}})
	if err != nil {
		t.Fatal(err)
	}
	if !users.ValidTokenFormat(link.Token) || !link.Expires.Equal(t0.Add(users.InviteTTL)) {
		t.Fatalf("invitation link = %+v", link)
	}
	u, err = s.accounts.Get(ctx, u.ID)
	if err != nil || u.Email != "jeanne@example.fr" || u.Name != "Jeanne" || len(u.Groups) != 0 || u.HasPassword {
		t.Fatalf("created %+v, %v", u, err)
	}
	_, _, err = s.accounts.Create(ctx, cli(), users.Form{Email: "JEANNE@example.fr", Name: "Autre"})
	var ve valid.Errors
	if !errors.As(err, &ve) || ve.Key("email") != "accounts.email.taken" {
		t.Fatalf("duplicate: %v", err)
	}
	for _, bad := range []users.Form{{Email: "", Name: "x"}, {Email: "a@b", Name: "x"}, {Email: "Jeanne <j@x.fr>", Name: "x"}, {Email: "j@x.fr", Name: ""}} {
		if _, _, err := s.accounts.Create(ctx, cli(), bad); !errors.As(err, &ve) {
			t.Errorf("Create(%+v) = %v, want a validation error", bad, err)
		}
	}
	if n, _ := s.accounts.Count(ctx); n != 1 {
		t.Fatalf("%d accounts, want 1", n)
	}
	// The command line's entries: the account and its invitation.
	for _, action := range []string{"user.created", "invitation.sent"} {
		e := s.entries(t, action)
		if len(e) != 1 || e[0].Actor != "cli" || e[0].ActorID != 0 || e[0].Object != "user:"+itoa(u.ID) {
			t.Errorf("%s = %+v", action, e)
		}
	}
}

func TestTokens(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	u, invite, _ := s.accounts.Create(ctx, cli(), users.Form{Email: "a@example.fr", Name: "A"})
	if _, err := s.accounts.PeekToken(ctx, invite.Token, users.PurposeReset); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatal("an invitation works as a reset link")
	}
	got, link, err := s.accounts.RequestReset(ctx, visitor("192.0.2.1"), "A@example.fr")
	if err != nil || got == nil || got.ID != u.ID || !users.ValidTokenFormat(link.Token) {
		t.Fatalf("reset = %+v %+v, %v", got, link, err)
	}
	if _, err := s.accounts.PeekToken(ctx, link.Token, users.PurposeInvite); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatal("a reset token works as an invitation")
	}
	s.clock.Advance(time.Hour)
	if _, err := s.accounts.PeekToken(ctx, link.Token, users.PurposeReset); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatal("a token works at its expiry instant")
	}
	s.clock.Set(t0.Add(59 * time.Minute))
	if _, err := s.accounts.UseToken(ctx, visitor("192.0.2.1"), link.Token, users.PurposeReset, "la mer est calme", "la mer est calme"); err != nil {
		t.Fatalf("use: %v", err)
	}
	if _, err := s.accounts.UseToken(ctx, visitor("192.0.2.1"), link.Token, users.PurposeReset, "la mer est calme", "la mer est calme"); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatal("a token worked twice")
	}
	// Disabled accounts' links do not work.
	_, link2, _ := s.accounts.RequestReset(ctx, visitor("192.0.2.1"), "a@example.fr")
	if err := s.accounts.SetDisabled(ctx, cli(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.accounts.PeekToken(ctx, link2.Token, users.PurposeReset); !errors.Is(err, users.ErrTokenInvalid) {
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
	th := &users.Throttle{DB: dbtest.NewDB(t)}
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		n, err := th.Hit(ctx, "k", time.Minute, t0.Add(time.Duration(i)*time.Second))
		if err != nil || n != i {
			t.Fatalf("hit %d = %d, %v", i, n, err)
		}
	}
	if n, _ := th.Hits(ctx, "k", t0.Add(30*time.Second)); n != 3 {
		t.Fatalf("Hits = %d", n)
	}
	if n, _ := th.Hits(ctx, "k", t0.Add(2*time.Minute)); n != 0 {
		t.Fatalf("Hits after the window = %d", n)
	}
	if n, _ := th.Hit(ctx, "k", time.Minute, t0.Add(2*time.Minute)); n != 1 {
		t.Fatalf("a new window starts at %d", n)
	}
	first, err := th.Once(ctx, "once", t0.Add(time.Hour))
	second, _ := th.Once(ctx, "once", t0.Add(time.Hour))
	if err != nil || !first || second {
		t.Fatalf("Once = %v, %v, %v", first, second, err)
	}
}

func TestGroups(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	gid, err := s.groups.Create(ctx, cli(), "Élus")
	if err != nil {
		t.Fatal(err)
	}
	var ve valid.Errors
	if _, err := s.groups.Create(ctx, cli(), "Élus"); !errors.As(err, &ve) {
		t.Fatalf("duplicate group: %v", err)
	}
	if err := s.groups.Rename(ctx, cli(), 1, "Public"); !errors.Is(err, users.ErrBuiltin) {
		t.Fatalf("rename built-in: %v", err)
	}
	if err := s.groups.Delete(ctx, cli(), 2); !errors.Is(err, users.ErrBuiltin) {
		t.Fatalf("delete built-in: %v", err)
	}
	uid := s.mustAccount(t, "a@example.fr", "", gid)
	if err := s.groups.AddMember(ctx, cli(), 1, uid); !errors.Is(err, users.ErrBuiltin) {
		t.Fatalf("member of a built-in: %v", err)
	}
	if err := s.groups.AddMember(ctx, cli(), gid, 9999); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("unknown member: %v", err)
	}
	if err := s.groups.AddMember(ctx, cli(), 9999, uid); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("unknown group: %v", err)
	}
	if err := s.groups.AddMember(ctx, cli(), gid, uid); err != nil {
		t.Fatalf("re-adding a member: %v", err)
	}
	if m, _ := s.groups.Members(ctx, gid); len(m) != 1 || m[0].ID != uid {
		t.Fatalf("members = %+v", m)
	}
	if err := s.groups.Rename(ctx, cli(), gid, " Élus du comité "); err != nil {
		t.Fatal(err)
	}
	if err := s.groups.Delete(ctx, cli(), gid); err != nil {
		t.Fatal(err)
	}
	if g, _ := users.GroupIDs(ctx, s.db, uid); len(g) != 0 {
		t.Fatal("membership survived its group")
	}
	// Each change has its entry; refused ones have none.
	for action, detail := range map[string]string{
		"group.created":    "Élus",
		"group.renamed":    "Élus → Élus du comité",
		"membership.added": "user:" + itoa(uid),
		"group.deleted":    "Élus du comité",
	} {
		e := s.entries(t, action)
		if len(e) != 1 || e[0].Detail != detail || e[0].Object != "group:"+itoa(gid) || e[0].Actor != "cli" {
			t.Errorf("%s = %+v, want one entry with detail %q", action, e, detail)
		}
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
	if len(res.Groups) != 3 || res.AdminID == 0 || len(res.Accounts) != 4 {
		t.Fatalf("demo = %+v", res)
	}
	a := &users.Accounts{DB: d, Now: func() time.Time { return t0 }, Hasher: h, LockoutThreshold: 10, LockoutDuration: time.Hour}
	seen := map[string]bool{}
	for _, acc := range res.Accounts {
		if users.CheckPassword(acc.Password) != "" || seen[acc.Password] {
			t.Errorf("demo password %q is weak or repeated", acc.Password)
		}
		seen[acc.Password] = true
		r, err := a.Login(ctx, visitor("127.0.0.1"), acc.Email, acc.Password)
		if err != nil || r.User.ID != acc.ID || r.User.Admin != (acc.Group == "") {
			t.Errorf("login %s: %+v, %v", acc.Email, r, err)
		}
		if acc.Group != "" && (len(r.User.Groups) != 1 || r.User.Groups[0] != res.Groups[acc.Group]) {
			t.Errorf("%s groups = %v", acc.Email, r.User.Groups)
		}
	}
}
