package pages

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"portique/internal/access"
	"portique/internal/db"

	"portique/internal/valid"
)

const revCols = `r.id, r.page_id, COALESCE(r.author_id, 0), r.author_name, r.created_at, r.published_at,
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
func (s *Store) Revision(ctx context.Context, a Actor, pageID, revID int64) (*Revision, error) {
	if err := require(ctx, s.d, a, pageID, access.Edit); err != nil {
		return nil, err
	}
	return getRevision(ctx, s.d, pageID, revID)
}

// EditStart returns the page and the revision an edit starts from (the
// draft, or the published revision), for someone who may edit it. The
// revision's id is the base to send back with SaveDraft.
func (s *Store) EditStart(ctx context.Context, a Actor, pageID int64) (*Page, *Revision, error) {
	p, err := getLive(ctx, s.d, pageID)
	if err != nil {
		return nil, nil, err
	}
	if err := require(ctx, s.d, a, pageID, access.Edit); err != nil {
		return nil, nil, err
	}
	r, err := getRevision(ctx, s.d, pageID, p.Head())
	if err != nil {
		return nil, nil, err
	}
	return p, r, nil
}

// SaveDraft saves the page's title and blocks as its draft (Edit). base is
// the revision the edit started from; if someone saved or published since,
// nothing is written and a *StaleError carries their version. Blocks are
// validated and their HTML sanitised; image blocks may only show images
// uploaded into this page.
func (s *Store) SaveDraft(ctx context.Context, a Actor, pageID, base int64, title string, blocks []Block) (*Revision, error) {
	title = strings.TrimSpace(title)
	ve := valid.Errors{}
	checkTitle(ve, title)
	clean, err := Normalize(blocks)
	if err != nil {
		if bv, ok := err.(valid.Errors); ok {
			ve.Merge(bv)
		} else {
			return nil, err
		}
	}
	if len(ve) > 0 {
		return nil, ve
	}
	encoded, err := EncodeBlocks(clean)
	if err != nil {
		return nil, err
	}
	var rev *Revision
	err = s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, pageID)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a, pageID, access.Edit); err != nil {
			return err
		}
		if p.Head() != base {
			return staleError(ctx, tx, p, base)
		}
		for i, b := range clean {
			if b.Type != BlockImage {
				continue
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM images WHERE id = ? AND page_id = ?", b.ImageID, pageID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return invalid(fmt.Sprintf("blocks.%d.image", i), "pages.error.image_foreign")
			}
		}
		now := s.now()
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO page_revisions (page_id, author_id, author_name, created_at, title, blocks, base_rev)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, pageID, nullID(a.P.UserID), a.Name, now, title, encoded, nullID(base)).Scan(&id); err != nil {
			return fmt.Errorf("pages: save draft of %d: %w", pageID, err)
		}
		// Compare-and-swap: on PostgreSQL two transactions may both have
		// passed the check above; only one moves the head.
		res, err := tx.Exec(ctx, "UPDATE pages SET draft_rev = ?, updated_at = ? WHERE id = ? AND COALESCE(draft_rev, published_rev, 0) = ?",
			id, now, pageID, base)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return staleError(ctx, tx, p, base)
		}
		if !p.Published() {
			if _, err := tx.Exec(ctx, "UPDATE pages SET title = ? WHERE id = ?", title, pageID); err != nil {
				return err
			}
		}
		// The draft this one replaces was never published: drop it.
		if p.DraftRev != 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM page_revisions WHERE id = ? AND published_at IS NULL", p.DraftRev); err != nil {
				return err
			}
		}
		rev, err = getRevision(ctx, tx, pageID, id)
		return err
	})
	return rev, err
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

// Publish makes the draft live (Edit) with a note for the history. draftID
// is the draft the editor saw; a newer draft by someone else gives a
// *StaleError so nobody publishes what they have not read.
func (s *Store) Publish(ctx context.Context, a Actor, pageID, draftID int64, note string) (*Page, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > MaxNote {
		return nil, invalid("note", "pages.error.note_long")
	}
	var page *Page
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, pageID)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a, pageID, access.Edit); err != nil {
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
		now := s.now()
		if _, err := tx.Exec(ctx, "UPDATE page_revisions SET published_at = ?, note = ? WHERE id = ?", now, note, rev.ID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE pages SET published_rev = ?, draft_rev = NULL, title = ?, published_at = ?, updated_at = ?
			WHERE id = ? AND draft_rev = ?`, rev.ID, rev.Title, now, now, pageID, rev.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return staleError(ctx, tx, p, draftID)
		}
		if err := markPublishedImages(ctx, tx, pageID, rev.Blocks); err != nil {
			return err
		}
		if page, err = getAny(ctx, tx, pageID); err != nil {
			return err
		}
		if err := s.index(ctx, tx, page); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "page.publish", pageID, fmt.Sprintf("%s révision %d", p.Path, rev.ID))
	})
	return page, err
}

// Cancel drops the pending draft (Edit): the page shows its published
// version again. draftID must be the draft the editor saw.
func (s *Store) Cancel(ctx context.Context, a Actor, pageID, draftID int64) error {
	return s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, pageID)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a, pageID, access.Edit); err != nil {
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
func (s *Store) History(ctx context.Context, a Actor, pageID int64) ([]*Revision, error) {
	if err := require(ctx, s.d, a, pageID, access.Edit); err != nil {
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
func (s *Store) RestoreRevision(ctx context.Context, a Actor, pageID, revID int64, note string) (*Page, error) {
	var page *Page
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, pageID)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a, pageID, access.Edit); err != nil {
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
			note = fmt.Sprintf("Restauration de la version du %s", old.PublishedAt.In(paris).Format("02/01/2006 à 15:04"))
		}
		blocks, _ := EncodeBlocks(old.Blocks)
		now := s.now()
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO page_revisions (page_id, author_id, author_name, created_at, published_at, title, blocks, note, base_rev)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, pageID, nullID(a.P.UserID), a.Name, now, now, old.Title, blocks, note, nullID(p.PublishedRev)).Scan(&id); err != nil {
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
		return s.audit(ctx, tx, a, "page.restore_revision", pageID, fmt.Sprintf("révision %d → %d", revID, id))
	})
	return page, err
}
