package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/documents"
)

// Issue 13A: without JavaScript the event form lists, by folder, the
// documents the person may see (never the others) in a multiple select;
// what is chosen there is added to the numbers typed, so linking a
// document needs no number. Documents already linked are not offered
// again; a forged choice of a document the person may not see is shown
// to nobody who may not see it, as a typed number.
func TestEventDocumentPickerWithoutJS(t *testing.T) {
	w := newCalWorld(t)
	ctx := context.Background()
	root := access.Actor{Principal: access.Member(0, true, nil)}
	docs := w.ts.srv.docs
	folder := func(name string, g []access.Grant) int64 {
		id, err := docs.CreateFolder(ctx, root, 0, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := docs.SetFolderGrants(ctx, root, id, g, false); err != nil {
			t.Fatal(err)
		}
		return id
	}
	upload := func(folder int64, title string) int64 {
		pdf, err := os.Open("../../testdata/corpus/deliberation-2026-014.pdf")
		if err != nil {
			t.Fatal(err)
		}
		defer pdf.Close()
		d, err := docs.Upload(ctx, root, documents.UploadInput{FolderID: folder, Filename: title + ".pdf", Body: pdf})
		if err != nil {
			t.Fatal(err)
		}
		if err := docs.Rename(ctx, root, d.ID, title); err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	public := folder("Délibérations", []access.Grant{{GroupID: access.Everyone, Level: access.View}})
	secret := folder("Marchés", nil) // administrators only
	budget := upload(public, "Budget primitif 2026")
	ordre := upload(public, "Ordre du jour du comité")
	marche := upload(secret, "Offre confidentielle")

	tech := w.ts.loginAs(t, w.techID)
	page := body(t, tech.get(t, "/agenda/evenements/nouveau?date=2026-03-20"))
	for _, want := range []string{`<select id="documents_ajout" name="documents_ajout" multiple`, `<optgroup label="Délibérations">`,
		`<option value="` + strconv.FormatInt(budget, 10) + `">Budget primitif 2026 (n° ` + strconv.FormatInt(budget, 10) + `)</option>`} {
		if !strings.Contains(page, want) {
			t.Fatalf("event form lacks %s", want)
		}
	}
	if strings.Contains(page, "Offre confidentielle") || strings.Contains(page, "Marchés") {
		t.Fatal("the no-JS list shows a document the person may not see")
	}
	form := url.Values{"calendrier": {strconv.FormatInt(w.private, 10)}, "titre": {"Comité syndical"}, "debut_date": {"2026-03-20"},
		"debut_heure": {"18:00"}, "fin_heure": {"20:00"}, "documents": {""},
		"documents_ajout": {strconv.FormatInt(budget, 10), strconv.FormatInt(ordre, 10)}}
	rec := tech.post(t, "/agenda/evenements", form)
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/agenda/evenements/"), 10, 64)
	ev, _, err := w.ts.srv.calendar.Event(ctx, access.Member(0, true, nil), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Documents) != 2 {
		t.Fatalf("linked documents = %+v", ev.Documents)
	}
	// Editing: the linked ones are in the field, not offered again.
	edit := body(t, tech.get(t, loc+"/modifier"))
	sel := regexp.MustCompile(`(?s)<select id="documents_ajout".*?</select>`).FindString(edit)
	if strings.Contains(sel, "Budget primitif") || strings.Contains(sel, "Ordre du jour") {
		t.Fatalf("already linked documents offered again: %s", sel)
	}
	// A forged choice of a hidden document is treated as a typed number:
	// the event shows it to nobody who may not see it.
	form.Set("documents_ajout", strconv.FormatInt(marche, 10))
	rec = tech.post(t, "/agenda/evenements", form)
	wantStatus(t, rec, http.StatusSeeOther)
	if b := body(t, tech.get(t, rec.Header().Get("Location"))); strings.Contains(b, "Offre confidentielle") {
		t.Fatal("the event page names a document its reader may not see")
	}
}
