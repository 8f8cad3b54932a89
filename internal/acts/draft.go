package acts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/gabriel-vasile/mimetype"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/jobs"
	"portique/internal/valid"
)

// maxAnnexes bounds the annexes of one act.
const maxAnnexes = 20

// staged is an uploaded file written to the store, not yet referenced.
type staged struct {
	File
	title string
}

// stageFile stores one upload after checking it is a PDF (the register
// publishes in a non-modifiable format) within the size limit. field names
// the form field of its errors.
func (s *Store) stageFile(u Upload, field string) (staged, error) {
	name := documents.SanitizeFilename(u.Name)
	st, err := s.blobs.Stage(u.Body, s.UploadMax)
	switch {
	case errors.Is(err, documents.ErrTooLarge):
		return staged{}, valid.One(field, "acts.error.too_large", name, s.UploadMax>>20)
	case errors.Is(err, documents.ErrEmpty):
		return staged{}, valid.One(field, "acts.error.empty", name)
	case err != nil:
		return staged{}, valid.One(field, "acts.error.interrupted", name)
	}
	m, err := mimetype.DetectFile(st.Path)
	if err != nil || !m.Is("application/pdf") {
		st.Discard()
		return staged{}, valid.One(field, "acts.error.not_pdf", name)
	}
	if !strings.EqualFold(path.Ext(name), ".pdf") {
		name += ".pdf"
	}
	key, err := st.Commit()
	if err != nil {
		return staged{}, err
	}
	title := clean(u.Title)
	if title == "" {
		title = strings.TrimSuffix(name, path.Ext(name))
	}
	if tooLong(title, 200) {
		title = string([]rune(title)[:200])
	}
	return staged{File: File{Filename: name, MediaType: "application/pdf", Size: st.Size, SHA256: st.SHA256, BlobKey: key}, title: title}, nil
}

// checkRefs checks, inside tx, what the input points to: the session, and
// the published act a correction rectifies (of the same type, not itself).
func checkRefs(ctx context.Context, tx *db.Tx, c checked, self int64) valid.Errors {
	errs := valid.Errors{}
	if c.SessionID != 0 {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM act_sessions WHERE id = ?", c.SessionID).Scan(&n); err != nil || n == 0 {
			errs.Add("session", "acts.error.session")
		}
	}
	if c.Corrects != 0 {
		var kind string
		var published int
		err := tx.QueryRow(ctx, "SELECT a.kind, COUNT(p.act_id) FROM acts a LEFT JOIN act_publications p ON p.act_id = a.id WHERE a.id = ? GROUP BY a.kind", c.Corrects).Scan(&kind, &published)
		switch {
		case err != nil || published == 0 || c.Corrects == self:
			errs.Add("corrects", "acts.error.corrects")
		case Kind(kind) != c.Kind:
			errs.Add("kind", "acts.error.corrects_kind")
		}
	}
	return errs
}

