package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"portique/internal/captcha"
	"portique/internal/db"
	"portique/internal/mail"
	"portique/internal/users"
	"portique/internal/valid"
)

// Recovery rate limits (per hour). Over the per-address limit the form
// answers 429; over the per-email limit it answers as usual but sends
// nothing, so the limit reveals nothing about the account.
const (
	recoveryPerIP    = 10
	recoveryPerEmail = 3
	recoveryWindow   = time.Hour
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
// account; the email (sent in the background) is the only difference.
func (s *Server) forgotSubmit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := s.forgotPage(r)
	p.Email = users.NormalizeEmail(r.PostFormValue("email"))
	errs := valid.Errors{}
	if p.Email == "" {
		errs.Add("email", "accounts.email.required")
	} else if !users.ValidEmail(p.Email) {
		errs.Add("email", "accounts.email.invalid")
	}
	solved, err := s.checkCaptcha(r)
	if err != nil {
		return err
	}
	if !solved {
		errs.Add("captcha", "accounts.captcha.failed")
	}
	if len(errs) > 0 {
		s.withErrors(&p.Page, errs)
		s.render(w, r, http.StatusUnprocessableEntity, "account_forgot", p)
		return nil
	}
	now := s.now()
	n, err := users.Hit(ctx, s.db, "reset-ip:"+clientIP(r), recoveryWindow, now)
	if err != nil {
		return err
	}
	if n > recoveryPerIP {
		return errTooMany
	}
	n, err = users.Hit(ctx, s.db, "reset-email:"+users.HashToken(p.Email), recoveryWindow, now)
	if err != nil {
		return err
	}
	u, err := users.GetByEmail(ctx, s.db, p.Email)
	switch {
	case errors.Is(err, db.ErrNotFound):
		s.audit(r, &users.User{Email: p.Email}, "recovery.requested", "", "compte inconnu")
	case err != nil:
		return err
	case u.Disabled:
		s.audit(r, u, "recovery.requested", userObject(u.ID), "compte désactivé : aucun lien envoyé")
	case n > recoveryPerEmail:
		s.audit(r, u, "recovery.requested", userObject(u.ID), "limite atteinte : aucun lien envoyé")
	default:
		token, err := users.IssueToken(ctx, s.db, u.ID, users.PurposeReset, now, users.ResetTTL)
		if err != nil {
			return err
		}
		s.sendMail(mail.Reset, u, "/reinitialisation/"+token, now.Add(users.ResetTTL))
		s.audit(r, u, "recovery.requested", userObject(u.ID), "")
	}
	p.Sent = true
	s.render(w, r, http.StatusOK, "account_forgot", p)
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

// tokenForm shows the "choose a password" form of a link, or the invalid
// link page. The page sends no referrer, so the token in its URL cannot
// leak to another site.
func (s *Server) tokenForm(w http.ResponseWriter, r *http.Request, purpose string) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	u, err := users.PeekToken(r.Context(), s.db, r.PathValue("token"), purpose, s.now())
	if errors.Is(err, users.ErrTokenInvalid) {
		return s.linkInvalid(w, r, purpose)
	}
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account_password_set", s.tokenPageFor(r, purpose, u))
	return nil
}

func (s *Server) tokenPageFor(r *http.Request, purpose string, u *users.User) tokenPage {
	title := "accounts.reset.title"
	if purpose == users.PurposeInvite {
		title = "accounts.invitation.title"
	}
	return tokenPage{Page: s.page(r, s.cat.T(title)), Invitation: purpose == users.PurposeInvite, Account: u}
}

func (s *Server) linkInvalid(w http.ResponseWriter, r *http.Request, purpose string) error {
	p := tokenPage{Page: s.page(r, s.cat.T("accounts.link.invalid_title")), Invitation: purpose == users.PurposeInvite}
	s.render(w, r, http.StatusGone, "account_link_invalid", p)
	return nil
}

// tokenSubmit sets the password through a link: it works once, ends every
// session of the account and unlocks it.
func (s *Server) tokenSubmit(w http.ResponseWriter, r *http.Request, purpose string) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	token := r.PathValue("token")
	u, err := s.accounts.UseToken(r.Context(), token, purpose, r.PostFormValue("password"), r.PostFormValue("confirm"))
	var verrs valid.Errors
	switch {
	case errors.Is(err, users.ErrTokenInvalid):
		return s.linkInvalid(w, r, purpose)
	case errors.As(err, &verrs):
		peek, perr := users.PeekToken(r.Context(), s.db, token, purpose, s.now())
		if perr != nil {
			return s.linkInvalid(w, r, purpose)
		}
		p := s.tokenPageFor(r, purpose, peek)
		s.withErrors(&p.Page, verrs)
		s.render(w, r, http.StatusUnprocessableEntity, "account_password_set", p)
		return nil
	case err != nil:
		return err
	}
	// The session of whoever followed the link (if any) ended with the others.
	s.clearCookie(w, s.sessionCookieName())
	if purpose == users.PurposeInvite {
		s.audit(r, u, "invitation.accepted", userObject(u.ID), "")
		s.flash(w, "accounts.flash.invitation_done")
	} else {
		s.audit(r, u, "recovery.completed", userObject(u.ID), "")
		s.flash(w, "accounts.flash.reset_done")
	}
	http.Redirect(w, r, "/connexion", http.StatusSeeOther)
	return nil
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
