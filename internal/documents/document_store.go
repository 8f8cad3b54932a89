package documents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/jobs"
	"portique/internal/notify"
	"portique/internal/valid"
)

// JobExtract is the kind of the background job that extracts a document's
// text and indexes it.
const JobExtract = "documents.extract"

// JobOCR is the kind of the job that reads a scanned PDF (no text layer)
// with optical character recognition. It runs in its own worker, beside
// JobExtract, so ordinary files never wait behind a slow scan.
const JobOCR = "documents.ocr"

const docCols = `d.id, d.folder_id, f.name, d.title, d.filename, d.media_type, d.size, d.sha256, d.blob_key,
	d.version, d.published_on, d.added_at, COALESCE(d.added_by, 0), d.updated_at, d.pinned,
	d.text_status, d.text_reason, d.pages, d.trashed_at, d.description, d.created_at, d.text_ocr`

const docFrom = " FROM documents d JOIN folders f ON f.id = d.folder_id"

func scanDoc(sc interface{ Scan(...any) error }, d *Document, more ...any) error {
	var created *time.Time // NULL for a row written before migration 0350 filled it
	err := sc.Scan(append([]any{&d.ID, &d.FolderID, &d.FolderName, &d.Title, &d.Filename, &d.MediaType, &d.Size, &d.SHA256, &d.BlobKey,
		&d.Version, &d.PublishedOn, &d.AddedAt, &d.AddedBy, &d.UpdatedAt, &d.Pinned,
		&d.TextStatus, &d.TextReason, &d.Pages, &d.TrashedAt, &d.Description, &created, &d.TextOCR}, more...)...)
	d.CreatedAt = d.AddedAt
	if created != nil {
		d.CreatedAt = *created
	}
	return err
}

func (s *Store) load(ctx context.Context, q db.Querier, id int64, trashed bool) (*Document, error) {
	cond := " AND d.trashed_at IS NULL"
	if trashed {
		cond = " AND d.trashed_at IS NOT NULL"
	}
	d := &Document{}
	if err := scanDoc(q.QueryRow(ctx, "SELECT "+docCols+docFrom+" WHERE d.id = ?"+cond, id), d); err != nil {
		return nil, fmt.Errorf("documents: document %d: %w", id, db.NotFound(err))
	}
	d.Archived = IsArchived(d.PublishedOn, d.Pinned, s.Cutoff())
	return d, nil
}

// Get returns a document p may view (not in the trash).
func (s *Store) Get(ctx context.Context, p access.Principal, id int64) (*Document, error) {
	d, err := s.load(ctx, s.db, id, false)
	if err != nil {
		return nil, err
	}
	if err := need(ctx, s.db, p, d.FolderID, access.View); err != nil {
		return nil, err
	}
	return d, nil
}

// LevelOn returns p's level on a document (its folder's), to decide which
// tools to show.
func (s *Store) LevelOn(ctx context.Context, p access.Principal, d *Document) (access.Level, error) {
	return access.LevelOf(ctx, s.db, p, access.Folder, d.FolderID)
}

// IsPublic reports whether anonymous visitors may view the document (then
// downloads are cacheable and not audited).
func (s *Store) IsPublic(ctx context.Context, d *Document) (bool, error) {
	return access.Can(ctx, s.db, access.Anonymous(), access.Folder, d.FolderID, access.View)
}

// ListQuery selects documents.
type ListQuery struct {
	FolderID int64  // 0: every folder
	Archived bool   // the archive instead of current documents
	AnyAge   bool   // current and archived documents both (Archived ignored)
	From, To string // publication dates YYYY-MM-DD, inclusive; "" for no bound
	Sort     string // "date" (newest publication first, default) or "name"
	Limit    int    // default 50, at most 500
	Offset   int
}

// List returns the documents p may view matching q, and their total count.
// Visibility, the archive rule and the trash are all decided in the query.
// The answer is kept while the content does not change and the archive's
// cutoff stays (db.Memo keyed by p's groups, the query and the cutoff):
// listing pages repeat it.
func (s *Store) List(ctx context.Context, p access.Principal, lq ListQuery) ([]Document, int, error) {
	key := fmt.Sprintf("%s/%s/%+v", p.Key(), s.Cutoff(), lq)
	l, err := s.lists.Get(ctx, s.db, key, func() (listed, error) {
		docs, total, err := s.list(ctx, p, lq)
		return listed{docs, total}, err
	})
	return slices.Clone(l.docs), l.total, err
}

