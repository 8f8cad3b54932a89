package web

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"

	"portique/internal/audit"
	"portique/internal/mail"
	"portique/internal/users"
)

// solveCaptcha fetches a challenge like the widget does and solves it.
func solveCaptcha(t *testing.T, c *client) string {
	t.Helper()
	rec := c.get(t, "/mot-de-passe-oublie/defi")
	wantStatus(t, rec, http.StatusOK)
	var ch altcha.Challenge
	if err := json.Unmarshal(rec.Body.Bytes(), &ch); err != nil {
		t.Fatal(err)
	}
	sol, err := altcha.SolveChallenge(ch.Challenge, ch.Salt, altcha.Algorithm(ch.Algorithm), int(ch.MaxNumber), 0, nil)
	if err != nil || sol == nil {
		t.Fatalf("cannot solve the challenge: %v", err)
	}
	b, _ := json.Marshal(altcha.Payload{Algorithm: ch.Algorithm, Challenge: ch.Challenge, Number: int64(sol.Number), Salt: ch.Salt, Signature: ch.Signature})
	return base64.StdEncoding.EncodeToString(b)
}

// requestReset submits the recovery form with a solved captcha.
func requestReset(t *testing.T, c *client, email string) *http.Response {
	t.Helper()
	rec := c.post(t, "/mot-de-passe-oublie", url.Values{"email": {email}, "altcha": {solveCaptcha(t, c)}})
	return rec.Result()
}

func newPassword(pw string) url.Values { return url.Values{"password": {pw}, "confirm": {pw}} }

func TestRecoveryFlowThroughOutbox(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	// Lock the account and open two sessions: the reset must unlock it
	// and end them.
	ts.db.Exec(t.Context(), "UPDATE users SET locked_until = ?, failed_count = 3 WHERE id = ?", ts.clock.Now().Add(time.Hour).UTC(), uid)
	s1, s2 := ts.loginAs(t, uid), ts.loginAs(t, uid)

	c := ts.visitor()
	if r := requestReset(t, c, "elu@example.fr"); r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	link := linkIn(t, ts.lastMailTo(t, "elu@example.fr"), ts.cfg.BaseURL)
	if !strings.HasPrefix(link, "/reinitialisation/") {
		t.Fatalf("link %q", link)
	}
	if strings.Contains(ts.logs.String(), strings.TrimPrefix(link, "/reinitialisation/")) {
		t.Fatal("the reset token appears in the logs")
	}
	// The token is stored hashed only.
	var n int
	ts.db.QueryRow(t.Context(), "SELECT COUNT(*) FROM user_tokens WHERE token_hash = ?", strings.TrimPrefix(link, "/reinitialisation/")).Scan(&n)
	if n != 0 {
		t.Fatal("the token is stored in clear")
	}

	ts.clock.Advance(59 * time.Minute)
	rec := c.get(t, link)
	wantStatus(t, rec, http.StatusOK)
	if rp := rec.Header().Get("Referrer-Policy"); rp != "no-referrer" {
		t.Fatalf("Referrer-Policy = %q", rp)
	}
	// A refused password keeps the link usable and the input errors shown.
	rec = c.post(t, link, newPassword("motdepasse"))
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if b := body(t, rec); !strings.Contains(b, "au moins 12 caractères") || !strings.Contains(b, `aria-invalid="true"`) {
		t.Fatal("short password: no French field error")
	}
	rec = c.post(t, link, newPassword("azerty123456"))
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	rec = c.post(t, link, url.Values{"password": {"une phrase assez longue"}, "confirm": {"une autre phrase longue"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)

	rec = c.post(t, link, newPassword("la mer est calme ce matin"))
	wantStatus(t, rec, http.StatusSeeOther)
	if rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Fatal("POST reset page without Referrer-Policy")
	}
	// Used once only.
	wantStatus(t, c.get(t, link), http.StatusGone)
	wantStatus(t, c.post(t, link, newPassword("un autre mot de passe sûr")), http.StatusGone)
	// No session survived, and the account is unlocked.
	if loggedIn(t, s1) || loggedIn(t, s2) {
		t.Fatal("a session survived the reset")
	}
	wantStatus(t, ts.visitor().post(t, "/connexion", loginForm("elu@example.fr", "la mer est calme ce matin")), http.StatusSeeOther)
	for _, action := range []string{"recovery.requested", "recovery.completed"} {
		if e, _, _ := ts.srv.audits.Find(t.Context(), audit.Filter{Action: action}); len(e) != 1 || e[0].Object != userObject(uid) {
			t.Errorf("audit %s = %+v", action, e)
		}
	}
}

func TestResetTokenExpiresAfterOneHour(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	requestReset(t, c, "elu@example.fr")
	link := linkIn(t, ts.lastMailTo(t, "elu@example.fr"), ts.cfg.BaseURL)
	ts.clock.Advance(61 * time.Minute)
	wantStatus(t, c.get(t, link), http.StatusGone)
	wantStatus(t, c.post(t, link, newPassword("la mer est calme ce matin")), http.StatusGone)
	wantStatus(t, ts.visitor().post(t, "/connexion", loginForm("elu@example.fr", goodPassword)), http.StatusSeeOther)
}

func TestResetTokenDiesWhenANewerOneIsIssued(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	requestReset(t, c, "elu@example.fr")
	first := linkIn(t, ts.lastMailTo(t, "elu@example.fr"), ts.cfg.BaseURL)
	ts.clock.Advance(time.Second)
	requestReset(t, c, "elu@example.fr")
	second := linkIn(t, ts.lastMailTo(t, "elu@example.fr"), ts.cfg.BaseURL)
	if first == second {
		t.Fatal("the same link twice")
	}
	wantStatus(t, c.post(t, first, newPassword("la mer est calme ce matin")), http.StatusGone)
	wantStatus(t, c.get(t, second), http.StatusOK)
}

func TestResetTokenDiesWhenPasswordChanges(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	requestReset(t, c, "elu@example.fr")
	link := linkIn(t, ts.lastMailTo(t, "elu@example.fr"), ts.cfg.BaseURL)
	m := ts.loginAs(t, uid)
	rec := m.post(t, "/mon-compte/mot-de-passe", url.Values{"current": {goodPassword}, "password": {"la mer est calme ce matin"}, "confirm": {"la mer est calme ce matin"}})
	wantStatus(t, rec, http.StatusSeeOther)
	wantStatus(t, c.get(t, link), http.StatusGone)
}

func TestRecoverySameAnswerForUnknownEmail(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	norm := func(b, email string) string { return strings.ReplaceAll(b, email, "EMAIL") }
	r1 := c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"elu@example.fr"}, "altcha": {solveCaptcha(t, c)}})
	r2 := c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"inconnu@example.fr"}, "altcha": {solveCaptcha(t, c)}})
	wantStatus(t, r1, http.StatusOK)
	wantStatus(t, r2, http.StatusOK)
	if norm(body(t, r1), "elu@example.fr") != norm(body(t, r2), "inconnu@example.fr") {
		t.Fatal("the recovery answer differs for a known and an unknown email")
	}
	if got := len(ts.outbox(t)); got != 1 {
		t.Fatalf("%d emails sent, want 1 (to the known account only)", got)
	}
}

