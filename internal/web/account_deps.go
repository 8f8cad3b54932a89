package web

import (
	"context"
	"time"

	"portique/internal/mail"
	"portique/internal/users"
)

// sendMail renders an email and sends it in the background. The link is
// always built from the configured public URL, never from the request.
func (s *Server) sendMail(kind string, u *users.User, path string, expires time.Time) {
	d := mail.Data{SiteName: s.siteName(context.Background()), Name: u.Name, Link: s.cfg.BaseURL + path}
	if !expires.IsZero() {
		lt := expires.In(s.cfg.Location())
		d.Expires = s.cat.T("accounts.mail.expires", frenchDate(lt), lt.Format("15:04"))
		d.Until = s.cat.T("accounts.mail.until", frenchDate(lt), lt.Format("15:04"))
	}
	msg, err := mail.Render(kind, u.Email, d)
	if err != nil {
		s.log.Error("mail render", "kind", kind, "err", err)
		return
	}
	s.mail.Go(msg)
}

// sendInvitation emails the invitation link of u.
func (s *Server) sendInvitation(u *users.User, link users.Link) {
	s.sendMail(mail.Invitation, u, "/invitation/"+link.Token, link.Expires)
}
