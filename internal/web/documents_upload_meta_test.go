package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/documents"
)

// An upload takes a title and a description (the first file of the form;
// the others keep their file names); a too long description is refused by
// the field, and nothing is stored.
func TestDocumentUploadTitleAndDescription(t *testing.T) {
	w := newDocsWorld(t)
	tech := w.loginAs(t, w.tech)
	path := "/documents/dossiers/" + id(w.public) + "/envoi"
	form := body(t, tech.get(t, "/documents/dossiers/"+id(w.public)))
	if !strings.Contains(form, `name="title"`) || !strings.Contains(form, `name="description"`) {
		t.Fatal("the upload form has no title or description field")
	}
	rec := tech.upload(t, path, tech.csrf, map[string]string{"title": "Rapport annuel 2025", "description": "Les tonnages collectés, commune par commune."},
		upFile{"rapport-2025-v3-final.txt", []byte("Tonnages 2025")}, upFile{"annexe.txt", []byte("annexe")})
	wantStatus(t, rec, http.StatusSeeOther)
	list, _, err := w.srv.Documents().List(context.Background(), access.Anonymous(), documents.ListQuery{FolderID: w.public, Sort: "name"})
	must(t, err)
	if len(list) != 2 || list[0].Title != "annexe" || list[1].Title != "Rapport annuel 2025" || list[1].Description != "Les tonnages collectés, commune par commune." || list[0].Description != "" {
		t.Fatalf("documents %+v", list)
	}
	page := body(t, tech.get(t, "/documents/"+id(list[1].ID)))
	if !strings.Contains(page, "<h1>Rapport annuel 2025</h1>") || !strings.Contains(page, "commune par commune") {
		t.Error("the document page lacks its title or description")
	}
	rec = tech.upload(t, path, tech.csrf, map[string]string{"description": strings.Repeat("x", 2001)}, upFile{"long.txt", []byte("x")})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "La description ne doit pas dépasser 2000 caractères") {
		t.Error("too long description: no French error")
	}
	if _, total, _ := w.srv.Documents().List(context.Background(), access.Anonymous(), documents.ListQuery{FolderID: w.public}); total != 2 {
		t.Errorf("%d documents after a refused upload", total)
	}
}

// A publication period without words lists the documents published in it
// (current and archived) that the visitor may see.
func TestDocumentPeriodWithoutWords(t *testing.T) {
	w := newDocsWorld(t)
	w.put(t, w.instances, "compte-rendu-bureau.txt", []byte("bureau"), "2026-11-10")
	w.put(t, w.public, "guide-du-tri.txt", []byte("tri"), "2026-11-15")
	w.put(t, w.public, "ancien-rapport.txt", []byte("ancien"), "2026-01-05") // archived
	elu := w.loginAs(t, w.elu)
	b := body(t, elu.get(t, "/documents/recherche?du=2026-11-01&au=2026-11-30"))
	if !strings.Contains(b, "2 résultat(s)") || !strings.Contains(b, "compte-rendu-bureau") || !strings.Contains(b, "guide-du-tri") || strings.Contains(b, "ancien-rapport") {
		t.Errorf("period without words, élu:\n%s", b)
	}
	b = body(t, elu.get(t, "/documents/recherche?du=2026-01-01&au=2026-01-31"))
	if !strings.Contains(b, "ancien-rapport") || !strings.Contains(b, "Archivé") {
		t.Error("an archived document in the period is not listed as archived")
	}
	b = body(t, w.visitor().get(t, "/documents/recherche?du=2026-11-01"))
	if !strings.Contains(b, "guide-du-tri") || strings.Contains(b, "compte-rendu-bureau") {
		t.Error("a visitor sees what the élus see, or nothing")
	}
}