func TestRecoveryNeedsCaptchaAndRefusesReplay(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	// No captcha: 422, email kept, French error linked to the field set.
	rec := c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"elu@example.fr"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	b := body(t, rec)
	if !strings.Contains(b, "anti-robot") || !strings.Contains(b, `value="elu@example.fr"`) {
		t.Fatalf("no captcha error or email lost: %.500s", b)
	}
	// A forged solution.
	payload := solveCaptcha(t, c)
	raw, _ := base64.StdEncoding.DecodeString(payload)
	var p altcha.Payload
	json.Unmarshal(raw, &p)
	p.Number++
	forged, _ := json.Marshal(p)
	wantStatus(t, c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"elu@example.fr"}, "altcha": {base64.StdEncoding.EncodeToString(forged)}}), http.StatusUnprocessableEntity)
	// A good one works once.
	wantStatus(t, c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"elu@example.fr"}, "altcha": {payload}}), http.StatusOK)
	wantStatus(t, c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"elu@example.fr"}, "altcha": {payload}}), http.StatusUnprocessableEntity)
	// An expired one fails.
	old := solveCaptcha(t, c)
	ts.clock.Advance(11 * time.Minute)
	wantStatus(t, c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"elu@example.fr"}, "altcha": {old}}), http.StatusUnprocessableEntity)
	if got := len(ts.outbox(t)); got != 1 {
		t.Fatalf("%d emails sent, want 1", got)
	}
}

var questionRe = regexp.MustCompile(`name="question_token" value="([^"]+)">\s*<label for="question">Combien font (\S+) plus (\S+) \?</label>`)