// listed is one answer of List.
type listed struct {
	docs  []Document
	total int
}

func (s *Store) list(ctx context.Context, p access.Principal, lq ListQuery) ([]Document, int, error) {
	if lq.Limit <= 0 || lq.Limit > 500 {
		lq.Limit = 50
	}
	where := "d.trashed_at IS NULL"
	var args []any
	if lq.FolderID != 0 {
		// One folder: every row shares its grants, so the rule (the same
		// SQL fragment, through access.Can) is checked once rather than
		// per row. A folder p may not view lists nothing.
		ok, err := access.Can(ctx, s.db, p, access.Folder, lq.FolderID, access.View)
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			return nil, 0, nil
		}
	} else {
		f, fargs := p.Filter(access.Folder, "d.folder_id", access.View)
		where += " AND " + f
		args = fargs
	}
	switch {
	case lq.AnyAge:
	case lq.Archived:
		where += " AND " + archiveSQL
		args = append(args, s.Cutoff())
	default:
		where += " AND NOT " + archiveSQL
		args = append(args, s.Cutoff())
	}
	if lq.From != "" {
		where += " AND d.published_on >= ?"
		args = append(args, lq.From)
	}
	if lq.To != "" {
		where += " AND d.published_on <= ?"
		args = append(args, lq.To)
	}
	if lq.FolderID != 0 {
		where += " AND d.folder_id = ?"
		args = append(args, lq.FolderID)
	}
	order := " ORDER BY d.published_on DESC, d.id DESC"
	if lq.Sort == "name" {
		order = " ORDER BY LOWER(d.title), d.id"
	}
	// The count and the page are two queries: a window count would make
	// the engine materialise and sort every matching row, while the page
	// alone walks the (folder_id, published_on, id) index and stops early.
	var total int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM documents d WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("documents: count: %w", err)
	}
	if total == 0 || lq.Offset >= total {
		return nil, total, nil
	}
	args = append(args, lq.Limit, lq.Offset)
	rows, err := s.db.Query(ctx, "SELECT "+docCols+docFrom+" WHERE "+where+order+" LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, 0, fmt.Errorf("documents: list: %w", err)
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		var d Document
		if err := scanDoc(rows, &d); err != nil {
			return nil, 0, err
		}
		d.Archived = lq.Archived
		if lq.AnyAge {
			d.Archived = IsArchived(d.PublishedOn, d.Pinned, s.Cutoff())
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// ListForBlock returns the n newest current documents of a folder that p may
// view, for the "document list" block of pages. A folder p may not view gives
// an empty list, not an error, so a page never reveals it.
func (s *Store) ListForBlock(ctx context.Context, p access.Principal, folderID int64, n int) ([]Document, error) {
	if n <= 0 {
		n = 10
	}
	docs, _, err := s.List(ctx, p, ListQuery{FolderID: folderID, Limit: n})
	return docs, err
}

// UploadInput is one file sent by an editor.
type UploadInput struct {
	FolderID    int64
	Filename    string    // as sent by the browser; sanitised
	Title       string    // optional; defaults to the file name without extension
	Description string    // optional, plain text (at most maxDescription characters)
	PublishedOn string    // optional YYYY-MM-DD; defaults to today
	Body        io.Reader // streamed to disk, never held in memory
}

// ParseDate checks a YYYY-MM-DD date typed by a user; a bad one is
// valid.Errors on field.
func ParseDate(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return "", valid.One(field, "documents.error.date")
	}
	return t.Format(time.DateOnly), nil
}

// maxTitle bounds a document's title, in characters.
const maxTitle = 250

func checkTitle(title string) (string, error) {
	title = strings.Join(strings.Fields(strings.ToValidUTF8(title, "")), " ")
	if title == "" {
		return "", valid.One("title", "documents.error.title_required")
	}
	if utf8.RuneCountInString(title) > maxTitle {
		return "", valid.One("title", "documents.error.title_too_long", maxTitle)
	}
	return title, nil
}

// maxDescription is the longest description, in characters.
const maxDescription = 2000

// checkDescription tidies a description (plain text; blank lines kept as
// typed, surrounding space dropped).
func checkDescription(d string) (string, error) {
	d = strings.TrimSpace(strings.ToValidUTF8(strings.ReplaceAll(d, "\r\n", "\n"), ""))
	if utf8.RuneCountInString(d) > maxDescription {
		return "", valid.One("description", "documents.error.description_too_long", maxDescription)
	}
	return d, nil
}

// titleFromName is the default title: the file name without its extension.
func titleFromName(name string) string {
	t := strings.TrimSuffix(name, path.Ext(name))
	if t == "" {
		return name
	}
	return t
}

// stage streams a body to disk and checks its type: on any error nothing
// is left behind.
func (s *Store) stage(body io.Reader, filename string) (*Staged, string, string, error) {
	name := SanitizeFilename(filename)
	st, err := s.blobs.Stage(body, s.opts.UploadMax)
	switch {
	case errors.Is(err, ErrTooLarge):
		return nil, "", "", valid.One("file", "documents.error.too_large", name, HumanSize(s.opts.UploadMax))
	case errors.Is(err, ErrEmpty):
		return nil, "", "", valid.One("file", "documents.error.empty", name)
	case err != nil:
		return nil, "", "", valid.One("file", "documents.error.interrupted", name)
	}
	mt, clean, err := CheckFile(st.Path, st.Size, name)
	if err != nil {
		st.Discard()
		return nil, "", "", err
	}
	return st, mt, clean, nil
}

// Upload stores a new document in a folder a may edit, queues its text
// extraction and returns it. The permission is checked before a byte is
// read. Bad input returns valid.Errors and writes nothing.
func (s *Store) Upload(ctx context.Context, a access.Actor, in UploadInput) (*Document, error) {
	if err := need(ctx, s.db, a.Principal, in.FolderID, access.Edit); err != nil {
		return nil, err
	}
	pub := s.Today()
	if strings.TrimSpace(in.PublishedOn) != "" {
		var err error
		if pub, err = ParseDate("published_on", in.PublishedOn); err != nil {
			return nil, err
		}
	}
	title := strings.TrimSpace(in.Title)
	if title != "" {
		var err error
		if title, err = checkTitle(title); err != nil {
			return nil, err
		}
	}
	desc, err := checkDescription(in.Description)
	if err != nil {
		return nil, err
	}
	st, mt, name, err := s.stage(in.Body, in.Filename)
	if err != nil {
		return nil, err
	}
	if title == "" {
		title, _ = checkTitle(titleFromName(name))
		if title == "" {
			title = name
		}
	}
	key, err := st.Commit()
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		// Checked again inside the transaction: grants may have changed
		// while the bytes were arriving.
		if err := needLive(ctx, tx, a.Principal, in.FolderID, access.Edit); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO documents (folder_id, title, filename, media_type, size, sha256, blob_key,
			published_on, added_at, created_at, added_by, updated_at, text_status, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.FolderID, title, name, mt, st.Size, st.SHA256, key, pub, now, now, nullID(a.UserID), now, TextPending, desc).Scan(&id); err != nil {
			return fmt.Errorf("documents: insert: %w", err)
		}
		if err := s.enqueueExtract(ctx, tx, id, st.SHA256); err != nil {
			return err
		}
		if err := s.reindex(ctx, tx, id); err != nil {
			return err
		}
		if err := notify.Emit(ctx, tx, now, notify.Change{Action: notify.DocumentAdded, ACLKind: access.Folder, ACLID: in.FolderID,
			ItemID: id, Title: title, Path: fmt.Sprintf("/documents/%d", id), ActorID: a.UserID}); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "document.uploaded", documentObject(id), name)
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	return s.load(ctx, s.db, id, false)
}

