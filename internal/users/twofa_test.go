package users_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/users"
	"portique/internal/valid"
)

const twofaPW = "une phrase de passe"

// enrol sets up two-factor login on account id as its owner would: a new
// secret, its current code, the recovery codes. It returns the secret.
func (s *stores) enrol(t testing.TB, id int64) (string, []string) {
	t.Helper()
	ctx := context.Background()
	e, err := s.accounts.BeginEnrolment(ctx, member(id))
	if err != nil {
		t.Fatal(err)
	}
	codes, err := s.accounts.ConfirmEnrolment(ctx, member(id), s.code(t, e.Secret))
	if err != nil {
		t.Fatal(err)
	}
	return e.Secret, codes
}

// code is what an authenticator app shows now for secret.
func (s *stores) code(t testing.TB, secret string) string {
	t.Helper()
	c, err := users.CodeAt(secret, s.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pending runs the password step and returns the pending login's token.
func (s *stores) pending(t testing.TB, email string) string {
	t.Helper()
	res, err := s.accounts.Login(context.Background(), visitor("192.0.2.1"), email, twofaPW)
	if err != nil {
		t.Fatal(err)
	}
	if res.User != nil || res.Pending.Token == "" {
		t.Fatalf("password step of a 2FA account: %+v, want a pending login and no user", res)
	}
	return res.Pending.Token
}

func (s *stores) failedCount(t testing.TB, id int64) int {
	t.Helper()
	u, err := s.accounts.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.FailedCount
}

func TestTwoFactorEnrolment(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	id := s.mustAccount(t, "a@example.fr", twofaPW)
	if _, err := s.accounts.BeginEnrolment(ctx, visitor("192.0.2.1")); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("anonymous enrolment: err = %v", err)
	}
	e, err := s.accounts.BeginEnrolment(ctx, member(id))
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Secret) != 32 || !strings.HasPrefix(e.URL, "otpauth://totp/") || !strings.Contains(e.URL, "issuer=SYDRAV") {
		t.Fatalf("enrolment = %+v", e)
	}
	if g := e.SecretGroups(); len(g) != 32+7 || g[4] != ' ' {
		t.Fatalf("SecretGroups = %q", g)
	}
	png, err := e.QRPNG(200)
	if err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Fatalf("QR PNG: %v", err)
	}
	// Not active yet: the password alone still logs in.
	if res, err := s.accounts.Login(ctx, visitor("192.0.2.1"), "a@example.fr", twofaPW); err != nil || res.User == nil {
		t.Fatalf("login during enrolment: %+v %v", res, err)
	}
	again, err := s.accounts.PendingEnrolment(ctx, member(id))
	if err != nil || again.Secret != e.Secret {
		t.Fatalf("PendingEnrolment = %+v, %v", again, err)
	}
	// Bad codes: format, then a wrong one; neither counts towards the lock.
	for _, c := range []string{"", "12345", "abcdefgh", strings.Repeat("9", 7)} {
		if _, err := s.accounts.ConfirmEnrolment(ctx, member(id), c); !hasField(err, "code") {
			t.Fatalf("confirm %q: err = %v, want a field error", c, err)
		}
	}
	wrong := "000000"
	if wrong == s.code(t, e.Secret) {
		wrong = "000001"
	}
	if _, err := s.accounts.ConfirmEnrolment(ctx, member(id), wrong); !hasField(err, "code") {
		t.Fatalf("wrong code: err = %v", err)
	}
	if n := s.failedCount(t, id); n != 0 {
		t.Fatalf("failed_count = %d after enrolment mistakes", n)
	}
	// The code of the previous step is still accepted (±1 step), spaced as apps show it.
	prev, _ := users.CodeAt(e.Secret, s.clock.Now().Add(-30*time.Second))
	codes, err := s.accounts.ConfirmEnrolment(ctx, member(id), prev[:3]+" "+prev[3:])
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != users.RecoveryCodeCount {
		t.Fatalf("%d recovery codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if k, n := users.ParseCode(c); k != users.CodeRecovery || n != c || seen[c] {
			t.Fatalf("recovery code %q", c)
		}
		seen[c] = true
	}
	// Stored hashed only.
	var stored int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = ? AND code_hash = ?", id, codes[0]).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("a recovery code is stored in clear (%d, %v)", stored, err)
	}
	st, err := s.accounts.TwoFactorOf(ctx, id)
	if err != nil || !st.Enabled || st.Pending || st.RecoveryLeft != 10 || st.Required {
		t.Fatalf("state = %+v, %v", st, err)
	}
	// The active secret is never shown again, and a new enrolment is refused.
	if _, err := s.accounts.PendingEnrolment(ctx, member(id)); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("PendingEnrolment after confirm: %v", err)
	}
	if _, err := s.accounts.BeginEnrolment(ctx, member(id)); !errors.Is(err, users.ErrTwoFactorOn) {
		t.Fatalf("BeginEnrolment when active: %v", err)
	}
	if e := s.entries(t, "twofa.enabled"); len(e) != 1 || e[0].ActorID != id {
		t.Fatalf("audit twofa.enabled = %+v", e)
	}
}

