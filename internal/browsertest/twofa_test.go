package browsertest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portique/internal/users"
)

// scripts turns the page's JavaScript on or off (axe needs it on; the flows
// are run without it, as plain forms).
func scripts(t *testing.T, ctx context.Context, on bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		t.Fatal(err)
	}
}

// accessible runs axe on the page (scripts on for axe only).
func accessible(t *testing.T, ctx context.Context) {
	t.Helper()
	scripts(t, ctx, true)
	AssertAccessible(t, ctx)
	scripts(t, ctx, false)
}

// tabTo moves the focus with the Tab key until it is on the element #id.
func tabTo(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	for i := 0; i < 80 && Eval[string](t, ctx, "document.activeElement.id") != id; i++ {
		press(t, ctx, "Tab", kb.Tab)
	}
	if got := Eval[string](t, ctx, "document.activeElement.id"); got != id {
		t.Fatalf("Tab never reached #%s (focus on #%s)", id, got)
	}
}

// typeAndEnter types into the focused field and submits its form with the
// Enter key; it returns the status of the page reached.
func typeAndEnter(t *testing.T, ctx context.Context, text string) int {
	t.Helper()
	press(t, ctx, "type", text)
	resp, err := chromedp.RunResponse(ctx, Press(kb.Enter))
	if err != nil {
		t.Fatalf("Enter: %v", err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// codeAt is what the authenticator app shows at t.
func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := users.CodeAt(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTwoFactorKeyboardWithoutJavaScript: a member whose group requires
// two-factor login logs in with the keyboard only and JavaScript off, is
// kept on the enrolment page, reads the secret off the page, types the
// app's code, sees the recovery codes, logs out, and logs in again with
// password then code. axe checks every page on the way.
func TestTwoFactorKeyboardWithoutJavaScript(t *testing.T) {
	site := Start(t, Options{})
	const email, pass = "elu.2fa@example.fr", "un mot de passe solide et long"
	gid := site.CreateGroup(t, "Administrateurs")
	if _, err := site.DB.Exec(context.Background(), "UPDATE groups SET require_2fa = TRUE WHERE id = ?", gid); err != nil {
		t.Fatal(err)
	}
	uid := site.CreateUser(t, email, "Camille Élue", false, gid)
	site.SetPassword(t, uid, pass)
	ctx := site.Browser(t)
	scripts(t, ctx, false)
	defer chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}) //nolint:errcheck

	// Log in with the keyboard: sent to enrolment, kept there.
	site.Go(t, ctx, "/connexion")
	tabTo(t, ctx, "email")
	press(t, ctx, "type", email)
	tabTo(t, ctx, "password")
	if st := typeAndEnter(t, ctx, pass); st != http.StatusOK {
		t.Fatalf("login: status %d", st)
	}
	if loc := Location(t, ctx); loc != "/mon-compte/double-authentification" {
		t.Fatalf("after login at %s, want the enrolment page", loc)
	}
	site.Go(t, ctx, "/mon-compte")
	if loc := Location(t, ctx); loc != "/mon-compte/double-authentification" {
		t.Fatalf("reached %s before enrolling", loc)
	}
	if !strings.Contains(Text(t, ctx, "main"), "Votre groupe exige") {
		t.Fatal("the enrolment page does not say why")
	}
	accessible(t, ctx)

	// Start: the button, by keyboard.
	tabTo(t, ctx, "twofa-start")
	resp, err := chromedp.RunResponse(ctx, Press(kb.Enter))
	if err != nil || resp == nil || resp.Status != http.StatusOK {
		t.Fatalf("start enrolment: %v %v", resp, err)
	}
	accessible(t, ctx)
	if w := Eval[float64](t, ctx, `document.querySelector("img.qr").naturalWidth`); w < 200 {
		t.Fatalf("the QR code did not load (width %v): CSP or route", w)
	}
	secret := strings.ReplaceAll(Text(t, ctx, "#secret"), " ", "")
	if len(secret) != 32 {
		t.Fatalf("secret on the page: %q", secret)
	}
	// A wrong code first: the error is announced on the field.
	tabTo(t, ctx, "code")
	if st := typeAndEnter(t, ctx, "000000"); st != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code: status %d", st)
	}
	if Eval[string](t, ctx, `document.getElementById("code").getAttribute("aria-invalid")`) != "true" {
		t.Fatal("wrong code: field not marked invalid")
	}
	accessible(t, ctx)
	tabTo(t, ctx, "code")
	if st := typeAndEnter(t, ctx, codeAt(t, secret, time.Now())); st != http.StatusOK {
		t.Fatalf("confirm: status %d", st)
	}
	if n := Eval[float64](t, ctx, `document.querySelectorAll(".recovery-codes li").length`); n != 10 {
		t.Fatalf("%v recovery codes shown", n)
	}
	recovery := Text(t, ctx, ".recovery-codes li")
	accessible(t, ctx)
	site.Go(t, ctx, "/mon-compte")
	if loc := Location(t, ctx); loc != "/mon-compte" {
		t.Fatalf("after enrolling, /mon-compte went to %s", loc)
	}
	accessible(t, ctx)

	// Log out, log in again: password, then the code (the next step's, as
	// the enrolment used this one's and a code never works twice).
	if st := Logout(t, ctx); st != http.StatusOK {
		t.Fatalf("logout: %d", st)
	}
	site.Go(t, ctx, "/connexion")
	tabTo(t, ctx, "email")
	press(t, ctx, "type", email)
	tabTo(t, ctx, "password")
	typeAndEnter(t, ctx, pass)
	if loc := Location(t, ctx); loc != "/connexion/code" || LoggedIn(t, ctx) {
		t.Fatalf("after the password: at %s, logged in %v", loc, LoggedIn(t, ctx))
	}
	accessible(t, ctx)
	if st := typeAndEnter(t, ctx, "111111"); st != http.StatusUnprocessableEntity { // the field has the focus (autofocus)
		t.Fatalf("wrong login code: status %d", st)
	}
	accessible(t, ctx)
	tabTo(t, ctx, "code")
	if st := typeAndEnter(t, ctx, codeAt(t, secret, time.Now().Add(30*time.Second))); st != http.StatusOK {
		t.Fatalf("login code: status %d", st)
	}
	if !LoggedIn(t, ctx) {
		t.Fatal("not logged in after the code")
	}
	// And once more with a recovery code, as read from paper.
	Logout(t, ctx)
	site.Login(t, ctx, email, pass)
	Fill(t, ctx, "#code", strings.ToUpper(recovery))
	if st := Submit(t, ctx, `form[action="/connexion/code"] button[type="submit"]`); st != http.StatusOK || !LoggedIn(t, ctx) {
		t.Fatalf("recovery code: status %d", st)
	}
}

// TestTwoFactorDemoAccount: the demo prints an account with two-factor
// login on and its app key; with that key (as an app computes it) the
// account logs in. No demo group requires two-factor login, so the other
// accounts of the quick start log in with their password alone.
func TestTwoFactorDemoAccount(t *testing.T) {
	site := Start(t, Options{Demo: true})
	var email, pass, secret string
	for _, line := range strings.Split(site.Stdout(), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 6 && strings.HasPrefix(f[1], "double.authentification@"):
			email, pass = f[1], f[len(f)-1]
		case len(f) > 0 && f[0] == "double" && email != "" && secret == "":
			_, key, _ := strings.Cut(line, "(TOTP) :")
			secret = strings.ReplaceAll(strings.TrimSpace(key), " ", "")
		}
	}
	if email == "" || len(secret) != 32 {
		t.Fatalf("the demo does not print its two-factor account:\n%s", site.Stdout())
	}
	ctx := site.Browser(t)
	if st := site.Login(t, ctx, email, pass); st != http.StatusOK || Location(t, ctx) != "/connexion/code" {
		t.Fatalf("password step: status %d at %s", st, Location(t, ctx))
	}
	Fill(t, ctx, "#code", codeAt(t, secret, time.Now()))
	if st := Submit(t, ctx, `form[action="/connexion/code"] button[type="submit"]`); st != http.StatusOK || !LoggedIn(t, ctx) {
		t.Fatalf("code step: status %d, logged in %v", st, LoggedIn(t, ctx))
	}
	site.Go(t, ctx, "/mon-compte/double-authentification")
	if !strings.Contains(Text(t, ctx, "main"), "sur 10") {
		t.Fatal("the demo account's page does not show its recovery codes count")
	}
	AssertAccessible(t, ctx)
	Logout(t, ctx)
	_, adminEmail, adminPass := site.DemoAccount(t, "")
	if st := site.Login(t, ctx, adminEmail, adminPass); st != http.StatusOK || !LoggedIn(t, ctx) {
		t.Fatal("the demo administrator needs more than a password")
	}
	var required int
	if err := site.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM groups WHERE require_2fa = TRUE").Scan(&required); err != nil || required != 0 {
		t.Fatalf("%d demo groups require two-factor login (%v)", required, err)
	}
}
