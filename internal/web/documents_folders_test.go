package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/documents"
	"portique/internal/pages"
)

// auditCount counts the trail's entries of an action on an object.
func (w *docsWorld) auditCount(t *testing.T, action, object string) int {
	t.Helper()
	var n int
	must(t, w.db.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit WHERE action = ? AND object = ?", action, object).Scan(&n))
	return n
}

func (w *docsWorld) adminP() access.Principal { return access.Principal{UserID: w.admin, Admin: true} }

// adminA is the administrator making a change through the store directly.
func (w *docsWorld) adminA() access.Actor {
	return access.Actor{Principal: w.adminP(), Name: "admin@sydrav.fr", IP: "192.0.2.1"}
}

func (w *docsWorld) mkFolder(t *testing.T, parent int64, name string, grants ...access.Grant) int64 {
	t.Helper()
	ctx := context.Background()
	f, err := w.srv.Documents().CreateFolder(ctx, w.adminA(), parent, name)
	must(t, err)
	if grants != nil {
		must(t, w.srv.Documents().SetFolderGrants(ctx, w.adminA(), f, grants, false))
	}
	return f
}

// finds reports whether a page of c links to a document (search pages
// repeat the words searched, so the link is what tells a hit).
func finds(t *testing.T, c *client, path string, docID int64) bool {
	t.Helper()
	rec := c.get(t, path)
	wantStatus(t, rec, http.StatusOK)
	return strings.Contains(body(t, rec), `href="/documents/`+id(docID))
}

func TestFolderMoveOverHTTP(t *testing.T) {
	w := newDocsWorld(t)
	tech, elu, other, admin := w.loginAs(t, w.tech), w.loginAs(t, w.elu), w.loginAs(t, w.other), w.loginAs(t, w.admin)
	technique := w.mkFolder(t, 0, "Technique", access.Grant{GroupID: w.techs, Level: access.Edit})
	comite := w.mkFolder(t, w.instances, "Comité")
	sous := w.mkFolder(t, comite, "Séances")
	doc := w.put(t, sous, "zythogramme.txt", []byte("annexe\n"), "").ID
	path := "/documents/dossiers/" + id(comite) + "/deplacer"

	// The manager sees the form, with the folders they may move it into.
	page := body(t, tech.get(t, "/documents/dossiers/"+id(comite)))
	for _, want := range []string{"Déplacer ce dossier dans", ">Technique<", "Supprimer ce dossier…"} {
		if !strings.Contains(page, want) {
			t.Errorf("folder page lacks %q", want)
		}
	}
	if strings.Contains(page, "La racine") {
		t.Error("a manager is offered the top level")
	}
	if !strings.Contains(body(t, admin.get(t, "/documents/dossiers/"+id(comite))), "La racine") {
		t.Error("an administrator is not offered the top level")
	}
	if strings.Contains(body(t, elu.get(t, "/documents/dossiers/"+id(comite))), "Déplacer ce dossier") {
		t.Error("a viewer sees the move form")
	}
	// Before: the élu finds the document; the technicien too (manage).
	if !finds(t, elu, "/recherche?q=zythogramme", doc) {
		t.Fatal("élu does not find the document before the move")
	}

	// Refusals.
	wantStatus(t, elu.post(t, path, url.Values{"parent": {id(technique)}}), http.StatusForbidden)
	wantStatus(t, other.post(t, path, url.Values{"parent": {id(technique)}}), http.StatusNotFound)
	wantStatus(t, w.visitor().post(t, path, url.Values{"parent": {id(technique)}}), http.StatusSeeOther) // to the login page
	for name, tc := range map[string]struct {
		c      *client
		parent string
		want   string
	}{
		"top level by a manager": {tech, "0", "Seul un administrateur"},
		"into a forged folder":   {tech, "987654", "Vous ne pouvez pas déplacer ce dossier"},
		"into garbage":           {tech, "abc", "Vous ne pouvez pas déplacer ce dossier"},
		"nowhere chosen":         {tech, "", "Choisissez le dossier dans lequel"},
		"into its sub-folder":    {admin, id(sous), "dans lui-même ni dans l’un de ses sous-dossiers"},
	} {
		rec := tc.c.post(t, path, url.Values{"parent": {tc.parent}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if b := body(t, rec); !strings.Contains(b, tc.want) {
			t.Errorf("%s: page lacks %q", name, tc.want)
		}
	}
	if f, _, _ := w.srv.Documents().Folder(context.Background(), w.adminP(), comite); f.ParentID != w.instances {
		t.Fatal("a refused move moved the folder")
	}

	// Allowed: manage on the folder, edit on the destination.
	wantStatus(t, tech.post(t, path, url.Values{"parent": {id(technique)}}), http.StatusSeeOther)
	if n := w.auditCount(t, "folder.moved", "folder:"+id(comite)); n != 1 {
		t.Errorf("%d audit entries for the move", n)
	}
	// The élu lost access with the move: no hit, no page.
	for _, p := range []string{"/recherche?q=zythogramme", "/documents/recherche?q=zythogramme"} {
		if finds(t, elu, p, doc) {
			t.Errorf("élu still finds the document on %s after the move", p)
		}
		if !finds(t, tech, p, doc) {
			t.Errorf("technicien does not find the document on %s after the move", p)
		}
	}
	wantStatus(t, elu.get(t, "/documents/dossiers/"+id(sous)), http.StatusNotFound)
	// The administrator makes it public: anonymous visitors gain it.
	visitor := w.visitor()
	if finds(t, visitor, "/documents/recherche?q=zythogramme", doc) {
		t.Fatal("visitor finds a private document")
	}
	wantStatus(t, admin.post(t, path, url.Values{"parent": {id(w.public)}}), http.StatusSeeOther)
	if !finds(t, visitor, "/documents/recherche?q=zythogramme&dossier="+id(w.public), doc) {
		t.Error("visitor does not find the document of a folder moved into the public folder")
	}
	if !finds(t, visitor, "/recherche?q=zythogramme", doc) {
		t.Error("visitor does not find it on /recherche")
	}
}

// A folder in the trash: its documents leave every list, page, count,
// search and download, and come back whole when an administrator restores it.
func TestFolderTrashLeaksNothing(t *testing.T) {
	w := newDocsWorld(t)
	ctx := context.Background()
	tech, elu, other, admin := w.loginAs(t, w.tech), w.loginAs(t, w.elu), w.loginAs(t, w.other), w.loginAs(t, w.admin)
	comite := w.mkFolder(t, w.instances, "Comité zythologique",
		access.Grant{GroupID: access.Everyone, Level: access.View}, access.Grant{GroupID: w.techs, Level: access.Manage})
	sous := w.mkFolder(t, comite, "Séances")
	cur := w.put(t, comite, "rapport-zythum.txt", []byte("rapport\n"), "2026-11-20")
	old := w.put(t, comite, "ancien-zythum.txt", []byte("ancien\n"), "2025-01-10")
	deep := w.put(t, sous, "seance-zythum.txt", []byte("séance\n"), "2026-11-21")
	// The home page lists the folder in a document-list block.
	st := w.srv.pages
	a := access.Actor{Principal: w.adminP(), Name: "admin@sydrav.fr"}
	home, err := st.CreateHome(ctx, a, "Accueil")
	must(t, err)
	rev, err := st.SaveDraft(ctx, a, home.ID, home.PublishedRev, "Accueil", []pages.Block{{Type: pages.BlockDocuments, FolderID: comite}})
	must(t, err)
	_, err = st.Publish(ctx, a, home.ID, rev.ID, "")
	must(t, err)

	clients := map[string]*client{"anonyme": w.visitor(), "élu": elu, "technicien": tech, "admin": admin}
	titles := []string{cur.Title, old.Title, deep.Title}
	check := func(visible bool) {
		t.Helper()
		for who, c := range clients {
			lists := map[string]string{
				"/documents":          body(t, c.get(t, "/documents")),
				"/documents/archives": body(t, c.get(t, "/documents/archives")),
				"/":                   body(t, c.get(t, "/")),
				"/recherche":          body(t, c.get(t, "/recherche?q=zythum")),
				"/documents/recherche": body(t, c.get(t, "/documents/recherche?q=zythum")) +
					body(t, c.get(t, "/documents/recherche?q=zythum&dossier="+id(comite))),
			}
			for where, page := range lists {
				n := 0
				for _, title := range titles {
					if strings.Contains(page, title) {
						n++
					}
				}
				switch {
				case visible && n == 0:
					t.Errorf("%s: %s shows none of the documents", who, where)
				case !visible && n > 0:
					t.Errorf("%s: %s shows %d documents of a folder in the trash", who, where, n)
				}
			}
			if page := lists["/documents"]; strings.Contains(page, "Comité zythologique") != visible {
				t.Errorf("%s: folder in the tree: %v, want %v", who, !visible, visible)
			}
			for _, d := range []int64{cur.ID, old.ID, deep.ID} {
				for _, p := range []string{"/documents/" + id(d), "/documents/" + id(d) + "/telecharger"} {
					rec := c.get(t, p)
					switch {
					case visible:
						wantStatus(t, rec, http.StatusOK)
					case who == "anonyme":
						wantStatus(t, rec, http.StatusSeeOther)
					default:
						wantStatus(t, rec, http.StatusNotFound)
					}
				}
			}
		}
	}
	check(true)

	// The confirmation page says what goes; viewers and strangers are refused.
	confirm := "/documents/dossiers/" + id(comite) + "/supprimer"
	rec := tech.get(t, confirm)
	wantStatus(t, rec, http.StatusOK)
	if b := body(t, rec); !strings.Contains(b, "1 sous-dossier(s) et 3 document(s)") || !strings.Contains(b, "30 jours") {
		t.Errorf("confirmation page lacks the contents or the delay:\n%.2000s", b)
	}
	wantStatus(t, elu.get(t, confirm), http.StatusForbidden)
	wantStatus(t, other.get(t, "/documents/dossiers/"+id(w.instances)+"/supprimer"), http.StatusNotFound)
	wantStatus(t, elu.post(t, confirm, nil), http.StatusForbidden)
	wantStatus(t, w.visitor().post(t, confirm, nil), http.StatusSeeOther) // to the login page
	// A top-level folder: administrators only.
	rec = tech.post(t, "/documents/dossiers/"+id(w.instances)+"/supprimer", nil)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "Seul un administrateur") {
		t.Error("no explanation for a top-level folder")
	}
	if strings.Contains(body(t, tech.get(t, "/documents/dossiers/"+id(w.instances))), "Supprimer ce dossier") {
		t.Error("a manager is offered to delete a top-level folder")
	}

	rec = tech.post(t, confirm, nil)
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/documents/dossiers/"+id(w.instances) {
		t.Errorf("redirected to %q, want the parent folder", loc)
	}
	if n := w.auditCount(t, "folder.trashed", "folder:"+id(comite)); n != 1 {
		t.Errorf("%d audit entries for the deletion", n)
	}
	check(false)
	wantStatus(t, tech.get(t, "/documents/dossiers/"+id(comite)), http.StatusNotFound)
	wantStatus(t, tech.get(t, confirm), http.StatusNotFound)

	// The trash shows the folder as one item; only administrators restore.
	wantStatus(t, tech.get(t, "/documents/corbeille"), http.StatusForbidden)
	trash := body(t, admin.get(t, "/documents/corbeille"))
	if !strings.Contains(trash, "Comité zythologique") || !strings.Contains(trash, "1 sous-dossier(s), 3 document(s)") || strings.Contains(trash, cur.Title) {
		t.Errorf("trash page:\n%.3000s", trash)
	}
	restore := "/documents/corbeille/dossiers/" + id(comite) + "/restaurer"
	wantStatus(t, tech.post(t, restore, nil), http.StatusForbidden)
	wantStatus(t, admin.post(t, restore, nil), http.StatusSeeOther)
	if n := w.auditCount(t, "folder.restored", "folder:"+id(comite)); n != 1 {
		t.Errorf("%d audit entries for the restore", n)
	}
	check(true)
}

func TestTrashDeleteForGoodOverHTTP(t *testing.T) {
	w := newDocsWorld(t)
	ctx := context.Background()
	docs := w.srv.Documents()
	tech, admin := w.loginAs(t, w.tech), w.loginAs(t, w.admin)
	f := w.mkFolder(t, w.instances, "Anciens marchés")
	inF := w.put(t, f, "offre.txt", []byte("offre\n"), "")
	alone := w.put(t, w.public, "note.txt", []byte("note\n"), "")
	live := w.put(t, w.public, "vivant.txt", []byte("vivant\n"), "")
	must(t, docs.Trash(ctx, w.adminA(), inF.ID))
	_, err := docs.TrashFolder(ctx, w.adminA(), f)
	must(t, err)
	must(t, docs.Trash(ctx, w.adminA(), alone.ID))

	// A document whose folder is in the trash waits for it.
	rec := admin.post(t, "/documents/"+id(inF.ID)+"/restaurer", nil)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "restaurez d’abord ce dossier") {
		t.Error("no explanation for a document whose folder is in the trash")
	}

	docPath := "/documents/corbeille/documents/" + id(alone.ID) + "/supprimer"
	folderPath := "/documents/corbeille/dossiers/" + id(f) + "/supprimer"
	for _, p := range []string{docPath, folderPath} {
		wantStatus(t, tech.get(t, p), http.StatusForbidden)
		wantStatus(t, tech.post(t, p, nil), http.StatusForbidden)
	}
	wantStatus(t, admin.get(t, "/documents/corbeille/pages/"+id(alone.ID)+"/supprimer"), http.StatusNotFound)
	wantStatus(t, admin.get(t, "/documents/corbeille/documents/"+id(live.ID)+"/supprimer"), http.StatusNotFound)
	wantStatus(t, admin.post(t, "/documents/corbeille/documents/"+id(live.ID)+"/supprimer", nil), http.StatusNotFound)
	wantStatus(t, admin.get(t, "/documents/corbeille/dossiers/"+id(w.public)+"/supprimer"), http.StatusNotFound)

	rec = admin.get(t, docPath)
	wantStatus(t, rec, http.StatusOK)
	if b := body(t, rec); !strings.Contains(b, "définitive") || !strings.Contains(b, "note") {
		t.Errorf("confirmation page:\n%.2000s", b)
	}
	wantStatus(t, admin.post(t, docPath, nil), http.StatusSeeOther)
	if n := w.auditCount(t, "document.purged", "document:"+id(alone.ID)); n != 1 {
		t.Errorf("%d audit entries for the document deleted for good", n)
	}
	rec = admin.get(t, folderPath)
	wantStatus(t, rec, http.StatusOK)
	if b := body(t, rec); !strings.Contains(b, "Anciens marchés") || !strings.Contains(b, "0 sous-dossier(s) et 0 document(s)") {
		t.Errorf("folder confirmation page:\n%.2000s", b)
	}
	wantStatus(t, admin.post(t, folderPath, nil), http.StatusSeeOther)
	if n := w.auditCount(t, "folder.purged", "folder:"+id(f)); n != 1 {
		t.Errorf("%d audit entries for the folder deleted for good", n)
	}
	trash := body(t, admin.get(t, "/documents/corbeille"))
	if !strings.Contains(trash, "La corbeille est vide") {
		t.Errorf("trash not empty:\n%.2000s", trash)
	}
	// Gone from the database (the document trashed inside the folder too).
	var n int
	must(t, w.db.QueryRow(ctx, "SELECT COUNT(*) FROM documents WHERE id IN (?, ?)", inF.ID, alone.ID).Scan(&n))
	if n != 0 {
		t.Errorf("%d documents left", n)
	}
}

