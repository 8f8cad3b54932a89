package documents

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// PurgeOrphans removes stored files that no document or version refers to
// any more (an upload whose database write failed after its bytes were
// stored) and temporary files left by an interrupted upload, when they are
// older than grace (an hour is safe: an upload in flight is younger). It
// returns how many files went. Documents in the trash keep their files.
func (s *Store) PurgeOrphans(ctx context.Context, grace time.Duration) (int, error) {
	used := map[string]bool{}
	for _, q := range []string{"SELECT DISTINCT blob_key FROM documents", "SELECT DISTINCT blob_key FROM document_versions"} {
		rows, err := s.db.Query(ctx, q)
		if err != nil {
			return 0, fmt.Errorf("documents: purge: %w", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return 0, err
			}
			used[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	before := time.Now().Add(-grace)
	n := 0
	err := filepath.WalkDir(s.blobs.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || ctx.Err() != nil {
			return err
		}
		info, err := d.Info()
		if err != nil || !info.ModTime().Before(before) {
			return nil
		}
		inTmp := filepath.Base(filepath.Dir(p)) == "tmp"
		if inTmp || (len(d.Name()) == 64 && !used[d.Name()]) {
			if os.Remove(p) == nil {
				n++
			}
		}
		return nil
	})
	return n, err
}

// orphanGrace spares a stored file younger than this when the last row
// referring to it goes: an upload of the same bytes may be committing it
// (Staged.Commit freshens the file before its row is written). PurgeOrphans
// removes it later.
const orphanGrace = time.Hour

// DeleteFolderForGood deletes a folder of the trash for good
// (administrators only), with everything still below it: sub-folders and
// documents that left with it and items trashed on their own from inside it
// before. Versions go too, and the stored files no other document or
// version uses.
func (s *Store) DeleteFolderForGood(ctx context.Context, a access.Actor, id int64) (Purged, error) {
	if !a.Admin {
		return Purged{}, fmt.Errorf("documents: purge folder %d: %w", id, access.ErrForbidden)
	}
	return s.purgeFolder(ctx, a, id, "")
}

// DeleteForGood deletes a document of the trash for good (administrators
// only), with its versions and the stored files no other document or
// version uses.
func (s *Store) DeleteForGood(ctx context.Context, a access.Actor, id int64) (Purged, error) {
	if !a.Admin {
		return Purged{}, fmt.Errorf("documents: purge %d: %w", id, access.ErrForbidden)
	}
	return s.purgeDocument(ctx, a, id, "")
}

// PurgeExpired deletes for good what has been in the trash longer than
// Options.TrashDays and returns what went. The hourly housekeeping calls it
// as access.System(); each item's audit entry says how long it waited.
// Containers are taken first: an item trashed on its own inside a trashed
// folder was trashed before it, so it is never kept longer than its due.
func (s *Store) PurgeExpired(ctx context.Context, a access.Actor) ([]Purged, error) {
	if !a.Admin {
		return nil, fmt.Errorf("documents: purge the trash: %w", access.ErrForbidden)
	}
	before := s.Now().UTC().Add(-time.Duration(s.opts.TrashDays) * 24 * time.Hour)
	waited := fmt.Sprintf(" days=%d", s.opts.TrashDays)
	var out []Purged
	for _, kind := range []string{"folder", "document"} {
		table, purge := "folders", s.purgeFolder
		if kind == "document" {
			table, purge = "documents", s.purgeDocument
		}
		ids, err := s.ids(ctx, s.db, "SELECT id FROM "+table+" WHERE trashed_at < ? AND trashed_with IS NULL ORDER BY trashed_at, id", before)
		if err != nil {
			return out, err
		}
		for _, id := range ids {
			pg, err := purge(ctx, a, id, waited)
			if errors.Is(err, db.ErrNotFound) {
				continue // went with a folder purged just before
			}
			if err != nil {
				return out, err
			}
			out = append(out, pg)
		}
	}
	return out, nil
}

// purgeFolder deletes a folder of the trash and what is below it, records
// "folder.purged" in the same transaction (extra ends its detail), then
// removes the files no row uses any more.
func (s *Store) purgeFolder(ctx context.Context, a access.Actor, id int64, extra string) (Purged, error) {
	pg := Purged{Kind: "folder", ID: id}
	var drop []string
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT name FROM folders WHERE id = ? AND trashed_at IS NOT NULL AND trashed_with IS NULL", id).Scan(&pg.Name); err != nil {
			return fmt.Errorf("documents: purge folder %d: %w", id, db.NotFound(err))
		}
		sub, err := subtree(ctx, tx, id, false)
		if err != nil {
			return err
		}
		in, args := db.In(len(sub)), db.Args(sub)
		var live int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM folders WHERE trashed_at IS NULL AND id IN ("+in+")", args...).Scan(&live); err != nil {
			return err
		}
		if live > 0 { // the store never lets this happen; refuse rather than lose
			return fmt.Errorf("documents: purge folder %d: %d sub-folders are not in the trash", id, live)
		}
		docs, err := s.ids(ctx, tx, "SELECT id FROM documents WHERE folder_id IN ("+in+")", args...)
		if err != nil {
			return err
		}
		pg.Documents = len(docs)
		var keys []string
		for _, d := range docs {
			k, err := s.deleteDocument(ctx, tx, d)
			if err != nil {
				return err
			}
			keys = append(keys, k...)
		}
		if _, err := tx.Exec(ctx, "UPDATE folders SET parent_id = NULL WHERE id IN ("+in+")", args...); err != nil {
			return fmt.Errorf("documents: purge folder %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM folders WHERE id IN ("+in+")", args...); err != nil {
			return fmt.Errorf("documents: purge folder %d: %w", id, err)
		}
		for _, f := range sub {
			if err := access.RemoveNode(ctx, tx, access.Folder, f); err != nil {
				return err
			}
		}
		if drop, err = s.unusedBlobs(ctx, tx, keys); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "folder.purged", folderObject(id), fmt.Sprintf("%s documents=%d files=%d%s", pg.Name, pg.Documents, len(drop), extra))
	})
	if err != nil {
		return pg, err
	}
	pg.Files = s.dropBlobs(drop)
	return pg, nil
}