func TestTwoFactorLoginAndReplay(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	id := s.mustAccount(t, "a@example.fr", twofaPW)
	secret, _ := s.enrol(t, id)
	// The enrolment code's step is used: the same code cannot log in.
	s.clock.Advance(30 * time.Second)
	p := s.pending(t, "a@example.fr")
	if e := s.entries(t, "login.success"); len(e) != 0 { // accepting the invitation is not a login
		t.Fatalf("login.success before the code: %+v", e)
	}
	code := s.code(t, secret)
	res, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, code)
	if err != nil || res.User == nil || res.User.ID != id {
		t.Fatalf("LoginCode = %+v, %v", res, err)
	}
	if e := s.entries(t, "login.success"); len(e) != 1 || e[0].Detail != "2fa=totp" {
		t.Fatalf("audit login.success = %+v", e)
	}
	// The pending login is used up.
	if _, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, s.code(t, secret)); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatalf("second use of a pending login: %v", err)
	}
	// Replay: the same code, in the same window, through a new pending login.
	p2 := s.pending(t, "a@example.fr")
	if _, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p2, code); !errors.Is(err, users.ErrLoginFailed) {
		t.Fatalf("replayed code: err = %v", err)
	}
	// An older code (previous step, still within ±1) is refused too once a newer one was used.
	s.clock.Advance(30 * time.Second)
	older, _ := users.CodeAt(secret, s.clock.Now().Add(-60*time.Second))
	if _, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p2, older); !errors.Is(err, users.ErrLoginFailed) {
		t.Fatalf("older code: err = %v", err)
	}
	// The next step's code works.
	if res, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p2, s.code(t, secret)); err != nil || res.User == nil {
		t.Fatalf("next code: %+v %v", res, err)
	}
	if n := s.failedCount(t, id); n != 0 {
		t.Fatalf("failed_count = %d after a successful code", n)
	}
}

func TestTwoFactorPendingForgedOrExpired(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	id := s.mustAccount(t, "a@example.fr", twofaPW)
	secret, _ := s.enrol(t, id)
	s.clock.Advance(30 * time.Second)
	for _, forged := range []string{"", "x", users.NewToken(), strings.Repeat("A", 43)} {
		if _, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), forged, s.code(t, secret)); !errors.Is(err, users.ErrTokenInvalid) {
			t.Fatalf("forged pending %q: err = %v", forged, err)
		}
	}
	p := s.pending(t, "a@example.fr")
	s.clock.Advance(users.LoginCodeTTL + time.Second)
	if _, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, s.code(t, secret)); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatalf("expired pending: err = %v", err)
	}
	// A pending login is no other kind of link.
	if _, err := s.accounts.PeekToken(ctx, p, users.PurposeReset); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatalf("a pending login works as a reset link: %v", err)
	}
}

