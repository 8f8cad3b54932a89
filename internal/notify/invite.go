package notify

import (
	"context"
	"errors"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/jobs"
	"portique/internal/mail"
	"portique/internal/users"
)

// inviteJob sends the invitation of an imported account (users.JobInvite):
// the link is issued now, so no usable token waits in the queue; a retry
// after a mail failure issues a new one (the previous dies).
func (s *Store) inviteJob(ctx context.Context, j jobs.Job) error {
	id, err := payloadID(j)
	if err != nil {
		return err
	}
	u, link, err := s.Accounts.Invite(ctx, access.System(), id)
	if errors.Is(err, db.ErrNotFound) || errors.Is(err, users.ErrHasPassword) {
		return nil // deleted, or already activated
	}
	if err != nil {
		return err
	}
	lt := link.Expires.In(s.loc())
	m, err := mail.Render(mail.Invitation, u.Email, mail.Data{SiteName: s.SiteName, Name: u.Name,
		Link:    s.BaseURL + "/invitation/" + link.Token,
		Expires: s.Cat.T("accounts.mail.expires", s.Cat.Date(lt), lt.Format("15:04"))})
	if err != nil {
		return jobs.Permanent(err)
	}
	return s.Mail.Send(ctx, m)
}
