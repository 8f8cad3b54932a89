package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"portique/internal/audit"
	"portique/internal/mail"
	"portique/internal/users"
)

var secretRe = regexp.MustCompile(`id="secret">([A-Z2-7 ]+)</code>`)

// enrolThrough sets up two-factor login through the pages of "Mon compte"
// as a person does: start, read the secret off the page, type the app's
// code. It returns the secret and the page of recovery codes.
func (ts *testServer) enrolThrough(t *testing.T, c *client) (string, string) {
	t.Helper()
	rec := c.post(t, twofaURL+"/activer", nil)
	wantStatus(t, rec, http.StatusSeeOther)
	page := body(t, c.get(t, twofaURL))
	m := secretRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no secret on the enrolment page:\n%s", page)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, err := users.CodeAt(secret, ts.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	rec = c.post(t, twofaURL+"/confirmer", url.Values{"code": {code}})
	wantStatus(t, rec, http.StatusOK)
	return secret, body(t, rec)
}

func (ts *testServer) codeNow(t *testing.T, secret string) string {
	t.Helper()
	c, err := users.CodeAt(secret, ts.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTwoFactorEnrolAndLogin(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.loginAs(t, uid)
	if b := body(t, c.get(t, "/mon-compte")); !strings.Contains(b, `href="/mon-compte/double-authentification"`) {
		t.Fatal("Mon compte does not link to the two-factor page")
	}
	if b := body(t, c.get(t, twofaURL)); !strings.Contains(b, "Double authentification désactivée") {
		t.Fatal("the page does not say it is off")
	}
	// The QR code exists only during enrolment, and is a PNG from the site.
	wantStatus(t, c.get(t, twofaURL+"/qr.png"), http.StatusNotFound)
	wantStatus(t, c.post(t, twofaURL+"/activer", nil), http.StatusSeeOther)
	rec := c.get(t, twofaURL+"/qr.png")
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "image/png" || !strings.HasPrefix(rec.Body.String(), "\x89PNG") {
		t.Fatalf("QR code: %s", ct)
	}
	page := body(t, c.get(t, twofaURL))
	if !strings.Contains(page, `src="/mon-compte/double-authentification/qr.png"`) || strings.Contains(page, "data:image") {
		t.Fatal("the QR code is not served from the site")
	}
	// Bad input: 422 with the error on the field, nothing lost.
	rec = c.post(t, twofaURL+"/confirmer", url.Values{"code": {"12"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if b := body(t, rec); !strings.Contains(b, `id="code-error"`) || !secretRe.MatchString(b) {
		t.Fatal("bad code: no field error, or the secret is gone")
	}
	secret, codesPage := ts.enrolThrough(t, c)
	if n := strings.Count(codesPage, "<li><code>"); n != 10 {
		t.Fatalf("%d recovery codes shown, want 10", n)
	}
	if b := body(t, c.get(t, twofaURL)); secretRe.MatchString(b) || !strings.Contains(b, "sur 10") {
		t.Fatal("the active secret is shown again, or the codes count is missing")
	}
	wantStatus(t, c.get(t, twofaURL+"/qr.png"), http.StatusNotFound)
	wantStatus(t, c.post(t, twofaURL+"/activer", nil), http.StatusConflict)

	// Log in: the password alone opens no session.
	ts.clock.Advance(30 * time.Second)
	v := ts.visitor()
	rec = v.post(t, "/connexion", url.Values{"email": {"elu@example.fr"}, "password": {goodPassword}, "retour": {"/mon-compte"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/connexion/code?retour=%2Fmon-compte" {
		t.Fatalf("Location = %q", loc)
	}
	if v.cookies[ts.srv.sessionCookieName()] != nil || loggedIn(t, v) {
		t.Fatal("a session exists before the code")
	}
	form := body(t, v.get(t, "/connexion/code?retour=%2Fmon-compte"))
	if !strings.Contains(form, `autocomplete="one-time-code"`) || !strings.Contains(form, `value="/mon-compte"`) {
		t.Fatal("code form lacks its field or the return URL")
	}
	rec = v.post(t, "/connexion/code", url.Values{"code": {"000000"}, "retour": {"/mon-compte"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "Code incorrect") {
		t.Fatal("wrong code: no message")
	}
	rec = v.post(t, "/connexion/code", url.Values{"code": {ts.codeNow(t, secret)}, "retour": {"/mon-compte"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/mon-compte" {
		t.Fatalf("Location = %q", loc)
	}
	if v.cookies[ts.srv.pendingCookieName()] != nil || !loggedIn(t, v) {
		t.Fatal("after the code: pending cookie kept, or not logged in")
	}
	if b := body(t, v.get(t, "/mon-compte")); !strings.Contains(b, "Double authentification activée") {
		t.Fatal("Mon compte does not say 2FA is on")
	}

	// Disable: a wrong code is a field error of that form; a right one works.
	ts.clock.Advance(30 * time.Second)
	ts.sessionCSRF(t, v)
	rec = v.post(t, twofaURL+"/desactiver", url.Values{"code": {"999999"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if b := body(t, rec); !strings.Contains(b, `id="disable-code-error"`) || !strings.Contains(b, `href="#disable-code"`) {
		t.Fatal("disable: the error is not on its field")
	}
	rec = v.post(t, twofaURL+"/codes", url.Values{"code": {ts.codeNow(t, secret)}})
	wantStatus(t, rec, http.StatusOK)
	ts.clock.Advance(30 * time.Second)
	wantStatus(t, v.post(t, twofaURL+"/desactiver", url.Values{"code": {ts.codeNow(t, secret)}}), http.StatusSeeOther)
	v2 := ts.visitor()
	wantStatus(t, v2.post(t, "/connexion", loginForm("elu@example.fr", goodPassword)), http.StatusSeeOther)
	if !loggedIn(t, v2) {
		t.Fatal("after disabling, the password alone should log in")
	}
}

func TestTwoFactorPendingForged(t *testing.T) {
	ts := newAccountsServer(t)
	v := ts.visitor()
	// No pending login, or a forged one: back to the password, never a session.
	for _, val := range []string{"", users.NewToken(), "<script>"} {
		if val != "" {
			v.cookies[ts.srv.pendingCookieName()] = &http.Cookie{Name: ts.srv.pendingCookieName(), Value: val}
		}
		rec := v.get(t, "/connexion/code")
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/connexion" {
			t.Fatalf("GET with %q: Location = %q", val, loc)
		}
		rec = v.post(t, "/connexion/code", url.Values{"code": {"123456"}, "retour": {"//evil.example"}})
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/connexion" {
			t.Fatalf("POST with %q: Location = %q", val, loc)
		}
		if loggedIn(t, v) {
			t.Fatal("logged in with a forged pending login")
		}
	}
	// An expired one likewise.
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	ts.enrolThrough(t, ts.loginAs(t, uid))
	wantStatus(t, v.post(t, "/connexion", loginForm("elu@example.fr", goodPassword)), http.StatusSeeOther)
	ts.clock.Advance(users.LoginCodeTTL + time.Minute)
	wantStatus(t, v.get(t, "/connexion/code"), http.StatusSeeOther)
}

// TestTwoFactorLockByCodesMails: ten wrong codes lock the account like ten
// wrong passwords, and its owner gets the lock email.
func TestTwoFactorLockByCodesMails(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	ts.enrolThrough(t, ts.loginAs(t, uid))
	v := ts.visitor()
	wantStatus(t, v.post(t, "/connexion", loginForm("elu@example.fr", goodPassword)), http.StatusSeeOther)
	for i := 1; i < ts.cfg.LockoutThreshold; i++ {
		wantStatus(t, v.post(t, "/connexion/code", url.Values{"code": {"000000"}}), http.StatusUnprocessableEntity)
	}
	rec := v.post(t, "/connexion/code", url.Values{"code": {"000000"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/connexion" {
		t.Fatalf("Location = %q after the lock", loc)
	}
	u, _ := ts.srv.accounts.Get(t.Context(), uid)
	if !u.Locked(ts.clock.Now()) {
		t.Fatal("not locked after 10 wrong codes")
	}
	if m := ts.lastMailTo(t, "elu@example.fr"); !strings.Contains(m.Subject, "verrouillé") {
		t.Fatalf("mail = %q", m.Subject)
	}
}

func TestTwoFactorEnforcedByGroupWeb(t *testing.T) {
	ts := newAccountsServer(t)
	adm := ts.createUser(t, "admin@example.fr", true)
	gid := ts.createGroup(t, "Administrateurs")
	uid := ts.createUser(t, "tech@example.fr", false, gid)
	ts.setPassword(t, uid, goodPassword)
	a := ts.loginAs(t, adm)
	if b := body(t, a.get(t, groupURL(gid))); !strings.Contains(b, "Double authentification obligatoire") {
		t.Fatal("group page lacks the rule")
	}
	wantStatus(t, a.post(t, groupURL(gid)+"/double-authentification", url.Values{"required": {"1"}}), http.StatusSeeOther)
	if b := body(t, a.get(t, userURL(uid))); !strings.Contains(b, "exigée, non configurée") {
		t.Fatal("the admin user page does not say 2FA is missing")
	}
	if b := body(t, a.get(t, "/admin/utilisateurs")); strings.Count(b, "exigée, non configurée") != 1 {
		t.Fatal("the admin list does not show the one member missing 2FA")
	}
	// A member may not set the rule.
	plain := ts.createUser(t, "membre@example.fr", false)
	wantStatus(t, ts.loginAs(t, plain).post(t, groupURL(gid)+"/double-authentification", url.Values{}), http.StatusForbidden)

	v := ts.visitor()
	wantStatus(t, v.post(t, "/connexion", loginForm("tech@example.fr", goodPassword)), http.StatusSeeOther)
	ts.sessionCSRF(t, v)
	for _, p := range []string{"/", "/mon-compte", "/documents", "/agenda", "/admin"} {
		rec := v.get(t, p)
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != twofaURL {
			t.Fatalf("%s: Location = %q, want enrolment", p, loc)
		}
	}
	wantStatus(t, v.post(t, "/mon-compte/nom", url.Values{"name": {"X"}}), http.StatusSeeOther)
	if u, _ := ts.srv.accounts.Get(t.Context(), uid); u.Name == "X" {
		t.Fatal("a member who must enrol changed their name")
	}
	b := body(t, v.get(t, twofaURL))
	if !strings.Contains(b, "Votre groupe exige") {
		t.Fatal("the enrolment page does not say why")
	}
	ts.enrolThrough(t, v)
	wantStatus(t, v.get(t, "/mon-compte"), http.StatusOK)
	if b := body(t, a.get(t, "/admin/utilisateurs")); strings.Contains(b, "exigée, non configurée") || !strings.Contains(b, ">double authentification</span>") {
		t.Fatal("the admin list does not show the member's 2FA as on")
	}
	if b := body(t, v.get(t, twofaURL)); !strings.Contains(b, "vous ne pouvez pas la désactiver") {
		t.Fatal("a required 2FA offers to be disabled")
	}
	wantStatus(t, v.post(t, twofaURL+"/desactiver", url.Values{"code": {"000000"}}), http.StatusConflict)
	// Removing the rule is audited too.
	wantStatus(t, a.post(t, groupURL(gid)+"/double-authentification", url.Values{}), http.StatusSeeOther)
	entries, _, _ := ts.srv.audits.Find(t.Context(), audit.Filter{Action: "group.twofa"})
	if len(entries) != 2 {
		t.Fatalf("group.twofa entries: %+v", entries)
	}
}

// TestTwoFactorAdminResetOverSMTP: an administrator resets a member's
// second factor; the member is told by an email that goes through a real
// SMTP server.
func TestTwoFactorAdminResetOverSMTP(t *testing.T) {
	ts := newAccountsServer(t)
	sink := startSMTP(t)
	ts.cfg.SMTPURL = "smtp+insecure://" + sink.addr
	mm, err := mail.New(mail.Config{SMTPURL: ts.cfg.SMTPURL, From: "SYDRAV <no-reply@sydrav.example>", Log: ts.srv.log, Now: ts.clock.Now, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ts.srv.mail = mm
	adm := ts.createUser(t, "admin@example.fr", true)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	ts.enrolThrough(t, ts.loginAs(t, uid))

	// A member cannot reset anyone's.
	other := ts.createUser(t, "autre@example.fr", false)
	wantStatus(t, ts.loginAs(t, other).post(t, userURL(uid)+"/double-authentification/reinitialiser", nil), http.StatusForbidden)

	a := ts.loginAs(t, adm)
	if b := body(t, a.get(t, userURL(uid))); !strings.Contains(b, "/double-authentification/reinitialiser") {
		t.Fatal("the admin user page lacks the reset button")
	}
	rec := a.post(t, userURL(uid)+"/double-authentification/reinitialiser", nil)
	wantStatus(t, rec, http.StatusSeeOther)
	select {
	case <-sink.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no email reached the SMTP server")
	}
	mm.Wait()
	sink.mu.Lock()
	raw, rcpt := sink.msgs[0], sink.rcpt
	sink.mu.Unlock()
	msg := parseMail(t, raw)
	if len(rcpt) != 1 || rcpt[0] != "elu@example.fr" || !strings.Contains(msg.Subject, "double authentification") ||
		!strings.Contains(msg.Text, ts.cfg.BaseURL+twofaURL) {
		t.Fatalf("email to %v: %q\n%s", rcpt, msg.Subject, msg.Text)
	}
	entries, _, _ := ts.srv.audits.Find(t.Context(), audit.Filter{Action: "twofa.reset"})
	if len(entries) != 1 || entries[0].ActorID != adm {
		t.Fatalf("audit = %+v", entries)
	}
	if b := body(t, a.get(t, "/admin/journal?action=twofa.")); !strings.Contains(b, "twofa.reset") || !strings.Contains(b, "Double authentification") {
		t.Fatal("the journal does not filter the two-factor entries")
	}
	// The password alone logs in again; a second reset is refused.
	v := ts.visitor()
	wantStatus(t, v.post(t, "/connexion", loginForm("elu@example.fr", goodPassword)), http.StatusSeeOther)
	if !loggedIn(t, v) {
		t.Fatal("not logged in after the reset")
	}
	wantStatus(t, a.post(t, userURL(uid)+"/double-authentification/reinitialiser", nil), http.StatusConflict)
	// One's own: refused.
	rec = a.post(t, userURL(adm)+"/double-authentification/reinitialiser", nil)
	wantStatus(t, rec, http.StatusSeeOther)
}
