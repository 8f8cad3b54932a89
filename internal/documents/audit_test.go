package documents_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/documents"
)

// entries returns the trail's entries of one action, oldest first.
func (e *env) entries(action string) []audit.Entry {
	e.t.Helper()
	got, _, err := audit.Find(e.ctx, e.d, audit.Filter{Action: action, Limit: 500})
	must(e.t, err)
	var out []audit.Entry
	for i := len(got) - 1; i >= 0; i-- {
		if got[i].Action == action { // Filter.Action is a prefix
			out = append(out, got[i])
		}
	}
	return out
}

// Every change of the document space writes its audit entry in its own
// transaction: a refused change leaves no entry, a done one exactly one,
// naming the actor, the object and data (never a sentence).
func TestChangesWriteOneEntryEach(t *testing.T) {
	e := newEnv(t)
	eds := e.group("Éditeurs")
	ed := e.user("editeur@sydrav.fr", false, eds)
	viewer := e.user("lecteur@sydrav.fr", false, e.group("Lecteurs"))
	top := e.folder(0, "Instances", access.Grant{GroupID: eds, Level: access.Manage}, access.Grant{GroupID: access.Everyone, Level: access.View})
	other := e.folder(0, "Technique", access.Grant{GroupID: eds, Level: access.Edit})
	sub := e.folder(top, "Comité")
	doc := e.upload(sub, "cr.txt", []byte("compte rendu\n"), "")
	private := e.folder(0, "Privé", access.Grant{GroupID: eds, Level: access.Edit})
	secret := e.upload(private, "secret.txt", []byte("secret\n"), "")
	var created, trashedFolder, lone int64

	cases := []struct {
		action  string
		refused func() error
		done    func() error
		detail  string // what the detail holds (prefix)
	}{
		{"folder.created",
			func() error { _, err := e.s.CreateFolder(e.ctx, e.as(viewer), top, "Bureau"); return err },
			func() (err error) { created, err = e.s.CreateFolder(e.ctx, e.as(ed), top, "  Bureau "); return err },
			"Bureau"},
		{"folder.renamed",
			func() error { return e.s.RenameFolder(e.ctx, e.as(ed), sub, " ") },
			func() error { return e.s.RenameFolder(e.ctx, e.as(ed), sub, "Comité syndical") },
			"Comité syndical"},
		{"folder.grants",
			func() error { return e.s.SetFolderGrants(e.ctx, e.as(viewer), created, nil, true) },
			func() error {
				return e.s.SetFolderGrants(e.ctx, e.as(ed), created, []access.Grant{{GroupID: eds, Level: access.Manage}}, false)
			},
			audit.Object("group", eds) + "=manage"},
		{"folder.moved",
			func() error { return e.s.MoveFolder(e.ctx, e.as(e.admin), top, sub) }, // into its own sub-folder
			func() error { return e.s.MoveFolder(e.ctx, e.as(ed), created, other) },
			"from=" + audit.Object("folder", top) + " to=" + audit.Object("folder", other)},
		{"folder.trashed",
			func() error { _, err := e.s.TrashFolder(e.ctx, e.as(ed), top); return err }, // top level: administrators only
			func() error {
				trashedFolder = created
				_, err := e.s.TrashFolder(e.ctx, e.as(e.admin), created)
				return err
			},
			"Bureau folders=0 documents=0"},
		{"folder.restored",
			func() error { _, err := e.s.RestoreFolder(e.ctx, e.as(ed), trashedFolder); return err },
			func() error { _, err := e.s.RestoreFolder(e.ctx, e.as(e.admin), trashedFolder); return err },
			"Bureau"},
		{"document.uploaded",
			func() error {
				_, err := e.s.Upload(e.ctx, e.as(ed), documents.UploadInput{FolderID: sub, Filename: "vide.txt", Body: bytes.NewReader(nil)})
				return err
			},
			func() error {
				d, err := e.s.Upload(e.ctx, e.as(ed), documents.UploadInput{FolderID: sub, Filename: "seul.txt", Body: strings.NewReader("seul\n")})
				if err == nil {
					lone = d.ID
				}
				return err
			},
			"seul.txt"},
		{"document.replaced",
			func() error {
				_, err := e.s.Replace(e.ctx, e.as(viewer), doc.ID, "cr.txt", strings.NewReader("pirate\n"))
				return err
			},
			func() error {
				_, err := e.s.Replace(e.ctx, e.as(ed), doc.ID, "cr-v2.txt", strings.NewReader("v2\n"))
				return err
			},
			"cr-v2.txt version=2"},
		{"document.trashed",
			func() error { return e.s.Trash(e.ctx, e.as(viewer), lone) },
			func() error { return e.s.Trash(e.ctx, e.as(ed), lone) },
			"seul.txt"},
		{"document.restored",
			func() error { return e.s.Restore(e.ctx, e.as(ed), lone) },
			func() error { return e.s.Restore(e.ctx, e.as(e.admin), lone) },
			"seul.txt"},
		{"document.download",
			func() error { _, err := e.read(viewer, secret.ID, 0); return err },
			func() error { _, err := e.read(ed, secret.ID, 0); return err },
			"secret.txt"},
		{"document.purged",
			func() error {
				must(t, e.s.Trash(e.ctx, e.as(ed), lone))
				_, err := e.s.DeleteForGood(e.ctx, e.as(ed), lone)
				return err
			},
			func() error { _, err := e.s.DeleteForGood(e.ctx, e.as(e.admin), lone); return err },
			"seul documents=1 files="},
		{"folder.purged",
			func() error {
				_, err := e.s.TrashFolder(e.ctx, e.as(e.admin), created)
				must(t, err)
				_, err = e.s.DeleteFolderForGood(e.ctx, e.as(ed), created)
				return err
			},
			func() error { _, err := e.s.DeleteFolderForGood(e.ctx, e.as(e.admin), created); return err },
			"Bureau documents=0 files=0"},
	}
	for _, c := range cases {
		before := len(e.entries(c.action))
		if err := c.refused(); err == nil {
			t.Fatalf("%s: the refused change went through", c.action)
		}
		if n := len(e.entries(c.action)) - before; n != 0 {
			t.Errorf("%s: a refused change left %d entries", c.action, n)
		}
		if err := c.done(); err != nil {
			t.Fatalf("%s: %v", c.action, err)
		}
		got := e.entries(c.action)
		if len(got)-before != 1 {
			t.Fatalf("%s: %d entries for one change, want 1", c.action, len(got)-before)
		}
		last := got[len(got)-1]
		if last.Actor == "" || last.ActorID == 0 || last.IP != "192.0.2.10" || !strings.HasPrefix(last.Object, strings.Split(c.action, ".")[0]+":") {
			t.Errorf("%s: entry %+v does not name its actor, address and object", c.action, last)
		}
		if !strings.HasPrefix(last.Detail, c.detail) {
			t.Errorf("%s: detail %q, want it to start with %q", c.action, last.Detail, c.detail)
		}
	}

	// A public document's downloads are not traced; a resumed download
	// (a later chunk) is not traced twice.
	before := len(e.entries("document.download"))
	_, err := e.read(access.Anonymous(), doc.ID, 0)
	must(t, err)
	dl, err := e.s.OpenForDownload(e.ctx, e.as(ed), secret.ID, 0, true)
	must(t, err)
	dl.File.Close()
	if n := len(e.entries("document.download")) - before; n != 0 {
		t.Errorf("%d entries for a public download and a resumed one", n)
	}
}

