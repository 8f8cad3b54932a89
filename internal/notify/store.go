package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/i18n"
	"portique/internal/jobs"
	"portique/internal/mail"
	"portique/internal/users"
	"portique/internal/valid"
)

// Job kinds besides JobFanout.
const (
	JobSend       = "notify.send"        // one immediate delivery
	JobDigest     = "notify.digest"      // the daily run: one digest job per account
	JobDigestUser = "notify.digest_user" // one account's digest
)

// Hook is told of every change the fan-out handles, in the fan-out's
// transaction (convocations use it to tell the convened of a change after
// the convocation went out).
type Hook func(ctx context.Context, tx *db.Tx, c Change, now time.Time) error

// Store sends notifications and keeps preferences.
type Store struct {
	DB       *db.DB
	Accounts *users.Accounts
	Mail     *mail.Mailer
	Cat      *i18n.Catalog
	Signer   *Signer
	BaseURL  string
	SiteName string
	Location *time.Location
	// DigestHour is the local hour (0–23) the daily digest goes out.
	DigestHour int
	Now        func() time.Time
	Log        *slog.Logger
	Hooks      []Hook
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Store) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// Prefs are an account's modes by area (every area present).
type Prefs map[string]string

// Prefs returns the modes of an account (DefaultMode where it never chose).
func (s *Store) Prefs(ctx context.Context, userID int64) (Prefs, error) {
	return prefs(ctx, s.DB, userID)
}

func prefs(ctx context.Context, q db.Querier, userID int64) (Prefs, error) {
	p := Prefs{}
	for _, a := range Areas {
		p[a] = DefaultMode
	}
	rows, err := q.Query(ctx, "SELECT area, mode FROM notify_prefs WHERE user_id = ?", userID)
	if err != nil {
		return nil, fmt.Errorf("notify: prefs of %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, m string
		if err := rows.Scan(&a, &m); err != nil {
			return nil, err
		}
		if ValidArea(a) && ValidMode(m) {
			p[a] = m
		}
	}
	return p, rows.Err()
}

// SetPrefs records the modes an account chose for itself (a must be that
// account). An unknown area or mode is a field error. Audit:
// notify.preferences.
func (s *Store) SetPrefs(ctx context.Context, a access.Actor, modes map[string]string) error {
	if !a.LoggedIn() {
		return fmt.Errorf("notify: preferences: %w", access.ErrForbidden)
	}
	ve := valid.Errors{}
	for _, area := range Areas {
		if !ValidMode(modes[area]) {
			ve.Add("mode_"+area, "notify.error.mode")
		}
	}
	if err := ve.Err(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var detail []string
		for _, area := range Areas {
			if err := setMode(ctx, tx, a.UserID, area, modes[area]); err != nil {
				return err
			}
			detail = append(detail, area+"="+modes[area])
		}
		return audit.Record(ctx, tx, a, s.now(), "notify.preferences", audit.Object("user", a.UserID), strings.Join(detail, " "))
	})
}

func setMode(ctx context.Context, q db.Querier, userID int64, area, mode string) error {
	_, err := q.Exec(ctx, `INSERT INTO notify_prefs (user_id, area, mode) VALUES (?, ?, ?)
		ON CONFLICT (user_id, area) DO UPDATE SET mode = excluded.mode`, userID, area, mode)
	if err != nil {
		return fmt.Errorf("notify: set mode: %w", err)
	}
	return nil
}

// Unsubscribe sets the area of a signed unsubscribe token to "never" for
// its account: the one-click link of every e-mail (RFC 8058), which needs
// no session. A forged or malformed token is ErrBadToken. It returns the
// area. Audit: notify.unsubscribed.
func (s *Store) Unsubscribe(ctx context.Context, ip, token string) (string, error) {
	uid, area, err := s.Signer.ParseUnsubscribe(token)
	if err != nil {
		return "", err
	}
	u, err := s.Accounts.Get(ctx, uid)
	if errors.Is(err, db.ErrNotFound) {
		return "", ErrBadToken
	}
	if err != nil {
		return "", err
	}
	a := access.Actor{Principal: u.Principal(), Name: u.Email, IP: ip}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, a := range Areas {
			if a == area || area == AllAreas {
				if err := setMode(ctx, tx, uid, a, Never); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, tx, a, s.now(), "notify.unsubscribed", audit.Object("user", uid), "area="+area)
	})
	return area, err
}

