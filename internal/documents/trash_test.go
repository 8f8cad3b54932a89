package documents_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/documents"
)

// ageBlobs makes every stored file look old enough to be removed.
func (e *env) ageBlobs() {
	old := time.Now().Add(-2 * time.Hour)
	filepath.Walk(e.s.Blobs().Dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
}

func (e *env) blobExists(key string) bool {
	_, err := os.Stat(e.s.Blobs().Path(key))
	return err == nil
}

func TestTrashFolderAndRestore(t *testing.T) {
	e := newEnv(t)
	ed := e.group("Éditeurs")
	m := e.user("editeur@sydrav.fr", false, ed)
	inst := e.folder(0, "Instances", access.Grant{GroupID: ed, Level: access.Manage}, access.Grant{GroupID: access.Everyone, Level: access.View})
	comite := e.folder(inst, "Comité")
	annee := e.folder(comite, "2026")
	prive := e.folder(comite, "Privé", []access.Grant{}...)
	cr := e.upload(comite, "cr.txt", []byte("compte rendu\n"), "")
	old := e.upload(annee, "ancien.txt", []byte("ancien\n"), "2020-01-01") // archived
	pv := e.upload(prive, "pv.txt", []byte("pv\n"), "")
	alone := e.upload(comite, "seul.txt", []byte("trashed on its own\n"), "")
	must(t, e.s.Trash(e.ctx, e.as(m), alone.ID))

	// Refusals.
	_, err := e.s.TrashFolder(e.ctx, e.as(m), inst)
	fieldErr(t, "a top-level folder by a manager", err, "folder")
	_, err = e.s.TrashFolder(e.ctx, e.as(m), comite)
	fieldErr(t, "a folder holding a sub-folder the manager does not manage", err, "folder")
	if _, err := e.s.TrashFolder(e.ctx, e.as(access.Anonymous()), comite); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("anonymous: %v, want access.ErrForbidden", err)
	}
	if _, err := e.s.TrashFolder(e.ctx, e.as(m), 987654); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("forged id: %v, want db.ErrNotFound", err)
	}
	if got, err := e.s.Get(e.ctx, e.admin, cr.ID); err != nil || got.TrashedAt != nil {
		t.Fatalf("a refused deletion trashed a document: %+v %v", got, err)
	}
	must(t, e.s.SetFolderGrants(e.ctx, e.as(e.admin), prive, nil, true)) // now inherits: the manager manages it

	c, err := e.s.FolderContents(e.ctx, m, comite)
	must(t, err)
	if c.Folders != 2 || c.Documents != 3 {
		t.Fatalf("contents = %+v, want 2 sub-folders and 3 documents", c)
	}
	c, err = e.s.TrashFolder(e.ctx, e.as(m), comite)
	must(t, err)
	if c.Folders != 2 || c.Documents != 3 {
		t.Errorf("trashed %+v, want 2 sub-folders and 3 documents", c)
	}

	// Nothing of it shows anywhere, for anyone.
	for name, p := range map[string]access.Principal{"admin": e.admin, "manager": m, "anonymous": access.Anonymous()} {
		for _, f := range []int64{comite, annee, prive} {
			if _, _, err := e.s.Folder(e.ctx, p, f); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("%s: folder %d: %v, want db.ErrNotFound", name, f, err)
			}
			for _, archived := range []bool{false, true} {
				docs, n, err := e.s.List(e.ctx, p, documents.ListQuery{FolderID: f, Archived: archived})
				if err != nil || n != 0 || len(docs) != 0 {
					t.Errorf("%s: listing folder %d (archive %v): %d, %v", name, f, archived, n, err)
				}
			}
			if docs, _ := e.s.ListForBlock(e.ctx, p, f, 10); len(docs) != 0 {
				t.Errorf("%s: the document-list block of folder %d shows %d documents", name, f, len(docs))
			}
		}
		for _, archived := range []bool{false, true} {
			docs, n, err := e.s.List(e.ctx, p, documents.ListQuery{Archived: archived})
			must(t, err)
			if n != 0 || len(docs) != 0 {
				t.Errorf("%s: listing every folder (archive %v) shows %d documents", name, archived, n)
			}
			tree, err := e.s.Tree(e.ctx, p, archived)
			must(t, err)
			for _, f := range tree {
				if f.ID != inst {
					t.Errorf("%s: the tree shows %q", name, f.Name)
				}
				if f.Count != 0 {
					t.Errorf("%s: the tree counts %d documents in %q", name, f.Count, f.Name)
				}
			}
		}
		for _, d := range []int64{cr.ID, old.ID, pv.ID} {
			if _, err := e.s.Get(e.ctx, p, d); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("%s: Get %d: %v", name, d, err)
			}
			if _, err := e.read(p, d, 0); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("%s: download %d: %v", name, d, err)
			}
		}
	}
	for _, d := range []int64{cr.ID, old.ID, pv.ID} {
		if parts := e.idx.Parts(d); parts != nil {
			t.Errorf("document %d still indexed", d)
		}
	}
	editable, err := e.s.EditableFolders(e.ctx, e.admin)
	must(t, err)
	if len(editable) != 1 {
		t.Errorf("editable folders = %+v, want Instances only", editable)
	}
	// Nothing goes into a folder of the trash.
	if _, err := e.s.Upload(e.ctx, e.as(e.admin), documents.UploadInput{FolderID: comite, Filename: "x.txt", Body: strings.NewReader("x")}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("upload into a trashed folder: %v", err)
	}
	if _, err := e.s.CreateFolder(e.ctx, e.as(e.admin), annee, "Sous"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("create under a trashed folder: %v", err)
	}
	keep := e.upload(inst, "garde.txt", []byte("garde\n"), "")
	fieldErr(t, "moving a document into a trashed folder", e.s.Move(e.ctx, e.as(e.admin), keep.ID, comite), "folder")
	other := e.folder(0, "Autre")
	fieldErr(t, "moving a folder into a trashed folder", e.s.MoveFolder(e.ctx, e.as(e.admin), other, annee), "parent")

	// The trash lists the folder as one item, and the document trashed on
	// its own before as another.
	if _, err := e.s.TrashedFolders(e.ctx, m); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("a manager lists the trash: %v", err)
	}
	folders, err := e.s.TrashedFolders(e.ctx, e.admin)
	must(t, err)
	if len(folders) != 1 || folders[0].ID != comite || folders[0].Path != "Instances" || folders[0].Folders != 2 || folders[0].Documents != 3 {
		t.Fatalf("trashed folders = %+v", folders)
	}
	docs, err := e.s.Trashed(e.ctx, e.admin)
	must(t, err)
	if len(docs) != 1 || docs[0].ID != alone.ID {
		t.Fatalf("trashed documents = %+v, want only the one trashed on its own", docs)
	}
	// That document cannot come back while its folder is in the trash.
	var tp *documents.TrashedParentError
	if err := e.s.Restore(e.ctx, e.as(e.admin), alone.ID); !errors.As(err, &tp) || tp.Folder != "Comité" {
		t.Errorf("restoring a document of a trashed folder: %v", err)
	}
	// A document or sub-folder that left with the folder is not an item.
	if err := e.s.Restore(e.ctx, e.as(e.admin), cr.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("restoring a document that left with its folder: %v", err)
	}
	if _, err := e.s.RestoreFolder(e.ctx, e.as(e.admin), annee); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("restoring a sub-folder that left with its folder: %v", err)
	}
	if _, err := e.s.RestoreFolder(e.ctx, e.as(m), comite); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("a manager restores: %v", err)
	}

	// Meanwhile a new "Comité" takes the name, and the parent moves.
	e.folder(inst, "Comité")
	root2 := e.folder(0, "Archives 2026")
	must(t, e.s.MoveFolder(e.ctx, e.as(e.admin), inst, root2))
	name, err := e.s.RestoreFolder(e.ctx, e.as(e.admin), comite)
	must(t, err)
	if name != "Comité (restauré)" {
		t.Errorf("restored as %q, want %q", name, "Comité (restauré)")
	}
	if crumbs, _ := e.s.Breadcrumb(e.ctx, e.admin, annee); len(crumbs) != 4 || crumbs[0].ID != root2 || crumbs[1].ID != inst {
		t.Errorf("restored under %+v, want Archives 2026 › Instances", crumbs)
	}
	for _, d := range []int64{cr.ID, old.ID, pv.ID} {
		if _, err := e.s.Get(e.ctx, access.Anonymous(), d); err != nil {
			t.Errorf("document %d after restore: %v", d, err)
		}
		if e.idx.Parts(d) == nil {
			t.Errorf("document %d not indexed again", d)
		}
	}
	if _, err := e.s.Get(e.ctx, e.admin, alone.ID); !errors.Is(err, db.ErrNotFound) {
		t.Error("the document trashed on its own came back with the folder")
	}
	must(t, e.s.Restore(e.ctx, e.as(e.admin), alone.ID))

	// A sub-folder trashed on its own waits for its parent.
	_, err = e.s.TrashFolder(e.ctx, e.as(e.admin), annee)
	must(t, err)
	_, err = e.s.TrashFolder(e.ctx, e.as(e.admin), comite)
	must(t, err)
	if _, err := e.s.RestoreFolder(e.ctx, e.as(e.admin), annee); !errors.As(err, &tp) {
		t.Errorf("restoring a sub-folder of a trashed folder: %v", err)
	}
	_, err = e.s.RestoreFolder(e.ctx, e.as(e.admin), comite)
	must(t, err)
	_, err = e.s.RestoreFolder(e.ctx, e.as(e.admin), annee)
	must(t, err)
	if _, err := e.s.Get(e.ctx, e.admin, old.ID); err != nil {
		t.Errorf("document of the sub-folder after both restores: %v", err)
	}
}

