package documents_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/documents"
	"portique/internal/extract"
	"portique/internal/search"
)

func TestUploadExtractAndIndex(t *testing.T) {
	if _, err := os.Stat("/usr/bin/pdftotext"); err != nil {
		dbtest.SkipOrFail(t, "pdftotext not installed (apt-get install poppler-utils)")
	}
	e := newEnv(t)
	f := e.folder(0, "Instances", access.Grant{GroupID: access.Everyone, Level: access.View})
	cr := e.upload(f, "cr-comite-syndical-2025-03-18.pdf", corpus(t, "cr-comite-syndical-2025-03-18.pdf"), "2025-03-25")
	scan := e.upload(f, "arrete.pdf", corpus(t, "arrete-2025-A-027-scan.pdf"), "")
	bad := e.upload(f, "corrupt.pdf", corpus(t, "corrupt-truncated.pdf"), "")
	enc := e.upload(f, "encrypted.pdf", corpus(t, "encrypted.pdf"), "")
	txt := e.upload(f, "notes.txt", []byte("Collecte des encombrants à Nyons\n"), "")

	if cr.TextStatus != documents.TextPending || cr.Title != "cr-comite-syndical-2025-03-18" || cr.MediaType != "application/pdf" {
		t.Fatalf("after upload: %+v", cr)
	}
	// Before extraction the title and file name are already indexed.
	if parts := e.idx.Parts(cr.ID); len(parts) != 1 || parts[0].Part != 0 || parts[0].Body != cr.Filename {
		t.Fatalf("index before extraction = %+v", parts)
	}
	e.runJobs()

	got, err := e.s.Get(e.ctx, e.admin, cr.ID)
	must(t, err)
	if got.TextStatus != documents.TextDone || got.Pages != 4 {
		t.Fatalf("status %q, %d pages; want done, 4", got.TextStatus, got.Pages)
	}
	parts := e.idx.Parts(cr.ID)
	if len(parts) != 5 {
		t.Fatalf("%d index parts, want 5 (name + 4 pages)", len(parts))
	}
	for i, p := range parts {
		if p.Part != i || p.ACLKind != access.Folder || p.ACLID != f || p.FolderID != f ||
			p.Date.Format("2006-01-02") != "2025-03-25" || p.URL != documents.URL(cr.ID) || p.Kind != search.KindDocument {
			t.Errorf("part %d = %+v", i, p)
		}
	}
	if !strings.Contains(strings.Join([]string{parts[1].Body, parts[2].Body, parts[3].Body, parts[4].Body}, " "), "Lambertin") {
		t.Error("page text not indexed")
	}
	if text, err := e.s.PageText(e.ctx, e.admin, cr.ID, 1); err != nil || !strings.Contains(text, "SYDRAV") {
		t.Errorf("PageText = %q, %v", text, err)
	}

	for _, tc := range []struct {
		doc    *documents.Document
		status string
		reason string
	}{
		{scan, documents.TextNone, extract.ReasonScanned},
		{bad, documents.TextNone, extract.ReasonDamaged},
		{enc, documents.TextNone, extract.ReasonEncrypted},
		{txt, documents.TextDone, ""},
	} {
		got, err := e.s.Get(e.ctx, e.admin, tc.doc.ID)
		must(t, err)
		if got.TextStatus != tc.status || got.TextReason != tc.reason {
			t.Errorf("%s: status %q reason %q, want %q %q", got.Filename, got.TextStatus, got.TextReason, tc.status, tc.reason)
		}
		// Stored and downloadable like any other.
		_, err = e.read(access.Anonymous(), tc.doc.ID, 0)
		must(t, err)
	}
	if n := len(e.idx.Parts(enc.ID)); n != 1 {
		t.Errorf("encrypted document has %d index parts, want only its name", n)
	}
}

