package documents_test

import (
	"errors"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/documents"
)

// Issue 14: the listings' reads (List, Tree, Folder, Breadcrumb) are kept
// while nothing changes; every change shows at the next read — an upload,
// a rename, a document put in the trash, a withdrawn grant — and so does
// the archive rule when the day turns, with nothing written. What a caller
// does to a returned slice does not reach the next reader.
func TestListingsKeptFresh(t *testing.T) {
	e := newEnv(t)
	anon := access.Anonymous()
	pub := e.folder(0, "Publics", access.Grant{GroupID: access.Everyone, Level: access.View})
	sub := e.folder(pub, "Comptes rendus")
	// Exactly three months before the clock's day (28 November): current
	// today, archived the day after next.
	old := e.upload(sub, "cr-aout.txt", []byte("Compte rendu d'août."), "2026-08-28")

	titles := func(lq documents.ListQuery) []string {
		t.Helper()
		docs, total, err := e.s.List(e.ctx, anon, lq)
		must(t, err)
		if total != len(docs) {
			t.Fatalf("total %d for %d documents", total, len(docs))
		}
		var out []string
		for _, d := range docs {
			out = append(out, d.Title)
		}
		return out
	}
	tree := func(archived bool) map[string]int {
		t.Helper()
		folders, err := e.s.Tree(e.ctx, anon, archived)
		must(t, err)
		out := map[string]int{}
		for _, f := range folders {
			out[f.Name] = f.Count
		}
		return out
	}
	same := func(what string, got, want []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %q, want %q", what, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: %q, want %q", what, got, want)
			}
		}
	}

	for range 3 {
		same("current documents", titles(documents.ListQuery{}), []string{"cr-aout"})
	}
	if c := tree(false); c["Publics"] != 1 || c["Comptes rendus"] != 1 {
		t.Fatalf("tree = %v", c)
	}
	// A caller changing its copy changes nothing for the next one.
	docs, _, err := e.s.List(e.ctx, anon, documents.ListQuery{})
	must(t, err)
	docs[0].Title = "abîmé"
	folders, err := e.s.Tree(e.ctx, anon, false)
	must(t, err)
	folders[0].Name = "abîmé"
	same("after a caller changed its copy", titles(documents.ListQuery{}), []string{"cr-aout"})
	if c := tree(false); c["abîmé"] != 0 || c["Publics"] != 1 {
		t.Fatalf("tree after a caller changed its copy = %v", c)
	}

	// An upload and a rename show at once.
	fresh := e.upload(sub, "cr-novembre.txt", []byte("Compte rendu de novembre."), "2026-11-20")
	same("after an upload", titles(documents.ListQuery{FolderID: sub}), []string{"cr-novembre", "cr-aout"})
	must(t, e.s.Rename(e.ctx, e.as(e.admin), fresh.ID, "CR du 20 novembre"))
	same("after a rename", titles(documents.ListQuery{FolderID: sub}), []string{"CR du 20 novembre", "cr-aout"})
	must(t, e.s.RenameFolder(e.ctx, e.as(e.admin), sub, "CR"))
	if c := tree(false); c["CR"] != 2 || c["Publics"] != 2 {
		t.Fatalf("tree after an upload and a folder's rename = %v", c)
	}
	if f, _, err := e.s.Folder(e.ctx, anon, sub); err != nil || f.Name != "CR" {
		t.Fatalf("Folder after the rename = %+v, %v", f, err)
	}
	crumbs, err := e.s.Breadcrumb(e.ctx, anon, sub)
	must(t, err)
	if len(crumbs) != 2 || crumbs[1].Name != "CR" {
		t.Fatalf("breadcrumb after the rename = %+v", crumbs)
	}

	// The day turns twice, nothing written: August's report is archived.
	same("before the day turns", titles(documents.ListQuery{FolderID: sub}), []string{"CR du 20 novembre", "cr-aout"})
	same("the archive before the day turns", titles(documents.ListQuery{FolderID: sub, Archived: true}), nil)
	if c := tree(true); c["CR"] != 0 {
		t.Fatalf("archive tree before the day turns = %v", c)
	}
	e.clock.mu.Lock()
	e.clock.t = e.clock.t.Add(48 * time.Hour)
	e.clock.mu.Unlock()
	same("two days later", titles(documents.ListQuery{FolderID: sub}), []string{"CR du 20 novembre"})
	same("the archive two days later", titles(documents.ListQuery{FolderID: sub, Archived: true}), []string{"cr-aout"})
	if c := tree(true); c["CR"] != 1 {
		t.Fatalf("archive tree two days later = %v", c)
	}
	if c := tree(false); c["CR"] != 1 {
		t.Fatalf("tree two days later = %v", c)
	}

	// The trash, then a withdrawn grant.
	must(t, e.s.Trash(e.ctx, e.as(e.admin), old.ID))
	same("after the trash", titles(documents.ListQuery{FolderID: sub, Archived: true}), nil)
	must(t, e.s.SetFolderGrants(e.ctx, e.as(e.admin), pub, nil, false))
	same("after the grant was withdrawn", titles(documents.ListQuery{}), nil)
	if c := tree(false); len(c) != 0 {
		t.Fatalf("tree after the grant was withdrawn = %v", c)
	}
	if _, _, err := e.s.Folder(e.ctx, anon, sub); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("Folder after the grant was withdrawn: %v, want not found", err)
	}
	if crumbs, err := e.s.Breadcrumb(e.ctx, anon, sub); err != nil || len(crumbs) != 0 {
		t.Fatalf("breadcrumb after the grant was withdrawn = %+v, %v", crumbs, err)
	}
}
