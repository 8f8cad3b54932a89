package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"portique/internal/audit"
	"portique/internal/users"
)

const goodPassword = "cheval agrafe pile correcte"

func loginForm(email, pw string) url.Values {
	return url.Values{"email": {email}, "password": {pw}}
}

// loggedIn reports whether the client's session shows the account link.
func loggedIn(t *testing.T, c *client) bool {
	t.Helper()
	return strings.Contains(body(t, c.get(t, "/")), `href="/mon-compte"`)
}

func TestLoginSuccessNewSessionAndRetour(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)

	c := ts.loginAs(t, uid) // an existing session on this browser
	old := c.cookies[ts.srv.sessionCookieName()].Value
	rec := c.post(t, "/connexion", url.Values{"email": {"ELU@example.fr "}, "password": {goodPassword}, "retour": {"/mon-compte?x=1"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/mon-compte?x=1" {
		t.Fatalf("Location = %q, want the return URL", loc)
	}
	nw := c.cookies[ts.srv.sessionCookieName()].Value
	if nw == "" || nw == old {
		t.Fatal("login did not issue a new session id")
	}
	if _, err := ts.srv.sessions.Lookup(t.Context(), old); err == nil {
		t.Fatal("the previous session survived the login")
	}
	if !loggedIn(t, c) {
		t.Fatal("not logged in after a successful login")
	}
	entries, _, _ := ts.srv.audits.Find(t.Context(), audit.Filter{Action: "login.success"})
	if len(entries) != 1 || entries[0].ActorID != uid || entries[0].IP == "" {
		t.Fatalf("audit login.success = %+v", entries)
	}
}

func TestLoginOpenRedirectRefused(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	for _, evil := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "/%2F%2Fevil.example", "javascript:alert(1)"} {
		c := ts.visitor()
		form := loginForm("elu@example.fr", goodPassword)
		form.Set("retour", evil)
		rec := c.post(t, "/connexion", form)
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/" {
			t.Errorf("retour=%q: Location = %q, want /", evil, loc)
		}
		// The GET form does not echo it either.
		if b := body(t, ts.visitor().get(t, "/connexion?retour="+url.QueryEscape(evil))); strings.Contains(b, "evil.example") {
			t.Errorf("retour=%q echoed in the form", evil)
		}
	}
}

func TestLoginRequiresCSRF(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	form := loginForm("elu@example.fr", goodPassword)
	form.Set("csrf", "")
	wantStatus(t, c.post(t, "/connexion", form), http.StatusForbidden)
	form.Set("csrf", strings.Repeat("x", 43))
	wantStatus(t, c.post(t, "/connexion", form), http.StatusForbidden)
	if loggedIn(t, c) {
		t.Fatal("logged in without a CSRF token")
	}
	// Logout too.
	c = ts.loginAs(t, uid)
	wantStatus(t, c.post(t, "/deconnexion", url.Values{"csrf": {""}}), http.StatusForbidden)
	if !loggedIn(t, c) {
		t.Fatal("a CSRF-less logout worked")
	}
}

func TestLockoutAfterTenFailures(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "tech@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	for i := 1; i <= ts.cfg.LockoutThreshold; i++ {
		rec := c.post(t, "/connexion", loginForm("tech@example.fr", "mauvais mot de passe"))
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		u, err := ts.srv.accounts.Get(t.Context(), uid)
		if err != nil {
			t.Fatal(err)
		}
		if locked := u.Locked(ts.clock.Now()); locked != (i == ts.cfg.LockoutThreshold) {
			t.Fatalf("after %d failures: locked = %v", i, locked)
		}
	}
	// The 11th attempt, with the right password, is refused like any failure.
	rec := c.post(t, "/connexion", loginForm("tech@example.fr", goodPassword))
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "Adresse électronique ou mot de passe incorrect") {
		t.Fatal("locked account: not the common failure message")
	}
	// The owner was told, with a link to recovery built from the base URL.
	m := ts.lastMailTo(t, "tech@example.fr")
	if !strings.Contains(m.Subject, "verrouillé") || !strings.Contains(m.Text, ts.cfg.BaseURL+"/mot-de-passe-oublie") {
		t.Fatalf("lock email: %q\n%s", m.Subject, m.Text)
	}
	// Admins see the lock.
	admin := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	if b := body(t, admin.get(t, "/admin/utilisateurs")); !strings.Contains(b, "Verrouillé jusqu’au") {
		t.Fatal("the lock is not shown in the account list")
	}
	// Still locked a minute before the end, open after 24 h.
	ts.clock.Advance(ts.cfg.LockoutDuration - time.Minute)
	wantStatus(t, c.post(t, "/connexion", loginForm("tech@example.fr", goodPassword)), http.StatusUnprocessableEntity)
	ts.clock.Advance(time.Minute)
	rec = c.post(t, "/connexion", loginForm("tech@example.fr", goodPassword))
	wantStatus(t, rec, http.StatusSeeOther)
	if !loggedIn(t, c) {
		t.Fatal("not logged in 24 h after the lock")
	}
	for _, action := range []string{"account.locked", "login.failure", "login.success"} {
		if e, _, _ := ts.srv.audits.Find(t.Context(), audit.Filter{Action: action}); len(e) == 0 {
			t.Errorf("no %s entry in the audit trail", action)
		}
	}
}