func TestUploadBadInput(t *testing.T) {
	e := newEnv(t)
	g := e.group("Élus")
	viewer := e.user("viewer@sydrav.fr", false, g)
	f := e.folder(0, "Rapports", access.Grant{GroupID: g, Level: access.View})
	hidden := e.folder(0, "Marchés", access.Grant{GroupID: e.group("Autres"), Level: access.View})
	pdf := corpus(t, "deliberation-2026-014.pdf")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82")
	bomb := zipBomb(t)

	cases := []struct {
		name  string
		p     access.Principal
		in    documents.UploadInput
		field string // field of the valid.Errors, or "" for wantErr
		want  error
	}{
		{"too large", e.admin, documents.UploadInput{FolderID: f, Filename: "gros.pdf", Body: bytes.NewReader(make([]byte, 3<<20))}, "file", nil},
		{"empty", e.admin, documents.UploadInput{FolderID: f, Filename: "vide.pdf", Body: bytes.NewReader(nil)}, "file", nil},
		{"html page", e.admin, documents.UploadInput{FolderID: f, Filename: "page.txt", Body: strings.NewReader("<html><script>alert(1)</script></html>")}, "file", nil},
		{"executable", e.admin, documents.UploadInput{FolderID: f, Filename: "setup.pdf", Body: bytes.NewReader(append([]byte("MZ\x90\x00"), make([]byte, 200)...))}, "file", nil},
		{"png named pdf", e.admin, documents.UploadInput{FolderID: f, Filename: "rapport.pdf", Body: bytes.NewReader(png)}, "file", nil},
		{"zip bomb docx", e.admin, documents.UploadInput{FolderID: f, Filename: "cr.docx", Body: bytes.NewReader(bomb)}, "file", nil},
		{"cut upload", e.admin, documents.UploadInput{FolderID: f, Filename: "cr.pdf", Body: io.MultiReader(bytes.NewReader(pdf[:1000]), errReader{})}, "file", nil},
		{"bad date", e.admin, documents.UploadInput{FolderID: f, Filename: "cr.pdf", PublishedOn: "31/02/2026", Body: bytes.NewReader(pdf)}, "published_on", nil},
		{"view-only folder", viewer, documents.UploadInput{FolderID: f, Filename: "cr.pdf", Body: bytes.NewReader(pdf)}, "", access.ErrForbidden},
		{"invisible folder", viewer, documents.UploadInput{FolderID: hidden, Filename: "cr.pdf", Body: bytes.NewReader(pdf)}, "", db.ErrNotFound},
		{"anonymous", access.Anonymous(), documents.UploadInput{FolderID: f, Filename: "cr.pdf", Body: bytes.NewReader(pdf)}, "", db.ErrNotFound},
		{"forged folder id", e.admin, documents.UploadInput{FolderID: 999999, Filename: "cr.pdf", Body: bytes.NewReader(pdf)}, "", db.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.s.Upload(e.ctx, e.as(tc.p), tc.in)
			if tc.field != "" {
				if fieldKey(t, err, tc.field) == "" {
					t.Fatalf("err = %v, want a French message for %q", err, tc.field)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// Nothing half-written: no row, no stored or temporary file.
	var n int
	must(t, e.d.QueryRow(e.ctx, "SELECT COUNT(*) FROM documents").Scan(&n))
	if n != 0 {
		t.Errorf("%d documents written by refused uploads", n)
	}
	files := 0
	filepath.Walk(e.s.Blobs().Dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			files++
			t.Logf("left behind: %s", p)
		}
		return nil
	})
	if files != 0 {
		t.Errorf("%d files left in blob storage", files)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestTypesAndNames(t *testing.T) {
	e := newEnv(t)
	f := e.folder(0, "Technique")
	cases := []struct {
		name, wantName, wantType string
		body                     []byte
	}{
		{"../../etc/passwd", "passwd.txt", "text/plain", []byte("root:x:0:0\n")},
		{"C:\\Users\\élu\\Compte rendu.PDF", "Compte rendu.PDF", "application/pdf", corpus(t, "deliberation-2026-014.pdf")},
		{"sans extension", "sans extension.pdf", "application/pdf", corpus(t, "deliberation-2026-014.pdf")},
		{"tonnages.csv", "tonnages.csv", "text/csv", []byte("commune;tonnage\nNyons;12\nDie;8\n")},
		{"a\x00b.pdf", "ab.pdf", "application/pdf", corpus(t, "deliberation-2026-014.pdf")},
		{"note.docx", "note.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx(t, "Déchèterie")},
	}
	for _, tc := range cases {
		d, err := e.s.Upload(e.ctx, e.as(e.admin), documents.UploadInput{FolderID: f, Filename: tc.name, Body: bytes.NewReader(tc.body)})
		if err != nil {
			t.Errorf("%q: %v", tc.name, err)
			continue
		}
		if d.Filename != tc.wantName || d.MediaType != tc.wantType {
			t.Errorf("%q stored as %q (%s), want %q (%s)", tc.name, d.Filename, d.MediaType, tc.wantName, tc.wantType)
		}
	}
	long := strings.Repeat("é", 300) + ".pdf"
	d, err := e.s.Upload(e.ctx, e.as(e.admin), documents.UploadInput{FolderID: f, Filename: long, Body: bytes.NewReader(corpus(t, "deliberation-2026-014.pdf"))})
	must(t, err)
	if len(d.Filename) > documents.MaxFilenameBytes || !strings.HasSuffix(d.Filename, ".pdf") {
		t.Errorf("300-char name stored as %d bytes %q", len(d.Filename), d.Filename)
	}
}

// Identical bytes are stored once.
func TestBlobDeduplication(t *testing.T) {
	e := newEnv(t)
	f := e.folder(0, "Rapports")
	a := e.upload(f, "a.pdf", corpus(t, "deliberation-2026-014.pdf"), "")
	b := e.upload(f, "b.pdf", corpus(t, "deliberation-2026-014.pdf"), "")
	if a.BlobKey != b.BlobKey || a.ID == b.ID {
		t.Fatalf("keys %s %s", a.BlobKey, b.BlobKey)
	}
	files := 0
	filepath.Walk(e.s.Blobs().Dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			files++
		}
		return nil
	})
	if files != 1 {
		t.Fatalf("%d files stored, want 1", files)
	}
}

func TestReplaceKeepsURLAndVersions(t *testing.T) {
	e := newEnv(t)
	g := e.group("Techniciens")
	editor := e.user("tech@sydrav.fr", false, g)
	elus := e.group("Élus")
	viewer := e.user("viewer@sydrav.fr", false, elus)
	f := e.folder(0, "Technique", access.Grant{GroupID: g, Level: access.Edit}, access.Grant{GroupID: elus, Level: access.View})
	d := e.upload(f, "note.txt", []byte("version un\n"), "2026-10-01")
	first := d.AddedAt
	e.clock.mu.Lock()
	e.clock.t = e.clock.t.Add(48 * time.Hour)
	e.clock.mu.Unlock()

	// Two editors replace at once: both files are kept, one after the other.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, body := range []string{"version deux\n", "version trois\n"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.s.Replace(e.ctx, e.as(editor), d.ID, "note.txt", strings.NewReader(body))
		}()
	}
	wg.Wait()
	must(t, errs[0])
	must(t, errs[1])
	cur, err := e.s.Get(e.ctx, editor, d.ID)
	must(t, err)
	if cur.Version != 3 || cur.ID != d.ID {
		t.Fatalf("version %d, want 3", cur.Version)
	}
	// "Ajouté le" is the first upload's date; the current file has its own.
	if !cur.CreatedAt.Equal(first) || cur.AddedAt.Equal(first) {
		t.Errorf("after replacement: created %v added %v, want created %v and a later added", cur.CreatedAt, cur.AddedAt, first)
	}
	vs, err := e.s.Versions(e.ctx, editor, d.ID)
	must(t, err)
	if len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 {
		t.Fatalf("versions = %+v", vs)
	}
	seen := map[string]bool{}
	for _, v := range vs {
		b, err := e.read(editor, d.ID, v.Version)
		must(t, err)
		seen[string(b)] = true
	}
	b, _ := e.read(editor, d.ID, 0)
	seen[string(b)] = true
	for _, want := range []string{"version un\n", "version deux\n", "version trois\n"} {
		if !seen[want] {
			t.Errorf("lost %q", want)
		}
	}
	// Versions are for editors only; a viewer may not list or replace.
	if _, err := e.s.Versions(e.ctx, viewer, d.ID); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("viewer Versions err = %v, want forbidden", err)
	}
	if _, err := e.s.Replace(e.ctx, e.as(viewer), d.ID, "x.txt", strings.NewReader("pirate")); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("viewer Replace err = %v, want forbidden", err)
	}
	if _, err := e.read(viewer, d.ID, 1); err == nil {
		t.Error("viewer opened an old version")
	}
}

