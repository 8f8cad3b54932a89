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
