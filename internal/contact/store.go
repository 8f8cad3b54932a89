package contact

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/contact/form"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/jobs"
	"portique/internal/valid"
)

// Limiter counts events per key in a window (users.Throttle, shared by
// every instance).
type Limiter interface {
	Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error)
}

// Store holds all the contact area's SQL and its permission checks.
type Store struct {
	db *db.DB
	// Now is the clock (time.Now by default; services.New sets the one clock).
	Now func() time.Time
	// Limiter counts the messages of each client address; nil: no limit.
	Limiter Limiter
	// RateLimit posts per RateWindow and client address (default 10 per 10
	// minutes; a post refused for an error counts: a flood is cut before its
	// body is read).
	RateLimit  int
	RateWindow time.Duration
	// MaxFiles is the number of files of one message (default 5);
	// MaxFileSize the size of one file (default 10 MB).
	MaxFiles    int
	MaxFileSize int64
	// Retention is how long messages are kept (default 365 days).
	Retention time.Duration
	// Mail sends the e-mail of a message (RegisterJobs).
	Mail Sender
	// BaseURL is the site's address, for the inbox link of the e-mail.
	BaseURL  string
	SiteName string
}

// New returns the contact store on d with the default limits.
func New(d *db.DB) *Store {
	return &Store{db: d, Now: time.Now, RateLimit: 10, RateWindow: 10 * time.Minute,
		MaxFiles: 5, MaxFileSize: 10 << 20, Retention: 365 * 24 * time.Hour}
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Level returns p's level on the inbox, for showing tools.
func (s *Store) Level(ctx context.Context, p access.Principal) (access.Level, error) {
	return access.LevelOf(ctx, s.db, p, Kind, NodeID)
}

// read checks that p may read the inbox (Manage on it).
func read(ctx context.Context, q db.Querier, p access.Principal) error {
	return access.Require(ctx, q, p, Kind, NodeID, access.Manage)
}

// Allow counts one message from the client address ip and returns
// ErrThrottled past the limit: the web layer asks before reading a body,
// so a flood costs neither storage nor parsing.
func (s *Store) Allow(ctx context.Context, ip string) error {
	if s.Limiter == nil || s.RateLimit <= 0 {
		return nil
	}
	n, err := s.Limiter.Hit(ctx, "contact:"+ip, s.RateWindow, s.now())
	if err != nil {
		return err
	}
	if n > s.RateLimit {
		return ErrThrottled
	}
	return nil
}

// Received reports whether the form shown with key was already received
// (a second post of the same form).
func (s *Store) Received(ctx context.Context, key string) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM contact_messages WHERE submission_key = ?", key).Scan(&n)
	return n > 0, err
}

// MaxKey is the length limit of a submission key.
const MaxKey = 64

