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
func (s *Store) DeleteFolderForGood(ctx context.Context, p access.Principal, id int64) (Purged, error) {
	if !p.Admin {
		return Purged{}, access.ErrForbidden
	}
	return s.purgeFolder(ctx, id)
}

// DeleteForGood deletes a document of the trash for good (administrators
// only), with its versions and the stored files no other document or
// version uses.
func (s *Store) DeleteForGood(ctx context.Context, p access.Principal, id int64) (Purged, error) {
	if !p.Admin {
		return Purged{}, access.ErrForbidden
	}
	return s.purgeDocument(ctx, id)
}

// PurgeExpired deletes for good what has been in the trash longer than
// Options.TrashDays (the hourly housekeeping calls it) and returns what went.
// Containers are taken first: an item trashed on its own inside a trashed
// folder was trashed before it, so it is never kept longer than its due.
func (s *Store) PurgeExpired(ctx context.Context) ([]Purged, error) {
	before := s.opts.Now().UTC().Add(-time.Duration(s.opts.TrashDays) * 24 * time.Hour)
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
			pg, err := purge(ctx, id)
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

func (s *Store) purgeFolder(ctx context.Context, id int64) (Purged, error) {
	pg := Purged{Kind: "folder", ID: id}
	var keys []string
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
		return nil
	})
	if err != nil {
		return pg, err
	}
	pg.Files, err = s.dropBlobs(ctx, keys)
	return pg, err
}

func (s *Store) purgeDocument(ctx context.Context, id int64) (Purged, error) {
	pg := Purged{Kind: "document", ID: id, Documents: 1}
	var keys []string
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT title FROM documents WHERE id = ? AND trashed_at IS NOT NULL AND trashed_with IS NULL", id).Scan(&pg.Name); err != nil {
			return fmt.Errorf("documents: purge %d: %w", id, db.NotFound(err))
		}
		var err error
		keys, err = s.deleteDocument(ctx, tx, id)
		return err
	})
	if err != nil {
		return pg, err
	}
	pg.Files, err = s.dropBlobs(ctx, keys)
	return pg, err
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

// dropBlobs removes the stored files of keys that no document or version
// refers to any more (identical files are stored once, so another document
// may still use one), unless they are younger than orphanGrace.
func (s *Store) dropBlobs(ctx context.Context, keys []string) (int, error) {
	n := 0
	seen := map[string]bool{}
	before := time.Now().Add(-orphanGrace)
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		var used int
		if err := s.db.QueryRow(ctx, "SELECT (SELECT COUNT(*) FROM documents WHERE blob_key = ?) + (SELECT COUNT(*) FROM document_versions WHERE blob_key = ?)", k, k).Scan(&used); err != nil {
			return n, fmt.Errorf("documents: blob use: %w", err)
		}
		if used > 0 {
			continue
		}
		path := s.blobs.Path(k)
		if info, err := os.Stat(path); err != nil || !info.ModTime().Before(before) {
			continue
		}
		if os.Remove(path) == nil {
			n++
		}
	}
	return n, nil
}