// RegisterJobs gives the runner the notification jobs.
func (s *Store) RegisterJobs(r *jobs.Runner) {
	r.Handle(JobFanout, s.fanoutJob)
	r.Handle(JobSend, s.sendJob)
	r.Handle(JobDigest, s.digestJob)
	r.Handle(JobDigestUser, s.digestUserJob)
	r.Handle(users.JobInvite, s.inviteJob)
}

type outboxRow struct {
	Change
	ID        int64
	Area      string
	CreatedAt time.Time
}

func loadOutbox(ctx context.Context, q db.Querier, id int64) (outboxRow, error) {
	var o outboxRow
	var kind string
	var actor *int64
	err := q.QueryRow(ctx, `SELECT id, area, action, acl_kind, acl_id, item_id, title, path, actor_id, created_at
		FROM notify_outbox WHERE id = ?`, id).Scan(&o.ID, &o.Area, &o.Action, &kind, &o.ACLID, &o.ItemID, &o.Title, &o.Path, &actor, &o.CreatedAt)
	if err != nil {
		return o, fmt.Errorf("notify: outbox %d: %w", id, db.NotFound(err))
	}
	o.ACLKind = access.Kind(kind)
	if actor != nil {
		o.ActorID = *actor
	}
	return o, nil
}

func payloadID(j jobs.Job) (int64, error) {
	id, err := strconv.ParseInt(j.Payload, 10, 64)
	if err != nil {
		return 0, jobs.Permanent(fmt.Errorf("notify: payload %q: %w", j.Payload, err))
	}
	return id, nil
}

// reachable reports whether u may be told of o now: a live, enabled,
// activated account that may see o's object. (A page's change is only
// told when the page is private: a public page is news for the website.)
func reachable(ctx context.Context, q db.Querier, u *users.User, kind access.Kind, id int64) (bool, error) {
	if u.Disabled || !u.HasPassword {
		return false, nil
	}
	return access.Can(ctx, q, u.Principal(), kind, id, access.View)
}

