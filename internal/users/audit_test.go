package users_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/users"
	"portique/internal/valid"
)

// TestChangeAndAuditCommitTogether: when the audit entry cannot be
// written, the change it records does not happen either (and the reverse:
// once the trail works again, both are there).
func TestChangeAndAuditCommitTogether(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	adminID := s.mustAccount(t, "admin@example.fr", "")
	uid := s.mustAccount(t, "elu@example.fr", "une phrase de passe")
	gid, err := s.groups.Create(ctx, cli(), "Élus")
	if err != nil {
		t.Fatal(err)
	}
	_, link, err := s.accounts.RequestReset(ctx, visitor("192.0.2.1"), "elu@example.fr")
	if err != nil {
		t.Fatal(err)
	}
	token, err := s.sessions.Create(ctx, uid, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	ses, err := s.sessions.Lookup(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	before := len(s.entries(t, ""))

	// The trail breaks: every write of an entry fails.
	if _, err := s.db.Exec(ctx, "ALTER TABLE audit RENAME TO audit_away"); err != nil {
		t.Fatal(err)
	}
	a := adminActor(adminID)
	elu := access.Actor{Principal: ses.User.Principal(), Name: "elu@example.fr", IP: "192.0.2.1"}
	for name, change := range map[string]func() error{
		"create": func() error {
			_, _, err := s.accounts.Create(ctx, a, users.Form{Email: "new@example.fr", Name: "Nouveau"})
			return err
		},
		"update": func() error {
			return s.accounts.Update(ctx, a, uid, users.Form{Email: "elu@example.fr", Name: "Changé", Admin: true})
		},
		"disable": func() error { return s.accounts.SetDisabled(ctx, a, uid, true) },
		"delete":  func() error { return s.accounts.Delete(ctx, a, uid) },
		"rename":  func() error { return s.accounts.Rename(ctx, elu, "Autre nom") },
		"password": func() error {
			return s.accounts.ChangePassword(ctx, elu, "une phrase de passe", "la mer est calme", "la mer est calme", "")
		},
		"use link": func() error {
			_, err := s.accounts.UseToken(ctx, visitor("192.0.2.1"), link.Token, users.PurposeReset, "la mer est calme", "la mer est calme")
			return err
		},
		"group create": func() error { _, err := s.groups.Create(ctx, a, "Techniciens"); return err },
		"group rename": func() error { return s.groups.Rename(ctx, a, gid, "Élus du comité") },
		"group delete": func() error { return s.groups.Delete(ctx, a, gid) },
		"add member":   func() error { return s.groups.AddMember(ctx, a, gid, uid) },
		"logout":       func() error { return s.sessions.Logout(ctx, elu, ses.IDHash) },
		"revoke":       func() error { return s.sessions.Revoke(ctx, elu, ses.IDHash) },
		"login": func() error {
			_, err := s.accounts.Login(ctx, visitor("192.0.2.1"), "elu@example.fr", "une phrase de passe")
			return err
		},
	} {
		if err := change(); err == nil {
			t.Errorf("%s succeeded without its audit entry", name)
		}
	}
	// Nothing changed.
	u, err := s.accounts.Get(ctx, uid)
	if err != nil || u.Name != "X" || u.Admin || u.Disabled || len(u.Groups) != 0 || !u.LastLoginAt.IsZero() {
		t.Fatalf("account changed: %+v, %v", u, err)
	}
	if n, _ := s.accounts.Count(ctx); n != 2 {
		t.Fatalf("%d accounts, want 2", n)
	}
	if g, err := s.groups.Get(ctx, gid); err != nil || g.Name != "Élus" {
		t.Fatalf("group changed: %+v, %v", g, err)
	}
	if gs, _ := s.groups.List(ctx); len(gs) != 3 {
		t.Fatalf("%d groups, want the 2 built-in and Élus", len(gs))
	}
	if _, err := s.sessions.Lookup(ctx, token); err != nil {
		t.Fatalf("the session ended: %v", err)
	}
	if _, err := s.accounts.PeekToken(ctx, link.Token, users.PurposeReset); err != nil {
		t.Fatalf("the link was used: %v", err)
	}
	if _, err := s.accounts.Login(ctx, visitor("192.0.2.2"), "elu@example.fr", "la mer est calme"); err == nil {
		t.Fatal("the password changed")
	}

	// The trail is back: the same change commits with its entry.
	if _, err := s.db.Exec(ctx, "ALTER TABLE audit_away RENAME TO audit"); err != nil {
		t.Fatal(err)
	}
	if got := len(s.entries(t, "")); got != before {
		t.Fatalf("%d entries, want the %d from before", got, before)
	}
	if err := s.accounts.Update(ctx, a, uid, users.Form{Email: "elu@example.fr", Name: "Changé", Admin: true, Groups: []int64{gid}}); err != nil {
		t.Fatal(err)
	}
	e := s.entries(t, "user.updated")
	want := "elu@example.fr admin=true groups=" + itoa(gid)
	if len(e) != 1 || e[0].Detail != want || e[0].ActorID != adminID || e[0].Actor != "admin@example.fr" || e[0].IP != "192.0.2.10" || !e[0].At.Equal(t0) {
		t.Fatalf("user.updated = %+v, want detail %q", e, want)
	}
}

// TestAdministrationIsForAdministrators: a member (or a visitor) cannot
// administer accounts or groups, whatever the store is called with; nothing
// changes and nothing is recorded.
func TestAdministrationIsForAdministrators(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	uid := s.mustAccount(t, "elu@example.fr", "")
	other := s.mustAccount(t, "autre@example.fr", "")
	gid, _ := s.groups.Create(ctx, cli(), "Élus")
	before := len(s.entries(t, ""))
	for _, a := range []access.Actor{member(uid), visitor("192.0.2.3")} {
		for name, change := range map[string]func() error{
			"create": func() error {
				_, _, err := s.accounts.Create(ctx, a, users.Form{Email: "x@example.fr", Name: "X"})
				return err
			},
			"update self admin": func() error {
				return s.accounts.Update(ctx, a, uid, users.Form{Email: "elu@example.fr", Name: "X", Admin: true})
			},
			"disable":      func() error { return s.accounts.SetDisabled(ctx, a, other, true) },
			"unlock":       func() error { return s.accounts.Unlock(ctx, a, other) },
			"delete":       func() error { return s.accounts.Delete(ctx, a, other) },
			"invite":       func() error { _, _, err := s.accounts.Invite(ctx, a, other); return err },
			"group create": func() error { _, err := s.groups.Create(ctx, a, "Pirates"); return err },
			"group rename": func() error { return s.groups.Rename(ctx, a, gid, "Pirates") },
			"group delete": func() error { return s.groups.Delete(ctx, a, gid) },
			"add member":   func() error { return s.groups.AddMember(ctx, a, gid, uid) },
			"remove":       func() error { return s.groups.RemoveMember(ctx, a, gid, uid) },
		} {
			if err := change(); !errors.Is(err, access.ErrForbidden) {
				t.Errorf("%s by %+v: %v, want access.ErrForbidden", name, a.Principal, err)
			}
		}
	}
	if got := len(s.entries(t, "")); got != before {
		t.Fatalf("%d entries after refused changes, want %d", got, before)
	}
	if u, _ := s.accounts.Get(ctx, uid); u.Admin || len(u.Groups) != 0 {
		t.Fatalf("member changed: %+v", u)
	}
	if n, _ := s.accounts.Count(ctx); n != 2 {
		t.Fatalf("%d accounts", n)
	}
	// A visitor has no profile to rename or password to change.
	if err := s.accounts.Rename(ctx, visitor("192.0.2.3"), "X"); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("visitor rename: %v", err)
	}
	if err := s.accounts.ChangePassword(ctx, visitor("192.0.2.3"), "", "la mer est calme", "la mer est calme", ""); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("visitor password: %v", err)
	}
}