// TestTwoFactorLockCounting: wrong codes and wrong passwords count towards
// the same lock, and a right password does not reset the count.
func TestTwoFactorLockCounting(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	id := s.mustAccount(t, "a@example.fr", twofaPW)
	secret, _ := s.enrol(t, id)
	s.clock.Advance(30 * time.Second)
	for i := 0; i < 5; i++ {
		if _, err := s.accounts.Login(ctx, visitor("192.0.2.1"), "a@example.fr", "faux"); !errors.Is(err, users.ErrLoginFailed) {
			t.Fatal(err)
		}
	}
	p := s.pending(t, "a@example.fr")
	if n := s.failedCount(t, id); n != 5 {
		t.Fatalf("failed_count = %d after 5 failures and a right password, want 5", n)
	}
	right := s.code(t, secret)
	wrong := "123456"
	if wrong == right {
		wrong = "654321"
	}
	for i := 6; i <= 10; i++ {
		res, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, wrong)
		if !errors.Is(err, users.ErrLoginFailed) {
			t.Fatalf("wrong code %d: err = %v", i, err)
		}
		if (res.LockedNow != nil) != (i == 10) {
			t.Fatalf("failure %d: LockedNow = %v", i, res.LockedNow)
		}
	}
	u, _ := s.accounts.Get(ctx, id)
	if !u.Locked(s.clock.Now()) {
		t.Fatal("not locked after 10 failures")
	}
	// The pending login died with the lock, and the right code does nothing.
	if _, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, right); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatalf("after the lock: err = %v", err)
	}
	if e := s.entries(t, "account.locked"); len(e) != 1 {
		t.Fatalf("account.locked entries: %d", len(e))
	}
	if e := s.entries(t, "login.failure"); len(e) != 10 || e[0].Detail != "step=code" {
		t.Fatalf("login.failure entries: %+v", e)
	}
}

func TestTwoFactorRecoveryCodeSingleUse(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	id := s.mustAccount(t, "a@example.fr", twofaPW)
	_, codes := s.enrol(t, id)
	typed := strings.ToUpper(users.GroupCode(codes[3], "-")) // as read from paper
	p := s.pending(t, "a@example.fr")
	res, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, typed)
	if err != nil || res.User == nil {
		t.Fatalf("recovery code: %+v %v", res, err)
	}
	if e := s.entries(t, "login.success"); len(e) != 1 || e[0].Detail != "2fa=recovery" {
		t.Fatalf("audit = %+v", e)
	}
	p = s.pending(t, "a@example.fr")
	if _, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, codes[3]); !errors.Is(err, users.ErrLoginFailed) {
		t.Fatalf("a recovery code worked twice: %v", err)
	}
	// Another account's code does not work here.
	other := s.mustAccount(t, "b@example.fr", twofaPW)
	_, theirs := s.enrol(t, other)
	if _, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, theirs[0]); !errors.Is(err, users.ErrLoginFailed) {
		t.Fatalf("another account's recovery code: %v", err)
	}
	st, _ := s.accounts.TwoFactorOf(ctx, id)
	if st.RecoveryLeft != 9 {
		t.Fatalf("RecoveryLeft = %d, want 9", st.RecoveryLeft)
	}
	// Renewing needs a code and replaces every code.
	if _, err := s.accounts.RenewRecoveryCodes(ctx, member(id), "000000"); !hasField(err, "code") {
		t.Fatalf("renew with a wrong code: %v", err)
	}
	fresh, err := s.accounts.RenewRecoveryCodes(ctx, member(id), codes[0])
	if err != nil || len(fresh) != 10 {
		t.Fatalf("renew: %v", err)
	}
	p = s.pending(t, "a@example.fr")
	if _, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, codes[5]); !errors.Is(err, users.ErrLoginFailed) {
		t.Fatalf("an old code survived the renewal: %v", err)
	}
	if res, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, fresh[5]); err != nil || res.User == nil {
		t.Fatalf("a new code: %v", err)
	}
}