// fanoutJob writes the deliveries of one outbox row: one per account that
// may see the object and wants the area, and queues the immediate ones. It
// runs again harmlessly (a delivery is unique per row and account).
func (s *Store) fanoutJob(ctx context.Context, j jobs.Job) error {
	id, err := payloadID(j)
	if err != nil {
		return err
	}
	o, err := loadOutbox(ctx, s.DB, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.ACLKind == access.Page {
		public, err := access.Can(ctx, s.DB, access.Anonymous(), access.Page, o.ACLID, access.View)
		if err != nil {
			return err
		}
		if public {
			return nil // only private pages are told
		}
	}
	accounts, err := s.Accounts.List(ctx, users.ListFilter{})
	if err != nil {
		return err
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		for i := range accounts {
			u := &accounts[i]
			if u.ID == o.ActorID {
				continue
			}
			ok, err := reachable(ctx, tx, u, o.ACLKind, o.ACLID)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			p, err := prefs(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			mode := p[o.Area]
			if mode == Never {
				continue
			}
			var did int64
			err = tx.QueryRow(ctx, `INSERT INTO notify_deliveries (outbox_id, user_id, mode, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (outbox_id, user_id) DO NOTHING RETURNING id`, o.ID, u.ID, mode, now.UTC()).Scan(&did)
			if errors.Is(db.NotFound(err), db.ErrNotFound) {
				continue // a previous run wrote it
			}
			if err != nil {
				return fmt.Errorf("notify: delivery: %w", err)
			}
			if mode == Immediate {
				if _, err := jobs.Enqueue(ctx, tx, JobSend, strconv.FormatInt(did, 10), now); err != nil {
					return err
				}
			}
		}
		for _, h := range s.Hooks {
			if err := h(ctx, tx, o.Change, now); err != nil {
				return err
			}
		}
		return nil
	})
}

type delivery struct {
	ID     int64
	UserID int64
	Sent   bool
	outboxRow
}

func loadDeliveries(ctx context.Context, q db.Querier, where string, args ...any) ([]delivery, error) {
	rows, err := q.Query(ctx, `SELECT d.id, d.user_id, d.sent_at IS NOT NULL OR d.dropped <> '', d.outbox_id
		FROM notify_deliveries d WHERE `+where+` ORDER BY d.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("notify: deliveries: %w", err)
	}
	var out []delivery
	var oids []int64
	for rows.Next() {
		var d delivery
		var oid int64
		if err := rows.Scan(&d.ID, &d.UserID, &d.Sent, &oid); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
		oids = append(oids, oid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].outboxRow, err = loadOutbox(ctx, q, oids[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// check decides, at sending time, whether a delivery may go out: "" when
// it may, or why not (the account is gone or disabled, it unsubscribed
// from the area, or it may no longer see the object).
func (s *Store) check(ctx context.Context, u *users.User, p Prefs, d delivery) (string, error) {
	if u == nil || u.Disabled || !u.HasPassword {
		return "account", nil
	}
	if p[d.Area] == Never {
		return "unsubscribed", nil
	}
	ok, err := access.Can(ctx, s.DB, u.Principal(), d.ACLKind, d.ACLID, access.View)
	if err != nil {
		return "", err
	}
	if !ok {
		return "grant", nil
	}
	return "", nil
}

func (s *Store) account(ctx context.Context, id int64) (*users.User, Prefs, error) {
	u, err := s.Accounts.Get(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Prefs(ctx, id)
	return u, p, err
}

func (s *Store) mark(ctx context.Context, ids []int64, dropped string) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{}
	set := "sent_at = ?"
	if dropped != "" {
		set = "dropped = ?"
		args = append(args, dropped)
	} else {
		args = append(args, s.now().UTC())
	}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.DB.Exec(ctx, "UPDATE notify_deliveries SET "+set+" WHERE id IN ("+db.In(len(ids))+")", args...)
	return err
}

func (s *Store) item(d delivery) mail.Item {
	it := mail.Item{Label: s.Cat.T("notify.action." + d.Action), Title: d.Title}
	if d.Path != "" {
		it.URL = s.BaseURL + d.Path
	}
	return it
}

// unsubscribe fills the one-click unsubscribe of a message about area.
func (s *Store) unsubscribe(m *mail.Message, d *mail.Data, userID int64, area string) {
	link := s.BaseURL + "/notifications/desabonnement/" + s.Signer.UnsubscribeToken(userID, area)
	d.Unsubscribe = link
	d.UnsubscribeLabel = s.Cat.T("notify.mail.unsubscribe", s.Cat.T("notify.area."+area))
	if area == AllAreas {
		d.UnsubscribeLabel = s.Cat.T("notify.mail.unsubscribe_all")
	}
	m.Headers = map[string]string{
		"List-Unsubscribe":      "<" + link + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	}
}

// Render builds a notice e-mail for u; the unsubscribe link (when area is
// not "") is set on both the body and the headers.
func (s *Store) Render(u *users.User, area string, d mail.Data) (mail.Message, error) {
	d.SiteName = s.SiteName
	d.Name = u.Name
	var tmp mail.Message
	if area != "" {
		s.unsubscribe(&tmp, &d, u.ID, area)
	}
	m, err := mail.Render(mail.Notice, u.Email, d)
	if err != nil {
		return m, err
	}
	m.Headers = tmp.Headers
	return m, nil
}

// sendJob sends one immediate delivery, after checking it still may go.
func (s *Store) sendJob(ctx context.Context, j jobs.Job) error {
	id, err := payloadID(j)
	if err != nil {
		return err
	}
	ds, err := loadDeliveries(ctx, s.DB, "d.id = ?", id)
	if err != nil || len(ds) == 0 || ds[0].Sent {
		return err
	}
	d := ds[0]
	u, p, err := s.account(ctx, d.UserID)
	if err != nil {
		return err
	}
	why, err := s.check(ctx, u, p, d)
	if err != nil {
		return err
	}
	if why != "" {
		return s.mark(ctx, []int64{d.ID}, why)
	}
	it := s.item(d)
	m, err := s.Render(u, d.Area, mail.Data{
		Subject: s.Cat.T("notify.mail.subject_one", it.Label, d.Title),
		Intro:   s.Cat.T("notify.mail.intro_one", s.SiteName),
		Items:   []mail.Item{it},
	})
	if err != nil {
		return jobs.Permanent(err)
	}
	if err := s.Mail.Send(ctx, m); err != nil {
		return err // retried with backoff: the mail server may be down
	}
	return s.mark(ctx, []int64{d.ID}, "")
}

// NextDigest is the next time the digest goes out after t.
func (s *Store) NextDigest(t time.Time) time.Time {
	l := t.In(s.loc())
	next := time.Date(l.Year(), l.Month(), l.Day(), s.DigestHour, 0, 0, 0, s.loc())
	if !next.After(t) {
		next = time.Date(l.Year(), l.Month(), l.Day()+1, s.DigestHour, 0, 0, 0, s.loc())
	}
	return next
}

// ScheduleDigest queues the next daily run unless one is pending (called
// at start-up; each run queues the next).
func (s *Store) ScheduleDigest(ctx context.Context) error {
	n, err := jobs.Pending(ctx, s.DB, JobDigest)
	if err != nil || n > 0 {
		return err
	}
	_, err = jobs.Enqueue(ctx, s.DB, JobDigest, "", s.NextDigest(s.now()))
	return err
}

type digestPayload struct {
	User  int64     `json:"user"`
	Until time.Time `json:"until"`
}

// digestJob is the daily run: once per local day (whatever the number of
// instances), one job per account with waiting deliveries, then the next
// run.
func (s *Store) digestJob(ctx context.Context, j jobs.Job) error {
	now := s.now()
	day := now.In(s.loc()).Format(time.DateOnly)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var got string
		err := tx.QueryRow(ctx, "INSERT INTO notify_digests (day, started_at) VALUES (?, ?) ON CONFLICT (day) DO NOTHING RETURNING day", day, now.UTC()).Scan(&got)
		if errors.Is(db.NotFound(err), db.ErrNotFound) {
			return nil // another run did today's
		}
		if err != nil {
			return err
		}
		ids, err := db.IDs(ctx, tx, "SELECT DISTINCT user_id FROM notify_deliveries WHERE mode = ? AND sent_at IS NULL AND dropped = '' AND created_at <= ? ORDER BY user_id", Daily, now.UTC())
		if err != nil {
			return err
		}
		for _, uid := range ids {
			b, _ := json.Marshal(digestPayload{User: uid, Until: now.UTC()})
			if _, err := jobs.Enqueue(ctx, tx, JobDigestUser, string(b), now); err != nil {
				return err
			}
		}
		_, err = jobs.Enqueue(ctx, tx, JobDigest, "", s.NextDigest(now))
		return err
	})
}

// digestUserJob sends one account's digest: the deliveries waiting until
// the run, each checked again now (a grant withdrawn since leaves it out).
func (s *Store) digestUserJob(ctx context.Context, j jobs.Job) error {
	var p digestPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	ds, err := loadDeliveries(ctx, s.DB, "d.user_id = ? AND d.mode = ? AND d.sent_at IS NULL AND d.dropped = '' AND d.created_at <= ?", p.User, Daily, p.Until)
	if err != nil || len(ds) == 0 {
		return err
	}
	u, prefs, err := s.account(ctx, p.User)
	if err != nil {
		return err
	}
	var items []mail.Item
	var send []int64
	dropped := map[string][]int64{}
	areas := map[string]bool{}
	for _, d := range ds {
		why, err := s.check(ctx, u, prefs, d)
		if err != nil {
			return err
		}
		if why != "" {
			dropped[why] = append(dropped[why], d.ID)
			continue
		}
		items = append(items, s.item(d))
		send = append(send, d.ID)
		areas[d.Area] = true
	}
	for why, ids := range dropped {
		if err := s.mark(ctx, ids, why); err != nil {
			return err
		}
	}
	if len(send) == 0 {
		return nil
	}
	// The one-click link stops the area of the digest; a digest of several
	// areas links the preferences page for the rest.
	area := ""
	for _, a := range Areas {
		if areas[a] {
			if area != "" {
				area = "*"
				break
			}
			area = a
		}
	}
	d := mail.Data{
		Subject: s.Cat.T("notify.mail.subject_digest", s.Cat.Date(p.Until.In(s.loc()))),
		Intro:   s.Cat.T("notify.mail.intro_digest", s.SiteName),
		Items:   items,
		Outro:   s.Cat.T("notify.mail.outro_prefs", s.BaseURL+"/mon-compte#notifications"),
	}
	if area == "*" {
		area = AllAreas
	}
	m, err := s.Render(u, area, d)
	if err != nil {
		return jobs.Permanent(err)
	}
	if err := s.Mail.Send(ctx, m); err != nil {
		return err
	}
	return s.mark(ctx, send, "")
}
