package web

import (
	"errors"
	"net/http"

	"portique/internal/mail"
	"portique/internal/users"
)

// loginPage is the data of the login form.
type loginPage struct {
	Page
	Email  string
	Retour string
	Failed bool // the one failure message, whatever the reason
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	retour := safeReturn(r.URL.Query().Get("retour"))
	if currentUser(r) != nil {
		return s.seeOther(w, r, "", retour)
	}
	s.render(w, r, http.StatusOK, "account_login", loginPage{Page: s.page(r, s.cat.T("accounts.login.title")), Retour: retour})
	return nil
}

// loginSubmit checks the credentials. Every failure — unknown email, wrong
// password, locked, disabled, invitation not accepted — gets the same page
// after the same work (one password hash).
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	email := users.NormalizeEmail(r.PostFormValue("email"))
	retour := safeReturn(r.PostFormValue("retour"))
	if len(email) > 254 {
		email = email[:254]
	}
	res, err := s.accounts.Login(r.Context(), s.actor(r), email, r.PostFormValue("password"))
	switch {
	case errors.Is(err, users.ErrThrottled):
		return errTooMany
	case errors.Is(err, users.ErrLoginFailed):
		if u := res.LockedNow; u != nil && !u.Disabled {
			s.sendMail(mail.Locked, u, "/mot-de-passe-oublie", u.LockedUntil)
		}
		p := loginPage{Page: s.page(r, s.cat.T("accounts.login.title")), Email: email, Retour: retour, Failed: true}
		return s.unprocessable(w, r, "account_login", &p, nil)
	case err != nil:
		return err
	}
	if res.Pending.Token != "" {
		// The second step: no session yet, a short-lived pending login in a
		// cookie of its own (twofa_login.go).
		s.setCookie(w, s.pendingCookieName(), res.Pending.Token, users.LoginCodeTTL)
		return s.seeOther(w, r, "", codeLoginURL(retour))
	}
	return s.openSession(w, r, res.User.ID, retour)
}

// openSession starts the session of a successful login and goes to retour.
// A new session id at every login; the old session (if any) ends.
func (s *Server) openSession(w http.ResponseWriter, r *http.Request, uid int64, retour string) error {
	if old := state(r).session; old != nil {
		s.sessions.Delete(r.Context(), old.IDHash) //nolint:errcheck // replaced below
	}
	token, err := s.sessions.Create(r.Context(), uid, clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	s.setCookie(w, s.sessionCookieName(), token, 0)
	return s.seeOther(w, r, "", retour)
}

// logout ends the session server-side.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if ses := state(r).session; ses != nil {
		if err := s.sessions.Logout(r.Context(), s.actor(r), ses.IDHash); err != nil {
			return err
		}
	}
	s.clearCookie(w, s.sessionCookieName())
	return s.seeOther(w, r, "accounts.flash.logged_out", "/")
}
