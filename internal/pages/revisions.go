package pages

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/i18n"
	"portique/internal/notify"

	"portique/internal/valid"
)

// revCols name the author by the account's display name (as it is now),
// falling back to what was recorded (the login e-mail) for a deleted account.
const revCols = `r.id, r.page_id, COALESCE(r.author_id, 0),
	COALESCE((SELECT NULLIF(u.name, '') FROM users u WHERE u.id = r.author_id), r.author_name), r.created_at, r.published_at,
	r.title, r.blocks, r.note, COALESCE(r.base_rev, 0)`

func scanRevision(sc scanner) (*Revision, error) {
	var r Revision
	var pub sql.NullTime
	var blocks string
	if err := sc.Scan(&r.ID, &r.PageID, &r.AuthorID, &r.AuthorName, &r.CreatedAt, &pub, &r.Title, &blocks, &r.Note, &r.BaseRev); err != nil {
		return nil, db.NotFound(err)
	}
	r.PublishedAt = pub.Time
	b, err := DecodeBlocks(blocks)
	if err != nil {
		return nil, err
	}
	r.Blocks = b
	return &r, nil
}

func getRevision(ctx context.Context, q db.Querier, pageID, revID int64) (*Revision, error) {
	r, err := scanRevision(q.QueryRow(ctx, "SELECT "+revCols+" FROM page_revisions r WHERE r.id = ? AND r.page_id = ?", revID, pageID))
	if err != nil {
		return nil, fmt.Errorf("pages: revision %d of page %d: %w", revID, pageID, err)
	}
	return r, nil
}

// Published returns the revision visitors see. Callers have checked View.
func (s *Store) Published(ctx context.Context, p *Page) (*Revision, error) {
	if p.PublishedRev == 0 {
		return nil, fmt.Errorf("pages: page %d not published: %w", p.ID, db.ErrNotFound)
	}
	return getRevision(ctx, s.d, p.ID, p.PublishedRev)
}

// Revision returns one revision of a page for someone who may edit it.
func (s *Store) Revision(ctx context.Context, p access.Principal, pageID, revID int64) (*Revision, error) {
	if err := require(ctx, s.d, p, pageID, access.Edit); err != nil {
		return nil, err
	}
	return getRevision(ctx, s.d, pageID, revID)
}

// EditStart returns the page and the revision an edit starts from (the
// draft, or the published revision), for someone who may edit it. The
// revision's id is the base to send back with SaveDraft.
func (s *Store) EditStart(ctx context.Context, who access.Principal, pageID int64) (*Page, *Revision, error) {
	p, err := getLive(ctx, s.d, pageID)
	if err != nil {
		return nil, nil, err
	}
	if err := require(ctx, s.d, who, pageID, access.Edit); err != nil {
		return nil, nil, err
	}
	r, err := getRevision(ctx, s.d, pageID, p.Head())
	if err != nil {
		return nil, nil, err
	}
	return p, r, nil
}

// Edit is a save from the edit form: the page's title and blocks, the new
// pictures of its image blocks, and whether to publish at once.
type Edit struct {
	Base    int64 // the revision the edit started from
	Title   string
	Blocks  []Block
	Uploads map[int]*Upload // new pictures (ReadImage) by index of their image block
	Publish bool            // publish the saved draft in the same transaction
	Note    string          // the publication's note for the history
	// UnseenCalendars and UnseenFolders are the calendars and folders of
	// the blocks (Refs) that the editor may not see, as the calendar and
	// documents stores decide them (UnseenRefs): their blocks are refused.
	UnseenCalendars, UnseenFolders map[int64]bool
}

// pendingImage stands for the id of a picture not stored yet while the
// blocks are validated.
const pendingImage = int64(math.MaxInt64)

