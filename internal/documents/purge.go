package documents

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
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