// purgeDocument is purgeFolder for one document of the trash.
func (s *Store) purgeDocument(ctx context.Context, a access.Actor, id int64, extra string) (Purged, error) {
	pg := Purged{Kind: "document", ID: id, Documents: 1}
	var drop []string
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT title FROM documents WHERE id = ? AND trashed_at IS NOT NULL AND trashed_with IS NULL", id).Scan(&pg.Name); err != nil {
			return fmt.Errorf("documents: purge %d: %w", id, db.NotFound(err))
		}
		keys, err := s.deleteDocument(ctx, tx, id)
		if err != nil {
			return err
		}
		if drop, err = s.unusedBlobs(ctx, tx, keys); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "document.purged", documentObject(id), fmt.Sprintf("%s documents=1 files=%d%s", pg.Name, len(drop), extra))
	})
	if err != nil {
		return pg, err
	}
	pg.Files = s.dropBlobs(drop)
	return pg, nil
}

// deleteDocument removes a document's rows (its versions and page texts
// follow by cascade) and index entries, and returns the blob keys it used.
func (s *Store) deleteDocument(ctx context.Context, q db.Querier, id int64) ([]string, error) {
	rows, err := q.Query(ctx, "SELECT blob_key FROM documents WHERE id = ? UNION SELECT blob_key FROM document_versions WHERE document_id = ?", id, id)
	if err != nil {
		return nil, fmt.Errorf("documents: purge %d: %w", id, err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.unindex(ctx, q, id); err != nil {
		return nil, err
	}
	if _, err := q.Exec(ctx, "DELETE FROM documents WHERE id = ?", id); err != nil {
		return nil, fmt.Errorf("documents: purge %d: %w", id, err)
	}
	return keys, nil
}

// unusedBlobs returns, inside the transaction q that deleted their last
// rows, the keys among keys that no document or version refers to any more
// (identical files are stored once, so another document may still use one)
// and whose file is older than orphanGrace.
func (s *Store) unusedBlobs(ctx context.Context, q db.Querier, keys []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		var used int
		if err := q.QueryRow(ctx, "SELECT (SELECT COUNT(*) FROM documents WHERE blob_key = ?) + (SELECT COUNT(*) FROM document_versions WHERE blob_key = ?)", k, k).Scan(&used); err != nil {
			return nil, fmt.Errorf("documents: blob use: %w", err)
		}
		if used == 0 && s.oldBlob(k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// oldBlob reports whether the stored file of key exists and is older than
// orphanGrace: a younger one may be an upload of the same bytes committing
// (Staged.Commit freshens the file before its row is written).
func (s *Store) oldBlob(key string) bool {
	info, err := os.Stat(s.blobs.Path(key))
	return err == nil && info.ModTime().Before(time.Now().Add(-orphanGrace))
}

// dropBlobs removes the stored files of keys, after the commit of the rows
// that used them, and returns how many went. Each is checked once more just
// before (an upload of the same bytes may have freshened it meanwhile);
// PurgeOrphans catches what stays.
func (s *Store) dropBlobs(keys []string) int {
	n := 0
	for _, k := range keys {
		if s.oldBlob(k) && os.Remove(s.blobs.Path(k)) == nil {
			n++
		}
	}
	return n
}
