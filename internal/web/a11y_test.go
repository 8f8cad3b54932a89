package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/documents"
	"portique/internal/pages"
)

var (
	titleRE   = regexp.MustCompile(`<title>([^<]*)</title>`)
	summaryRE = regexp.MustCompile(`(?s)<div class="form-errors"[^>]*>(.*?)</div>`)
	hrefRE    = regexp.MustCompile(`href="#([^"]*)"`)
)

func pageTitle(body string) string {
	if m := titleRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// summaryLinksReach fails on every link of the error summary whose target
// is not an element of the page, and returns how many links there are.
func summaryLinksReach(t *testing.T, what, body string) int {
	t.Helper()
	m := summaryRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s: no error summary", what)
	}
	links := hrefRE.FindAllStringSubmatch(m[1], -1)
	for _, l := range links {
		if !strings.Contains(body, fmt.Sprintf(` id="%s"`, l[1])) {
			t.Errorf("%s: the error summary links to #%s, which is not on the page", what, l[1])
		}
	}
	return len(links)
}

// A page answered after a form error says so first in its title
// (RGAA 8.6), whatever the form; the "link sent" step has its own title.
func TestTitlesAfterFormErrorAndLinkSent(t *testing.T) {
	ts := newAccountsServer(t)
	c := ts.visitor()
	rec := c.post(t, "/mot-de-passe-oublie", url.Values{"email": {"pas-une-adresse"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if got := pageTitle(rec.Body.String()); !strings.HasPrefix(got, "Erreur : Mot de passe oublié") {
		t.Errorf("title after an error = %q", got)
	}
	summaryLinksReach(t, "recovery form", rec.Body.String())
	if !strings.Contains(rec.Body.String(), `class="form-errors" id="erreurs" role="alert" tabindex="-1" autofocus`) {
		t.Error("the error summary does not take the focus")
	}
	form := c.get(t, "/mot-de-passe-oublie")
	first := pageTitle(form.Body.String())
	r := requestReset(t, c, "personne@example.fr")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if got := pageTitle(b.String()); got == first || !strings.Contains(got, "Lien envoyé") {
		t.Errorf("the link-sent step is titled %q (the form: %q)", got, first)
	}
	// The login form's failure: the title, and the focus on the message.
	rec = c.post(t, "/connexion", url.Values{"email": {"personne@example.fr"}, "password": {"faux"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if got := pageTitle(rec.Body.String()); !strings.HasPrefix(got, "Erreur : ") {
		t.Errorf("title after a failed login = %q", got)
	}
	wantBody(t, rec, `id="login-error" tabindex="-1" autofocus`)
}

// Every error of the page editor's blocks links to the control that sets
// it (the calendar's, the folder's, the image's select), and the block's
// type error to its legend.
func TestPageEditorErrorSummaryReachesFields(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	form := editForm(f.seances.PublishedRev, "",
		pages.Block{Type: pages.BlockDocuments}, pages.Block{Type: pages.BlockEvents}, pages.Block{Type: pages.BlockCalendar},
		pages.Block{Type: pages.BlockImage}, pages.Block{Type: "inconnu"})
	form.Set("op", "save")
	rec := f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	body := rec.Body.String()
	if n := summaryLinksReach(t, "page editor", body); n < 5 {
		t.Errorf("the summary has %d links, want one per error (title and 5 blocks):\n%s", n, summaryRE.FindString(body))
	}
	for _, id := range []string{"blocks.0.folder_id", "blocks.1.calendar_id", "blocks.2.calendar_id", "blocks.3.image_id", "blocks.4.type"} {
		if !strings.Contains(body, `href="#`+id+`"`) {
			t.Errorf("no summary link to #%s", id)
		}
	}
	if got := pageTitle(body); !strings.HasPrefix(got, "Erreur : ") {
		t.Errorf("title = %q", got)
	}
}

// An image is decorative only by an explicit choice (RGAA 1.2): then its
// alt is empty; a captioned image is a figure named by its caption (1.9),
// and cannot be decorative.
func TestImageBlockDecorativeAndFigure(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	form := editForm(f.seances.PublishedRev, "Séances", pages.Block{Type: "image"})
	form.Set("blocks.0.decorative", "1")
	form.Set("op", "publish")
	rec := f.editor.postMultipart(t, path, form, map[string][2]string{"blocks.0.file": {"frise.png", pngData(t, 800, 100)}})
	wantStatus(t, rec, http.StatusSeeOther)
	rec = f.elu.get(t, "/espace-elus/seances")
	wantBody(t, rec, `alt=""`)
	wantNoBody(t, rec, `role="figure"`)
	p := f.page(t, f.seances.ID)
	rev, err := f.ts.srv.pages.Revision(t.Context(), access.System().Principal, p.ID, p.PublishedRev)
	if err != nil {
		t.Fatal(err)
	}
	img := rev.Blocks[0].ImageID
	if !rev.Blocks[0].Decorative || rev.Blocks[0].Alt != "" {
		t.Fatalf("saved block %+v, want decorative with an empty alt", rev.Blocks[0])
	}
	// The editor shows the choice ticked.
	wantBody(t, f.editor.get(t, path), `id="blocks.0.decorative" type="checkbox" name="blocks.0.decorative" value="1" checked`)
	// Decorative with a caption: refused, with a French error by the box.
	form = editForm(p.PublishedRev, "Séances", pages.Block{Type: "image", ImageID: img})
	form.Set("blocks.0.decorative", "1")
	form.Set("blocks.0.caption", "Vue de la salle")
	form.Set("op", "save")
	rec = f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "Une image légendée porte une information", `href="#blocks.0.decorative"`)
	summaryLinksReach(t, "decorative with caption", rec.Body.String())
	// Not decorative and no alt: still refused.
	form.Del("blocks.0.decorative")
	form.Set("blocks.0.caption", "")
	rec = f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, `href="#blocks.0.alt"`)
	// A captioned image: a figure named by its caption.
	form.Set("blocks.0.alt", "Salle du conseil")
	form.Set("blocks.0.caption", "La salle après travaux")
	form.Set("op", "publish")
	wantStatus(t, f.editor.postMultipart(t, path, form, nil), http.StatusSeeOther)
	rec = f.elu.get(t, "/espace-elus/seances")
	wantBody(t, rec, `<figure class="block block-image" role="figure" aria-label="La salle après travaux">`, `alt="Salle du conseil"`, "<figcaption>La salle après travaux</figcaption>")
}

func TestFolderTreeAndTitle(t *testing.T) {
	tree := folderTree([]documents.Folder{
		{ID: 1, Name: "A"}, {ID: 2, Name: "A1", Depth: 1}, {ID: 3, Name: "A1a", Depth: 2}, {ID: 4, Name: "A2", Depth: 1}, {ID: 5, Name: "B"},
	})
	if len(tree) != 2 || len(tree[0].Children) != 2 || len(tree[0].Children[0].Children) != 1 || tree[1].Name != "B" {
		t.Fatalf("tree = %+v", tree)
	}
	if got := folderTitle("A1a", []documents.Folder{{Name: "A"}, {Name: "A1"}, {Name: "A1a"}}); got != "A1a – A1 – A" {
		t.Errorf("folder title = %q", got)
	}
	for in, want := range map[string]string{"blocks.2.calendar": "blocks.2.calendar_id", "blocks.0.folder": "blocks.0.folder_id",
		"blocks.1.image": "blocks.1.image_id", "blocks.1.alt": "blocks.1.alt", "title": "title", "folder": "folder"} {
		if got := fieldAnchor(in); got != want {
			t.Errorf("fieldAnchor(%q) = %q, want %q", in, got, want)
		}
	}
}
