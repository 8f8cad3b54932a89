package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/calendar"
	"portique/internal/dbtest"
	"portique/internal/documents"
	"portique/internal/pages"
)

// siteFixture is a small site with a public part and a private branch owned
// by an editors' group:
//
//	/ Accueil (public; admins only manage it)
//	├── /le-syndicat           public
//	└── /espace-elus           Élus view, Éditeurs manage
//	    └── /espace-elus/seances
type siteFixture struct {
	ts                               *testServer
	home, syndicat, espace, seances  *pages.Page
	visitor, elu, tech, editor, boss *client
	gElus, gTech, gEditeurs          int64
}

func newSite(t *testing.T) *siteFixture {
	t.Helper()
	ts := newTestServerWith(t, true)
	f := &siteFixture{ts: ts}
	f.gElus = ts.createGroup(t, "Élus")
	f.gTech = ts.createGroup(t, "Techniciens")
	f.gEditeurs = ts.createGroup(t, "Éditeurs")
	adminID := ts.createUser(t, "admin@sydrav.fr", true)
	ctx := context.Background()
	st := ts.srv.pages
	a := access.Actor{Principal: access.Member(adminID, true, nil), Name: "admin@sydrav.fr"}
	var err error
	if f.home, err = st.CreateHome(ctx, a, "Accueil"); err != nil {
		t.Fatal(err)
	}
	mk := func(parent int64, title, html string) *pages.Page {
		p, err := st.Create(ctx, a, parent, pages.NewPage{Title: title})
		if err != nil {
			t.Fatal(err)
		}
		rev, err := st.SaveDraft(ctx, a, p.ID, p.DraftRev, title, []pages.Block{{Type: pages.BlockText, HTML: html}, {Type: pages.BlockChildren}})
		if err != nil {
			t.Fatal(err)
		}
		if p, err = st.Publish(ctx, a, p.ID, rev.ID, "v1"); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.syndicat = mk(f.home.ID, "Le syndicat", "<p>Présentation publique</p>")
	f.espace = mk(f.home.ID, "Espace élus", "<p>Ordre du jour confidentiel</p>")
	if err := st.SetGrants(ctx, a, f.espace.ID, false, []access.Grant{{GroupID: f.gElus, Level: access.View}, {GroupID: f.gEditeurs, Level: access.Manage}}); err != nil {
		t.Fatal(err)
	}
	f.seances = mk(f.espace.ID, "Séances", "<p>Compte rendu de séance</p>")
	f.visitor = ts.visitor()
	f.elu = ts.loginAs(t, ts.createUser(t, "elu@sydrav.fr", false, f.gElus))
	f.tech = ts.loginAs(t, ts.createUser(t, "tech@sydrav.fr", false, f.gTech))
	f.editor = ts.loginAs(t, ts.createUser(t, "redaction@sydrav.fr", false, f.gEditeurs, f.gElus))
	f.boss = ts.loginAs(t, adminID)
	return f
}

func (f *siteFixture) page(t *testing.T, id int64) *pages.Page {
	t.Helper()
	p, err := f.ts.srv.pages.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// postMultipart submits a multipart form (CSRF token in the query, as the
// edit form does), with optional files: field name → (filename, bytes).
func (c *client) postMultipart(t *testing.T, path string, form url.Values, files map[string][2]string) *httptest.ResponseRecorder {
	t.Helper()
	if c.csrf == "" {
		c.get(t, "/connexion")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v) //nolint:errcheck
		}
	}
	for field, fv := range files {
		w, _ := mw.CreateFormFile(field, fv[0])
		w.Write([]byte(fv[1])) //nolint:errcheck
	}
	mw.Close()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	req := httptest.NewRequest(http.MethodPost, path+sep+"csrf="+url.QueryEscape(c.csrf), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(t, req)
}

func editForm(base int64, title string, blocks ...pages.Block) url.Values {
	v := url.Values{"base": {fmt.Sprint(base)}, "title": {title}}
	for i, b := range blocks {
		k := func(s string) string { return fmt.Sprintf("blocks.%d.%s", i, s) }
		v.Set(k("type"), b.Type)
		v.Set(k("html"), b.HTML)
		v.Set(k("alt"), b.Alt)
		if b.ImageID != 0 {
			v.Set(k("image_id"), fmt.Sprint(b.ImageID))
		}
	}
	return v
}

func wantBody(t *testing.T, rec *httptest.ResponseRecorder, want ...string) {
	t.Helper()
	b := rec.Body.String()
	for _, w := range want {
		if !strings.Contains(b, w) {
			t.Fatalf("body lacks %q:\n%.1500s", w, b)
		}
	}
}

func wantNoBody(t *testing.T, rec *httptest.ResponseRecorder, unwanted ...string) {
	t.Helper()
	b := rec.Body.String()
	for _, w := range unwanted {
		if strings.Contains(b, w) {
			t.Fatalf("body contains %q", w)
		}
	}
}

func TestPageViewPermissions(t *testing.T) {
	f := newSite(t)
	editURL := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	cases := []struct {
		name   string
		c      *client
		path   string
		status int
		want   string
	}{
		{"visitor home", f.visitor, "/", 200, "Le syndicat"},
		{"visitor public page", f.visitor, "/le-syndicat", 200, "Présentation publique"},
		{"visitor private page → login", f.visitor, "/espace-elus/seances", 303, ""},
		{"other group private page", f.tech, "/espace-elus/seances", 403, ""},
		{"elu private page", f.elu, "/espace-elus/seances", 200, "Compte rendu de séance"},
		{"editor private page", f.editor, "/espace-elus/seances", 200, "Compte rendu de séance"},
		{"admin private page", f.boss, "/espace-elus/seances", 200, "Compte rendu de séance"},
		{"missing page", f.elu, "/nulle-part", 404, "Page introuvable"},
		{"trailing slash", f.visitor, "/le-syndicat/", 301, ""},
		{"upper case", f.visitor, "/Le-Syndicat", 301, ""},
		{"upper case, missing page", f.visitor, "/Nulle-Part", 404, ""},
		{"visitor edit form → login", f.visitor, editURL, 303, ""},
		{"other group edit form", f.tech, editURL, 403, ""},
		{"viewer edit form", f.elu, editURL, 403, ""},
		{"editor edit form", f.editor, editURL, 200, "Enregistrer et publier"},
		{"admin edit form", f.boss, editURL, 200, "Enregistrer et publier"},
		{"editor outside the branch", f.editor, fmt.Sprintf("/pages/%d/modifier", f.syndicat.ID), 403, ""},
		{"viewer history", f.elu, fmt.Sprintf("/pages/%d/historique", f.seances.ID), 403, ""},
		{"viewer rights", f.elu, fmt.Sprintf("/pages/%d/droits", f.espace.ID), 403, ""},
		{"editor rights", f.editor, fmt.Sprintf("/pages/%d/droits", f.espace.ID), 200, "Gestion"},
		{"editor trash", f.editor, "/admin/corbeille", 403, ""},
		{"admin trash", f.boss, "/admin/corbeille", 200, "La corbeille est vide."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := c.c.get(t, c.path)
			wantStatus(t, rec, c.status)
			if c.want != "" {
				wantBody(t, rec, c.want)
			}
			if c.status == 403 || c.status == 303 {
				wantNoBody(t, rec, "Compte rendu de séance", "Ordre du jour confidentiel")
			}
		})
	}
	// The toolbar only for those who may edit; the menu only lists what one may see.
	rec := f.elu.get(t, "/espace-elus")
	wantNoBody(t, rec, "Outils de la page")
	wantBody(t, rec, `href="/espace-elus"`)
	rec = f.editor.get(t, "/espace-elus")
	wantBody(t, rec, "Outils de la page", "Ajouter une sous-page", "Déplacer", "Droits d’accès")
	rec = f.visitor.get(t, "/")
	wantNoBody(t, rec, "Espace élus", "Outils de la page")
	rec = f.tech.get(t, "/le-syndicat")
	wantNoBody(t, rec, "Espace élus")
}

