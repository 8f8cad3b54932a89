package convocations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/calendar"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/jobs"
	"portique/internal/mail"
	"portique/internal/notify"
	"portique/internal/users"
	"portique/internal/valid"
)

// JobMail is the job kind of one convocation e-mail to one member.
const JobMail = "convocations.mail"

// Kinds of convocation e-mails.
const (
	MailConvocation = "convocation" // "Envoyer la convocation"
	MailChanged     = "changed"     // the event or the agenda changed after sending
	MailCancelled   = "cancelled"   // the event was deleted after sending
)

// Store keeps convocations and answers.
type Store struct {
	DB        *db.DB
	Calendar  *calendar.Store
	Documents *documents.Store
	Accounts  *users.Accounts
	Groups    *users.Groups
	Notify    *notify.Store // rendering, signing, the mailer
	Now       func() time.Time
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

var system = access.System().Principal

// event returns the event and p's level on its calendar (ErrForbidden
// without View).
func (s *Store) event(ctx context.Context, p access.Principal, id int64) (calendar.Event, access.Level, error) {
	return s.Calendar.Event(ctx, p, id)
}

// requireEdit checks that a may organise the session of event id: Edit on
// its calendar.
func (s *Store) requireEdit(ctx context.Context, p access.Principal, id int64) (calendar.Event, error) {
	e, lvl, err := s.event(ctx, p, id)
	if err != nil {
		return e, err
	}
	if lvl < access.Edit {
		return e, fmt.Errorf("convocations: organise event %d: %w", id, access.ErrForbidden)
	}
	return e, nil
}

func get(ctx context.Context, q db.Querier, eventID int64) (*Convocation, error) {
	c := &Convocation{}
	err := q.QueryRow(ctx, `SELECT c.event_id, c.body, c.group_id, g.name, c.agenda, c.sent_at, c.updated_at
		FROM convocations c JOIN groups g ON g.id = c.group_id WHERE c.event_id = ?`, eventID).
		Scan(&c.EventID, &c.Body, &c.GroupID, &c.GroupName, &c.Agenda, &c.SentAt, &c.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("convocations: event %d: %w", eventID, db.NotFound(err))
	}
	return c, nil
}

// Get returns the convocation of an event p may view, or db.ErrNotFound
// when the event is not a session. A convened member may read it even
// without a grant on the calendar.
func (s *Store) Get(ctx context.Context, p access.Principal, eventID int64) (*Convocation, error) {
	c, err := get(ctx, s.DB, eventID)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.event(ctx, p, eventID); err != nil {
		if !errors.Is(err, access.ErrForbidden) {
			return nil, err
		}
		if ok, err2 := s.convened(ctx, c, p.UserID); err2 != nil || !ok {
			return nil, err
		}
	}
	return c, nil
}

// Save makes the event a session (or changes it): Edit on its calendar.
// The group must be able to view the calendar (its members open the event
// from the e-mail). After sending, the convened are told of the change.
// Audit: convocation.saved.
func (s *Store) Save(ctx context.Context, a access.Actor, eventID int64, f Form) error {
	e, err := s.requireEdit(ctx, a.Principal, eventID)
	if err != nil {
		return err
	}
	if err := f.validate(); err != nil {
		return err
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.Groups.Get(ctx, f.GroupID); err != nil {
			return valid.One("group", "convocations.error.group")
		}
		ok, err := access.Can(ctx, tx, access.Principal{Groups: []int64{f.GroupID}}, access.Calendar, e.CalendarID, access.View)
		if err != nil {
			return err
		}
		if !ok {
			return valid.One("group", "convocations.error.group_cannot_view")
		}
		old, err := get(ctx, tx, eventID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO convocations (event_id, body, group_id, agenda, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (event_id) DO UPDATE SET body = excluded.body, group_id = excluded.group_id, agenda = excluded.agenda, updated_at = excluded.updated_at`,
			eventID, f.Body, f.GroupID, f.Agenda, now.UTC()); err != nil {
			return fmt.Errorf("convocations: save %d: %w", eventID, err)
		}
		if old != nil && old.GroupID != f.GroupID {
			// Answers belong to the members of the group convened.
			if _, err := tx.Exec(ctx, "DELETE FROM convocation_answers WHERE event_id = ?", eventID); err != nil {
				return err
			}
		}
		if old != nil && old.SentAt != nil && (old.Agenda != f.Agenda || old.Body != f.Body || old.GroupID != f.GroupID) {
			kind := MailChanged
			if old.GroupID != f.GroupID {
				kind = MailConvocation // a new group: a convocation, not a change
			}
			if err := s.enqueueAll(ctx, tx, eventID, f.GroupID, kind, e.Title, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, now, "convocation.saved", audit.Object("event", eventID),
			fmt.Sprintf("body=%s group=%d", f.Body, f.GroupID))
	})
}

// Send e-mails the convocation to every member of the convened group
// (queued jobs, in the transaction that records the sending). Sending
// again sends again (a reminder). Edit on the calendar. Audit:
// convocation.sent.
func (s *Store) Send(ctx context.Context, a access.Actor, eventID int64) (int, error) {
	e, err := s.requireEdit(ctx, a.Principal, eventID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	var n int
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := get(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE convocations SET sent_at = ? WHERE event_id = ?", now.UTC(), eventID); err != nil {
			return err
		}
		members, err := s.members(ctx, c.GroupID)
		if err != nil {
			return err
		}
		n = len(members)
		if err := s.enqueueAll(ctx, tx, eventID, c.GroupID, MailConvocation, e.Title, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "convocation.sent", audit.Object("event", eventID), fmt.Sprintf("group=%d members=%d", c.GroupID, n))
	})
	return n, err
}

type mailPayload struct {
	Event int64  `json:"event"`
	User  int64  `json:"user"`
	Kind  string `json:"kind"`
	Title string `json:"title"` // the event's title when queued (a deleted event has no other)
}

func (s *Store) enqueueAll(ctx context.Context, q db.Querier, eventID, groupID int64, kind, title string, now time.Time) error {
	members, err := s.members(ctx, groupID)
	if err != nil {
		return err
	}
	for _, m := range members {
		b, _ := json.Marshal(mailPayload{Event: eventID, User: m.ID, Kind: kind, Title: title})
		if _, err := jobs.Enqueue(ctx, q, JobMail, string(b), now); err != nil {
			return err
		}
	}
	return nil
}

// members are the members in office of a group: live, enabled accounts.
func (s *Store) members(ctx context.Context, groupID int64) ([]users.User, error) {
	all, err := s.Groups.Members(ctx, groupID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, u := range all {
		if !u.Disabled {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *Store) convened(ctx context.Context, c *Convocation, userID int64) (bool, error) {
	if userID == 0 {
		return false, nil
	}
	ms, err := s.members(ctx, c.GroupID)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if m.ID == userID {
			return true, nil
		}
	}
	return false, nil
}

// Hook is notify's fan-out hook: a change to an event whose convocation
// went out is told to the convened; a deleted event's convened are told it
// is cancelled, and its convocation goes.
func (s *Store) Hook(ctx context.Context, tx *db.Tx, c notify.Change, now time.Time) error {
	if c.ACLKind != access.Calendar || (c.Action != notify.EventUpdated && c.Action != notify.EventCancelled) {
		return nil
	}
	conv, err := get(ctx, tx, c.ItemID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	deleted := c.Action == notify.EventCancelled && c.Path == ""
	if conv.SentAt != nil {
		kind := MailChanged
		if deleted {
			kind = MailCancelled
		}
		if err := s.enqueueAll(ctx, tx, c.ItemID, conv.GroupID, kind, c.Title, now); err != nil {
			return err
		}
	}
	if deleted {
		_, err = tx.Exec(ctx, "DELETE FROM convocations WHERE event_id = ?", c.ItemID)
	}
	return err
}

// RegisterJobs gives the runner the convocation e-mails.
func (s *Store) RegisterJobs(r *jobs.Runner) { r.Handle(JobMail, s.mailJob) }

// AnswerToken is the token of a member's answer link.
func (s *Store) AnswerToken(eventID, userID int64) string {
	return s.Notify.Signer.Sign("rsvp", strconv.FormatInt(eventID, 10), strconv.FormatInt(userID, 10))
}

// ParseAnswerToken returns the event and the account of an answer link
// (notify.ErrBadToken when forged).
func (s *Store) ParseAnswerToken(token string) (eventID, userID int64, err error) {
	f, err := s.Notify.Signer.Verify(token, "rsvp", 2)
	if err != nil {
		return 0, 0, err
	}
	ids, err := notify.IDs(f)
	if err != nil {
		return 0, 0, err
	}
	return ids[0], ids[1], nil
}

func (s *Store) mailJob(ctx context.Context, j jobs.Job) error {
	var p mailPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	u, err := s.Accounts.Get(ctx, p.User)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.Disabled {
		return nil
	}
	cat := s.Notify.Cat
	base := s.Notify.BaseURL
	d := mail.Data{}
	if p.Kind == MailCancelled {
		d.Subject = cat.T("convocations.mail.subject_cancelled", p.Title)
		d.Intro = cat.T("convocations.mail.intro_cancelled", p.Title)
	} else {
		c, err := get(ctx, s.DB, p.Event)
		if errors.Is(err, db.ErrNotFound) {
			return nil // the session went since
		}
		if err != nil {
			return err
		}
		if ok, err := s.convened(ctx, c, u.ID); err != nil || !ok {
			return err // no longer a member: nothing to send
		}
		e, _, err := s.event(ctx, system, p.Event)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		loc := time.UTC
		if l, err := time.LoadLocation(e.TimeZone); err == nil {
			loc = l
		}
		when := cat.DateTime(e.Start.In(loc))
		body := cat.T("convocations.body." + c.Body)
		d.Subject = cat.T("convocations.mail.subject_"+p.Kind, body, e.Title, when)
		d.Intro = cat.T("convocations.mail.intro_"+p.Kind, body, e.Title, when, e.Location)
		for i, item := range c.AgendaItems() {
			d.Items = append(d.Items, mail.Item{Label: cat.T("convocations.mail.agenda_item", i+1), Title: item})
		}
		// The linked documents this member may open (checked one by one).
		for _, dl := range e.Documents {
			if _, err := s.Documents.Get(ctx, u.Principal(), dl.ID); err == nil {
				d.Items = append(d.Items, mail.Item{Label: cat.T("convocations.mail.document"), Title: dl.Title,
					URL: base + "/documents/" + strconv.FormatInt(dl.ID, 10)})
			} else if !errors.Is(err, access.ErrForbidden) && !errors.Is(err, db.ErrNotFound) {
				return err
			}
		}
		link := base + "/convocations/reponse/" + s.AnswerToken(p.Event, u.ID)
		d.Actions = []mail.Item{
			{Label: cat.T("convocations.mail.answer"), URL: link},
		}
		d.Outro = cat.T("convocations.mail.outro", base+"/agenda/evenements/"+strconv.FormatInt(p.Event, 10)+"/convocation")
	}
	m, err := s.Notify.Render(u, "", d)
	if err != nil {
		return jobs.Permanent(err)
	}
	return s.Notify.Mail.Send(ctx, m)
}

// Answer records a member's answer (userID answers for themselves; a is
// that account, logged in or through its signed link). The rules:
// only convened members answer, once the convocation went out; a proxy
// goes to another convened member who has not given theirs and holds no
// other; a member holding a proxy cannot give one. Audit:
// convocation.answered.
func (s *Store) Answer(ctx context.Context, a access.Actor, eventID int64, answer string, proxyTo int64) error {
	if answer != Present && answer != Absent && answer != Proxy {
		return valid.One("answer", "convocations.error.answer")
	}
	if answer != Proxy {
		proxyTo = 0
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := get(ctx, tx, eventID)
		if err != nil {
			return err
		}
		ok, err := s.convened(ctx, c, a.UserID)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotConvened
		}
		if c.SentAt == nil {
			return ErrNotSent
		}
		if answer == Proxy {
			if err := s.checkProxy(ctx, tx, c, a.UserID, proxyTo); err != nil {
				return err
			}
		}
		var to any
		if proxyTo != 0 {
			to = proxyTo
		}
		if _, err := tx.Exec(ctx, `INSERT INTO convocation_answers (event_id, user_id, answer, proxy_to, answered_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (event_id, user_id) DO UPDATE SET answer = excluded.answer, proxy_to = excluded.proxy_to, answered_at = excluded.answered_at`,
			eventID, a.UserID, answer, to, now.UTC()); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return valid.One("proxy_to", "convocations.error.proxy_taken")
			}
			return fmt.Errorf("convocations: answer: %w", err)
		}
		detail := "answer=" + answer
		if proxyTo != 0 {
			detail += " proxy_to=" + strconv.FormatInt(proxyTo, 10)
		}
		return audit.Record(ctx, tx, a, now, "convocation.answered", audit.Object("event", eventID), detail)
	})
}

func (s *Store) checkProxy(ctx context.Context, q db.Querier, c *Convocation, from, to int64) error {
	if to == 0 || to == from {
		return valid.One("proxy_to", "convocations.error.proxy_choose")
	}
	ok, err := s.convened(ctx, c, to)
	if err != nil {
		return err
	}
	if !ok {
		return valid.One("proxy_to", "convocations.error.proxy_not_member")
	}
	var n int
	// from holds someone's proxy: they cannot give one.
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM convocation_answers WHERE event_id = ? AND proxy_to = ?", c.EventID, from).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return valid.One("proxy_to", "convocations.error.proxy_holder")
	}
	// to already holds another member's proxy (one each).
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM convocation_answers WHERE event_id = ? AND proxy_to = ? AND user_id <> ?", c.EventID, to, from).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return valid.One("proxy_to", "convocations.error.proxy_taken")
	}
	// to gave their own proxy away.
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM convocation_answers WHERE event_id = ? AND user_id = ? AND answer = ?", c.EventID, to, Proxy).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return valid.One("proxy_to", "convocations.error.proxy_chain")
	}
	return nil
}

// MyAnswer returns the answer of a convened member ("" when none yet) and
// the proxy's holder.
func (s *Store) MyAnswer(ctx context.Context, eventID, userID int64) (string, int64, error) {
	var answer string
	var to *int64
	err := s.DB.QueryRow(ctx, "SELECT answer, proxy_to FROM convocation_answers WHERE event_id = ? AND user_id = ?", eventID, userID).Scan(&answer, &to)
	if errors.Is(db.NotFound(err), db.ErrNotFound) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, err
	}
	if to != nil {
		return answer, *to, nil
	}
	return answer, 0, nil
}

// Members returns the convened members (for the proxy choice).
func (s *Store) Members(ctx context.Context, c *Convocation) ([]users.User, error) {
	return s.members(ctx, c.GroupID)
}

// Attendance is the organiser's view: every member's answer, the counts
// and the quorum. Edit on the calendar.
func (s *Store) Attendance(ctx context.Context, p access.Principal, eventID int64) (*Attendance, error) {
	if _, err := s.requireEdit(ctx, p, eventID); err != nil {
		return nil, err
	}
	c, err := get(ctx, s.DB, eventID)
	if err != nil {
		return nil, err
	}
	members, err := s.members(ctx, c.GroupID)
	if err != nil {
		return nil, err
	}
	type ans struct {
		answer string
		to     int64
		at     time.Time
	}
	answers := map[int64]ans{}
	rows, err := s.DB.Query(ctx, "SELECT user_id, answer, COALESCE(proxy_to, 0), answered_at FROM convocation_answers WHERE event_id = ?", eventID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var uid int64
		var a ans
		if err := rows.Scan(&uid, &a.answer, &a.to, &a.at); err != nil {
			rows.Close()
			return nil, err
		}
		answers[uid] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, m := range members {
		names[m.ID] = m.Name
	}
	at := &Attendance{Convocation: *c, InOffice: len(members), Quorum: QuorumOf(len(members))}
	for _, m := range members {
		l := Line{UserID: m.ID, Name: m.Name, Email: m.Email}
		if a, ok := answers[m.ID]; ok && (a.answer != Proxy || names[a.to] != "") {
			l.Answer, l.ProxyTo, l.ProxyName = a.answer, a.to, names[a.to]
			t := a.at
			l.AnsweredAt = &t
		}
		for uid, a := range answers {
			if a.answer == Proxy && a.to == m.ID && names[uid] != "" {
				l.HoldsFrom = names[uid]
			}
		}
		switch l.Answer {
		case Present:
			at.Present++
		case Absent:
			at.Absent++
		case Proxy:
			at.Proxies++
		default:
			at.Waiting++
		}
		at.Lines = append(at.Lines, l)
	}
	at.Reached = at.InOffice > 0 && at.Present >= at.Quorum
	return at, nil
}
