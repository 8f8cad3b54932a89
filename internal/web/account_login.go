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
		http.Redirect(w, r, retour, http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "account_login", loginPage{Page: s.page(r, s.cat.T("accounts.login.title")), Retour: retour})
	return nil
}

// loginSubmit checks the credentials. Every failure — unknown email, wrong
// password, locked, disabled, invitation not accepted — gets the same page
// after the same work (one password hash).
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	email := users.NormalizeEmail(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	retour := safeReturn(r.PostFormValue("retour"))
	if len(email) > 254 {
		email = email[:254]
	}
	res, err := s.accounts.Login(r.Context(), email, password, clientIP(r))
	switch {
	case errors.Is(err, users.ErrThrottled):
		s.audit(r, &users.User{Email: email}, "login.throttled", "", "")
		return errTooMany
	case errors.Is(err, users.ErrLoginFailed):
		obj := ""
		if res.LockedNow != nil {
			obj = userObject(res.LockedNow.ID)
		}
		s.audit(r, &users.User{Email: email}, "login.failure", obj, "")
		if u := res.LockedNow; u != nil {
			s.audit(r, u, "account.locked", userObject(u.ID), "")
			if !u.Disabled {
				s.sendMail(mail.Locked, u, "/mot-de-passe-oublie", u.LockedUntil)
			}
		}
		p := loginPage{Page: s.page(r, s.cat.T("accounts.login.title")), Email: email, Retour: retour, Failed: true}
		s.render(w, r, http.StatusUnprocessableEntity, "account_login", p)
		return nil
	case err != nil:
		return err
	}
	// A new session id at every login; the old session (if any) ends.
	if old := state(r).session; old != nil {
		s.sessions.Delete(r.Context(), old.IDHash) //nolint:errcheck // replaced below
	}
	token, err := s.sessions.Create(r.Context(), res.User.ID, clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	s.setCookie(w, s.sessionCookieName(), token, 0)
	s.audit(r, res.User, "login.success", userObject(res.User.ID), "")
	http.Redirect(w, r, retour, http.StatusSeeOther)
	return nil
}

// logout ends the session server-side.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if ses := state(r).session; ses != nil {
		if err := s.sessions.Delete(r.Context(), ses.IDHash); err != nil {
			return err
		}
		s.audit(r, nil, "logout", userObject(ses.User.ID), "")
	}
	s.clearCookie(w, s.sessionCookieName())
	s.flash(w, "accounts.flash.logged_out")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