func TestMoveNeedsEditOnBothFolders(t *testing.T) {
	e := newEnv(t)
	tech := e.group("Techniciens")
	elus := e.group("Élus")
	editor := e.user("tech@sydrav.fr", false, tech)
	src := e.folder(0, "Technique", access.Grant{GroupID: tech, Level: access.Edit})
	viewOnly := e.folder(0, "Rapports", access.Grant{GroupID: tech, Level: access.View})
	secret := e.folder(0, "Élus", access.Grant{GroupID: elus, Level: access.Edit})
	dst := e.folder(0, "Formation", access.Grant{GroupID: tech, Level: access.Edit})
	d := e.upload(src, "note.txt", []byte("note\n"), "")

	for _, target := range []int64{viewOnly, secret, 424242} {
		err := e.s.Move(e.ctx, e.as(editor), d.ID, target)
		if fieldKey(t, err, "folder") == "" {
			t.Errorf("move into %d: err = %v, want a folder error", target, err)
		}
	}
	must(t, e.s.Move(e.ctx, e.as(editor), d.ID, dst))
	got, _ := e.s.Get(e.ctx, editor, d.ID)
	if got.FolderID != dst {
		t.Fatalf("folder %d, want %d", got.FolderID, dst)
	}
	if parts := e.idx.Parts(d.ID); len(parts) == 0 || parts[0].ACLID != dst {
		t.Fatalf("index not moved: %+v", parts)
	}
	// Moving out of a folder one may only view is refused too.
	d2 := e.upload(viewOnly, "r.txt", []byte("r\n"), "")
	if err := e.s.Move(e.ctx, e.as(editor), d2.ID, dst); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("move from view-only folder: err = %v, want forbidden", err)
	}
}