// Submit checks and stores a message, with its attachments, and queues its
// e-mail in the same transaction. Bad input is valid.Errors keyed by the
// form's field names (form.Name), "consent" and "captcha"; nothing is
// stored then. A form already received gives ErrDuplicate.
func (s *Store) Submit(ctx context.Context, a access.Actor, sub Submission) (*Message, error) {
	fields, err := form.Parse(sub.Config.Fields)
	if err != nil {
		return nil, fmt.Errorf("contact: form of page %d: %w", sub.PageID, err)
	}
	counts := map[string]int{}
	for k, f := range sub.Files {
		counts[k] = len(f)
	}
	values, ve := form.Check(fields, sub.Values, counts)
	if ve == nil {
		ve = valid.Errors{}
	}
	files, fe, err := s.readFiles(fields, sub.Files)
	if err != nil {
		return nil, err
	}
	ve.Merge(fe)
	if !sub.Consent {
		ve.Add("consent", "contact.error.consent")
	}
	if !sub.Human {
		ve.Add("captcha", "contact.error.captcha")
	}
	if sub.Key == "" || len(sub.Key) > MaxKey {
		ve.Add("", "contact.error.expired")
	}
	if len(ve) > 0 {
		return nil, ve
	}
	m := &Message{PageID: sub.PageID, FormTitle: sub.FormTitle, Recipient: sub.Config.Recipient, Values: values, CreatedAt: s.now()}
	for _, v := range values {
		switch {
		case v.Kind == form.Email && m.Sender == "" && v.Value != "":
			m.Sender = v.Value
		case v.Kind == form.Choice && m.Subject == "":
			m.Subject = v.Value
		}
	}
	if m.Subject == "" {
		for _, v := range values {
			if v.Kind == form.Text && v.Value != "" {
				m.Subject = v.Value
				break
			}
		}
	}
	fj, err := json.Marshal(values)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO contact_messages (page_id, form_title, recipient, fields, sender, subject, submission_key, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			m.PageID, m.FormTitle, m.Recipient, string(fj), m.Sender, m.Subject, sub.Key, m.CreatedAt).Scan(&m.ID)
		if errors.Is(err, db.ErrConflict) {
			return ErrDuplicate
		}
		if err != nil {
			return fmt.Errorf("contact: store message: %w", err)
		}
		for _, f := range files {
			if err := tx.QueryRow(ctx, `INSERT INTO contact_attachments (message_id, field, filename, media_type, size, data)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, m.ID, f.Field, f.Filename, f.MediaType, f.Size, f.Data).Scan(&f.ID); err != nil {
				return fmt.Errorf("contact: store attachment: %w", err)
			}
			f.MessageID = m.ID
			f.Data = nil
			m.Attachments = append(m.Attachments, f)
		}
		job, err := jobs.Enqueue(ctx, tx, JobMail, strconv.FormatInt(m.ID, 10), m.CreatedAt)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE contact_messages SET mail_job = ? WHERE id = ?", job, m.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, m.CreatedAt, "contact.received", audit.Object(string(Kind), m.ID),
			fmt.Sprintf("page=%d files=%d", m.PageID, len(files)))
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// readFiles reads and checks the files of the file fields: the count and
// size limits, then the type from the content, as for the document space
// (documents.CheckFile: the accepted types, no zip bomb).
func (s *Store) readFiles(fields []form.Field, uploads map[string][]Upload) ([]Attachment, valid.Errors, error) {
	ve := valid.Errors{}
	total := 0
	for _, u := range uploads {
		total += len(u)
	}
	var out []Attachment
	for i, f := range fields {
		name := form.Name(i)
		ups := uploads[name]
		if f.Kind != form.File || len(ups) == 0 {
			continue
		}
		if total > s.MaxFiles {
			ve.Add(name, "contact.error.files_many", f.Label, s.MaxFiles)
			continue
		}
		for _, u := range ups {
			att, key, err := s.readFile(u)
			if err != nil {
				return nil, nil, err
			}
			if key != "" {
				ve.Add(name, key, f.Label, documents.SanitizeFilename(u.Name), documents.HumanSize(s.MaxFileSize))
				break
			}
			att.Field = f.Label
			out = append(out, att)
		}
	}
	return out, ve, nil
}

// readFile reads one file (at most MaxFileSize) and detects its type; a
// refusal is a catalogue key (arguments: label, file name, size limit).
func (s *Store) readFile(u Upload) (Attachment, string, error) {
	if u.Size > s.MaxFileSize {
		return Attachment{}, "contact.error.file_large", nil
	}
	rc, err := u.Open()
	if err != nil {
		return Attachment{}, "", fmt.Errorf("contact: open upload: %w", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, s.MaxFileSize+1))
	if err != nil {
		return Attachment{}, "", fmt.Errorf("contact: read upload: %w", err)
	}
	if int64(len(data)) > s.MaxFileSize {
		return Attachment{}, "contact.error.file_large", nil
	}
	if len(data) == 0 {
		return Attachment{}, "contact.error.file_empty", nil
	}
	// The documents' check works on a file (zip archives are opened to
	// tell an office document from a bomb).
	tmp, err := os.CreateTemp("", "portique-contact-*")
	if err != nil {
		return Attachment{}, "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return Attachment{}, "", err
	}
	if err := tmp.Close(); err != nil {
		return Attachment{}, "", err
	}
	mt, name, err := documents.CheckFile(tmp.Name(), int64(len(data)), u.Name)
	var ve valid.Errors
	if errors.As(err, &ve) {
		return Attachment{}, "contact.error.file_type", nil
	}
	if err != nil {
		return Attachment{}, "", err
	}
	return Attachment{Filename: name, MediaType: mt, Size: int64(len(data)), Data: data}, "", nil
}

const messageCols = "id, page_id, form_title, recipient, fields, sender, subject, created_at, done_at, done_by, mailed_at"

func scanMessage(sc interface{ Scan(...any) error }) (*Message, error) {
	var m Message
	var fj string
	var done, mailed sql.NullTime
	if err := sc.Scan(&m.ID, &m.PageID, &m.FormTitle, &m.Recipient, &fj, &m.Sender, &m.Subject, &m.CreatedAt, &done, &m.DoneBy, &mailed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fj), &m.Values); err != nil {
		return nil, fmt.Errorf("contact: message %d fields: %w", m.ID, err)
	}
	m.DoneAt, m.MailedAt = done.Time, mailed.Time
	return &m, nil
}

// List returns a page of the inbox, newest first, and the number of
// messages the filter selects (Manage on the inbox).
func (s *Store) List(ctx context.Context, p access.Principal, f Filter) ([]*Message, int, error) {
	if err := read(ctx, s.db, p); err != nil {
		return nil, 0, err
	}
	where := "1=1"
	switch f.Status {
	case "todo":
		where = "done_at IS NULL"
	case "done":
		where = "done_at IS NOT NULL"
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var total int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM contact_messages WHERE "+where).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("contact: count: %w", err)
	}
	rows, err := s.db.Query(ctx, "SELECT "+messageCols+" FROM contact_messages WHERE "+where+" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", f.Limit, max(f.Offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("contact: list: %w", err)
	}
	defer rows.Close()
	var out []*Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// Get returns one message with its attachments' descriptions (Manage on
// the inbox); db.ErrNotFound when there is no such message.
func (s *Store) Get(ctx context.Context, p access.Principal, id int64) (*Message, error) {
	if err := read(ctx, s.db, p); err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, id)
}

func (s *Store) get(ctx context.Context, q db.Querier, id int64) (*Message, error) {
	m, err := scanMessage(q.QueryRow(ctx, "SELECT "+messageCols+" FROM contact_messages WHERE id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("contact: message %d: %w", id, db.NotFound(err))
	}
	rows, err := q.Query(ctx, "SELECT id, message_id, field, filename, media_type, size FROM contact_attachments WHERE message_id = ? ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("contact: attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.MessageID, &a.Field, &a.Filename, &a.MediaType, &a.Size); err != nil {
			return nil, err
		}
		m.Attachments = append(m.Attachments, a)
	}
	return m, rows.Err()
}

// Attachment returns a file of a message, bytes included (Manage on the
// inbox). An attachment of another message is db.ErrNotFound: the ids
// must match together.
func (s *Store) Attachment(ctx context.Context, p access.Principal, messageID, id int64) (*Attachment, error) {
	if err := read(ctx, s.db, p); err != nil {
		return nil, err
	}
	var a Attachment
	err := s.db.QueryRow(ctx, "SELECT id, message_id, field, filename, media_type, size, data FROM contact_attachments WHERE id = ? AND message_id = ?",
		id, messageID).Scan(&a.ID, &a.MessageID, &a.Field, &a.Filename, &a.MediaType, &a.Size, &a.Data)
	if err != nil {
		return nil, fmt.Errorf("contact: attachment %d of %d: %w", id, messageID, db.NotFound(err))
	}
	return &a, nil
}

// SetDone marks a message "traité" (or not any more) (Manage on the inbox).
func (s *Store) SetDone(ctx context.Context, a access.Actor, id int64, done bool) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := read(ctx, tx, a.Principal); err != nil {
			return err
		}
		var at any
		by := ""
		if done {
			at, by = s.now(), a.Name
		}
		res, err := tx.Exec(ctx, "UPDATE contact_messages SET done_at = ?, done_by = ? WHERE id = ?", at, by, id)
		if err != nil {
			return fmt.Errorf("contact: mark %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("contact: mark %d: %w", id, db.ErrNotFound)
		}
		return audit.Record(ctx, tx, a, s.now(), "contact.status", audit.Object(string(Kind), id), fmt.Sprintf("done=%t", done))
	})
}

// Purge deletes the messages received before before, with their files,
// and returns how many (the housekeeping's actor is access.System()).
func (s *Store) Purge(ctx context.Context, a access.Actor, before time.Time) (int, error) {
	var n int
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := read(ctx, tx, a.Principal); err != nil {
			return err
		}
		// Attachments first: the cascade needs foreign keys, which the
		// engines do not all enforce the same way.
		if _, err := tx.Exec(ctx, "DELETE FROM contact_attachments WHERE message_id IN (SELECT id FROM contact_messages WHERE created_at < ?)", before.UTC()); err != nil {
			return fmt.Errorf("contact: purge attachments: %w", err)
		}
		res, err := tx.Exec(ctx, "DELETE FROM contact_messages WHERE created_at < ?", before.UTC())
		if err != nil {
			return fmt.Errorf("contact: purge: %w", err)
		}
		c, _ := res.RowsAffected()
		n = int(c)
		if n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, a, s.now(), "contact.purge", audit.Object(string(Kind), NodeID),
			fmt.Sprintf("messages=%d before=%s", n, before.UTC().Format(time.DateOnly)))
	})
	return n, err
}

// PurgeExpired deletes the messages older than the retention period.
func (s *Store) PurgeExpired(ctx context.Context) (int, error) {
	return s.Purge(ctx, access.System(), s.now().Add(-s.Retention))
}

// Grants returns who may read the inbox (Manage on it).
func (s *Store) Grants(ctx context.Context, p access.Principal) ([]access.Grant, error) {
	if err := read(ctx, s.db, p); err != nil {
		return nil, err
	}
	g, _, err := access.Grants(ctx, s.db, Kind, NodeID)
	return g, err
}

// SetGrants changes who may read the inbox (Manage on it).
func (s *Store) SetGrants(ctx context.Context, a access.Actor, grants []access.Grant) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := read(ctx, tx, a.Principal); err != nil {
			return err
		}
		if err := access.SetGrants(ctx, tx, Kind, NodeID, grants); err != nil {
			return err
		}
		parts := make([]string, 0, len(grants))
		for _, g := range grants {
			parts = append(parts, fmt.Sprintf("group%d=%s", g.GroupID, g.Level))
		}
		return audit.Record(ctx, tx, a, s.now(), "contact.grants", audit.Object(string(Kind), NodeID), strings.Join(parts, " "))
	})
}