// The trash's expiry is the system's doing: one entry per item, without an
// account, saying how long it waited.
func TestPurgeExpiredTrail(t *testing.T) {
	e := newEnv(t)
	f := e.folder(0, "Rapports")
	d := e.upload(f, "vieux.txt", []byte("vieux\n"), "")
	must(t, e.s.Trash(e.ctx, e.as(e.admin), d.ID))
	if _, err := e.s.PurgeExpired(e.ctx, e.as(e.user("membre@sydrav.fr", false))); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("a member purges the trash: %v", err)
	}
	e.clock.t = e.clock.t.Add(31 * 24 * time.Hour)
	purged, err := e.s.PurgeExpired(e.ctx, access.System())
	must(t, err)
	got := e.entries("document.purged")
	if len(purged) != 1 || len(got) != 1 {
		t.Fatalf("purged %+v, %d entries; want one of each", purged, len(got))
	}
	if got[0].ActorID != 0 || got[0].Actor != "" || got[0].Object != audit.Object("document", d.ID) || got[0].Detail != "vieux documents=1 files=0 days=30" {
		t.Errorf("entry %+v", got[0])
	}
}

// A change and its entry commit together: when the entry cannot be
// written, the change is undone too.
func TestNoChangeWithoutItsEntry(t *testing.T) {
	e := newEnv(t)
	f := e.folder(0, "Rapports")
	sub := e.folder(f, "Annexes")
	d := e.upload(f, "note.txt", []byte("note\n"), "")
	var docs0 int
	must(t, e.d.QueryRow(e.ctx, "SELECT COUNT(*) FROM documents").Scan(&docs0))

	_, err := e.d.Exec(e.ctx, "ALTER TABLE audit RENAME TO audit_away")
	must(t, err)
	if err := e.s.RenameFolder(e.ctx, e.as(e.admin), sub, "Pièces"); err == nil {
		t.Error("a rename went through without its entry")
	}
	if _, err := e.s.TrashFolder(e.ctx, e.as(e.admin), sub); err == nil {
		t.Error("a folder went to the trash without its entry")
	}
	if err := e.s.Trash(e.ctx, e.as(e.admin), d.ID); err == nil {
		t.Error("a document went to the trash without its entry")
	}
	if _, err := e.s.Upload(e.ctx, e.as(e.admin), documents.UploadInput{FolderID: f, Filename: "b.txt", Body: strings.NewReader("b\n")}); err == nil {
		t.Error("an upload went through without its entry")
	}
	_, err = e.d.Exec(e.ctx, "ALTER TABLE audit_away RENAME TO audit")
	must(t, err)

	if got, _, err := e.s.Folder(e.ctx, e.admin, sub); err != nil || got.Name != "Annexes" {
		t.Errorf("folder after the failed changes: %+v, %v", got, err)
	}
	if _, err := e.s.Get(e.ctx, e.admin, d.ID); errors.Is(err, db.ErrNotFound) {
		t.Error("the document is in the trash")
	}
	var docs int
	must(t, e.d.QueryRow(e.ctx, "SELECT COUNT(*) FROM documents").Scan(&docs))
	if docs != docs0 {
		t.Errorf("%d documents, want %d", docs, docs0)
	}
	if n := len(e.entries("folder.renamed")); n != 0 {
		t.Errorf("%d rename entries", n)
	}
}