// Save stores an edit as the page's draft, and publishes it when asked, in
// one transaction with one access check (Edit on the page): the new
// pictures, the draft, the publication and their audit entries commit
// together or not at all. The input is validated first (valid.Errors, with
// block fields "blocks.N.field", every message at once, RefErrors
// included); if someone saved or published since
// e.Base, nothing is written and a *StaleError carries their version. HTML
// is sanitised; image blocks may only show images of this page. Pictures
// are decoded before the transaction: callers that read them from people
// who may not edit the page check EditStart first (the web handler does).
func (s *Store) Save(ctx context.Context, a access.Actor, pageID int64, e Edit) (*Page, *Revision, error) {
	title := strings.TrimSpace(e.Title)
	note := strings.TrimSpace(e.Note)
	ve := valid.Errors{}
	checkTitle(ve, title)
	if e.Publish {
		checkNote(ve, note)
	}
	blocks := slices.Clone(e.Blocks)
	var uploads []int // indexes of the blocks whose picture is new, in order
	for i := range blocks {
		if u := e.Uploads[i]; u != nil && ShowsImage(blocks[i].Type) {
			blocks[i].ImageID = pendingImage
			uploads = append(uploads, i)
		}
	}
	clean, err := Normalize(blocks)
	if err != nil {
		bv, ok := err.(valid.Errors)
		if !ok {
			return nil, nil, err
		}
		ve.Merge(bv)
	}
	ve.Merge(RefErrors(e.Blocks, e.UnseenCalendars, e.UnseenFolders))
	if len(ve) > 0 {
		return nil, nil, ve
	}
	for _, i := range uploads {
		if err := s.prepare(ctx, e.Uploads[i]); err != nil {
			return nil, nil, fieldOf(i, err)
		}
	}
	var page *Page
	var rev *Revision
	err = s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, pageID)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a.Principal, pageID, access.Edit); err != nil {
			return err
		}
		if p.Head() != e.Base {
			return staleError(ctx, tx, p, e.Base)
		}
		fresh := map[int]bool{}
		for _, i := range uploads {
			img, err := s.storeImage(ctx, tx, a, pageID, e.Uploads[i])
			if err != nil {
				return err
			}
			clean[i].ImageID = img.ID
			fresh[i] = true
		}
		if rev, err = s.saveDraft(ctx, tx, a, p, e.Base, title, clean, fresh); err != nil {
			return err
		}
		if e.Publish {
			page, err = s.publish(ctx, tx, a, p, rev, note, rev.ID)
			return err
		}
		page, err = getAny(ctx, tx, pageID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return page, rev, nil
}

// fieldOf puts the field errors of block i's upload under that block.
func fieldOf(i int, err error) error {
	ve, ok := err.(valid.Errors)
	if !ok {
		return err
	}
	out := valid.Errors{}
	for f, m := range ve {
		out[fmt.Sprintf("blocks.%d.%s", i, f)] = m
	}
	return out
}

// SaveDraft saves the page's title and blocks as its draft (Edit): Save
// without new pictures and without publishing. It returns the draft.
func (s *Store) SaveDraft(ctx context.Context, a access.Actor, pageID, base int64, title string, blocks []Block) (*Revision, error) {
	_, rev, err := s.Save(ctx, a, pageID, Edit{Base: base, Title: title, Blocks: blocks})
	return rev, err
}

