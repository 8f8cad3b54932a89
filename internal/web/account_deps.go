package web

import (
	"net/http"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/mail"
	"portique/internal/users"
)

// requestActor is who acts in r, for the accounts' stores: the logged-in
// account (or an anonymous visitor) with the request's address.
func requestActor(r *http.Request) access.Actor {
	a := access.Actor{Principal: principal(r), IP: clientIP(r)}
	if u := currentUser(r); u != nil {
		a.Name = u.Email
	}
	return a
}

// sendMail renders an email and sends it in the background. The link is
// always built from the configured public URL, never from the request.
func (s *Server) sendMail(kind string, u *users.User, path string, expires time.Time) {
	d := mail.Data{SiteName: s.cfg.SiteName, Name: u.Name, Link: s.cfg.BaseURL + path}
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

// audit records an action of the current user (or of actor when the person
// is not logged in yet). The accounts write their entries in their own
// transactions; this helper remains for the areas that still call it
// (calendar, documents) until their stores record their own.
func (s *Server) audit(r *http.Request, actor *users.User, action, object, detail string) {
	if actor == nil {
		actor = currentUser(r)
	}
	e := audit.Entry{At: s.now(), Action: action, Object: object, IP: clientIP(r), Detail: detail}
	if actor != nil {
		e.ActorID, e.Actor = actor.ID, actor.Email
	}
	if err := audit.Log(r.Context(), s.db, e); err != nil {
		s.log.Error("audit", "action", action, "err", err)
	}
}

// userObject names an account in the audit trail (the calendar's feed
// entries use it).
func userObject(id int64) string { return audit.Object("user", id) }
