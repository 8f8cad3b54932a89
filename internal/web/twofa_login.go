package web

import (
	"errors"
	"net/http"
	"net/url"

	"portique/internal/mail"
	"portique/internal/users"
)

// The second step of a login with two-factor authentication: the password
// was right (loginSubmit), a pending login waits in its own cookie for the
// code; only a right code opens a session.

// pendingCookieName is the cookie of a login waiting for its code.
func (s *Server) pendingCookieName() string {
	if s.cfg.SecureCookies() {
		return "__Host-portique-2fa"
	}
	return "portique-2fa"
}

// codeLoginURL is the code form, coming back to retour afterwards.
func codeLoginURL(retour string) string {
	if retour == "/" {
		return "/connexion/code"
	}
	return "/connexion/code?retour=" + url.QueryEscape(retour)
}

// codeLoginPage is the data of the code form.
type codeLoginPage struct {
	Page
	Retour string
	Failed bool
}

// pendingToken is the pending login of the request ("" when none).
func (s *Server) pendingToken(r *http.Request) string {
	if c, err := r.Cookie(s.pendingCookieName()); err == nil {
		return c.Value
	}
	return ""
}

// restartLogin ends a pending login that is no longer valid (expired,
// forged, its account locked) and sends the person back to the password.
func (s *Server) restartLogin(w http.ResponseWriter, r *http.Request, flash, retour string) error {
	s.clearCookie(w, s.pendingCookieName())
	to := "/connexion"
	if retour != "/" {
		to += "?retour=" + url.QueryEscape(retour)
	}
	return s.seeOther(w, r, flash, to)
}

func (s *Server) codeLoginForm(w http.ResponseWriter, r *http.Request) error {
	retour := safeReturn(r.URL.Query().Get("retour"))
	if currentUser(r) != nil {
		return s.seeOther(w, r, "", retour)
	}
	if _, err := s.accounts.PeekToken(r.Context(), s.pendingToken(r), users.PurposeLoginCode); err != nil {
		if errors.Is(err, users.ErrTokenInvalid) {
			return s.restartLogin(w, r, "twofa.flash.login_expired", retour)
		}
		return err
	}
	s.render(w, r, http.StatusOK, "twofa_login", &codeLoginPage{Page: s.page(r, s.cat.T("twofa.login.title")), Retour: retour})
	return nil
}

// codeLoginSubmit checks the code of a pending login. A wrong code counts
// towards the account's lock like a wrong password.
func (s *Server) codeLoginSubmit(w http.ResponseWriter, r *http.Request) error {
	retour := safeReturn(r.PostFormValue("retour"))
	res, err := s.accounts.LoginCode(r.Context(), s.actor(r), s.pendingToken(r), r.PostFormValue("code"))
	switch {
	case errors.Is(err, users.ErrThrottled):
		return errTooMany
	case errors.Is(err, users.ErrTokenInvalid):
		return s.restartLogin(w, r, "twofa.flash.login_expired", retour)
	case errors.Is(err, users.ErrLoginFailed):
		if u := res.LockedNow; u != nil {
			if !u.Disabled {
				s.sendMail(mail.Locked, u, "/mot-de-passe-oublie", u.LockedUntil)
			}
			return s.restartLogin(w, r, "twofa.flash.login_locked", retour)
		}
		p := codeLoginPage{Page: s.page(r, s.cat.T("twofa.login.title")), Retour: retour, Failed: true}
		return s.unprocessable(w, r, "twofa_login", &p, nil)
	case err != nil:
		return err
	}
	s.clearCookie(w, s.pendingCookieName())
	return s.openSession(w, r, res.User.ID, retour)
}