// TestNotOnOnesOwnAccount: an administrator cannot drop their own rights,
// disable, delete or re-invite themselves; they may unlock themselves.
func TestNotOnOnesOwnAccount(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	id := s.mustAccount(t, "admin@example.fr", "")
	a := adminActor(id)
	if err := s.accounts.Update(ctx, a, id, users.Form{Email: "bad", Name: "Admin"}); !errors.As(err, new(valid.Errors)) || err.(valid.Errors).Key("admin") != "accounts.admin.self_admin" || len(err.(valid.Errors)) != 1 {
		t.Fatalf("dropping one's own rights: %v", err)
	}
	for name, fn := range map[string]func() error{
		"disable": func() error { return s.accounts.SetDisabled(ctx, a, id, true) },
		"enable":  func() error { return s.accounts.SetDisabled(ctx, a, id, false) },
		"delete":  func() error { return s.accounts.Delete(ctx, a, id) },
		"invite":  func() error { _, _, err := s.accounts.Invite(ctx, a, id); return err },
	} {
		if err := fn(); !errors.Is(err, users.ErrSelf) || !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%s oneself: %v", name, err)
		}
	}
	if err := s.accounts.Unlock(ctx, a, id); err != nil {
		t.Fatalf("unlock oneself: %v", err)
	}
	if u, err := s.accounts.Get(ctx, id); err != nil || u.Disabled {
		t.Fatalf("after: %+v, %v", u, err)
	}
}