func TestPageEditPublishFlow(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	base := f.seances.PublishedRev

	// A viewer forging the edit form is refused and nothing changes.
	rec := f.elu.postMultipart(t, path, editForm(base, "Piraté", pages.Block{Type: "text", HTML: "<p>piraté</p>"}), nil)
	wantStatus(t, rec, 403)
	// A forged post without the CSRF token is refused before anything.
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(editForm(base, "x").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	wantStatus(t, f.editor.do(t, req), 403)

	// The editor saves a draft (with a stored-XSS attempt).
	form := editForm(base, "Séances 2026",
		pages.Block{Type: "text", HTML: `<p>Nouveau compte rendu <img src=x onerror=alert(1)><a href="javascript:alert(1)">lien</a><script>alert(2)</script></p>`})
	form.Set("op", "save")
	rec = f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, 303)
	// Visitors (here: an élu) still see the published version; the editor previews the draft.
	wantBody(t, f.elu.get(t, "/espace-elus/seances"), "Compte rendu de séance")
	rec = f.editor.get(t, "/espace-elus/seances?apercu")
	wantBody(t, rec, "Nouveau compte rendu", "Vous regardez un brouillon")
	wantNoBody(t, rec, "onerror", "javascript:", "<script>alert")
	draft := f.page(t, f.seances.ID).DraftRev
	if draft == 0 {
		t.Fatal("no draft saved")
	}
	// A viewer cannot publish it through a forged form.
	wantStatus(t, f.elu.post(t, fmt.Sprintf("/pages/%d/publier", f.seances.ID), url.Values{"draft": {fmt.Sprint(draft)}}), 403)
	if f.page(t, f.seances.ID).DraftRev != draft {
		t.Fatal("forged publish changed the page")
	}
	// The editor publishes from the toolbar.
	rec = f.editor.post(t, fmt.Sprintf("/pages/%d/publier", f.seances.ID), url.Values{"draft": {fmt.Sprint(draft)}, "note": {"Séance de mars"}})
	wantStatus(t, rec, 303)
	wantBody(t, f.elu.get(t, "/espace-elus/seances"), "Nouveau compte rendu", "Séances 2026")

	// History lists both publications; the diff shows the change; restore works.
	rec = f.editor.get(t, fmt.Sprintf("/pages/%d/historique", f.seances.ID))
	wantStatus(t, rec, 200)
	wantBody(t, rec, "Séance de mars", "v1", "Restaurer cette version")
	// The editor is named by display name, not by the login e-mail (issue 13).
	if b := body(t, f.editor.get(t, fmt.Sprintf("/pages/%d/historique", f.seances.ID))); strings.Contains(b, "redaction@sydrav.fr") || !strings.Contains(b, "<td>redaction</td>") {
		t.Error("the history shows the e-mail, not the display name")
	}
	rec = f.editor.get(t, fmt.Sprintf("/pages/%d/historique/comparer?de=%d&a=%d", f.seances.ID, base, draft))
	wantStatus(t, rec, 200)
	wantBody(t, rec, "<del>", "Compte rendu de séance", "<ins>", "Nouveau compte rendu")
	rec = f.elu.post(t, fmt.Sprintf("/pages/%d/historique/%d/restaurer", f.seances.ID, base), nil)
	wantStatus(t, rec, 403)
	rec = f.editor.post(t, fmt.Sprintf("/pages/%d/historique/%d/restaurer", f.seances.ID, base), nil)
	wantStatus(t, rec, 303)
	wantBody(t, f.elu.get(t, "/espace-elus/seances"), "Compte rendu de séance")

	// Bad input keeps the user's text (422).
	form = editForm(f.page(t, f.seances.ID).PublishedRev, "  ", pages.Block{Type: "text", HTML: "<p>Texte précieux à garder</p>"})
	form.Set("op", "save")
	rec = f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, 422)
	wantBody(t, rec, "Donnez un titre à la page.", "Texte précieux à garder")
	// A non-image in an image block: 422, the text kept, nothing stored.
	form = editForm(f.page(t, f.seances.ID).PublishedRev, "Séances", pages.Block{Type: "text", HTML: "<p>Texte précieux à garder</p>"}, pages.Block{Type: "image", Alt: "Plan"})
	form.Set("op", "save")
	rec = f.editor.postMultipart(t, path, form, map[string][2]string{"blocks.1.file": {"plan.png", "%PDF-1.7 pas une image"}})
	wantStatus(t, rec, 422)
	wantBody(t, rec, "Ce fichier n’est pas une image acceptée", "Texte précieux à garder")
	// Block structure buttons re-render without saving.
	form = editForm(f.page(t, f.seances.ID).PublishedRev, "Séances", pages.Block{Type: "text", HTML: "<p>A</p>"})
	form.Set("op", "add")
	form.Set("add_type", "image")
	rec = f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, 200)
	wantBody(t, rec, `name="blocks.1.type" value="image"`, "Texte alternatif (obligatoire)")
}

