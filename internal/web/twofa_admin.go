package web

import (
	"net/http"
	"time"

	"portique/internal/access"
	"portique/internal/mail"
)

// twofaReset removes the second factor of the account {id} (a member who
// lost their phone and their recovery codes) and tells them by email.
func (s *Server) twofaReset(w http.ResponseWriter, r *http.Request) error {
	return s.adminUserAction(w, r, "twofa.flash.reset", func(a access.Actor, id int64) error {
		u, err := s.accounts.ResetTwoFactor(r.Context(), a, id)
		if err == nil {
			s.sendMail(mail.TwoFactorReset, u, twofaURL, time.Time{})
		}
		return err
	})
}

// twofaGroupRequire makes two-factor login compulsory (required=1) or
// optional for the members of the group {id}.
func (s *Server) twofaGroupRequire(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	on := r.PostFormValue("required") == "1"
	if err := s.groups.SetTwoFactorRequired(r.Context(), s.actor(r), g.ID, on); err != nil {
		return err
	}
	flash := "twofa.flash.group_optional"
	if on {
		flash = "twofa.flash.group_required"
	}
	return s.seeOther(w, r, flash, groupURL(g.ID))
}