func TestTrashAndRestore(t *testing.T) {
	e := newEnv(t)
	g := e.group("Techniciens")
	editor := e.user("tech@sydrav.fr", false, g)
	f := e.folder(0, "Technique", access.Grant{GroupID: g, Level: access.Edit})
	d := e.upload(f, "note.txt", []byte("note\n"), "")
	must(t, e.s.Trash(e.ctx, e.as(editor), d.ID))
	if _, err := e.s.Get(e.ctx, editor, d.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("trashed document still visible: %v", err)
	}
	if list, total, _ := e.s.List(e.ctx, e.admin, documents.ListQuery{}); len(list) != 0 || total != 0 {
		t.Fatalf("trashed document listed")
	}
	if e.idx.Parts(d.ID) != nil {
		t.Fatal("trashed document still indexed")
	}
	if err := e.s.Restore(e.ctx, e.as(editor), d.ID); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("editor restored: %v", err)
	}
	trash, err := e.s.Trashed(e.ctx, e.admin)
	must(t, err)
	if len(trash) != 1 || trash[0].ID != d.ID {
		t.Fatalf("trash = %+v", trash)
	}
	must(t, e.s.Restore(e.ctx, e.as(e.admin), d.ID))
	if _, err := e.s.Get(e.ctx, editor, d.ID); err != nil {
		t.Fatalf("restored document: %v", err)
	}
	if e.idx.Parts(d.ID) == nil {
		t.Fatal("restored document not indexed")
	}
}