func TestPurgeTrash(t *testing.T) {
	e := newEnv(t)
	f := e.folder(0, "Rapports")
	sub := e.folder(f, "Annexes")
	keep := e.folder(0, "Gardé")
	shared := []byte("mêmes octets\n")
	a := e.upload(sub, "a.txt", shared, "")
	b := e.upload(keep, "b.txt", shared, "") // same bytes, stays
	c := e.upload(f, "c.txt", []byte("version un\n"), "")
	_, err := e.s.Replace(e.ctx, e.as(e.admin), c.ID, "c.txt", strings.NewReader("version deux\n"))
	must(t, err)
	vs, err := e.s.Versions(e.ctx, e.admin, c.ID)
	must(t, err)
	c, _ = e.s.Get(e.ctx, e.admin, c.ID)
	early := e.upload(f, "early.txt", []byte("trashed first\n"), "")
	must(t, e.s.Trash(e.ctx, e.as(e.admin), early.ID))
	e.ageBlobs()

	t0 := e.clock.Now()
	_, err = e.s.TrashFolder(e.ctx, e.as(e.admin), f)
	must(t, err)
	e.clock.t = t0.Add(10 * 24 * time.Hour)
	d := e.upload(keep, "d.txt", []byte("corbeille plus tard\n"), "")
	must(t, e.s.Trash(e.ctx, e.as(e.admin), d.ID))
	e.ageBlobs()

	// Not yet due.
	e.clock.t = t0.Add(29 * 24 * time.Hour)
	purged, err := e.s.PurgeExpired(e.ctx, access.System())
	must(t, err)
	if len(purged) != 0 {
		t.Fatalf("purged %+v before 30 days", purged)
	}
	// The folder is due, and goes with everything below it (the document
	// trashed on its own inside it before included); the later document
	// is not due.
	e.clock.t = t0.Add(30*24*time.Hour + time.Minute)
	purged, err = e.s.PurgeExpired(e.ctx, access.System())
	must(t, err)
	if len(purged) != 1 || purged[0].Kind != "folder" || purged[0].ID != f || purged[0].Documents != 3 || purged[0].Files != 3 {
		t.Fatalf("purged %+v, want the folder with 3 documents and 3 files (c, its version, early)", purged)
	}
	if !e.blobExists(a.BlobKey) {
		t.Error("a file still used by another document was removed")
	}
	if _, err := e.s.Get(e.ctx, e.admin, b.ID); err != nil {
		t.Errorf("the other document: %v", err)
	}
	for _, k := range []string{c.BlobKey, vs[0].BlobKey, early.BlobKey} {
		if e.blobExists(k) {
			t.Errorf("file %s… of a purged document or version is still stored", k[:8])
		}
	}
	if !e.blobExists(d.BlobKey) {
		t.Error("the document not yet due lost its file")
	}
	var n int
	must(t, e.d.QueryRow(e.ctx, "SELECT COUNT(*) FROM folders WHERE id IN (?, ?)", f, sub).Scan(&n))
	if n != 0 {
		t.Error("folder rows left")
	}
	must(t, e.d.QueryRow(e.ctx, "SELECT (SELECT COUNT(*) FROM documents WHERE id IN (?, ?, ?)) + (SELECT COUNT(*) FROM document_versions WHERE document_id = ?)", a.ID, c.ID, early.ID, c.ID).Scan(&n))
	if n != 0 {
		t.Error("document or version rows left")
	}
	must(t, e.d.QueryRow(e.ctx, "SELECT COUNT(*) FROM acl_nodes WHERE kind = 'folder' AND id IN (?, ?)", f, sub).Scan(&n))
	if n != 0 {
		t.Error("access nodes left")
	}
	if fs, _ := e.s.TrashedFolders(e.ctx, e.admin); len(fs) != 0 {
		t.Errorf("trash still lists %+v", fs)
	}

	// An administrator deletes one item for good at once; others may not.
	member := e.user("membre@sydrav.fr", false)
	if _, err := e.s.DeleteForGood(e.ctx, e.as(member), d.ID); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("a member deletes for good: %v", err)
	}
	if _, err := e.s.DeleteForGood(e.ctx, e.as(e.admin), b.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("deleting for good a document not in the trash: %v", err)
	}
	if _, err := e.s.DeleteFolderForGood(e.ctx, e.as(e.admin), keep); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("deleting for good a folder not in the trash: %v", err)
	}
	pg, err := e.s.DeleteForGood(e.ctx, e.as(e.admin), d.ID)
	must(t, err)
	if pg.Name != "d" || pg.Files != 1 || e.blobExists(d.BlobKey) {
		t.Errorf("delete for good = %+v; file still there: %v", pg, e.blobExists(d.BlobKey))
	}
	// Now the last user of the shared bytes goes.
	must(t, e.s.Trash(e.ctx, e.as(e.admin), b.ID))
	_, err = e.s.DeleteForGood(e.ctx, e.as(e.admin), b.ID)
	must(t, err)
	if e.blobExists(b.BlobKey) {
		t.Error("a file no document uses any more is still stored")
	}
	// A fresh file (an upload of the same bytes may be committing it) is
	// left to the hourly sweep.
	x := e.upload(keep, "x.txt", []byte("tout neuf\n"), "")
	must(t, e.s.Trash(e.ctx, e.as(e.admin), x.ID))
	pg, err = e.s.DeleteForGood(e.ctx, e.as(e.admin), x.ID)
	must(t, err)
	if pg.Files != 0 || !e.blobExists(x.BlobKey) {
		t.Errorf("a file younger than the grace was removed: %+v", pg)
	}
}
