package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"portique/internal/captcha"
	"portique/internal/mail"
	"portique/internal/users"
	"portique/internal/valid"
)

// altchaWidget is the widget bundle built by `npm run build` from the npm
// package altcha 2.x (whose challenge format is the one of altcha-lib-go
// v1), in its external build: no inline style or script, so the strict CSP
// holds. Without it (a bare `go build`) the page shows only the question.
const altchaWidget = "dist/captcha.js"

// forgotPage is the data of the recovery form and its confirmation.
type forgotPage struct {
	Page
	Email    string
	Question captcha.Question
	Widget   bool // the ALTCHA widget is available (else only the question)
	Sent     bool
}

func (s *Server) forgotPage(r *http.Request) forgotPage {
	return forgotPage{
		Page:     s.page(r, s.cat.T("accounts.forgot.title")),
		Question: s.captcha.NewQuestion(),
		Widget:   s.static.exists(altchaWidget),
	}
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "account_forgot", s.forgotPage(r))
	return nil
}

// captchaChallenge serves a fresh proof-of-work challenge to the widget.
func (s *Server) captchaChallenge(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.captcha.Challenge()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(ch)
}

// forgotSubmit answers the same page whether or not the email belongs to an
// account; the email (sent in the background) is the only difference. The
// answer is a page, not a redirect: it names the address typed, which is
// kept nowhere.
func (s *Server) forgotSubmit(w http.ResponseWriter, r *http.Request) error {
	p := s.forgotPage(r)
	p.Email = users.NormalizeEmail(r.PostFormValue("email"))
	solved, err := s.checkCaptcha(r)
	if err != nil {
		return err
	}
	errs := valid.Errors{}
	errs.Merge(users.CheckEmail(p.Email))
	if !solved {
		errs.Add("captcha", "accounts.captcha.failed")
	}
	if len(errs) > 0 {
		return s.unprocessable(w, r, "account_forgot", &p, errs)
	}
	u, link, err := s.accounts.RequestReset(r.Context(), s.actor(r), p.Email)
	if errors.Is(err, users.ErrThrottled) {
		return errTooMany
	}
	if err != nil {
		return err
	}
	if u != nil {
		s.sendMail(mail.Reset, u, "/reinitialisation/"+link.Token, link.Expires)
	}
	p.Sent = true
	p.Title = s.cat.T("accounts.forgot.sent_title") // its own title (RGAA 8.6)
	s.render(w, r, http.StatusOK, "account_forgot", &p)
	return nil
}

// checkCaptcha accepts a solved proof of work (field "altcha", filled by the
// widget) or, without JavaScript, the right answer to the question.
func (s *Server) checkCaptcha(r *http.Request) (bool, error) {
	if payload := r.PostFormValue("altcha"); payload != "" {
		return s.captcha.Verify(r.Context(), payload)
	}
	return s.captcha.CheckAnswer(r.Context(), r.PostFormValue("question_token"), r.PostFormValue("question"))
}

// tokenPage is the data of the pages reached through an emailed link
// (reset, invitation).
type tokenPage struct {
	Page
	Invitation bool
	Account    *users.User
}

// noReferrer: the pages of an emailed link send no referrer and are not
// cached, so the token in their URL cannot leak to another site.
func noReferrer(w http.ResponseWriter) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
}

// tokenForm shows the "choose a password" form of a link, or the invalid
// link page.
func (s *Server) tokenForm(w http.ResponseWriter, r *http.Request, purpose string) error {
	noReferrer(w)
	u, err := s.accounts.PeekToken(r.Context(), r.PathValue("token"), purpose)
	if errors.Is(err, users.ErrTokenInvalid) {
		return s.linkInvalid(w, r, purpose)
	}
	if err != nil {
		return err
	}
	p := s.tokenPageFor(r, purpose, u)
	s.render(w, r, http.StatusOK, "account_password_set", &p)
	return nil
}

func (s *Server) tokenPageFor(r *http.Request, purpose string, u *users.User) tokenPage {
	title := "accounts.reset.title"
	if purpose == users.PurposeInvite {
		title = "accounts.invitation.title"
	}
	return tokenPage{Page: s.page(r, s.cat.T(title)), Invitation: purpose == users.PurposeInvite, Account: u}
}

// linkInvalid answers a used, expired or unknown link (410 Gone), with what
// to do for each kind of link.
func (s *Server) linkInvalid(w http.ResponseWriter, r *http.Request, purpose string) error {
	p := tokenPage{Page: s.page(r, s.cat.T("accounts.link.invalid_title")), Invitation: purpose == users.PurposeInvite}
	s.render(w, r, http.StatusGone, "account_link_invalid", &p)
	return nil
}

// tokenSubmit sets the password through a link: it works once, ends every
// session of the account and unlocks it.
func (s *Server) tokenSubmit(w http.ResponseWriter, r *http.Request, purpose string) error {
	noReferrer(w)
	token := r.PathValue("token")
	_, err := s.accounts.UseToken(r.Context(), s.actor(r), token, purpose, r.PostFormValue("password"), r.PostFormValue("confirm"))
	if ve, ok := formErrors(err); ok {
		u, err := s.accounts.PeekToken(r.Context(), token, purpose)
		if err != nil {
			return s.linkInvalid(w, r, purpose)
		}
		p := s.tokenPageFor(r, purpose, u)
		return s.unprocessable(w, r, "account_password_set", &p, ve)
	}
	if errors.Is(err, users.ErrTokenInvalid) {
		return s.linkInvalid(w, r, purpose)
	}
	if err != nil {
		return err
	}
	// The session of whoever followed the link (if any) ended with the others.
	s.clearCookie(w, s.sessionCookieName())
	flash := "accounts.flash.reset_done"
	if purpose == users.PurposeInvite {
		flash = "accounts.flash.invitation_done"
	}
	return s.seeOther(w, r, flash, "/connexion")
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	return s.tokenForm(w, r, users.PurposeReset)
}

func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.tokenSubmit(w, r, users.PurposeReset)
}

func (s *Server) invitationForm(w http.ResponseWriter, r *http.Request) error {
	return s.tokenForm(w, r, users.PurposeInvite)
}

func (s *Server) invitationSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.tokenSubmit(w, r, users.PurposeInvite)
}
