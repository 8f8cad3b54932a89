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
	// Notify is the e-mail notification preferences block.
	Notify NotifyPrefs
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
	if p.Notify, err = s.notifyPrefs(r); err != nil {
		return profilePage{}, err
	}
	groups, err := s.groups.List(r.Context())
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

// profileInvalid re-renders the profile with the errors of one of its
// forms ("name" or "password") and the name typed, if any.
func (s *Server) profileInvalid(w http.ResponseWriter, r *http.Request, form string, errs valid.Errors, name string) error {
	p, err := s.profilePage(r)
	if err != nil {
		return err
	}
	p.Form = form
	if name != "" {
		p.Name = name
	}
	return s.unprocessable(w, r, "account_profile", &p, errs)
}

func (s *Server) profileName(w http.ResponseWriter, r *http.Request) error {
	name := r.PostFormValue("name")
	err := s.accounts.Rename(r.Context(), s.actor(r), name)
	if ve, ok := formErrors(err); ok {
		return s.profileInvalid(w, r, "name", ve, name)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "accounts.flash.name_saved", "/mon-compte")
}

// profilePassword changes the password (the current one is required); the
// other sessions of the account end.
func (s *Server) profilePassword(w http.ResponseWriter, r *http.Request) error {
	err := s.accounts.ChangePassword(r.Context(), s.actor(r), r.PostFormValue("current"), r.PostFormValue("password"),
		r.PostFormValue("confirm"), state(r).session.IDHash)
	if ve, ok := formErrors(err); ok {
		return s.profileInvalid(w, r, "password", ve, "")
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "accounts.flash.password_saved", "/mon-compte")
}

// profileSessionRevoke ends one of the person's own sessions; closing the
// current one logs out.
func (s *Server) profileSessionRevoke(w http.ResponseWriter, r *http.Request) error {
	h := r.PostFormValue("session")
	err := s.sessions.Revoke(r.Context(), s.actor(r), h)
	if errors.Is(err, db.ErrNotFound) {
		return errBadRequest // another person's session, or a forged one
	}
	if err != nil {
		return err
	}
	if h == state(r).session.IDHash {
		s.clearCookie(w, s.sessionCookieName())
		return s.seeOther(w, r, "accounts.flash.logged_out", "/")
	}
	return s.seeOther(w, r, "accounts.flash.session_revoked", "/mon-compte")
}