// saveDraft writes clean (validated) blocks as the draft of p, in the
// caller's transaction q, once the caller has checked Edit and the base.
// fresh are the blocks whose picture was stored by this save.
func (s *Store) saveDraft(ctx context.Context, q db.Querier, a access.Actor, p *Page, base int64, title string, clean []Block, fresh map[int]bool) (*Revision, error) {
	for i, b := range clean {
		if !ShowsImage(b.Type) || b.ImageID == 0 || fresh[i] {
			continue
		}
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM images WHERE id = ? AND page_id = ?", b.ImageID, p.ID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, invalid(fmt.Sprintf("blocks.%d.image", i), "pages.error.image_foreign")
		}
	}
	if err := richImageErrors(ctx, q, p.ID, clean); err != nil {
		return nil, err
	}
	encoded, err := EncodeBlocks(clean)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var id int64
	if err := q.QueryRow(ctx, `INSERT INTO page_revisions (page_id, author_id, author_name, created_at, title, blocks, base_rev)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.ID, nullID(a.UserID), a.Name, now, title, encoded, nullID(base)).Scan(&id); err != nil {
		return nil, fmt.Errorf("pages: save draft of %d: %w", p.ID, err)
	}
	// Compare-and-swap: on PostgreSQL two transactions may both have
	// passed the check of the base; only one moves the head.
	res, err := q.Exec(ctx, "UPDATE pages SET draft_rev = ?, updated_at = ? WHERE id = ? AND COALESCE(draft_rev, published_rev, 0) = ?",
		id, now, p.ID, base)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, staleError(ctx, q, p, base)
	}
	if !p.Published() {
		if _, err := q.Exec(ctx, "UPDATE pages SET title = ? WHERE id = ?", title, p.ID); err != nil {
			return nil, err
		}
	}
	// The draft this one replaces was never published: drop it.
	if p.DraftRev != 0 {
		if _, err := q.Exec(ctx, "DELETE FROM page_revisions WHERE id = ? AND published_at IS NULL", p.DraftRev); err != nil {
			return nil, err
		}
	}
	return getRevision(ctx, q, p.ID, id)
}

func staleError(ctx context.Context, q db.Querier, p *Page, base int64) error {
	cur, err := getLive(ctx, q, p.ID)
	if err != nil {
		return err
	}
	theirs, err := getRevision(ctx, q, p.ID, cur.Head())
	if err != nil {
		return err
	}
	return &StaleError{Base: base, Theirs: *theirs}
}

func checkNote(ve valid.Errors, note string) {
	if utf8.RuneCountInString(note) > MaxNote {
		ve.Add("note", "pages.error.note_long")
	}
}

// Publish makes the draft live (Edit) with a note for the history. draftID
// is the draft the editor saw; a newer draft by someone else gives a
// *StaleError so nobody publishes what they have not read.
func (s *Store) Publish(ctx context.Context, a access.Actor, pageID, draftID int64, note string) (*Page, error) {
	note = strings.TrimSpace(note)
	ve := valid.Errors{}
	if checkNote(ve, note); len(ve) > 0 {
		return nil, ve
	}
	var page *Page
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, pageID)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a.Principal, pageID, access.Edit); err != nil {
			return err
		}
		if p.DraftRev == 0 {
			return ErrNoDraft
		}
		if draftID != 0 && draftID != p.DraftRev {
			return staleError(ctx, tx, p, draftID)
		}
		rev, err := getRevision(ctx, tx, pageID, p.DraftRev)
		if err != nil {
			return err
		}
		page, err = s.publish(ctx, tx, a, p, rev, note, draftID)
		return err
	})
	return page, err
}

// publish makes rev, the draft of p, live, in the caller's transaction q
// once the caller has checked Edit: the history note, the page's head, its
// images, the search index and the audit entry. base is the draft the
// editor saw (for the stale error).
func (s *Store) publish(ctx context.Context, q db.Querier, a access.Actor, p *Page, rev *Revision, note string, base int64) (*Page, error) {
	now := s.now()
	if _, err := q.Exec(ctx, "UPDATE page_revisions SET published_at = ?, note = ? WHERE id = ?", now, note, rev.ID); err != nil {
		return nil, err
	}
	res, err := q.Exec(ctx, `UPDATE pages SET published_rev = ?, draft_rev = NULL, title = ?, published_at = ?, updated_at = ?
		WHERE id = ? AND draft_rev = ?`, rev.ID, rev.Title, now, now, p.ID, rev.ID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, staleError(ctx, q, p, base)
	}
	if err := markPublishedImages(ctx, q, p.ID, rev.Blocks); err != nil {
		return nil, err
	}
	page, err := getAny(ctx, q, p.ID)
	if err != nil {
		return nil, err
	}
	if err := s.index(ctx, q, page); err != nil {
		return nil, err
	}
	if !p.Published() { // a new page: private ones are told (notify decides)
		if err := notify.Emit(ctx, q, now, notify.Change{Action: notify.PagePublished, ACLKind: access.Page, ACLID: p.ID,
			ItemID: p.ID, Title: rev.Title, Path: page.Path, ActorID: a.UserID}); err != nil {
			return nil, err
		}
	}
	return page, s.record(ctx, q, a, "page.publish", p.ID, fmt.Sprintf("path=%s rev=%d", p.Path, rev.ID))
}

// Cancel drops the pending draft (Edit): the page shows its published
// version again. draftID must be the draft the editor saw.
func (s *Store) Cancel(ctx context.Context, a access.Actor, pageID, draftID int64) error {
	return s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, pageID)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a.Principal, pageID, access.Edit); err != nil {
			return err
		}
		if p.DraftRev == 0 {
			return ErrNoDraft
		}
		if draftID != 0 && draftID != p.DraftRev {
			return staleError(ctx, tx, p, draftID)
		}
		if !p.Published() {
			// A page never published has nothing to go back to.
			return ErrNoDraft
		}
		if _, err := tx.Exec(ctx, "UPDATE pages SET draft_rev = NULL, updated_at = ? WHERE id = ?", s.now(), pageID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM page_revisions WHERE id = ? AND published_at IS NULL", p.DraftRev)
		return err
	})
}

// History lists the page's publications, newest first, preceded by the
// pending draft if any (Edit). Blocks are included.
func (s *Store) History(ctx context.Context, p access.Principal, pageID int64) ([]*Revision, error) {
	if err := require(ctx, s.d, p, pageID, access.Edit); err != nil {
		return nil, err
	}
	rows, err := s.d.Query(ctx, "SELECT "+revCols+` FROM page_revisions r JOIN pages p ON p.id = r.page_id
		WHERE r.page_id = ? AND (r.published_at IS NOT NULL OR r.id = p.draft_rev)
		ORDER BY r.published_at IS NULL DESC, r.published_at DESC, r.id DESC`, pageID)
	if err != nil {
		return nil, fmt.Errorf("pages: history of %d: %w", pageID, err)
	}
	defer rows.Close()
	var out []*Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RestoreRevision publishes a copy of an old publication as a new revision
// (Edit), so the history keeps both. It refuses while a draft is pending
// (ErrDraftPending): that draft would otherwise be lost.
func (s *Store) RestoreRevision(ctx context.Context, a access.Actor, pageID, revID int64, note string) (*Page, error) {
	var page *Page
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, pageID)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a.Principal, pageID, access.Edit); err != nil {
			return err
		}
		if p.DraftRev != 0 {
			return ErrDraftPending
		}
		old, err := getRevision(ctx, tx, pageID, revID)
		if err != nil {
			return err
		}
		if old.IsDraft() {
			return fmt.Errorf("pages: revision %d is a draft: %w", revID, db.ErrNotFound)
		}
		if old.ID == p.PublishedRev {
			page = p
			return nil // already live
		}
		if strings.TrimSpace(note) == "" {
			at := old.PublishedAt.In(paris)
			note = i18n.French().T("pages.note.restored", at.Format("02/01/2006"), at.Format("15:04"))
		}
		blocks, _ := EncodeBlocks(old.Blocks)
		now := s.now()
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO page_revisions (page_id, author_id, author_name, created_at, published_at, title, blocks, note, base_rev)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, pageID, nullID(a.UserID), a.Name, now, now, old.Title, blocks, note, nullID(p.PublishedRev)).Scan(&id); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE pages SET published_rev = ?, title = ?, published_at = ?, updated_at = ?
			WHERE id = ? AND draft_rev IS NULL AND published_rev = ?`, id, old.Title, now, now, pageID, p.PublishedRev)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrDraftPending
		}
		if err := markPublishedImages(ctx, tx, pageID, old.Blocks); err != nil {
			return err
		}
		if page, err = getAny(ctx, tx, pageID); err != nil {
			return err
		}
		if err := s.index(ctx, tx, page); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "page.restore_revision", pageID, fmt.Sprintf("path=%s rev=%d→%d", p.Path, revID, id))
	})
	return page, err
}
