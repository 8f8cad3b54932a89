package web

import (
	"errors"
	"net/http"

	"portique/internal/db"
	"portique/internal/notify"
)

// NotifyPrefs is the data of the "Notifications par courriel" block of
// /mon-compte.
type NotifyPrefs struct {
	CSRF       string
	Areas      []string
	Modes      []string
	Current    notify.Prefs
	DigestHour int
	Errors     map[string]string
}

func (s *Server) notifyPrefs(r *http.Request) (NotifyPrefs, error) {
	p, err := s.notify.Prefs(r.Context(), currentUser(r).ID)
	if err != nil {
		return NotifyPrefs{}, err
	}
	return NotifyPrefs{CSRF: state(r).token(), Areas: notify.Areas, Modes: notify.Modes, Current: p, DigestHour: s.cfg.DigestHour}, nil
}

func (s *Server) notifyPrefsSave(w http.ResponseWriter, r *http.Request) error {
	modes := map[string]string{}
	for _, a := range notify.Areas {
		modes[a] = r.PostFormValue("mode_" + a)
	}
	err := s.notify.SetPrefs(r.Context(), s.actor(r), modes)
	if ve, ok := formErrors(err); ok {
		p, err := s.profilePage(r)
		if err != nil {
			return err
		}
		p.Form = "notifications"
		return s.unprocessable(w, r, "account_profile", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "notify.flash.saved", "/mon-compte#notifications")
}

// unsubscribePage is the confirmation page of an unsubscribe link opened
// in a browser (a GET changes nothing: link checkers and previews open
// links).
type unsubscribePage struct {
	Page
	Token    string
	AreaName string
	Done     bool
}

func (s *Server) unsubscribeArea(token string) (string, error) {
	_, area, err := s.notify.Signer.ParseUnsubscribe(token)
	if err != nil {
		return "", db.ErrNotFound
	}
	return s.cat.T("notify.area." + area), nil
}

func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	name, err := s.unsubscribeArea(token)
	if err != nil {
		return err
	}
	p := unsubscribePage{Page: s.page(r, s.cat.T("notify.unsub.title")), Token: token, AreaName: name}
	s.render(w, r, http.StatusOK, "notify_unsubscribe", &p)
	return nil
}

func (s *Server) unsubscribeSubmit(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	name, err := s.unsubscribeArea(token)
	if err != nil {
		return err
	}
	if _, err := s.notify.Unsubscribe(r.Context(), state(r).ip, token); errors.Is(err, notify.ErrBadToken) {
		return db.ErrNotFound
	} else if err != nil {
		return err
	}
	p := unsubscribePage{Page: s.page(r, s.cat.T("notify.unsub.done_title")), AreaName: name, Done: true}
	s.render(w, r, http.StatusOK, "notify_unsubscribe", &p)
	return nil
}