func (s *Store) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

type extractPayload struct {
	Doc    int64  `json:"doc"`
	SHA256 string `json:"sha256"`
}

func (s *Store) enqueueExtract(ctx context.Context, q db.Querier, id int64, sha string) error {
	return s.enqueue(ctx, q, JobExtract, id, sha)
}

func (s *Store) enqueue(ctx context.Context, q db.Querier, kind string, id int64, sha string) error {
	b, _ := json.Marshal(extractPayload{id, sha})
	_, err := jobs.Enqueue(ctx, q, kind, string(b), s.Now())
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// change runs fn on a document inside a transaction after checking that a
// holds lvl on its folder. The document row is locked first (a no-op
// update), so concurrent changes to one document run one after the other.
func (s *Store) change(ctx context.Context, a access.Actor, id int64, lvl access.Level, fn func(tx *db.Tx, d *Document) error) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE documents SET updated_at = ? WHERE id = ? AND trashed_at IS NULL", s.Now().UTC(), id)
		if err != nil {
			return fmt.Errorf("documents: lock %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		d, err := s.load(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if err := need(ctx, tx, a.Principal, d.FolderID, lvl); err != nil {
			return err
		}
		return fn(tx, d)
	})
}

// Rename changes a document's title (edit needed).
func (s *Store) Rename(ctx context.Context, a access.Actor, id int64, title string) error {
	title, err := checkTitle(title)
	if err != nil {
		return err
	}
	return s.change(ctx, a, id, access.Edit, func(tx *db.Tx, d *Document) error {
		if _, err := tx.Exec(ctx, "UPDATE documents SET title = ? WHERE id = ?", title, id); err != nil {
			return fmt.Errorf("documents: rename %d: %w", id, err)
		}
		return s.reindex(ctx, tx, id)
	})
}

