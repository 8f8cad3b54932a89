package pages

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/i18n"
	"portique/internal/search"
)

// Trash moves a page and all its sub-pages to the trash and returns how many
// pages went. It needs Manage on every one of them (a sub-page with grants of
// its own that the actor does not manage blocks the deletion: nothing is
// deleted that the actor could not delete one by one). The home page cannot
// be deleted. Trashed pages vanish from the site and the search at once;
// administrators can restore them.
func (s *Store) Trash(ctx context.Context, a access.Actor, id int64) (int, error) {
	var n int
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.IsHome() {
			return ErrHomeProtected
		}
		f, fargs := a.Filter(access.Page, "p.id", access.Manage)
		var total, allowed int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM pages p WHERE "+subtreeWhere, subtreeArgs(p.Path)...).Scan(&total); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM pages p WHERE "+subtreeWhere+" AND "+f,
			append(subtreeArgs(p.Path), fargs...)...).Scan(&allowed); err != nil {
			return err
		}
		if allowed < total || total == 0 {
			return fmt.Errorf("pages: trash %d: %d of %d pages not managed: %w", id, total-allowed, total, access.ErrForbidden)
		}
		ids, err := db.IDs(ctx, tx, "SELECT id FROM pages WHERE "+subtreeWhere, subtreeArgs(p.Path)...)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE pages SET trashed_at = ?, trashed_by = ?, trash_root = ? WHERE "+subtreeWhere,
			append([]any{s.now(), nullID(a.UserID), id}, subtreeArgs(p.Path)...)...); err != nil {
			return fmt.Errorf("pages: trash %d: %w", id, err)
		}
		for _, c := range ids {
			if err := s.unindex(ctx, tx, c); err != nil {
				return err
			}
		}
		n = len(ids)
		return s.record(ctx, tx, a, "page.trash", id, fmt.Sprintf("path=%s pages=%d", p.Path, n))
	})
	return n, err
}

// TrashEntry is one deletion waiting in the trash: the page the user deleted
// and how many pages went with it.
type TrashEntry struct {
	Page      *Page
	Count     int
	TrashedBy string
}