func TestEditsAndValidation(t *testing.T) {
	e := newEnv(t)
	g := e.group("Techniciens")
	editor := e.user("tech@sydrav.fr", false, g)
	f := e.folder(0, "Technique", access.Grant{GroupID: g, Level: access.Edit})
	d := e.upload(f, "note.txt", []byte("note\n"), "2026-01-10")
	must(t, e.s.Rename(e.ctx, e.as(editor), d.ID, "  Note   technique  "))
	must(t, e.s.SetPublishedOn(e.ctx, e.as(editor), d.ID, "2026-11-01"))
	got, _ := e.s.Get(e.ctx, editor, d.ID)
	if got.Title != "Note technique" || got.PublishedOn != "2026-11-01" || got.Archived {
		t.Fatalf("after edits: %+v", got)
	}
	if parts := e.idx.Parts(d.ID); parts[0].Title != "Note technique" || parts[0].Date.Format("2006-01-02") != "2026-11-01" {
		t.Fatalf("index not refreshed: %+v", parts[0])
	}
	if err := e.s.Rename(e.ctx, e.as(editor), d.ID, "   "); fieldKey(t, err, "title") == "" {
		t.Errorf("empty title: %v", err)
	}
	if err := e.s.SetPublishedOn(e.ctx, e.as(editor), d.ID, "2026-13-01"); fieldKey(t, err, "published_on") == "" {
		t.Errorf("bad date: %v", err)
	}
	if err := e.s.Rename(e.ctx, e.as(editor), 999999, "x"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("forged id: %v", err)
	}
}

func TestFolders(t *testing.T) {
	e := newEnv(t)
	g := e.group("Élus")
	manager := e.user("dgs@sydrav.fr", false, g)
	member := e.user("m@sydrav.fr", false)
	root := e.folder(0, "Instances", access.Grant{GroupID: g, Level: access.Manage})
	if _, err := e.s.CreateFolder(e.ctx, e.as(manager), 0, "Racine"); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("non-admin created a root: %v", err)
	}
	sub, err := e.s.CreateFolder(e.ctx, e.as(manager), root, "Comité syndical")
	must(t, err)
	if _, err := e.s.CreateFolder(e.ctx, e.as(manager), root, "Comité  syndical"); fieldKey(t, err, "name") == "" {
		t.Errorf("duplicate name: %v", err)
	}
	if _, err := e.s.CreateFolder(e.ctx, e.as(member), root, "X"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("member without access created a folder: %v", err)
	}
	// The sub-folder inherits; giving it its own grants hides it from the group.
	if _, lvl, err := e.s.Folder(e.ctx, manager, sub); err != nil || lvl != access.Manage {
		t.Fatalf("inherited level %v, %v", lvl, err)
	}
	must(t, e.s.SetFolderGrants(e.ctx, e.as(manager), sub, []access.Grant{{GroupID: access.Members, Level: access.View}}, false))
	if _, _, err := e.s.Folder(e.ctx, member, sub); err != nil {
		t.Fatalf("member cannot see a folder shared with members: %v", err)
	}
	if err := e.s.SetFolderGrants(e.ctx, e.as(member), sub, nil, true); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("viewer changed grants: %v", err)
	}
	tree, err := e.s.Tree(e.ctx, member, false)
	must(t, err)
	if len(tree) != 1 || tree[0].ID != sub || tree[0].Depth != 0 {
		t.Errorf("member tree = %+v, want only the shared sub-folder at top level", tree)
	}
	crumbs, _ := e.s.Breadcrumb(e.ctx, manager, sub) // manager is a member: still sees it
	if len(crumbs) != 2 || crumbs[0].ID != root || crumbs[1].ID != sub {
		t.Errorf("manager breadcrumb = %+v", crumbs)
	}
	must(t, e.s.RenameFolder(e.ctx, e.as(e.admin), sub, "Bureau"))
	if id, err := e.s.FolderByPath(e.ctx, "Instances", "Bureau"); err != nil || id != sub {
		t.Errorf("FolderByPath = %d, %v", id, err)
	}
}

func zipBomb(t testing.TB) []byte {
	return docxOf(t, strings.Repeat(" ", 24<<20))
}

func docx(t testing.TB, text string) []byte {
	return docxOf(t, "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>"+text+"</w:t></w:r></w:p></w:body></w:document>")
}
