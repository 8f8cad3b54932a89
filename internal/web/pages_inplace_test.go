package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"portique/internal/pages"
)

// The edit form carries each block as the page shows it (the in-place
// editor's live view) and "add a block here" inserts at add_at, the new
// block marked for the script to open; without add_at it goes at the end.
func TestPageInPlaceAddHere(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	rec := f.editor.get(t, path)
	wantStatus(t, rec, 200)
	if b := body(t, rec); !strings.Contains(b, `<div class="block block-text"><p>Compte rendu de séance</p></div>`) || !strings.Contains(b, `data-inplace-edit="Modifier"`) {
		i := strings.Index(b, "block-live")
		t.Fatalf("no live view: %.600s", b[max(i, 0):])
	}

	base := f.seances.PublishedRev
	form := editForm(base, "Séances", pages.Block{Type: "text", HTML: "<p>A</p>"}, pages.Block{Type: "text", HTML: "<p>B</p>"})
	form.Set("op", "add")
	form.Set("add_type", "image")
	form.Set("add_at", "1")
	rec = f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, 200)
	b := body(t, rec)
	if !strings.Contains(b, `name="blocks.1.type" value="image"`) || !strings.Contains(b, `name="blocks.2.html"`) || !strings.Contains(b, `id="block-1" data-added`) {
		t.Fatal("the image block was not inserted at position 2, marked as added")
	}
	if strings.Index(b, "&lt;p&gt;A&lt;/p&gt;") > strings.Index(b, "&lt;p&gt;B&lt;/p&gt;") {
		t.Fatal("the other blocks changed order")
	}
	form.Set("add_at", "x")
	rec = f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, 200)
	wantBody(t, rec, `name="blocks.2.type" value="image"`, `id="block-2" data-added`)
}

// "Dépublier" takes a page back to draft: visitors no longer see it, the
// editor finds its content as the draft and publishes it again; a viewer
// cannot, the home page cannot, and a publication in between is refused.
func TestPageUnpublish(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/depublier", f.syndicat.ID)
	pub := f.syndicat.PublishedRev
	wantBody(t, f.boss.get(t, "/le-syndicat"), `action="/pages/`+fmt.Sprint(f.syndicat.ID)+`/depublier"`, "Dépublier")
	wantStatus(t, f.elu.post(t, path, url.Values{"published": {fmt.Sprint(pub)}}), 403)
	wantStatus(t, f.boss.post(t, path, url.Values{"published": {fmt.Sprint(pub + 100)}}), 409)
	wantStatus(t, f.boss.post(t, fmt.Sprintf("/pages/%d/depublier", f.home.ID), url.Values{"published": {fmt.Sprint(f.home.PublishedRev)}}), 409)
	wantStatus(t, f.visitor.get(t, "/le-syndicat"), 200)

	wantStatus(t, f.boss.post(t, path, url.Values{"published": {fmt.Sprint(pub)}}), 303)
	wantStatus(t, f.visitor.get(t, "/le-syndicat"), 404)
	p := f.page(t, f.syndicat.ID)
	if p.Published() || p.DraftRev != pub {
		t.Fatalf("after unpublishing: %+v", p)
	}
	rec := f.boss.get(t, "/le-syndicat")
	wantStatus(t, rec, 200)
	wantBody(t, rec, "Présentation publique", "pas encore publiée")
	wantNoBody(t, rec, "/depublier")
	wantStatus(t, f.boss.post(t, path, url.Values{"published": {"0"}}), 409)
	wantStatus(t, f.boss.post(t, fmt.Sprintf("/pages/%d/publier", f.syndicat.ID), url.Values{"draft": {fmt.Sprint(pub)}}), 303)
	wantBody(t, f.visitor.get(t, "/le-syndicat"), "Présentation publique")
}

// The link picker lists the pages (and documents) the person may see whose
// title matches, accents and case ignored; never a page they may not see.
func TestPageLinksPicker(t *testing.T) {
	f := newSite(t)
	get := func(c *client, q string) string {
		t.Helper()
		rec := c.get(t, "/pages/liens?q="+url.QueryEscape(q))
		wantStatus(t, rec, 200)
		return body(t, rec)
	}
	if b := get(f.elu, "SEANCES"); !strings.Contains(b, `"url":"/espace-elus/seances"`) {
		t.Fatalf("élu: %s", b)
	}
	if b := get(f.tech, "séances"); strings.Contains(b, "seances") || strings.Contains(b, "Espace") {
		t.Fatalf("a page the technician may not see is offered: %s", b)
	}
	if b := get(f.tech, ""); !strings.Contains(b, `"url":"/le-syndicat"`) {
		t.Fatalf("no query: %s", b)
	}
	wantStatus(t, f.visitor.get(t, "/pages/liens?q=a"), 303)
}