// TrashList lists the deletions in the trash, newest first (administrators only).
func (s *Store) TrashList(ctx context.Context, p access.Principal) ([]TrashEntry, error) {
	if !p.Admin {
		return nil, access.ErrForbidden
	}
	rows, err := s.d.Query(ctx, "SELECT "+pageCols+`, (SELECT COUNT(*) FROM pages c WHERE c.trash_root = p.id AND c.trashed_at IS NOT NULL),
		COALESCE((SELECT u.name FROM users u WHERE u.id = p.trashed_by), '')
		FROM pages p WHERE p.trashed_at IS NOT NULL AND p.trash_root = p.id ORDER BY p.trashed_at DESC, p.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("pages: trash list: %w", err)
	}
	defer rows.Close()
	var out []TrashEntry
	for rows.Next() {
		var e TrashEntry
		p, err := scanPage(rows, &e.Count, &e.TrashedBy)
		if err != nil {
			return nil, err
		}
		e.Page = p
		out = append(out, e)
	}
	return out, rows.Err()
}

// Restore brings back a deletion (the page the user deleted, with the
// sub-pages that went with it), administrators only. Its parent must be
// live, and its paths free again.
func (s *Store) Restore(ctx context.Context, a access.Actor, id int64) error {
	if !a.Admin {
		return access.ErrForbidden
	}
	return s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getAny(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.TrashedAt.IsZero() {
			return ErrNotTrashed
		}
		var root int64
		if err := tx.QueryRow(ctx, "SELECT COALESCE(trash_root, 0) FROM pages WHERE id = ?", id).Scan(&root); err != nil {
			return err
		}
		if root != id {
			return fmt.Errorf("pages: restore %d: restore page %d, which was deleted with it: %w", id, root, ErrNotTrashed)
		}
		if _, err := getLive(ctx, tx, p.ParentID); err != nil {
			return ErrParentTrashed
		}
		var clash string
		err = tx.QueryRow(ctx, `SELECT t.path FROM pages t JOIN pages l ON l.path = t.path AND l.trashed_at IS NULL
			WHERE t.trash_root = ? AND t.trashed_at IS NOT NULL ORDER BY t.path LIMIT 1`, id).Scan(&clash)
		if err == nil {
			return invalid("path", "pages.error.path_taken")
		} else if err = db.NotFound(err); err != db.ErrNotFound {
			return err
		}
		ids, err := db.IDs(ctx, tx, "SELECT id FROM pages WHERE trash_root = ? AND trashed_at IS NOT NULL", id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE pages SET trashed_at = NULL, trashed_by = NULL, trash_root = NULL WHERE trash_root = ? AND trashed_at IS NOT NULL", id); err != nil {
			return fmt.Errorf("pages: restore %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM page_redirects WHERE old_path IN (SELECT path FROM pages WHERE "+subtreeWhere+")", subtreeArgs(p.Path)...); err != nil {
			return err
		}
		if err := s.place(ctx, tx, p.ParentID, id, -1); err != nil {
			return err
		}
		for _, c := range ids {
			cp, err := getAny(ctx, tx, c)
			if err != nil {
				return err
			}
			if err := s.index(ctx, tx, cp); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, a, "page.restore", id, fmt.Sprintf("path=%s pages=%d", p.Path, len(ids)))
	})
}

// Purge deletes one deletion of the trash for good (administrators only):
// pages, revisions, redirects, images and grants.
func (s *Store) Purge(ctx context.Context, a access.Actor, id int64) (int, error) {
	if !a.Admin {
		return 0, access.ErrForbidden
	}
	return s.purge(ctx, a, "trash_root = ? AND trashed_at IS NOT NULL", id)
}

// EmptyTrash deletes everything in the trash for good (administrators only).
func (s *Store) EmptyTrash(ctx context.Context, a access.Actor) (int, error) {
	if !a.Admin {
		return 0, access.ErrForbidden
	}
	return s.purge(ctx, a, "trashed_at IS NOT NULL")
}

func (s *Store) purge(ctx context.Context, a access.Actor, where string, args ...any) (int, error) {
	var n int
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, path FROM pages WHERE "+where, args...)
		if err != nil {
			return err
		}
		type row struct {
			id   int64
			path string
		}
		var list []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.path); err != nil {
				rows.Close()
				return err
			}
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Deepest first, so no page is deleted before its children.
		sort.Slice(list, func(i, j int) bool { return strings.Count(list[i].path, "/") > strings.Count(list[j].path, "/") })
		for _, r := range list {
			if err := s.unindex(ctx, tx, r.id); err != nil {
				return err
			}
			if err := access.RemoveNode(ctx, tx, access.Page, r.id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM pages WHERE id = ?", r.id); err != nil {
				return fmt.Errorf("pages: purge %d: %w", r.id, err)
			}
			if err := s.record(ctx, tx, a, "page.purge", r.id, "path="+r.path); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM image_variants WHERE sha256 NOT IN (SELECT sha256 FROM images)"); err != nil {
			return err
		}
		n = len(list)
		return nil
	})
	return n, err
}

// index puts a published page into the site search (and removes an
// unpublished one). It runs in the caller's transaction.
func (s *Store) index(ctx context.Context, q db.Querier, p *Page) error {
	if s.idx == nil {
		return nil
	}
	if !p.Published() || !p.TrashedAt.IsZero() {
		return s.unindex(ctx, q, p.ID)
	}
	var blocks string
	if err := q.QueryRow(ctx, "SELECT blocks FROM page_revisions WHERE id = ?", p.PublishedRev).Scan(&blocks); err != nil {
		return fmt.Errorf("pages: index %d: %w", p.ID, db.NotFound(err))
	}
	bl, err := DecodeBlocks(blocks)
	if err != nil {
		return err
	}
	body := BlocksText(bl)
	if p.Teaser != "" {
		body = p.Teaser + "\n\n" + body
	}
	if p.MetaDescription != "" {
		body = p.MetaDescription + "\n\n" + body
	}
	date := p.PublishedAt
	if p.IsNews() && !p.PublishAt.IsZero() {
		date = p.PublishAt
	}
	doc := search.Doc{Kind: search.KindPage, ID: p.ID, ACLKind: access.Page, ACLID: p.ID,
		Title: p.Title, Body: body, URL: p.Path, Date: date, VisibleFrom: p.PublishAt, VisibleUntil: p.UnpublishAt}
	if p.IsNews() {
		doc.Extra = i18n.French().T("news.search.extra")
	}
	if err := s.idx.Replace(ctx, q, search.KindPage, p.ID, []search.Doc{doc}); err != nil {
		return fmt.Errorf("pages: index %d: %w", p.ID, err)
	}
	return nil
}

func (s *Store) unindex(ctx context.Context, q db.Querier, id int64) error {
	if s.idx == nil {
		return nil
	}
	if err := s.idx.Delete(ctx, q, search.KindPage, id); err != nil {
		return fmt.Errorf("pages: unindex %d: %w", id, err)
	}
	return nil
}

// reindexSubtree refreshes the index entries of a live subtree (its URLs
// changed).
func (s *Store) reindexSubtree(ctx context.Context, q db.Querier, path string) error {
	if s.idx == nil {
		return nil
	}
	rows, err := q.Query(ctx, "SELECT "+pageCols+" FROM pages p WHERE "+subtreeWhere, subtreeArgs(path)...)
	if err != nil {
		return err
	}
	list, err := scanPages(rows)
	if err != nil {
		return err
	}
	for _, p := range list {
		if err := s.index(ctx, q, p); err != nil {
			return err
		}
	}
	return nil
}

// Reindex rebuilds the search entries of every live page (the reindex
// subcommand).
func (s *Store) Reindex(ctx context.Context) (int, error) {
	var n int
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+pageCols+" FROM pages p WHERE p.trashed_at IS NULL")
		if err != nil {
			return err
		}
		list, err := scanPages(rows)
		if err != nil {
			return err
		}
		for _, p := range list {
			if err := s.index(ctx, tx, p); err != nil {
				return err
			}
		}
		n = len(list)
		return nil
	})
	return n, err
}
