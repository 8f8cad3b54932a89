package browsertest

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"portique/internal/users"
)

// SetPassword gives an account a password (hashed with the program's
// production argon2id parameters, so the login does not re-hash it).
func (s *Site) SetPassword(t testing.TB, userID int64, password string) {
	t.Helper()
	h, err := users.NewHasher(users.DefaultParams, 1).Hash(context.Background(), password)
	if err != nil {
		t.Fatalf("browsertest: hash password: %v", err)
	}
	if _, err := s.DB.Exec(context.Background(), "UPDATE users SET password_hash = ? WHERE id = ?", h, userID); err != nil {
		t.Fatalf("browsertest: set password: %v", err)
	}
}

// Login fills and submits the login form (/connexion) and returns the HTTP
// status of the page reached (200 after the redirect of a success, 422 for
// a failure).
func (s *Site) Login(t testing.TB, ctx context.Context, email, password string) int {
	t.Helper()
	if st := s.Go(t, ctx, "/connexion"); st != http.StatusOK {
		t.Fatalf("GET /connexion = %d", st)
	}
	Fill(t, ctx, "#email", email)
	Fill(t, ctx, "#password", password)
	return Submit(t, ctx, `form[action="/connexion"] button[type="submit"]`)
}

// Logout clicks the header's log-out button and returns the status of the
// page reached.
func Logout(t testing.TB, ctx context.Context) int {
	t.Helper()
	return Submit(t, ctx, `form[action="/deconnexion"] button[type="submit"]`)
}

// LoggedIn reports whether the page shows the account link of a member.
func LoggedIn(t testing.TB, ctx context.Context) bool {
	t.Helper()
	return Exists(t, ctx, `a[href="/mon-compte"]`)
}

// SolveCaptcha ticks the ALTCHA widget of the page and waits until it has
// solved its proof of work (the hidden "altcha" field is filled).
func SolveCaptcha(t testing.TB, ctx context.Context) {
	t.Helper()
	Run(t, ctx, "tick the captcha",
		chromedp.WaitVisible(chromedp.CSS(`altcha-widget input[type="checkbox"]`)),
		chromedp.Click(chromedp.CSS(`altcha-widget input[type="checkbox"]`)),
		chromedp.WaitReady(chromedp.CSS(`altcha-widget [data-state="verified"], input[name="altcha"][value]:not([value=""])`)),
	)
}