// TestRecoveryQuestionFallback: without JavaScript the form asks a question.
func TestRecoveryQuestionFallback(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	b := html.UnescapeString(body(t, c.get(t, "/mot-de-passe-oublie")))
	m := questionRe.FindStringSubmatch(b)
	if m == nil {
		t.Fatalf("no question in the form: %s", b)
	}
	num := map[string]int{"un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10}
	answer := strconv.Itoa(num[m[2]] + num[m[3]])
	wrong := strconv.Itoa(num[m[2]] + num[m[3]] + 1)
	wantStatus(t, c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"elu@example.fr"}, "question_token": {m[1]}, "question": {wrong}}), http.StatusUnprocessableEntity)
	wantStatus(t, c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"elu@example.fr"}, "question_token": {m[1]}, "question": {answer}}), http.StatusOK)
	wantStatus(t, c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"elu@example.fr"}, "question_token": {m[1]}, "question": {answer}}), http.StatusUnprocessableEntity)
}

func TestRecoveryRateLimits(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	for i := 0; i < users.ResetPerIP; i++ {
		if r := requestReset(t, c, "elu@example.fr"); r.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status %d", i+1, r.StatusCode)
		}
	}
	// Per email: only the first few requests send a link.
	if got := len(ts.outbox(t)); got != users.ResetPerEmail {
		t.Fatalf("%d emails for %d requests, want %d", got, users.ResetPerIP, users.ResetPerEmail)
	}
	// Per address: refused.
	if r := requestReset(t, c, "autre@example.fr"); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the per-address limit: status %d", r.StatusCode)
	}
	ts.clock.Advance(users.ResetWindow + time.Second)
	if r := requestReset(t, c, "elu@example.fr"); r.StatusCode != http.StatusOK {
		t.Fatalf("after the window: status %d", r.StatusCode)
	}
}

// TestResetLinkIgnoresHostHeader: the link comes from the base URL even when
// the request names another host.
func TestResetLinkIgnoresHostHeader(t *testing.T) {
	ts := newAccountsServer(t)
	ts.cfg.BaseURL = "https://extranet.sydrav.example"
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	c := ts.visitor()
	rec := c.get(t, "/connexion")
	_ = rec
	payload := solveCaptcha(t, c)
	form := url.Values{"email": {"elu@example.fr"}, "altcha": {payload}, "csrf": {c.csrf}}
	req := newFormRequest("/mot-de-passe-oublie", form)
	req.Host = "evil.example"
	req.Header.Set("X-Forwarded-Host", "evil.example")
	wantStatus(t, c.do(t, req), http.StatusOK)
	m := ts.lastMailTo(t, "elu@example.fr")
	if strings.Contains(m.Text+m.HTML, "evil.example") {
		t.Fatal("the email names the request's host")
	}
	linkIn(t, m, "https://extranet.sydrav.example")
}

// TestRecoveryOverRealSMTP sends the reset email to an SMTP server started by
// the test, reads it there and follows the link.
func TestRecoveryOverRealSMTP(t *testing.T) {
	ts := newAccountsServer(t)
	sink := startSMTP(t)
	ts.cfg.SMTPURL = "smtp+insecure://" + sink.addr
	m, err := mail.New(mail.Config{SMTPURL: ts.cfg.SMTPURL, From: "SYDRAV <no-reply@sydrav.example>", Log: ts.srv.log, Now: ts.clock.Now, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ts.srv.mail = m
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	s1 := ts.loginAs(t, uid)

	c := ts.visitor()
	requestReset(t, c, "elu@example.fr")
	select {
	case <-sink.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no email reached the SMTP server")
	}
	m.Wait()
	sink.mu.Lock()
	raw, rcpt, from := sink.msgs[0], sink.rcpt, sink.from
	sink.mu.Unlock()
	if len(rcpt) != 1 || rcpt[0] != "elu@example.fr" || from[0] != "no-reply@sydrav.example" {
		t.Fatalf("envelope from %v to %v", from, rcpt)
	}
	msg := parseMail(t, raw)
	if !strings.Contains(msg.Subject, "Réinitialisation") {
		t.Fatalf("subject %q", msg.Subject)
	}
	link := linkIn(t, msg, ts.cfg.BaseURL)
	wantStatus(t, c.get(t, link), http.StatusOK)
	wantStatus(t, c.post(t, link, newPassword("la mer est calme ce matin")), http.StatusSeeOther)
	if loggedIn(t, s1) {
		t.Fatal("a session survived the reset")
	}
	c2 := ts.visitor()
	wantStatus(t, c2.post(t, "/connexion", loginForm("elu@example.fr", "la mer est calme ce matin")), http.StatusSeeOther)
	if !loggedIn(t, c2) {
		t.Fatal("cannot log in with the new password")
	}
	if strings.Contains(ts.logs.String(), strings.TrimPrefix(link, "/reinitialisation/")) {
		t.Fatal("the token appears in the logs")
	}
	_ = users.ResetTTL
}

// userObject names an account in the audit trail.
func userObject(id int64) string { return audit.Object("user", id) }
