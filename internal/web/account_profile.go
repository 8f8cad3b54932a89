package web

import (
	"errors"
	"net/http"

	"portique/internal/db"
	"portique/internal/users"
	"portique/internal/valid"
)

// profilePage is the data of /mon-compte.
type profilePage struct {
	Page
	Name        string // the name field (kept on error)
	Sessions    []users.Session
	CurrentHash string
	GroupNames  []string // the person's groups, so they know what they see
	// Form says which form the Errors belong to ("name" or "password").
	Form string
	// CalendarSub is the calendar subscription block (personal feed link).
	CalendarSub CalendarSubscription
}

func (s *Server) profilePage(r *http.Request) (profilePage, error) {
	u := currentUser(r)
	ses, err := s.sessions.ListForUser(r.Context(), u.ID)
	if err != nil {
		return profilePage{}, err
	}
	p := profilePage{
		Page: s.page(r, s.cat.T("accounts.profile.title")), Name: u.Name,
		Sessions: ses, CurrentHash: state(r).session.IDHash,
	}
	if p.CalendarSub, err = s.calendarSubscription(r); err != nil {
		return profilePage{}, err
	}
	groups, err := users.ListGroups(r.Context(), s.db)
	if err != nil {
		return profilePage{}, err
	}
	mine := map[int64]bool{}
	for _, g := range u.Groups {
		mine[g] = true
	}
	for _, g := range groups {
		if mine[g.ID] {
			p.GroupNames = append(p.GroupNames, g.Name)
		}
	}
	return p, nil
}

func (s *Server) profile(w http.ResponseWriter, r *http.Request) error {
	p, err := s.profilePage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account_profile", p)
	return nil
}

func (s *Server) profileInvalid(w http.ResponseWriter, r *http.Request, form string, errs valid.Errors, name string) error {
	p, err := s.profilePage(r)
	if err != nil {
		return err
	}
	p.Form = form
	if name != "" {
		p.Name = name
	}
	s.withErrors(&p.Page, errs)
	s.render(w, r, http.StatusUnprocessableEntity, "account_profile", p)
	return nil
}

func (s *Server) profileName(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	name := r.PostFormValue("name")
	err := users.Rename(r.Context(), s.db, u.ID, name)
	var verrs valid.Errors
	if errors.As(err, &verrs) {
		return s.profileInvalid(w, r, "name", verrs, name)
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "user.renamed", userObject(u.ID), "")
	s.flash(w, "accounts.flash.name_saved")
	http.Redirect(w, r, "/mon-compte", http.StatusSeeOther)
	return nil
}

// profilePassword changes the password (the current one is required); the
// other sessions of the account end.
func (s *Server) profilePassword(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	err := s.accounts.ChangePassword(r.Context(), u, r.PostFormValue("current"), r.PostFormValue("password"),
		r.PostFormValue("confirm"), state(r).session.IDHash)
	var verrs valid.Errors
	if errors.As(err, &verrs) {
		if _, wrong := verrs["current"]; wrong {
			s.audit(r, nil, "password.change_failed", userObject(u.ID), "mot de passe actuel erroné")
		}
		return s.profileInvalid(w, r, "password", verrs, "")
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "password.changed", userObject(u.ID), "")
	s.flash(w, "accounts.flash.password_saved")
	http.Redirect(w, r, "/mon-compte", http.StatusSeeOther)
	return nil
}

// profileSessionRevoke ends one of the person's own sessions.
func (s *Server) profileSessionRevoke(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	h := r.PostFormValue("session")
	err := s.sessions.Revoke(r.Context(), u.ID, h)
	if errors.Is(err, db.ErrNotFound) {
		return errBadRequest
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "session.revoked", userObject(u.ID), "")
	if h == state(r).session.IDHash {
		s.clearCookie(w, s.sessionCookieName())
		s.flash(w, "accounts.flash.logged_out")
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	s.flash(w, "accounts.flash.session_revoked")
	http.Redirect(w, r, "/mon-compte", http.StatusSeeOther)
	return nil
}