func TestTwoFactorEnforcedByGroup(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	gid, err := s.groups.Create(ctx, cli(), "Administrateurs")
	if err != nil {
		t.Fatal(err)
	}
	id := s.mustAccount(t, "a@example.fr", twofaPW, gid)
	if err := s.groups.SetTwoFactorRequired(ctx, member(id), gid, true); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("a member sets the rule: %v", err)
	}
	if err := s.groups.SetTwoFactorRequired(ctx, cli(), access.Members, true); !errors.Is(err, users.ErrBuiltin) {
		t.Fatalf("rule on a built-in group: %v", err)
	}
	if err := s.groups.SetTwoFactorRequired(ctx, cli(), gid, true); err != nil {
		t.Fatal(err)
	}
	g, _ := s.groups.Get(ctx, gid)
	if !g.RequireTwoFactor {
		t.Fatal("group flag not saved")
	}
	tok, err := s.sessions.Create(ctx, id, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	ses, err := s.sessions.Lookup(ctx, tok)
	if err != nil || !ses.User.MustEnrol() {
		t.Fatalf("session of a member who must enrol: %+v %v", ses, err)
	}
	if st, err := s.accounts.TwoFactorStates(ctx); err != nil || len(st) != 1 || !st[id].Required || st[id].Enabled {
		t.Fatalf("TwoFactorStates = %+v, %v", st, err)
	}
	secret, codes := s.enrol(t, id)
	if st, _ := s.accounts.TwoFactorStates(ctx); !st[id].Required || !st[id].Enabled {
		t.Fatalf("TwoFactorStates after enrolment = %+v", st)
	}
	ses, _ = s.sessions.Lookup(ctx, tok)
	if ses.User.MustEnrol() || !ses.User.TwoFactor {
		t.Fatalf("after enrolment: %+v", ses.User)
	}
	s.clock.Advance(30 * time.Second)
	if err := s.accounts.DisableTwoFactor(ctx, member(id), s.code(t, secret)); !errors.Is(err, users.ErrTwoFactorRequired) {
		t.Fatalf("disable while required: %v", err)
	}
	if e := s.entries(t, "group.twofa_required"); len(e) != 1 || e[0].Detail != "Administrateurs" {
		t.Fatalf("audit = %+v", e)
	}
	// Optional again: the member may disable it, with a code only.
	if err := s.groups.SetTwoFactorRequired(ctx, cli(), gid, false); err != nil {
		t.Fatal(err)
	}
	if err := s.accounts.DisableTwoFactor(ctx, member(id), "111111"); !hasField(err, "code") {
		t.Fatalf("disable with a wrong code: %v", err)
	}
	if n := s.failedCount(t, id); n != 1 {
		t.Fatalf("a wrong code when disabling: failed_count = %d, want 1", n)
	}
	if err := s.accounts.DisableTwoFactor(ctx, member(id), codes[0]); err != nil {
		t.Fatal(err)
	}
	if res, err := s.accounts.Login(ctx, visitor("192.0.2.1"), "a@example.fr", twofaPW); err != nil || res.User == nil {
		t.Fatalf("login after disabling: %+v %v", res, err)
	}
	if err := s.accounts.DisableTwoFactor(ctx, member(id), codes[1]); !errors.Is(err, users.ErrTwoFactorOff) {
		t.Fatalf("disable twice: %v", err)
	}
}

