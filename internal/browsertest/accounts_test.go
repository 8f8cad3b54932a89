package browsertest

import (
	"net/http"
	"strings"
	"testing"
)

// The login and recovery flow of issue 2 in a real browser: ten failures
// lock the account with the one generic message, the owner is told by
// email, recovers the password through the emailed link (the ALTCHA widget
// solves its proof of work in the page), logs in and out. axe-core checks
// every page on the way.
func TestLoginLockoutRecoveryLogout(t *testing.T) {
	site := Start(t, Options{})
	const email, oldPass, newPass = "elu.test@example.fr", "ancien mot de passe solide", "nouveau mot de passe tout neuf"
	uid := site.CreateUser(t, email, "Dominique Élu", false)
	site.SetPassword(t, uid, oldPass)
	ctx := site.Browser(t)

	// The login form itself is accessible.
	site.Go(t, ctx, "/connexion")
	AssertAccessible(t, ctx)

	// Ten wrong passwords: the same generic message each time, and the tenth
	// locks the account.
	var first string
	for i := 1; i <= 10; i++ {
		if st := site.Login(t, ctx, email, "mauvais mot de passe "+string(rune('a'+i))); st != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: status %d, want 422", i, st)
		}
		msg := Text(t, ctx, "#login-error")
		if i == 1 {
			first = msg
			if msg == "" {
				t.Fatal("no error message after a failed login")
			}
			AssertAccessible(t, ctx) // the form with its error
		} else if msg != first {
			t.Fatalf("failure %d says %q, the first said %q", i, msg, first)
		}
		if LoggedIn(t, ctx) {
			t.Fatalf("failure %d logged in", i)
		}
	}
	// Now locked: the right password gets the very same message…
	if st := site.Login(t, ctx, email, oldPass); st != http.StatusUnprocessableEntity {
		t.Fatalf("locked account with the right password: status %d, want 422", st)
	}
	if msg := Text(t, ctx, "#login-error"); msg != first {
		t.Fatalf("locked account says %q, an unknown password said %q", msg, first)
	}
	// …as does an unknown address.
	site.Login(t, ctx, "personne@example.fr", oldPass)
	if msg := Text(t, ctx, "#login-error"); msg != first {
		t.Fatalf("unknown email says %q, a wrong password said %q", msg, first)
	}
	// The owner was told by email, with a way to recover.
	locked := site.Mail.Wait(t, email, "verrouillé", 0)
	locked.Link(t, "/mot-de-passe-oublie")

	// Recovery: the form, the captcha solved by the widget, the same answer.
	before := site.Mail.Count()
	if st := site.Go(t, ctx, "/mot-de-passe-oublie"); st != http.StatusOK {
		t.Fatalf("GET /mot-de-passe-oublie = %d", st)
	}
	AssertAccessible(t, ctx)
	Fill(t, ctx, "#email", email)
	SolveCaptcha(t, ctx)
	AssertAccessible(t, ctx) // with the widget in its "verified" state
	if st := Submit(t, ctx, `form[action="/mot-de-passe-oublie"] button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("recovery request: status %d, want 200", st)
	}
	if sent := Text(t, ctx, "main"); !strings.Contains(sent, email) {
		t.Fatalf("recovery confirmation does not repeat the address: %q", sent)
	}
	// The "link sent" step has its own title (RGAA 8.6), not the form's.
	if title := Eval[string](t, ctx, `document.title`); !strings.HasPrefix(title, "Lien envoyé – Mot de passe oublié") {
		t.Fatalf("the link-sent step is titled %q", title)
	}
	AssertAccessible(t, ctx)

	// The emailed link, built from the configured base URL.
	reset := site.Mail.Wait(t, email, "Réinitialisation", before)
	link := reset.Link(t, "/reinitialisation/")
	if !strings.HasPrefix(link, site.URL+"/reinitialisation/") {
		t.Fatalf("reset link %q is not on the configured base URL %s", link, site.URL)
	}
	if st := site.Go(t, ctx, link); st != http.StatusOK {
		t.Fatalf("GET reset link = %d", st)
	}
	AssertAccessible(t, ctx)
	// A too short password is refused with the form kept (422), accessibly.
	Fill(t, ctx, "#password", "court")
	Fill(t, ctx, "#confirm", "court")
	if st := Submit(t, ctx, `main form button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("short password: status %d, want 422", st)
	}
	AssertAccessible(t, ctx)
	Fill(t, ctx, "#password", newPass)
	Fill(t, ctx, "#confirm", newPass)
	Submit(t, ctx, `main form button[type="submit"]`)
	if loc := Location(t, ctx); loc != "/connexion" {
		t.Fatalf("after the reset the browser is on %s, want /connexion", loc)
	}
	// The link works once.
	if st := site.Go(t, ctx, link); st != http.StatusGone {
		t.Fatalf("reset link used twice: status %d, want 410", st)
	}
	AssertAccessible(t, ctx)

	// The reset unlocked the account: the old password no longer works, the
	// new one does.
	if st := site.Login(t, ctx, email, oldPass); st != http.StatusUnprocessableEntity {
		t.Fatalf("old password after reset: status %d, want 422", st)
	}
	site.Login(t, ctx, email, newPass)
	if !LoggedIn(t, ctx) {
		t.Fatalf("cannot log in with the new password; page: %s", Text(t, ctx, "main"))
	}
	if st := site.Go(t, ctx, "/mon-compte"); st != http.StatusOK {
		t.Fatalf("GET /mon-compte = %d", st)
	}
	AssertAccessible(t, ctx)

	// Log out: the session is gone, private pages send to the login form.
	Logout(t, ctx)
	if LoggedIn(t, ctx) {
		t.Fatal("still logged in after logging out")
	}
	site.Go(t, ctx, "/mon-compte")
	if loc := Location(t, ctx); !strings.HasPrefix(loc, "/connexion?retour=") {
		t.Fatalf("/mon-compte after logout went to %s, want the login form", loc)
	}
}