// The folder tree's drawing is kept by everything it shows: another
// name, count, depth, current folder or the archive draws it anew.
func TestFolderTreeKept(t *testing.T) {
	s := newTestServer(t).srv
	tree := []documents.Folder{{ID: 1, Name: "Comité", Count: 2}, {ID: 2, Name: "Séances", Depth: 1, Count: 1}}
	draw := func(tree []documents.Folder, current int64, archived bool) string {
		t.Helper()
		h, err := s.folderTreeHTML(tree, current, archived)
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	}
	first := draw(tree, 0, false)
	if again := draw(tree, 0, false); again != first || !strings.Contains(first, "Séances") || !strings.Contains(first, `<ul><li><a href="/documents/dossiers/2"`) {
		t.Fatalf("the same tree drawn twice differs, or is not nested:\n%s", first)
	}
	variants := map[string]func() string{
		"name":    func() string { v := slices.Clone(tree); v[1].Name = "Séances <2026>"; return draw(v, 0, false) },
		"count":   func() string { v := slices.Clone(tree); v[0].Count = 3; return draw(v, 0, false) },
		"depth":   func() string { v := slices.Clone(tree); v[1].Depth = 0; return draw(v, 0, false) },
		"current": func() string { return draw(tree, 2, false) },
		"archive": func() string { return draw(tree, 0, true) },
	}
	for name, f := range variants {
		if f() == first {
			t.Errorf("a tree with another %s was served the first tree's drawing", name)
		}
	}
	if got := draw([]documents.Folder{{ID: 3, Name: "A <b>"}}, 3, false); !strings.Contains(got, `aria-current="page">A &lt;b&gt;</a>`) {
		t.Errorf("the current folder or the escaping is lost:\n%s", got)
	}
}