func TestTwoFactorAdminReset(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	adm := s.mustAccount(t, "admin@example.fr", twofaPW)
	id := s.mustAccount(t, "a@example.fr", twofaPW)
	s.enrol(t, id)
	p := s.pending(t, "a@example.fr")
	if _, err := s.accounts.ResetTwoFactor(ctx, member(adm), id); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("reset by a member: %v", err)
	}
	if _, err := s.accounts.ResetTwoFactor(ctx, adminActor(id), id); !errors.Is(err, users.ErrSelf) {
		t.Fatalf("reset of one's own: %v", err)
	}
	u, err := s.accounts.ResetTwoFactor(ctx, adminActor(adm), id)
	if err != nil || u.Email != "a@example.fr" {
		t.Fatalf("reset: %+v %v", u, err)
	}
	if st, _ := s.accounts.TwoFactorOf(ctx, id); st.Enabled || st.Pending || st.RecoveryLeft != 0 {
		t.Fatalf("state after reset: %+v", st)
	}
	if _, err := s.accounts.LoginCode(ctx, visitor("192.0.2.1"), p, "000000"); !errors.Is(err, users.ErrTokenInvalid) {
		t.Fatalf("a pending login survived the reset: %v", err)
	}
	if e := s.entries(t, "twofa.reset"); len(e) != 1 || e[0].Detail != "a@example.fr" || e[0].ActorID != adm {
		t.Fatalf("audit = %+v", e)
	}
	if _, err := s.accounts.ResetTwoFactor(ctx, adminActor(adm), id); !errors.Is(err, users.ErrTwoFactorOff) {
		t.Fatalf("reset twice: %v", err)
	}
	// Deleting an account removes its secret too.
	s.enrol(t, id)
	if err := s.accounts.Delete(ctx, adminActor(adm), id); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRow(ctx, "SELECT (SELECT COUNT(*) FROM user_totp WHERE user_id = ?) + (SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = ?)", id, id).Scan(&n); err != nil || n != 0 {
		t.Fatalf("deleted account keeps %d two-factor rows (%v)", n, err)
	}
}

func TestParseCode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind users.CodeKind
		out  string
	}{
		{"123456", users.CodeTOTP, "123456"},
		{" 123 456 ", users.CodeTOTP, "123456"},
		{"123-456", users.CodeTOTP, "123456"},
		{"123\u00a0456", users.CodeTOTP, "123456"},
		{"12345", users.CodeInvalid, ""},
		{"1234567", users.CodeInvalid, ""},
		{"１２３４５６", users.CodeInvalid, ""}, // full-width digits
		{"abcd-efgh-ijkm-npqr", users.CodeRecovery, "abcdefghijkmnpqr"},
		{"ABCD EFGH IJKM NPQR", users.CodeRecovery, "abcdefghijkmnpqr"},
		{"abcd-efgh-ijkm-npql", users.CodeInvalid, ""}, // l is not in the alphabet
		{"", users.CodeInvalid, ""},
		{strings.Repeat("1", 100), users.CodeInvalid, ""},
	} {
		k, out := users.ParseCode(tc.in)
		if k != tc.kind || out != tc.out {
			t.Errorf("ParseCode(%q) = %v, %q; want %v, %q", tc.in, k, out, tc.kind, tc.out)
		}
	}
}

// FuzzParseCode: the parser never panics, and what it accepts is
// normalised: parsing its output gives it back.
func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"123456", "123 456", "abcd-efgh-ijkm-npqr", "ABCDEFGHIJKMNPQR", "", "\u00a0", "12345\xff", strings.Repeat("-", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, out := users.ParseCode(s)
		switch k {
		case users.CodeInvalid:
			if out != "" {
				t.Fatalf("invalid with output %q", out)
			}
		case users.CodeTOTP:
			if len(out) != 6 {
				t.Fatalf("TOTP code %q", out)
			}
		case users.CodeRecovery:
			if len(out) != 16 {
				t.Fatalf("recovery code %q", out)
			}
		}
		if k != users.CodeInvalid {
			if k2, out2 := users.ParseCode(out); k2 != k || out2 != out {
				t.Fatalf("not idempotent: %q → %q → %q", s, out, out2)
			}
		}
	})
}

// hasField reports whether err is a validation error on field.
func hasField(err error, field string) bool {
	var ve valid.Errors
	if !errors.As(err, &ve) {
		return false
	}
	_, ok := ve[field]
	return ok
}
