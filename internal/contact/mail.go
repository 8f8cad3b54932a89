package contact

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/i18n"
	"portique/internal/jobs"
	"portique/internal/mail"
)

// Sender delivers one e-mail now (mail.Mailer over the real SMTP client).
type Sender interface {
	Send(ctx context.Context, msg mail.Message) error
}

// RegisterJobs lets r e-mail the messages: a failed delivery (the SMTP
// server is down) is retried with the queue's backoff; the message is in
// the inbox from the start, so an outage delays the e-mail and loses
// nothing (RequeueUnsent queues again those whose job gave up).
func (s *Store) RegisterJobs(r *jobs.Runner) {
	r.Handle(JobMail, s.mailJob)
}

func (s *Store) mailJob(ctx context.Context, j jobs.Job) error {
	id, err := strconv.ParseInt(j.Payload, 10, 64)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("contact: job payload %q", j.Payload))
	}
	m, err := s.get(ctx, s.db, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil // purged in between
	}
	if err != nil {
		return err
	}
	if !m.MailedAt.IsZero() {
		return nil
	}
	if s.Mail == nil {
		return errors.New("contact: no mailer")
	}
	if err := s.Mail.Send(ctx, s.MailOf(m)); err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, "UPDATE contact_messages SET mailed_at = ? WHERE id = ?", s.now(), id)
	return err
}

// MailOf is the e-mail of a message: its fields as text, the names of the
// attachments and the inbox's link (the files themselves stay in the
// inbox, behind its access rule). Reply-To is the visitor's address.
func (s *Store) MailOf(m *Message) mail.Message {
	t := i18n.French().T
	var b strings.Builder
	b.WriteString(t("contact.mail.intro", m.FormTitle, s.SiteName) + "\n\n")
	for _, v := range m.Values {
		val := v.Value
		if val == "" {
			val = t("contact.mail.empty")
		}
		if strings.Contains(val, "\n") {
			b.WriteString(v.Label + " :\n" + val + "\n\n")
		} else {
			b.WriteString(v.Label + " : " + val + "\n")
		}
	}
	if len(m.Attachments) > 0 {
		b.WriteString("\n" + t("contact.mail.files", len(m.Attachments)) + "\n")
		for _, a := range m.Attachments {
			b.WriteString("- " + a.Filename + "\n")
		}
	}
	b.WriteString("\n" + t("contact.mail.inbox", strings.TrimRight(s.BaseURL, "/")+"/admin/messages/"+strconv.FormatInt(m.ID, 10)) + "\n")
	subject := t("contact.mail.subject", m.FormTitle)
	if m.Subject != "" {
		subject = t("contact.mail.subject_with", m.FormTitle, m.Subject)
	}
	return mail.Message{To: m.Recipient, ReplyTo: m.Sender, Subject: subject, Text: b.String()}
}

// RequeueUnsent queues again the e-mail of every message whose job gave up
// (the SMTP server stayed down past the retries); the hourly housekeeping
// calls it. It returns how many.
func (s *Store) RequeueUnsent(ctx context.Context) (int, error) {
	rows, err := s.db.Query(ctx, `SELECT m.id FROM contact_messages m LEFT JOIN jobs j ON j.id = m.mail_job
		WHERE m.mailed_at IS NULL AND (j.id IS NULL OR j.done_at IS NOT NULL)`)
	if err != nil {
		return 0, fmt.Errorf("contact: unsent: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		err := s.db.InTx(ctx, func(tx *db.Tx) error {
			job, err := jobs.Enqueue(ctx, tx, JobMail, strconv.FormatInt(id, 10), s.now())
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, "UPDATE contact_messages SET mail_job = ? WHERE id = ?", job, id)
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// Export writes every message of the inbox as CSV (Manage on the inbox):
// one line per message, the fields as "label : value" lines in one
// column, the attachments' names in another. Dates are in loc.
func (s *Store) Export(ctx context.Context, p access.Principal, w io.Writer, loc *time.Location) error {
	if err := read(ctx, s.db, p); err != nil {
		return err
	}
	t := i18n.French().T
	rows, err := s.db.Query(ctx, "SELECT "+messageCols+" FROM contact_messages ORDER BY created_at, id")
	if err != nil {
		return fmt.Errorf("contact: export: %w", err)
	}
	var msgs []*Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return err
		}
		msgs = append(msgs, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	files, err := s.fileNames(ctx)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(strings.Split(t("contact.csv.header"), ",")) //nolint:errcheck // checked by Flush
	for _, m := range msgs {
		var vals []string
		for _, v := range m.Values {
			vals = append(vals, v.Label+" : "+v.Value)
		}
		status, done := t("contact.status.todo"), ""
		if m.Done() {
			status, done = t("contact.status.done"), m.DoneAt.In(loc).Format("2006-01-02 15:04")
		}
		cw.Write([]string{strconv.FormatInt(m.ID, 10), m.CreatedAt.In(loc).Format("2006-01-02 15:04"), m.FormTitle, //nolint:errcheck
			csvSafe(m.Subject), csvSafe(m.Sender), status, done, csvSafe(strings.Join(vals, "\n")), csvSafe(strings.Join(files[m.ID], ", "))})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a visitor's text as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (s *Store) fileNames(ctx context.Context) (map[int64][]string, error) {
	rows, err := s.db.Query(ctx, "SELECT message_id, filename FROM contact_attachments ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("contact: export files: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = append(out[id], name)
	}
	return out, rows.Err()
}

// Unsent counts the messages whose e-mail could not go out yet (for the
// inbox's notice when the SMTP server is down).
func (s *Store) Unsent(ctx context.Context, p access.Principal) (int, error) {
	if err := read(ctx, s.db, p); err != nil {
		return 0, err
	}
	// Those whose e-mail failed at least once (not those just received).
	var n sql.NullInt64
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM contact_messages m LEFT JOIN jobs j ON j.id = m.mail_job
		WHERE m.mailed_at IS NULL AND (j.id IS NULL OR j.attempts > 0 OR j.done_at IS NOT NULL)`).Scan(&n)
	return int(n.Int64), err
}