func pngData(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestPageImageBlock(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	form := editForm(f.seances.PublishedRev, "Séances", pages.Block{Type: "image", Alt: "Salle du conseil"})
	form.Set("op", "publish")
	rec := f.editor.postMultipart(t, path, form, map[string][2]string{"blocks.0.file": {"salle.png", pngData(t, 1200, 600)}})
	wantStatus(t, rec, 303)
	rec = f.elu.get(t, "/espace-elus/seances")
	wantStatus(t, rec, 200)
	wantBody(t, rec, `alt="Salle du conseil"`, "/medias/")
	var id int64
	fmt.Sscanf(rec.Body.String()[strings.Index(rec.Body.String(), "/medias/"):], "/medias/%d/", &id)
	img := fmt.Sprintf("/medias/%d/480", id)
	rec = f.elu.get(t, img)
	wantStatus(t, rec, 200)
	if ct := rec.Header().Get("Content-Type"); ct != "image/png" {
		t.Fatalf("Content-Type = %q", ct)
	}
	// The image of a private page is not served to others.
	wantStatus(t, f.tech.get(t, img), 404)
	wantStatus(t, f.visitor.get(t, img), 404)
	// Alt text is required.
	form = editForm(f.page(t, f.seances.ID).PublishedRev, "Séances", pages.Block{Type: "image", ImageID: id, Alt: ""})
	form.Set("op", "save")
	wantStatus(t, f.editor.postMultipart(t, path, form, nil), 422)
}

func TestPageStaleSave(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	base := f.seances.PublishedRev
	theirs := editForm(base, "Séances", pages.Block{Type: "text", HTML: "<p>Version de l’administrateur</p>"})
	theirs.Set("op", "save")
	wantStatus(t, f.boss.postMultipart(t, path, theirs, nil), 303)
	mine := editForm(base, "Séances", pages.Block{Type: "text", HTML: "<p>Mon texte à ne pas perdre</p>"})
	mine.Set("op", "save")
	rec := f.editor.postMultipart(t, path, mine, nil)
	wantStatus(t, rec, 409)
	wantBody(t, rec, "Quelqu’un a modifié cette page", "Version de l’administrateur", "Mon texte à ne pas perdre", "<p>admin a enregistré")
	// Saving again from the form (now based on their version) goes through.
	p := f.page(t, f.seances.ID)
	mine.Set("base", fmt.Sprint(p.DraftRev))
	wantStatus(t, f.editor.postMultipart(t, path, mine, nil), 303)
}

func TestPageTreeActions(t *testing.T) {
	f := newSite(t)
	// Add a sub-page: a viewer cannot; bad input keeps the input; the editor can.
	wantStatus(t, f.elu.post(t, fmt.Sprintf("/pages/%d/ajouter", f.espace.ID), url.Values{"title": {"Intrus"}}), 403)
	rec := f.editor.post(t, fmt.Sprintf("/pages/%d/ajouter", f.espace.ID), url.Values{"title": {"Budget"}, "slug": {"Pas Valide"}})
	wantStatus(t, rec, 422)
	wantBody(t, rec, "L’adresse ne peut contenir", `value="Budget"`)
	rec = f.editor.post(t, fmt.Sprintf("/pages/%d/ajouter", f.espace.ID), url.Values{"title": {"Budget 2027"}})
	wantStatus(t, rec, 303)
	// Unpublished: not found for viewers, shown to the editor.
	wantStatus(t, f.elu.get(t, "/espace-elus/budget-2027"), 404)
	wantStatus(t, f.editor.get(t, "/espace-elus/budget-2027"), 200)

	// Rename: the old address answers 301.
	rec = f.editor.post(t, fmt.Sprintf("/pages/%d/proprietes", f.seances.ID), url.Values{"slug": {"reunions"}, "menu_title": {"Réunions"}})
	wantStatus(t, rec, 303)
	rec = f.elu.get(t, "/espace-elus/seances")
	wantStatus(t, rec, 301)
	if loc := rec.Header().Get("Location"); loc != "/espace-elus/reunions" {
		t.Fatalf("Location = %q", loc)
	}
	// Reserved addresses at the root.
	rec = f.boss.post(t, fmt.Sprintf("/pages/%d/proprietes", f.syndicat.ID), url.Values{"slug": {"recherche"}})
	wantStatus(t, rec, 422)
	wantBody(t, rec, "Cette adresse est réservée")

	// Move: cycles and the home page are refused with a message; the editor
	// cannot move a page into a part of the site they may not edit.
	rec = f.editor.post(t, fmt.Sprintf("/pages/%d/deplacer", f.espace.ID), url.Values{"parent": {fmt.Sprint(f.seances.ID)}})
	wantStatus(t, rec, 409)
	rec = f.boss.post(t, fmt.Sprintf("/pages/%d/deplacer", f.espace.ID), url.Values{"parent": {fmt.Sprint(f.seances.ID)}})
	wantStatus(t, rec, 409)
	wantBody(t, rec, "ne peut pas être rangée sous elle-même")
	wantStatus(t, f.boss.get(t, fmt.Sprintf("/pages/%d/deplacer", f.home.ID)), 409)
	rec = f.editor.post(t, fmt.Sprintf("/pages/%d/deplacer", f.seances.ID), url.Values{"parent": {fmt.Sprint(f.syndicat.ID)}})
	wantStatus(t, rec, 403)
	rec = f.boss.get(t, fmt.Sprintf("/pages/%d/deplacer", f.seances.ID))
	wantStatus(t, rec, 200)
	rec = f.boss.post(t, fmt.Sprintf("/pages/%d/deplacer", f.seances.ID), url.Values{"parent": {fmt.Sprint(f.syndicat.ID)}, "position": {"zéro"}})
	wantStatus(t, rec, 422)

	// Move within the branch, first position.
	rec = f.editor.post(t, fmt.Sprintf("/pages/%d/deplacer", f.seances.ID), url.Values{"parent": {fmt.Sprint(f.espace.ID)}, "position": {"1"}})
	wantStatus(t, rec, 303)

	// Delete: the confirmation lists the sub-pages; the home page is protected.
	wantStatus(t, f.boss.get(t, fmt.Sprintf("/pages/%d/supprimer", f.home.ID)), 409)
	wantStatus(t, f.boss.post(t, fmt.Sprintf("/pages/%d/supprimer", f.home.ID), nil), 409)
	wantStatus(t, f.elu.get(t, fmt.Sprintf("/pages/%d/supprimer", f.espace.ID)), 403)
	wantStatus(t, f.elu.post(t, fmt.Sprintf("/pages/%d/supprimer", f.espace.ID), nil), 403)
	rec = f.editor.get(t, fmt.Sprintf("/pages/%d/supprimer", f.espace.ID))
	wantStatus(t, rec, 200)
	wantBody(t, rec, "3 page(s) iront dans la corbeille", "Séances", "/espace-elus/reunions", "Budget 2027")
	wantStatus(t, f.editor.post(t, fmt.Sprintf("/pages/%d/supprimer", f.espace.ID), nil), 303)
	wantStatus(t, f.elu.get(t, "/espace-elus"), 404)
	// Administrators restore from the trash; others may not.
	wantStatus(t, f.editor.post(t, fmt.Sprintf("/admin/corbeille/%d/restaurer", f.espace.ID), nil), 403)
	rec = f.boss.get(t, "/admin/corbeille")
	wantBody(t, rec, "Espace élus", "/espace-elus")
	wantStatus(t, f.boss.post(t, fmt.Sprintf("/admin/corbeille/%d/restaurer", f.espace.ID), nil), 303)
	wantBody(t, f.elu.get(t, "/espace-elus/reunions"), "Compte rendu de séance")
	// Delete again and empty the trash for good.
	wantStatus(t, f.editor.post(t, fmt.Sprintf("/pages/%d/supprimer", f.espace.ID), nil), 303)
	wantStatus(t, f.editor.post(t, "/admin/corbeille/vider", nil), 403)
	wantStatus(t, f.boss.post(t, "/admin/corbeille/vider", nil), 303)
	wantBody(t, f.boss.get(t, "/admin/corbeille"), "La corbeille est vide.")
}

func TestPageRightsForm(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/droits", f.espace.ID)
	grp := func(id int64) string { return fmt.Sprintf("group.%d", id) }
	// A viewer forging the form is refused.
	wantStatus(t, f.elu.post(t, path, url.Values{"mode": {"own"}, grp(1): {"manage"}}), 403)
	wantStatus(t, f.visitor.get(t, "/espace-elus"), 303)
	// The branch's editors open it to the Techniciens too.
	rec := f.editor.post(t, path, url.Values{"mode": {"own"}, grp(f.gElus): {"view"}, grp(f.gTech): {"view"}, grp(f.gEditeurs): {"manage"}})
	wantStatus(t, rec, 303)
	wantStatus(t, f.tech.get(t, "/espace-elus/seances"), 200)
	wantBody(t, f.tech.get(t, "/"), `href="/espace-elus"`)
	// Inherit from the home page: public.
	wantStatus(t, f.boss.post(t, path, url.Values{"mode": {"inherit"}}), 303)
	wantStatus(t, f.visitor.get(t, "/espace-elus/seances"), 200)
	// The home page cannot inherit.
	rec = f.boss.post(t, fmt.Sprintf("/pages/%d/droits", f.home.ID), url.Values{"mode": {"inherit"}})
	wantStatus(t, rec, 422)
	wantBody(t, rec, "La page d’accueil n’a pas de page parente")
}

func TestSiteMapSitemapSearch(t *testing.T) {
	f := newSite(t)
	rec := f.visitor.get(t, "/plan-du-site")
	wantStatus(t, rec, 200)
	wantBody(t, rec, "Le syndicat")
	wantNoBody(t, rec, "Espace élus")
	wantBody(t, f.elu.get(t, "/plan-du-site"), "Espace élus", "Séances")
	// The XML sitemap never lists a private page, whoever asks.
	for _, c := range []*client{f.visitor, f.boss} {
		rec = c.get(t, "/sitemap.xml")
		wantStatus(t, rec, 200)
		wantBody(t, rec, "<urlset", "/le-syndicat</loc>")
		wantNoBody(t, rec, "espace-elus")
	}
	rec = f.visitor.get(t, "/recherche?q=syndicat&du=18/03/2026")
	wantStatus(t, rec, 422)
	wantBody(t, rec, "Indiquez une date au format AAAA-MM-JJ", `value="syndicat"`)
	// Search: accents folded, only what the searcher may see, snippets highlighted.
	rec = f.visitor.get(t, "/recherche?q=presentation")
	wantStatus(t, rec, 200)
	wantBody(t, rec, `href="/le-syndicat"`, "<mark>")
	rec = f.visitor.get(t, "/recherche?q=confidentiel")
	wantStatus(t, rec, 200)
	wantBody(t, rec, "Aucun résultat")
	wantNoBody(t, rec, "espace-elus", "Ordre du jour")
	rec = f.tech.get(t, "/recherche?q=confidentiel")
	wantNoBody(t, rec, "espace-elus")
	rec = f.elu.get(t, "/recherche?q=confidentiel&type=page")
	wantBody(t, rec, `href="/espace-elus"`, "Page")
	// Trashed pages leave the index at once.
	if _, err := f.ts.srv.pages.Trash(context.Background(), access.Actor{Principal: access.Member(0, true, nil)}, f.espace.ID); err != nil {
		t.Fatal(err)
	}
	wantNoBody(t, f.elu.get(t, "/recherche?q=confidentiel"), "espace-elus")
	wantBody(t, f.visitor.get(t, "/recherche"), "Rechercher sur le site")
}

// BenchmarkPageView renders a published page through the whole router and
// middleware, for an anonymous visitor and for a member of two groups, in a
// tree of 51 pages and one of 5,011: the figures must stay within 20 %.
func BenchmarkPageView(b *testing.B) {
	ctx := context.Background()
	for _, size := range []struct {
		name         string
		subs, leaves int
	}{{"pages=51", 2, 1}, {"pages=5011", 10, 49}} {
		// Each size builds its own site inside its sub-benchmark, so
		// -bench 'PageView/pages=51' runs alone in its process.
		b.Run(size.name, func(b *testing.B) {
			d := dbtest.NewDB(b)
			n, target, err := pages.SeedBulk(ctx, d, size.subs, size.leaves)
			if err != nil {
				b.Fatal(err)
			}
			srv := buildServer(b, testConfig(b), d, services.Options{})
			var uid int64
			if err := d.QueryRow(ctx, "INSERT INTO users (email, name, created_at) VALUES ('m@example.fr', 'M', ?) RETURNING id", time.Now().UTC()).Scan(&uid); err != nil {
				b.Fatal(err)
			}
			for _, name := range []string{"Élus", "Techniciens"} {
				var gid int64
				if err := d.QueryRow(ctx, "INSERT INTO groups (name, created_at) VALUES (?, ?) RETURNING id", name, time.Now().UTC()).Scan(&gid); err != nil {
					b.Fatal(err)
				}
				if _, err := d.Exec(ctx, "INSERT INTO memberships (user_id, group_id) VALUES (?, ?)", uid, gid); err != nil {
					b.Fatal(err)
				}
			}
			token, err := srv.sessions.Create(ctx, uid, "127.0.0.1", "bench")
			if err != nil {
				b.Fatal(err)
			}
			for _, who := range []string{"visitor", "member"} {
				b.Run(who, func(b *testing.B) {
					b.ReportMetric(float64(n), "pages")
					runtime.GC()
					cpu := processCPU()
					for b.Loop() {
						req := httptest.NewRequest(http.MethodGet, target, nil)
						if who == "member" {
							req.AddCookie(&http.Cookie{Name: srv.sessionCookieName(), Value: token})
						}
						rec := httptest.NewRecorder()
						srv.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("GET %s = %d", target, rec.Code)
						}
					}
					b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}

func TestEmptySiteHome(t *testing.T) {
	ts := newTestServer(t)
	adminID := ts.createUser(t, "admin@sydrav.fr", true)
	boss := ts.loginAs(t, adminID)
	member := ts.loginAs(t, ts.createUser(t, "membre@sydrav.fr", false))
	rec := ts.visitor().get(t, "/")
	wantStatus(t, rec, 200)
	wantNoBody(t, rec, "Créer la page d’accueil")
	wantBody(t, boss.get(t, "/"), "Créer la page d’accueil")
	wantStatus(t, member.post(t, "/pages/accueil", nil), 403)
	rec = boss.post(t, "/pages/accueil", nil)
	wantStatus(t, rec, 303)
	if loc := rec.Header().Get("Location"); !strings.HasSuffix(loc, "/modifier") {
		t.Fatalf("Location = %q", loc)
	}
	rec = ts.visitor().get(t, "/")
	wantStatus(t, rec, 200)
	wantBody(t, rec, "<h1>Accueil</h1>")
}

// Every catalogue key the pages area uses (in its Go code and templates,
// error keys of the domain included) exists, so no page ever shows ⟦key⟧.
func TestPagesCatalogueKeys(t *testing.T) {
	ts := newTestServer(t)
	re := regexp.MustCompile(`"(pages\.[a-z_]+\.[a-z_.]*[a-z_])"`)
	files, _ := filepath.Glob("../pages/*.go")
	more, _ := filepath.Glob("pages_*.go")
	tmpls, _ := filepath.Glob("templates/*/pages_*.html")
	files = append(append(files, more...), tmpls...)
	if len(files) < 10 {
		t.Fatalf("found only %d files to check", len(files))
	}
	dynamic := []string{"pages.kind.", "pages.level.", "pages.search.kind."}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n++
			if !ts.srv.cat.Has(m[1]) {
				t.Errorf("%s: key %q missing from the catalogue", f, m[1])
			}
		}
	}
	for _, k := range pages.BlockKinds {
		dynamic = append(dynamic, "pages.kind."+k)
	}
	for _, k := range []string{"none", "view", "edit", "manage"} {
		dynamic = append(dynamic, "pages.level."+k)
	}
	for _, k := range searchKinds {
		dynamic = append(dynamic, "pages.search.kind."+k)
	}
	for _, k := range dynamic[3:] {
		if !ts.srv.cat.Has(k) {
			t.Errorf("dynamic key %q missing from the catalogue", k)
		}
	}
	if n < 100 {
		t.Fatalf("only %d keys found: the scan is broken", n)
	}
}

// Documents and events blocks show what the viewer may see of the folder and
// the calendar, nothing more.
func TestPageDocumentsAndEventsBlocks(t *testing.T) {
	f := newSite(t)
	ctx := context.Background()
	root := access.Member(0, true, nil)
	docs := f.ts.srv.docs
	public, err := docs.CreateFolder(ctx, access.Actor{Principal: root}, 0, "Délibérations")
	if err != nil {
		t.Fatal(err)
	}
	if err := docs.SetFolderGrants(ctx, access.Actor{Principal: root}, public, []access.Grant{{GroupID: access.Everyone, Level: access.View}}, false); err != nil {
		t.Fatal(err)
	}
	private, err := docs.CreateFolder(ctx, access.Actor{Principal: root}, 0, "Séances à huis clos")
	if err != nil {
		t.Fatal(err)
	}
	if err := docs.SetFolderGrants(ctx, access.Actor{Principal: root}, private, []access.Grant{{GroupID: f.gElus, Level: access.View}}, false); err != nil {
		t.Fatal(err)
	}
	upload := func(folder int64, title string) {
		t.Helper()
		pdf, err := os.Open("../../testdata/corpus/deliberation-2026-014.pdf")
		if err != nil {
			t.Fatal(err)
		}
		defer pdf.Close()
		d, err := docs.Upload(ctx, access.Actor{Principal: root}, documents.UploadInput{FolderID: folder, Filename: title + ".pdf", Body: pdf})
		if err != nil {
			t.Fatal(err)
		}
		if err := docs.Rename(ctx, access.Actor{Principal: root}, d.ID, title); err != nil {
			t.Fatal(err)
		}
	}
	upload(public, "Délibération budget primitif")
	upload(private, "Note confidentielle du bureau")
	cal := f.ts.srv.calendar
	calID, err := cal.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Collectes", Colour: "#1f5fa8", TimeZone: "Europe/Paris"},
		[]access.Grant{{GroupID: access.Everyone, Level: access.View}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cal.CreateEvent(ctx, access.Actor{Principal: root}, calendar.EventForm{CalendarID: fmt.Sprint(calID), Title: "Collecte des encombrants",
		StartDate: "2026-03-20", StartTime: "09:00", EndTime: "12:00", Location: "Place du marché"}); err != nil {
		t.Fatal(err)
	}
	// A calendar of the élus only: its events never show to others.
	privCal, err := cal.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Bureau", Colour: "#8a1f1f", TimeZone: "Europe/Paris"},
		[]access.Grant{{GroupID: f.gElus, Level: access.View}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cal.CreateEvent(ctx, access.Actor{Principal: root}, calendar.EventForm{CalendarID: fmt.Sprint(privCal), Title: "Réunion du bureau restreint",
		StartDate: "2026-03-21", StartTime: "18:00", EndTime: "20:00", Location: "Salle des élus"}); err != nil {
		t.Fatal(err)
	}
	st := f.ts.srv.pages
	a := access.Actor{Principal: root}
	rev, err := st.SaveDraft(ctx, a, f.syndicat.ID, f.syndicat.PublishedRev, "Le syndicat", []pages.Block{
		{Type: pages.BlockDocuments, FolderID: public},
		{Type: pages.BlockDocuments, FolderID: private},
		{Type: pages.BlockEvents, CalendarID: calID, Limit: 3},
		{Type: pages.BlockEvents, CalendarID: privCal, Limit: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, a, f.syndicat.ID, rev.ID, ""); err != nil {
		t.Fatal(err)
	}
	rec := f.visitor.get(t, "/le-syndicat")
	wantStatus(t, rec, 200)
	wantBody(t, rec, "Délibération budget primitif", "Collecte des encombrants", "Place du marché", "Aucun document à afficher")
	wantNoBody(t, rec, "Note confidentielle", "huis clos", "bureau restreint", "Salle des élus")
	// Each block's landmark has its own name (RGAA 12.6), and each file
	// its format and size (RGAA 13.3).
	wantBody(t, rec, `aria-label="Documents : Délibérations"`, `aria-label="Liste de documents"`,
		`aria-label="Prochains événements"`, `aria-label="Prochains événements (2)"`, "(PDF, ")
	rec = f.elu.get(t, "/le-syndicat")
	wantBody(t, rec, "Délibération budget primitif", "Note confidentielle du bureau", "Réunion du bureau restreint")
	// The edit form offers the folders and calendars the editor may see.
	rec = f.boss.get(t, fmt.Sprintf("/pages/%d/modifier", f.syndicat.ID))
	wantStatus(t, rec, 200)
	wantBody(t, rec, "Délibérations", "Séances à huis clos", ">Collectes<")
}

// Images over the limit: a clear French error, the text kept when the form
// could be read (422), a "too large" page when the body itself is too big.
func TestPageImageTooLarge(t *testing.T) {
	f := newSite(t)
	f.ts.srv.pages.ImageMax = 1 << 10
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	form := editForm(f.seances.PublishedRev, "Séances", pages.Block{Type: "text", HTML: "<p>Texte précieux à garder</p>"}, pages.Block{Type: "image", Alt: "Plan"})
	form.Set("op", "save")
	rec := f.editor.postMultipart(t, path, form, map[string][2]string{"blocks.1.file": {"plan.png", pngData(t, 300, 300) + strings.Repeat("x", 2<<10)}})
	wantStatus(t, rec, 422)
	wantBody(t, rec, "Cette image dépasse la taille maximale", "1,0 ko au maximum", "Texte précieux à garder")
	rec = f.editor.postMultipart(t, path, form, map[string][2]string{"blocks.1.file": {"plan.png", strings.Repeat("x", 5<<20)}})
	wantStatus(t, rec, 413)
	wantBody(t, rec, "Fichier trop volumineux")
	if p := f.page(t, f.seances.ID); p.DraftRev != 0 {
		t.Fatal("a refused upload saved a draft")
	}
	// A viewer's oversized post is refused before its body is read.
	rec = f.elu.postMultipart(t, path, form, map[string][2]string{"blocks.1.file": {"plan.png", strings.Repeat("x", 5<<20)}})
	wantStatus(t, rec, 403)
}
