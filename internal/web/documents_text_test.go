package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/documents"
	"portique/internal/extract"
	"portique/internal/jobs"
	"portique/internal/pages"
)

// The uploader of a file whose text cannot be read is told so at once, not
// given a plain success; the list and the document page say it too.
func TestUploadOfUnreadableFileWarns(t *testing.T) {
	w := newDocsWorld(t)
	r := jobs.NewRunner(w.db)
	r.Now, r.Poll = w.clock.Now, 20*time.Millisecond
	r.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	w.srv.Documents().RegisterJobs(r, inProcess{})
	ctx, cancel := context.WithCancel(context.Background())
	wait := r.Start(ctx)
	defer func() { cancel(); wait() }()

	tech := w.loginAs(t, w.tech)
	folder := "/documents/dossiers/" + id(w.public)
	wantStatus(t, tech.upload(t, folder+"/envoi", tech.csrf, nil, upFile{"bon.txt", []byte("Collecte des encombrants\n")}), http.StatusSeeOther)
	page := body(t, tech.get(t, folder))
	if !strings.Contains(page, "Les documents ont été enregistrés.") || strings.Contains(page, "n’a pas pu être lu") {
		t.Error("a readable file: no plain success message")
	}

	wantStatus(t, tech.upload(t, folder+"/envoi", tech.csrf, nil, upFile{"corrompu.pdf", corpusFile(t, "corrupt-truncated.pdf")}), http.StatusSeeOther)
	page = body(t, tech.get(t, folder))
	if !strings.Contains(page, "le texte d’au moins un fichier n’a pas pu être lu") {
		t.Error("a damaged file gets no warning after upload")
	}
	if !strings.Contains(page, "texte non indexable : fichier endommagé") {
		t.Error("the list does not mark the damaged file")
	}
	list, _, err := w.srv.Documents().List(context.Background(), access.Anonymous(), documents.ListQuery{FolderID: w.public})
	must(t, err)
	var bad int64
	for _, d := range list {
		if d.Filename == "corrompu.pdf" {
			bad = d.ID
		}
	}
	show := body(t, tech.get(t, "/documents/"+id(bad)))
	if !strings.Contains(show, "le texte de ce fichier n’a pas pu être lu") {
		t.Error("the document page does not warn")
	}
	// Replacing it with the same broken file warns too.
	wantStatus(t, tech.upload(t, "/documents/"+id(bad)+"/remplacer", tech.csrf, nil, upFile{"corrompu.pdf", corpusFile(t, "corrupt-truncated.pdf")}), http.StatusSeeOther)
	if show := body(t, tech.get(t, "/documents/"+id(bad))); !strings.Contains(show, "Fichier remplacé, mais son texte n’a pas pu être lu") {
		t.Error("a damaged replacement gets no warning")
	}
	// Text read by OCR says so on the document.
	d, err := w.srv.Documents().Get(context.Background(), access.Anonymous(), bad)
	must(t, err)
	must(t, w.srv.Documents().SetText(context.Background(), bad, d.SHA256, extract.Result{Pages: []string{"Arrêté lu"}, Engine: extract.EngineOCR}))
	if show := body(t, tech.get(t, "/documents/"+id(bad))); !strings.Contains(show, "texte lu par reconnaissance de caractères (OCR)") || strings.Contains(show, "n’a pas pu être lu") {
		t.Error("the document page does not say its text came from OCR")
	}
}

// The document-list block writes dates in French, and a folder holding only
// sub-folders shows them (with counts that take in their sub-folders).
func TestDocumentsBlockDatesAndSubFolders(t *testing.T) {
	w := newDocsWorld(t)
	ctx := context.Background()
	pub := access.Grant{GroupID: access.Everyone, Level: access.View}
	withDocs := w.mkFolder(t, w.public, "Rapports annuels", pub)
	w.put(t, withDocs, "rapport-2025.txt", []byte("rapport\n"), "2026-11-05")
	folders := w.mkFolder(t, w.public, "Séances", pub)
	year := w.mkFolder(t, folders, "Séances 2026")
	w.put(t, w.mkFolder(t, year, "Mars"), "cr-mars.txt", []byte("compte rendu\n"), "2026-11-20")
	w.mkFolder(t, folders, "Réservé", access.Grant{GroupID: w.elus, Level: access.View})

	st := w.srv.pages
	a := access.Actor{Principal: w.adminP(), Name: "admin@sydrav.fr"}
	home, err := st.CreateHome(ctx, a, "Accueil")
	must(t, err)
	rev, err := st.SaveDraft(ctx, a, home.ID, home.PublishedRev, "Accueil",
		[]pages.Block{{Type: pages.BlockDocuments, FolderID: withDocs}, {Type: pages.BlockDocuments, FolderID: folders}})
	must(t, err)
	_, err = st.Publish(ctx, a, home.ID, rev.ID, "")
	must(t, err)
	b := body(t, w.visitor().get(t, "/"))
	if !strings.Contains(b, "5 novembre 2026") || strings.Contains(b, "(2026-11-05") {
		t.Error("the document-list block does not write its dates in French")
	}
	if !strings.Contains(b, `<a href="/documents/dossiers/`+id(year)+`">Séances 2026</a> <span class="small">(documents : 1)</span>`) {
		t.Error("a block on a folder of folders does not show its sub-folders with their counts")
	}
	if strings.Contains(b, "Réservé") {
		t.Error("the block shows a sub-folder the visitor may not see")
	}
	// The folder tree counts sub-folders' documents too.
	if tree := body(t, w.visitor().get(t, "/documents")); !strings.Contains(tree, `Séances</a> <span class="count">(1<span`) {
		t.Error("the folder tree does not count the documents of sub-folders")
	}
}