// TestAuditDetailsAreData: the details say what happened as data
// (key=value, emails, names, ids), never as sentences.
func TestAuditDetailsAreData(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	adminID := s.mustAccount(t, "admin@example.fr", "")
	gid, _ := s.groups.Create(ctx, cli(), "Élus")
	a := adminActor(adminID)
	u, _, err := s.accounts.Create(ctx, a, users.Form{Email: "Karim@example.fr", Name: "Karim", Admin: true, Groups: []int64{gid, access.Members}})
	if err != nil {
		t.Fatal(err)
	}
	// A new invitation replaces the first; once accepted, none is sent.
	if _, err := s.accounts.UseToken(ctx, visitor("192.0.2.1"), mustInvite(t, s, a, u.ID), users.PurposeInvite, "une phrase de passe", "une phrase de passe"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.accounts.Invite(ctx, a, u.ID); !errors.Is(err, users.ErrHasPassword) {
		t.Fatalf("inviting an account with a password: %v", err)
	}
	karim := access.Actor{Principal: access.Member(u.ID, true, []int64{gid}), Name: "karim@example.fr", IP: "192.0.2.5"}
	if err := s.accounts.ChangePassword(ctx, karim, "pas le bon", "la mer est calme", "la mer est calme", ""); !errors.As(err, new(valid.Errors)) {
		t.Fatalf("wrong current password: %v", err)
	}
	disabled := s.mustAccount(t, "off@example.fr", "")
	s.accounts.SetDisabled(ctx, a, disabled, true) //nolint:errcheck
	for _, email := range []string{"personne@example.fr", "off@example.fr"} {
		if got, link, err := s.accounts.RequestReset(ctx, visitor("192.0.2.6"), email); err != nil || got != nil || link != (users.Link{}) {
			t.Fatalf("reset %s: %+v %+v %v, want nothing to send", email, got, link, err)
		}
	}
	for i := 0; i < users.ResetPerEmail+1; i++ {
		s.accounts.RequestReset(ctx, visitor("192.0.2.6"), "karim@example.fr") //nolint:errcheck
	}
	for action, want := range map[string][]string{
		"user.created":           {"off@example.fr", "karim@example.fr admin=true groups=" + itoa(gid), "admin@example.fr"},
		"invitation.sent":        {"off@example.fr", "karim@example.fr", "karim@example.fr", "admin@example.fr"},
		"invitation.accepted":    {""},
		"password.change_failed": {"reason=current_wrong"},
		"recovery.requested":     {"limit=reached link=none", "", "", "", "account=disabled link=none", "account=unknown"},
		"user.disabled":          {"off@example.fr"},
	} {
		e := s.entries(t, action)
		var got []string
		for _, x := range e {
			got = append(got, x.Detail)
		}
		if len(got) != len(want) {
			t.Errorf("%s details = %q, want %q", action, got, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s details = %q, want %q", action, got, want)
				break
			}
		}
	}
	unknown := s.entries(t, "recovery.requested")[5]
	if unknown.Actor != "personne@example.fr" || unknown.ActorID != 0 || unknown.Object != "" {
		t.Fatalf("unknown address entry = %+v", unknown)
	}
}

// mustInvite sends a new invitation to id and returns its token.
func mustInvite(t *testing.T, s *stores, a access.Actor, id int64) string {
	t.Helper()
	_, link, err := s.accounts.Invite(context.Background(), a, id)
	if err != nil {
		t.Fatal(err)
	}
	return link.Token
}

// TestPurge: the housekeeping removes ended sessions, expired links and
// counters past their window, and nothing live.
func TestPurge(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	uid := s.mustAccount(t, "a@example.fr", "une phrase de passe")
	old, _ := s.sessions.Create(ctx, uid, "192.0.2.1", "test")
	s.accounts.Login(ctx, visitor("192.0.2.1"), "a@example.fr", "faux") //nolint:errcheck
	s.clock.Advance(3 * time.Hour)                                      // past the idle timeout and the 15-minute window
	live, _ := s.sessions.Create(ctx, uid, "192.0.2.1", "test")
	_, link, _ := s.accounts.RequestReset(ctx, visitor("192.0.2.1"), "a@example.fr")
	if n, err := s.sessions.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("sessions purged: %d, %v; want 1", n, err)
	}
	if _, err := s.sessions.Lookup(ctx, live); err != nil {
		t.Fatalf("a live session went: %v", err)
	}
	_ = old
	// The invitation (72 h) and the reset (1 h) are live; the counters of
	// the failed login's address are past their window.
	n, err := s.accounts.PurgeExpired(ctx)
	if err != nil || n < 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	if _, err := s.accounts.PeekToken(ctx, link.Token, users.PurposeReset); err != nil {
		t.Fatalf("a live link went: %v", err)
	}
	s.clock.Advance(2 * time.Hour)
	before := n
	if n, _ = s.accounts.PurgeExpired(ctx); n < 1 {
		t.Fatalf("the expired reset link stayed (%d, then %d)", before, n)
	}
}