// SetPublishedOn changes the publication date (edit needed); the archive
// rule follows at once.
func (s *Store) SetPublishedOn(ctx context.Context, a access.Actor, id int64, date string) error {
	date, err := ParseDate("published_on", date)
	if err != nil {
		return err
	}
	return s.change(ctx, a, id, access.Edit, func(tx *db.Tx, d *Document) error {
		if _, err := tx.Exec(ctx, "UPDATE documents SET published_on = ? WHERE id = ?", date, id); err != nil {
			return fmt.Errorf("documents: date %d: %w", id, err)
		}
		return s.reindex(ctx, tx, id)
	})
}

// SetPinned pins a document (it never archives) or unpins it (edit needed).
func (s *Store) SetPinned(ctx context.Context, a access.Actor, id int64, pinned bool) error {
	return s.change(ctx, a, id, access.Edit, func(tx *db.Tx, d *Document) error {
		_, err := tx.Exec(ctx, "UPDATE documents SET pinned = ? WHERE id = ?", pinned, id)
		return err
	})
}

// Move puts a document in another folder. a needs edit on both folders; the
// document takes the new folder's grants, and the index follows.
func (s *Store) Move(ctx context.Context, a access.Actor, id, folderID int64) error {
	return s.change(ctx, a, id, access.Edit, func(tx *db.Tx, d *Document) error {
		if err := needLive(ctx, tx, a.Principal, folderID, access.Edit); err != nil {
			if errors.Is(err, db.ErrNotFound) || errors.Is(err, access.ErrForbidden) {
				return valid.One("folder", "documents.error.move_target")
			}
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE documents SET folder_id = ? WHERE id = ?", folderID, id); err != nil {
			return fmt.Errorf("documents: move %d: %w", id, err)
		}
		return s.reindex(ctx, tx, id)
	})
}

