package pages

import (
	"context"
	"errors"
	"fmt"

	"portique/internal/access"
	"portique/internal/db"
)

// ErrNotPublished: unpublishing a page visitors do not see.
var ErrNotPublished = errors.New("pages: page is not published")

// ErrHomeUnpublish: the home page cannot go back to draft (the site would
// have no home).
var ErrHomeUnpublish = errors.New("pages: the home page cannot be unpublished")

// Unpublish takes a published page back to draft (Edit), in one
// transaction with its audit entry: visitors no longer see it (nor the
// search index, menus and lists); its content is kept as the pending draft
// (a draft already pending stays as it is), to be published again.
// published is the published revision the editor saw: another editor's
// publication since is a *StaleError.
func (s *Store) Unpublish(ctx context.Context, a access.Actor, pageID, published int64) (*Page, error) {
	var page *Page
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, pageID)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a.Principal, pageID, access.Edit); err != nil {
			return err
		}
		if p.IsHome() {
			return ErrHomeUnpublish
		}
		if !p.Published() {
			return ErrNotPublished
		}
		if published != 0 && published != p.PublishedRev {
			return staleError(ctx, tx, p, published)
		}
		res, err := tx.Exec(ctx, `UPDATE pages SET draft_rev = COALESCE(draft_rev, published_rev), published_rev = NULL, updated_at = ?
			WHERE id = ? AND published_rev = ?`, s.now(), p.ID, p.PublishedRev)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return staleError(ctx, tx, p, published)
		}
		if page, err = getAny(ctx, tx, p.ID); err != nil {
			return err
		}
		if err := s.index(ctx, tx, page); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "page.unpublish", p.ID, fmt.Sprintf("path=%s rev=%d", p.Path, p.PublishedRev))
	})
	return page, err
}