// CreateDraft records a new act, not yet published, with its PDF and its
// annexes (Edit on the register). Bad input returns valid.Errors and writes
// no row. The text of the file is extracted in the background.
func (s *Store) CreateDraft(ctx context.Context, a access.Actor, in Input, file Upload, annexUploads []Upload) (int64, error) {
	if err := need(ctx, s.db, a.Principal, access.Edit, "create"); err != nil {
		return 0, err
	}
	c, errs := in.validate(s.Today())
	if file.Body == nil {
		errs.Add("file", "acts.error.file_required")
	}
	if len(annexUploads) > maxAnnexes {
		errs.Add("annexes", "acts.error.too_many_annexes", maxAnnexes)
	}
	if len(errs) > 0 {
		return 0, errs
	}
	f, err := s.stageFile(file, "file")
	if err != nil {
		return 0, err
	}
	var annexFiles []staged
	for _, u := range annexUploads {
		x, err := s.stageFile(u, "annexes")
		if err != nil {
			return 0, err
		}
		annexFiles = append(annexFiles, x)
	}
	now := s.Now().UTC()
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := need(ctx, tx, a.Principal, access.Edit, "create"); err != nil {
			return err
		}
		if errs := checkRefs(ctx, tx, c, 0); len(errs) > 0 {
			return errs
		}
		vote := voteArgs(c.vote)
		err := tx.QueryRow(ctx, `INSERT INTO acts (kind, number, act_date, subject, session_id, matter_code,
			vote_members, vote_present, vote_for, vote_against, vote_abstain,
			signer_first, signer_last, signer_title, individual, public, budget_year, budget_name, pref_date,
			filename, media_type, size, sha256, blob_key, corrects_id, text_status, created_at, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			string(c.Kind), c.Number, c.Date, c.Subject, nullID(c.SessionID), c.MatterCode,
			vote[0], vote[1], vote[2], vote[3], vote[4],
			c.Signer.First, c.Signer.Last, c.Signer.Title, c.Individual, c.Public, c.BudgetYear, c.BudgetName, c.PrefDate,
			f.Filename, f.MediaType, f.Size, f.SHA256, f.BlobKey, nullID(c.Corrects), TextPending, now, nullID(a.UserID), now).Scan(&id)
		if errors.Is(err, db.ErrConflict) {
			return valid.One("number", "acts.error.number_taken", c.Number)
		}
		if err != nil {
			return fmt.Errorf("acts: insert: %w", err)
		}
		if err := addAnnexes(ctx, tx, id, 0, annexFiles); err != nil {
			return err
		}
		if err := s.enqueueExtract(ctx, tx, id, f.SHA256); err != nil {
			return err
		}
		detail := fmt.Sprintf("kind=%s number=%s sha256=%s", c.Kind, c.Number, f.SHA256)
		if c.Corrects != 0 {
			detail += fmt.Sprintf(" corrects=act:%d", c.Corrects)
		}
		return audit.Record(ctx, tx, a, now, "act.created", audit.Object("act", id), detail)
	})
	if err != nil {
		return 0, err
	}
	s.wake()
	return id, nil
}

func addAnnexes(ctx context.Context, tx *db.Tx, id int64, after int, files []staged) error {
	for i, x := range files {
		if _, err := tx.Exec(ctx, "INSERT INTO act_annexes (act_id, position, title, filename, media_type, size, sha256, blob_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			id, after+i+1, x.title, x.Filename, x.MediaType, x.Size, x.SHA256, x.BlobKey); err != nil {
			return fmt.Errorf("acts: annex %d of %d: %w", i+1, id, err)
		}
	}
	return nil
}

func voteArgs(v *Vote) [5]any {
	if v == nil {
		return [5]any{}
	}
	return [5]any{v.Members, v.Present, v.For, v.Against, v.Abstain}
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// DraftChange is what an update of a draft changes besides its fields.
type DraftChange struct {
	File          Upload   // a new file (Body nil: keep)
	AddAnnexes    []Upload // appended
	RemoveAnnexes []int    // positions removed
}

// UpdateDraft changes a draft (Edit on the register). A published act is
// refused with ErrPublished, and the attempt is recorded in the audit trail.
func (s *Store) UpdateDraft(ctx context.Context, a access.Actor, id int64, in Input, ch DraftChange) error {
	if err := need(ctx, s.db, a.Principal, access.Edit, "update"); err != nil {
		return err
	}
	if err := s.refuseIfPublished(ctx, a, id, "update"); err != nil {
		return err
	}
	c, errs := in.validate(s.Today())
	if len(errs) > 0 {
		return errs
	}
	var f *staged
	if ch.File.Body != nil {
		x, err := s.stageFile(ch.File, "file")
		if err != nil {
			return err
		}
		f = &x
	}
	var add []staged
	for _, u := range ch.AddAnnexes {
		x, err := s.stageFile(u, "annexes")
		if err != nil {
			return err
		}
		add = append(add, x)
	}
	now := s.Now().UTC()
	refused := false
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := need(ctx, tx, a.Principal, access.Edit, "update"); err != nil {
			return err
		}
		// Lock the draft; published in the meantime: refused.
		res, err := tx.Exec(ctx, "UPDATE acts SET updated_at = ? WHERE id = ? AND published_at IS NULL", now, id)
		if err != nil {
			return fmt.Errorf("acts: lock %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM acts WHERE id = ?", id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return db.ErrNotFound
			}
			refused = true
			return ErrPublished
		}
		if errs := checkRefs(ctx, tx, c, id); len(errs) > 0 {
			return errs
		}
		vote := voteArgs(c.vote)
		_, err = tx.Exec(ctx, `UPDATE acts SET kind = ?, number = ?, act_date = ?, subject = ?, session_id = ?, matter_code = ?,
			vote_members = ?, vote_present = ?, vote_for = ?, vote_against = ?, vote_abstain = ?,
			signer_first = ?, signer_last = ?, signer_title = ?, individual = ?, public = ?, budget_year = ?, budget_name = ?, pref_date = ?,
			corrects_id = ? WHERE id = ?`,
			string(c.Kind), c.Number, c.Date, c.Subject, nullID(c.SessionID), c.MatterCode,
			vote[0], vote[1], vote[2], vote[3], vote[4],
			c.Signer.First, c.Signer.Last, c.Signer.Title, c.Individual, c.Public, c.BudgetYear, c.BudgetName, c.PrefDate,
			nullID(c.Corrects), id)
		if errors.Is(err, db.ErrConflict) {
			return valid.One("number", "acts.error.number_taken", c.Number)
		}
		if err != nil {
			return fmt.Errorf("acts: update %d: %w", id, err)
		}
		detail := fmt.Sprintf("kind=%s number=%s", c.Kind, c.Number)
		if f != nil {
			if _, err := tx.Exec(ctx, "UPDATE acts SET filename = ?, media_type = ?, size = ?, sha256 = ?, blob_key = ?, text_status = ?, text_reason = '', pages = 0 WHERE id = ?",
				f.Filename, f.MediaType, f.Size, f.SHA256, f.BlobKey, TextPending, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM act_pages WHERE act_id = ?", id); err != nil {
				return err
			}
			if err := s.enqueueExtract(ctx, tx, id, f.SHA256); err != nil {
				return err
			}
			detail += " sha256=" + f.SHA256
		}
		for _, pos := range ch.RemoveAnnexes {
			if _, err := tx.Exec(ctx, "DELETE FROM act_annexes WHERE act_id = ? AND position = ?", id, pos); err != nil {
				return err
			}
		}
		if len(add) > 0 {
			var last, count int
			if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(position), 0), COUNT(*) FROM act_annexes WHERE act_id = ?", id).Scan(&last, &count); err != nil {
				return err
			}
			if count+len(add) > maxAnnexes {
				return valid.One("annexes", "acts.error.too_many_annexes", maxAnnexes)
			}
			if err := addAnnexes(ctx, tx, id, last, add); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, now, "act.updated", audit.Object("act", id), detail)
	})
	if refused {
		return s.refused(ctx, a, id, "update")
	}
	if err == nil && f != nil {
		s.wake()
	}
	return err
}

// DeleteDraft deletes a draft and its annexes (Edit on the register). A
// published act is refused with ErrPublished, and the attempt audited.
func (s *Store) DeleteDraft(ctx context.Context, a access.Actor, id int64) error {
	if err := need(ctx, s.db, a.Principal, access.Edit, "delete"); err != nil {
		return err
	}
	if err := s.refuseIfPublished(ctx, a, id, "delete"); err != nil {
		return err
	}
	refused := false
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var number string
		var published int
		err := tx.QueryRow(ctx, "SELECT a.number, COUNT(p.act_id) FROM acts a LEFT JOIN act_publications p ON p.act_id = a.id WHERE a.id = ? GROUP BY a.number", id).Scan(&number, &published)
		if err != nil {
			return fmt.Errorf("acts: delete %d: %w", id, db.NotFound(err))
		}
		if published > 0 {
			refused = true
			return ErrPublished
		}
		for _, q := range []string{"DELETE FROM act_annexes WHERE act_id = ?", "DELETE FROM act_pages WHERE act_id = ?", "DELETE FROM act_checks WHERE act_id = ?", "DELETE FROM acts WHERE id = ?"} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return fmt.Errorf("acts: delete %d: %w", id, err)
			}
		}
		if s.index != nil {
			if err := s.index.Delete(ctx, tx, SearchKind, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, s.Now(), "act.deleted", audit.Object("act", id), "number="+number)
	})
	if refused {
		return s.refused(ctx, a, id, "delete")
	}
	return err
}

// refuseIfPublished refuses (and audits) a change to a published act.
func (s *Store) refuseIfPublished(ctx context.Context, a access.Actor, id int64, what string) error {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM act_publications WHERE act_id = ?", id).Scan(&n); err != nil {
		return fmt.Errorf("acts: %s %d: %w", what, id, err)
	}
	if n > 0 {
		return s.refused(ctx, a, id, what)
	}
	return nil
}

// refused records the refused attempt to change a published act, and
// returns ErrPublished.
func (s *Store) refused(ctx context.Context, a access.Actor, id int64, what string) error {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, a, s.Now(), "act.change_refused", audit.Object("act", id), "attempt="+what)
	})
	if err != nil {
		return err
	}
	return fmt.Errorf("acts: %s %d: %w", what, id, ErrPublished)
}

type extractPayload struct {
	Act    int64  `json:"act"`
	SHA256 string `json:"sha256"`
}

func (s *Store) enqueueExtract(ctx context.Context, q db.Querier, id int64, sha string) error {
	b, _ := json.Marshal(extractPayload{id, sha})
	_, err := jobs.Enqueue(ctx, q, JobExtract, string(b), s.Now())
	return err
}

func (s *Store) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

var publisherSplit = regexp.MustCompile(`\s+`)

// PublisherDefaults proposes the publication form's identity for an
// account: the one it last confirmed, else its display name split in two
// (the account has no separate first name and name).
func (s *Store) PublisherDefaults(ctx context.Context, userID int64, displayName string) (Person, error) {
	var p Person
	err := s.db.QueryRow(ctx, "SELECT publisher_first, publisher_last, publisher_title FROM act_publications WHERE publisher_id = ? ORDER BY published_at DESC LIMIT 1", userID).
		Scan(&p.First, &p.Last, &p.Title)
	if err == nil {
		return p, nil
	}
	if !errors.Is(db.NotFound(err), db.ErrNotFound) {
		return p, err
	}
	parts := publisherSplit.Split(strings.TrimSpace(displayName), 2)
	if len(parts) == 2 {
		return Person{First: parts[0], Last: parts[1]}, nil
	}
	return Person{Last: strings.TrimSpace(displayName)}, nil
}