// Replace puts a new file behind a document, keeping its id and URL; the
// previous file becomes a version that editors can still download. Two
// editors replacing at once both succeed, one after the other: the row lock
// orders them and every file is kept as a version, so nothing is lost.
func (s *Store) Replace(ctx context.Context, a access.Actor, id int64, filename string, body io.Reader) (*Document, error) {
	// Fail fast, before reading the bytes, when a may not do it.
	d, err := s.load(ctx, s.db, id, false)
	if err != nil {
		return nil, err
	}
	if err := need(ctx, s.db, a.Principal, d.FolderID, access.Edit); err != nil {
		return nil, err
	}
	st, mt, name, err := s.stage(body, filename)
	if err != nil {
		return nil, err
	}
	key, err := st.Commit()
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	err = s.change(ctx, a, id, access.Edit, func(tx *db.Tx, d *Document) error {
		if _, err := tx.Exec(ctx, `INSERT INTO document_versions (document_id, version, filename, media_type, size, sha256, blob_key,
			added_at, added_by, replaced_at, replaced_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.Version, d.Filename, d.MediaType, d.Size, d.SHA256, d.BlobKey, d.AddedAt.UTC(), nullID(d.AddedBy), now, nullID(a.UserID)); err != nil {
			return fmt.Errorf("documents: keep version %d of %d: %w", d.Version, d.ID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET filename = ?, media_type = ?, size = ?, sha256 = ?, blob_key = ?,
			version = version + 1, added_at = ?, added_by = ?, text_status = ?, text_reason = '', text_ocr = FALSE, pages = 0 WHERE id = ?`,
			name, mt, st.Size, st.SHA256, key, now, nullID(a.UserID), TextPending, id); err != nil {
			return fmt.Errorf("documents: replace %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM document_pages WHERE document_id = ?", id); err != nil {
			return err
		}
		if err := s.enqueueExtract(ctx, tx, id, st.SHA256); err != nil {
			return err
		}
		if err := s.reindex(ctx, tx, id); err != nil {
			return err
		}
		if err := notify.Emit(ctx, tx, now, notify.Change{Action: notify.DocumentReplaced, ACLKind: access.Folder, ACLID: d.FolderID,
			ItemID: id, Title: d.Title, Path: fmt.Sprintf("/documents/%d", id), ActorID: a.UserID}); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "document.replaced", documentObject(id), fmt.Sprintf("%s version=%d", name, d.Version+1))
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	return s.load(ctx, s.db, id, false)
}

// Versions lists the earlier files of a document, newest first (edit needed).
func (s *Store) Versions(ctx context.Context, p access.Principal, id int64) ([]Version, error) {
	d, err := s.load(ctx, s.db, id, false)
	if err != nil {
		return nil, err
	}
	if err := need(ctx, s.db, p, d.FolderID, access.Edit); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT document_id, version, filename, media_type, size, sha256, blob_key, added_at, replaced_at
		FROM document_versions WHERE document_id = ? ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("documents: versions %d: %w", id, err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		if err := rows.Scan(&v.DocumentID, &v.Version, &v.Filename, &v.MediaType, &v.Size, &v.SHA256, &v.BlobKey, &v.AddedAt, &v.ReplacedAt); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Trash moves a document to the trash (edit needed): it leaves every list
// and the index; its bytes stay so an administrator can restore it.
func (s *Store) Trash(ctx context.Context, a access.Actor, id int64) error {
	return s.change(ctx, a, id, access.Edit, func(tx *db.Tx, d *Document) error {
		if _, err := tx.Exec(ctx, "UPDATE documents SET trashed_at = ?, trashed_by = ? WHERE id = ?", s.Now().UTC(), nullID(a.UserID), id); err != nil {
			return fmt.Errorf("documents: trash %d: %w", id, err)
		}
		if err := s.unindex(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "document.trashed", documentObject(id), d.Filename)
	})
}

// Files returns, of the given documents, those p may view (not in the
// trash), by id, in one query: for the format and size shown beside a link
// to a file (event documents, search hits).
func (s *Store) Files(ctx context.Context, p access.Principal, ids []int64) (map[int64]*Document, error) {
	out := map[int64]*Document{}
	if len(ids) == 0 {
		return out, nil
	}
	f, fargs := p.Filter(access.Folder, "d.folder_id", access.View)
	args := make([]any, 0, len(ids)+len(fargs))
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, fargs...)
	rows, err := s.db.Query(ctx, "SELECT "+docCols+docFrom+" WHERE d.id IN ("+db.In(len(ids))+") AND d.trashed_at IS NULL AND "+f, args...)
	if err != nil {
		return nil, fmt.Errorf("documents: files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d := &Document{}
		if err := scanDoc(rows, d); err != nil {
			return nil, err
		}
		d.Archived = IsArchived(d.PublishedOn, d.Pinned, s.Cutoff())
		out[d.ID] = d
	}
	return out, rows.Err()
}

// CheckUpload fails as Upload would before reading a byte: db.ErrNotFound
// when p may not see the folder (or it is in the trash), access.ErrForbidden
// when p may only view it. Web calls it before streaming a request's body.
func (s *Store) CheckUpload(ctx context.Context, p access.Principal, folderID int64) error {
	return need(ctx, s.db, p, folderID, access.Edit)
}