func TestLoginSuccessResetsCount(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "tech@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	for i := 0; i < ts.cfg.LockoutThreshold-1; i++ {
		c.post(t, "/connexion", loginForm("tech@example.fr", "mauvais"))
	}
	wantStatus(t, c.post(t, "/connexion", loginForm("tech@example.fr", goodPassword)), http.StatusSeeOther)
	c = ts.visitor()
	for i := 0; i < ts.cfg.LockoutThreshold-1; i++ {
		c.post(t, "/connexion", loginForm("tech@example.fr", "mauvais"))
	}
	wantStatus(t, c.post(t, "/connexion", loginForm("tech@example.fr", goodPassword)), http.StatusSeeOther)
}

// TestLoginSameAnswer: unknown email, wrong password, locked, disabled and
// not-yet-activated accounts all get the same status and page.
func TestLoginSameAnswer(t *testing.T) {
	ts := newAccountsServer(t)
	ok := ts.createUser(t, "ok@example.fr", false)
	ts.setPassword(t, ok, goodPassword)
	locked := ts.createUser(t, "locked@example.fr", false)
	ts.setPassword(t, locked, goodPassword)
	ts.db.Exec(t.Context(), "UPDATE users SET locked_until = ? WHERE id = ?", ts.clock.Now().Add(time.Hour).UTC(), locked)
	disabled := ts.createUser(t, "disabled@example.fr", false)
	ts.setPassword(t, disabled, goodPassword)
	ts.db.Exec(t.Context(), "UPDATE users SET disabled = ? WHERE id = ?", true, disabled)
	ts.createUser(t, "pending@example.fr", false)

	c := ts.visitor()
	var want string
	for _, tc := range []struct{ email, pw string }{
		{"ok@example.fr", "wrong password here"},
		{"nobody@example.fr", goodPassword},
		{"locked@example.fr", goodPassword},
		{"disabled@example.fr", goodPassword},
		{"pending@example.fr", goodPassword},
		{"pending@example.fr", ""},
	} {
		rec := c.post(t, "/connexion", loginForm(tc.email, tc.pw))
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		b := strings.ReplaceAll(body(t, rec), tc.email, "EMAIL")
		if want == "" {
			want = b
			continue
		}
		if b != want {
			t.Errorf("%s: the failure page differs from the others", tc.email)
		}
	}
	if loggedIn(t, c) {
		t.Fatal("logged in")
	}
}

