package web

import (
	"net/http"
	"strconv"
	"time"

	"portique/internal/audit"
	"portique/internal/mail"
	"portique/internal/users"
)

// Mailer returns the server's mailer (app waits for it at shutdown).
func (s *Server) Mailer() *mail.Mailer { return s.mail }

// Hasher returns the password hasher (the demo seeds accounts with it).
func (s *Server) Hasher() *users.Hasher { return s.accounts.Hasher }

// audit records an action of the current user (or of actor when the person
// is not logged in yet: logins, recoveries).
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

func userObject(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

func groupObject(id int64) string { return "group:" + strconv.FormatInt(id, 10) }

// sendMail renders an email and sends it in the background. The link is
// always built from the configured public URL, never from the request.
func (s *Server) sendMail(kind string, u *users.User, path string, expires time.Time) {
	d := mail.Data{SiteName: s.cfg.SiteName, Name: u.Name, Link: s.cfg.BaseURL + path}
	loc := s.cfg.Location()
	if !expires.IsZero() {
		lt := expires.In(loc)
		d.Expires = "le " + frenchDate(lt) + " à " + lt.Format("15:04")
		d.Until = frenchDate(lt) + " à " + lt.Format("15:04")
	}
	msg, err := mail.Render(kind, u.Email, d)
	if err != nil {
		s.log.Error("mail render", "kind", kind, "err", err)
		return
	}
	s.mail.Go(msg)
}

// invite issues an invitation link for u and emails it.
func (s *Server) invite(r *http.Request, u *users.User) error {
	now := s.now()
	token, err := users.IssueToken(r.Context(), s.db, u.ID, users.PurposeInvite, now, users.InviteTTL)
	if err != nil {
		return err
	}
	s.sendMail(mail.Invitation, u, "/invitation/"+token, now.Add(users.InviteTTL))
	s.audit(r, nil, "invitation.sent", userObject(u.ID), u.Email)
	return nil
}