// Issue 14: a row of a documents table is drawn once per content; a
// document differing in any field the row shows gets its own drawing.
func TestDocRowsKept(t *testing.T) {
	s := newTestServer(t).srv
	doc := documents.Document{ID: 7, FolderID: 2, FolderName: "Comité", Title: "Budget 2027", MediaType: "application/pdf",
		Size: 120_000, PublishedOn: "2026-11-20", CreatedAt: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), TextStatus: documents.TextDone}
	draw := func(d documents.Document, showFolder bool) string {
		t.Helper()
		h, err := s.docRowsHTML([]documents.Document{d}, showFolder)
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	}
	first := draw(doc, true)
	if again := draw(doc, true); again != first || !strings.Contains(first, `<a href="/documents/7">Budget 2027</a>`) || !strings.Contains(first, "Comité") {
		t.Fatalf("the same row drawn twice differs, or misses its fields:\n%s", first)
	}
	variants := map[string]func(d *documents.Document){
		"id":          func(d *documents.Document) { d.ID = 8 },
		"title":       func(d *documents.Document) { d.Title = "Budget <2027>" },
		"folder":      func(d *documents.Document) { d.FolderID = 3 },
		"folder name": func(d *documents.Document) { d.FolderName = "Bureau" },
		"type":        func(d *documents.Document) { d.MediaType = "text/plain" },
		"size":        func(d *documents.Document) { d.Size = 5_000_000 },
		"published":   func(d *documents.Document) { d.PublishedOn = "2026-11-19" },
		"added":       func(d *documents.Document) { d.CreatedAt = d.CreatedAt.AddDate(0, 0, 1) },
		"pinned":      func(d *documents.Document) { d.Pinned = true },
		"text":        func(d *documents.Document) { d.TextStatus = "pending" },
	}
	for name, change := range variants {
		d := doc
		change(&d)
		if draw(d, true) == first {
			t.Errorf("a document with another %s was served the first row's drawing", name)
		}
	}
	if draw(doc, false) == first || strings.Contains(draw(doc, false), "Comité") {
		t.Error("the row without a folder column was served the row with one")
	}
	d := doc
	d.Title = "A <b>"
	if got := draw(d, true); !strings.Contains(got, `>A &lt;b&gt;</a>`) {
		t.Errorf("the escaping is lost:\n%s", got)
	}
}