func TestLoginIPThrottle(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "ok@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	post := func(ip, email, pw string) int {
		c := ts.visitor()
		c.get(t, "/connexion")
		form := loginForm(email, pw)
		form.Set("csrf", c.csrf)
		req := httptest.NewRequest(http.MethodPost, "/connexion", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = ip + ":1234"
		return c.do(t, req).Code
	}
	// Spraying: one address, many accounts.
	for i := 0; i < users.IPFailureLimit; i++ {
		if code := post("198.51.100.20", "victim"+string(rune('a'+i%26))+"@example.fr", "Azerty123!"); code != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: status %d", i+1, code)
		}
	}
	if code := post("198.51.100.20", "ok@example.fr", goodPassword); code != http.StatusTooManyRequests {
		t.Fatalf("over the per-address limit: status %d, want 429", code)
	}
	// Another address is not affected, and the account is not locked.
	if code := post("198.51.100.21", "ok@example.fr", goodPassword); code != http.StatusSeeOther {
		t.Fatalf("other address: status %d", code)
	}
	// The window passes.
	ts.clock.Advance(users.IPFailureWindow + time.Second)
	if code := post("198.51.100.20", "ok@example.fr", goodPassword); code != http.StatusSeeOther {
		t.Fatalf("after the window: status %d", code)
	}
}

func TestDisabledAccountCannotLogIn(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "stag@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	admin := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	member := ts.loginAs(t, uid)
	wantStatus(t, admin.post(t, "/admin/utilisateurs/"+itoa(int(uid))+"/desactiver", nil), http.StatusSeeOther)
	if loggedIn(t, member) {
		t.Fatal("a disabled account kept its session")
	}
	wantStatus(t, ts.visitor().post(t, "/connexion", loginForm("stag@example.fr", goodPassword)), http.StatusUnprocessableEntity)
	wantStatus(t, admin.post(t, "/admin/utilisateurs/"+itoa(int(uid))+"/reactiver", nil), http.StatusSeeOther)
	wantStatus(t, ts.visitor().post(t, "/connexion", loginForm("stag@example.fr", goodPassword)), http.StatusSeeOther)
}

func TestLogoutKillsSessionServerSide(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	c := ts.loginAs(t, uid)
	stolen := *c.cookies[ts.srv.sessionCookieName()]
	rec := c.post(t, "/deconnexion", nil)
	wantStatus(t, rec, http.StatusSeeOther)
	if loggedIn(t, c) {
		t.Fatal("still logged in after logout")
	}
	// Replaying the old cookie does not work: the session is gone server-side.
	thief := ts.visitor()
	thief.cookies[stolen.Name] = &stolen
	if loggedIn(t, thief) {
		t.Fatal("the session cookie still works after logout")
	}
}

func TestRehashOnLogin(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	old := users.NewHasher(users.Params{Memory: 32, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 1)
	h, _ := old.Hash(t.Context(), goodPassword)
	ts.setPasswordHash(t, uid, h)
	wantStatus(t, ts.visitor().post(t, "/connexion", loginForm("elu@example.fr", goodPassword)), http.StatusSeeOther)
	var got string
	ts.db.QueryRow(t.Context(), "SELECT password_hash FROM users WHERE id = ?", uid).Scan(&got)
	if got == h || !strings.HasPrefix(got, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash not upgraded at login: %q", got)
	}
	wantStatus(t, ts.visitor().post(t, "/connexion", loginForm("elu@example.fr", goodPassword)), http.StatusSeeOther)
}

// TestNoSecretInLogsOrAudit: passwords typed at login, reset and profile
// never reach the logs or the audit trail.
func TestNoSecretInLogsOrAudit(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	c.post(t, "/connexion", loginForm("elu@example.fr", "Secret-Typo-4242"))
	c.post(t, "/connexion", loginForm("elu@example.fr", goodPassword))
	ts.sessionCSRF(t, c)
	c.post(t, "/mon-compte/mot-de-passe", url.Values{"current": {goodPassword}, "password": {"Secret-New-4343 phrase"}, "confirm": {"Secret-New-4343 phrase"}})
	entries, _, err := ts.srv.audits.Find(t.Context(), audit.Filter{Limit: 500})
	if err != nil || len(entries) < 3 {
		t.Fatalf("audit: %d entries, %v", len(entries), err)
	}
	var all strings.Builder
	for _, e := range entries {
		all.WriteString(e.Actor + e.Action + e.Object + e.Detail + "\n")
	}
	for _, secret := range []string{"Secret-Typo-4242", goodPassword, "Secret-New-4343", c.cookies[ts.srv.sessionCookieName()].Value} {
		if strings.Contains(ts.logs.String(), secret) || strings.Contains(all.String(), secret) {
			t.Errorf("%q found in the logs or the audit trail", secret)
		}
	}
}
