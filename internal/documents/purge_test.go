package documents_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPurgeOrphans(t *testing.T) {
	e := newEnv(t)
	f := e.folder(0, "Rapports")
	kept := e.upload(f, "a.txt", []byte("gardé\n"), "")
	trashed := e.upload(f, "b.txt", []byte("à la corbeille\n"), "")
	must(t, e.s.Trash(e.ctx, e.as(e.admin), trashed.ID))
	replaced := e.upload(f, "c.txt", []byte("version un\n"), "")
	_, err := e.s.Replace(e.ctx, e.as(e.admin), replaced.ID, "c.txt", strings.NewReader("version deux\n"))
	must(t, err)
	// An orphan (stored, never recorded) and a stale temporary file.
	st, err := e.s.Blobs().Stage(strings.NewReader("orphelin\n"), 1<<20)
	must(t, err)
	orphan, err := st.Commit()
	must(t, err)
	tmp := filepath.Join(e.s.Blobs().Dir, "tmp", "up-stale")
	must(t, os.WriteFile(tmp, []byte("x"), 0o600))
	old := time.Now().Add(-2 * time.Hour)
	filepath.Walk(e.s.Blobs().Dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	// A fresh orphan is spared (an upload may be committing it).
	st2, _ := e.s.Blobs().Stage(strings.NewReader("tout neuf\n"), 1<<20)
	fresh, _ := st2.Commit()

	n, err := e.s.PurgeOrphans(e.ctx, time.Hour)
	must(t, err)
	if n != 2 {
		t.Errorf("purged %d files, want 2 (the orphan and the stale temporary file)", n)
	}
	for _, k := range []string{kept.BlobKey, trashed.BlobKey, replaced.BlobKey, fresh} {
		if _, err := os.Stat(e.s.Blobs().Path(k)); err != nil {
			t.Errorf("file %s removed: %v", k[:8], err)
		}
	}
	vs, _ := e.s.Versions(e.ctx, e.admin, replaced.ID)
	if _, err := os.Stat(e.s.Blobs().Path(vs[0].BlobKey)); err != nil {
		t.Error("an old version's file was removed")
	}
	if _, err := os.Stat(e.s.Blobs().Path(orphan)); err == nil {
		t.Error("the orphan is still there")
	}
	if _, err := os.Stat(tmp); err == nil {
		t.Error("the stale temporary file is still there")
	}
}
