package web

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/pages"
)

// homeForm is the edit form of a home page made of the home blocks.
func homeForm(base int64) map[string][]string {
	v := editForm(base, "Accueil",
		pages.Block{Type: pages.BlockHero}, pages.Block{Type: pages.BlockTiles}, pages.Block{Type: pages.BlockSearch})
	set := func(k, val string) { v.Set(k, val) }
	set("blocks.0.title", "Moins de déchets, mieux triés")
	set("blocks.0.lead", "Le syndicat collecte et trie.")
	set("blocks.0.link_label", "Trouver mes jours de collecte")
	set("blocks.0.link_url", "/collecte")
	set("blocks.1.title", "Accès rapides")
	set("blocks.1.tiles.0.label", "Où jeter ?")
	set("blocks.1.tiles.0.url", "/ou-jeter")
	set("blocks.1.tiles.0.icon", "trash-2")
	set("blocks.1.tiles.1.label", "Service public")
	set("blocks.1.tiles.1.url", "https://www.service-public.fr/")
	set("blocks.1.tiles.1.icon", "")
	set("blocks.1.tiles.2.label", "") // a spare row left empty
	set("blocks.1.tiles.2.url", "")
	set("blocks.1.tiles.2.icon", "")
	set("blocks.2.title", "")
	return v
}

func TestHomeBlocks(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.home.ID)
	form := homeForm(f.home.PublishedRev)
	form["op"] = []string{"publish"}
	wantStatus(t, f.boss.postMultipart(t, path, form, nil), 303)

	rec := f.visitor.get(t, "/")
	wantStatus(t, rec, 200)
	wantBody(t, rec,
		`<h2 class="hero-title">Moins de déchets, mieux triés</h2>`, `<p class="hero-lead">Le syndicat collecte et trie.</p>`,
		`<a class="button hero-button" href="/collecte">Trouver mes jours de collecte</a>`,
		`<nav class="block block-tiles" aria-label="Accès rapides">`, `<h2>Accès rapides</h2>`,
		`href="/ou-jeter"`, `<span class="tile-label">Où jeter ?</span>`, `href="https://www.service-public.fr/"`,
		`<form role="search" method="get" action="/recherche"`, `name="q"`, `<h2 id="blk2-title">Que cherchez-vous ?</h2>`, `aria-labelledby="blk2-title"`)
	body := rec.Body.String()
	// The icon: the bundled sprite, hidden from assistive technologies; a tile without icon has none.
	icon := regexp.MustCompile(`<svg class="tile-icon" aria-hidden="true" focusable="false"[^>]*><use href="(/static/[0-9a-f]+/dist/icons\.svg)#trash-2"></use></svg>`).FindStringSubmatch(body)
	if f.ts.srv.static.exists("dist/icons.svg") {
		if icon == nil {
			t.Fatalf("no icon in the tile:\n%s", body)
		}
		if n := strings.Count(body, `class="tile-icon"`); n != 1 {
			t.Fatalf("%d icons, want 1 (the second tile has none)", n)
		}
		sprite := f.visitor.get(t, icon[1])
		wantStatus(t, sprite, 200)
		if cc := sprite.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Fatalf("sprite Cache-Control = %q", cc)
		}
		for _, n := range pages.Icons {
			if !strings.Contains(sprite.Body.String(), `<symbol id="`+n+`"`) {
				t.Fatalf("sprite lacks %q", n)
			}
		}
	}
	// The empty spare row was dropped.
	p := f.page(t, f.home.ID)
	rev, err := f.ts.srv.pages.Revision(t.Context(), access.System().Principal, p.ID, p.PublishedRev)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rev.Blocks[1].Tiles); n != 2 {
		t.Fatalf("tiles = %+v", rev.Blocks[1].Tiles)
	}

	// The edit form offers the tiles, two spare rows, the icons and the site's pages.
	rec = f.boss.get(t, path)
	wantStatus(t, rec, 200)
	wantBody(t, rec, `name="blocks.1.tiles.1.url" value="https://www.service-public.fr/"`, `name="blocks.1.tiles.3.label" value=""`,
		`<option value="trash-2" selected>Poubelle</option>`, `<datalist id="page-paths">`, `<option value="/le-syndicat">Le syndicat</option>`,
		`name="blocks.0.link_url" value="/collecte"`)
	wantNoBody(t, rec, `name="blocks.1.tiles.4.label"`,
		`action="/recherche" aria-labelledby`) // the search block's form cannot sit inside the edit form
}

// Bad input is refused field by field, and the form comes back with all
// that was typed.
func TestHomeBlocksRefused(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.home.ID)
	form := homeForm(f.home.PublishedRev)
	form["blocks.0.title"] = []string{""}
	form["blocks.0.link_url"] = []string{"javascript:alert(1)"}
	form["blocks.1.tiles.1.url"] = []string{"//evil.example/"}
	form["blocks.1.tiles.0.icon"] = []string{"../../etc/passwd"}
	form["op"] = []string{"publish"}
	rec := f.boss.postMultipart(t, path, form, nil)
	wantStatus(t, rec, 422)
	wantBody(t, rec, "Donnez un titre au bandeau.", "Cette adresse n’est pas valable", "Choisissez une icône de la liste.",
		`value="javascript:alert(1)"`, `value="//evil.example/"`, `>Le syndicat collecte et trie.</textarea>`,
		`id="blocks.0.title" type="text" name="blocks.0.title" value="" maxlength="150" required aria-describedby="blocks.0.title-error" aria-invalid="true"`)
	// Nothing was published.
	wantNoBody(t, f.visitor.get(t, "/"), "hero-title")
	// Someone who may not edit the page cannot place blocks on it.
	form = homeForm(f.home.PublishedRev)
	form["op"] = []string{"publish"}
	wantStatus(t, f.editor.postMultipart(t, path, form, nil), 403)
	wantNoBody(t, f.visitor.get(t, "/"), "hero-title")
}

// The events and news blocks show a heading: the editor's, or the default.
func TestBlockHeadings(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.home.ID)
	form := editForm(f.home.PublishedRev, "Accueil", pages.Block{Type: pages.BlockNews}, pages.Block{Type: pages.BlockNews})
	form.Set("blocks.0.title", "À la une")
	form.Set("op", "publish")
	wantStatus(t, f.boss.postMultipart(t, path, form, nil), 303)
	wantBody(t, f.visitor.get(t, "/"), ">À la une</h2>", ">Dernières actualités</h2>")
}
