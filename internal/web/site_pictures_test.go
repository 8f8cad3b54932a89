package web

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portique/internal/pages"
	"portique/internal/site"
)

func pictureOf(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{20, 90, 160, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestSiteFavicon(t *testing.T) {
	ts := newAccountsServer(t)
	adm := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	member := ts.loginAs(t, ts.createUser(t, "membre@example.fr", false))
	visitor := ts.visitor()
	// The program's icon until the body sets its own.
	wantBody(t, visitor.get(t, "/connexion"), `<link rel="icon" href="/static/`)
	// Only administrators change it.
	wantStatus(t, member.postMultipart(t, "/admin/parametres/favicon", nil, map[string][2]string{"favicon": {"f.png", pictureOf(t, 64, 64)}}), http.StatusForbidden)
	// Refused: not square, with the reason next to the field.
	rec := adm.postMultipart(t, "/admin/parametres/favicon", nil, map[string][2]string{"favicon": {"f.png", pictureOf(t, 300, 100)}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "L’icône doit être carrée : cette image mesure 300 × 100 pixels.", `id="favicon-error"`)
	wantStatus(t, adm.postMultipart(t, "/admin/parametres/favicon", nil, map[string][2]string{"favicon": {"f.png", pictureOf(t, 256, 256)}}), http.StatusSeeOther)
	m := regexp.MustCompile(`<link rel="icon" href="(/site/favicon/[0-9a-f]{12}\.png)" type="image/png">`).FindStringSubmatch(body(t, visitor.get(t, "/connexion")))
	if m == nil {
		t.Fatal("no link to the identity's favicon")
	}
	rec = visitor.get(t, m[1])
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("Content-Type") != "image/png" || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("favicon served with %v", rec.Header())
	}
	wantStatus(t, visitor.get(t, "/site/favicon/000000000000.png"), http.StatusNotFound)
	if loc := visitor.get(t, "/favicon.ico").Header().Get("Location"); loc != m[1] {
		t.Fatalf("/favicon.ico → %q", loc)
	}
	// Removed: the program's icon again, the old name is gone.
	wantStatus(t, member.post(t, "/admin/parametres/image/retirer", url.Values{"key": {"favicon"}}), http.StatusForbidden)
	wantStatus(t, adm.post(t, "/admin/parametres/image/retirer", url.Values{"key": {"favicon"}}), http.StatusSeeOther)
	wantStatus(t, visitor.get(t, m[1]), http.StatusNotFound)
}

func TestSiteBanners(t *testing.T) {
	f := newSite(t)
	adm, visitor := f.boss, f.visitor
	up := func(kind, alt string, decorative bool, data string) *httptest.ResponseRecorder {
		form := url.Values{"hero_" + kind + "_alt": {alt}}
		if decorative {
			form.Set("decorative", "1")
		}
		return adm.postMultipart(t, "/admin/parametres/bandeau?type="+kind, form, map[string][2]string{"hero_" + kind: {"b.png", data}})
	}
	// Refused without an alternative (nor the decorative choice), the file kept out.
	rec := up("page", "", false, pictureOf(t, 1200, 300))
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "Décrivez l’image en quelques mots, ou cochez « Image décorative ».")
	wantStatus(t, up("nope", "x", false, pictureOf(t, 100, 100)), http.StatusBadRequest)
	wantStatus(t, f.editor.postMultipart(t, "/admin/parametres/bandeau?type=page", url.Values{"hero_page_alt": {"x"}}, map[string][2]string{"hero_page": {"b.png", pictureOf(t, 100, 100)}}), http.StatusForbidden)

	wantStatus(t, up("page", "La vallée", false, pictureOf(t, 1200, 300)), http.StatusSeeOther)
	wantStatus(t, up("home", "", true, pictureOf(t, 1000, 250)), http.StatusSeeOther)
	// A content page shows its kind's banner, under the menu.
	b := body(t, visitor.get(t, "/le-syndicat"))
	m := regexp.MustCompile(`<div class="site-banner"><img src="(/site/bandeau/page-[0-9a-f]{12}\.jpg)" alt="La vallée" width="1200" height="300"></div>`).FindStringSubmatch(b)
	if m == nil {
		t.Fatalf("no banner on a content page:\n%.3000s", b)
	}
	rec = visitor.get(t, m[1])
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("Content-Type") != "image/jpeg" || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("banner served with %v", rec.Header())
	}
	wantStatus(t, visitor.get(t, strings.Replace(m[1], "page-", "home-", 1)), http.StatusNotFound)
	// A member sees it too, the first time and from the members' view
	// cache (which once kept the view without it).
	for range 2 {
		wantBody(t, f.elu.get(t, "/espace-elus"), `<div class="site-banner"><img src="`+m[1])
	}
	// The agenda has none (none set for it).
	wantNoBody(t, visitor.get(t, "/agenda"), "site-banner")
	// The home page: its hero block without a picture shows the home banner (decorative: empty alt).
	form := editForm(f.home.PublishedRev, "Accueil", pages.Block{Type: pages.BlockHero})
	form.Set("blocks.0.title", "Bienvenue")
	form.Set("op", "publish")
	wantStatus(t, adm.postMultipart(t, fmt.Sprintf("/pages/%d/modifier", f.home.ID), form, nil), http.StatusSeeOther)
	b = body(t, visitor.get(t, "/"))
	if !regexp.MustCompile(`<img class="hero-image" src="/site/bandeau/home-[0-9a-f]{12}\.jpg" alt=""`).MatchString(b) || strings.Contains(b, "site-banner") {
		t.Fatalf("home hero without the home banner:\n%.3000s", b)
	}
	// The settings form shows the banners and offers to remove them.
	wantBody(t, adm.get(t, "/admin/parametres"), `name="key" value="hero_page"`, `value="La vallée"`)
	wantStatus(t, adm.post(t, "/admin/parametres/image/retirer", url.Values{"key": {"hero_page"}}), http.StatusSeeOther)
	wantNoBody(t, visitor.get(t, "/le-syndicat"), "site-banner")
}

// Issue 14: a visitor's site header and footer are drawn once per content;
// pages differing in any field they show get their own drawing (members'
// pages draw theirs whole: TestMemberViewHoles compares them).
func TestChromeKept(t *testing.T) {
	s := newTestServer(t).srv
	base := func() *Page {
		return &Page{SiteName: "SYDRAV", Menu: `<ul><li><a href="/le-syndicat">Le syndicat</a></li></ul>`, A11yStatus: "non conforme",
			Site: &site.Settings{Values: map[string]string{site.Address: "1 rue du Tri\n38000 Grenoble", site.Telephone: "04 76 00 00 00",
				site.ContactMail: "contact@sydrav.fr", site.Hours: "Lundi–vendredi 9 h–17 h", site.LogoAlt: "Logo du SYDRAV"}}}
	}
	header, footer := s.chromeHTML(base())
	if h, f := s.chromeHTML(base()); h != header || f != footer || !strings.Contains(string(header), "Le syndicat") || !strings.Contains(string(footer), "04 76 00 00 00") {
		t.Fatalf("the same header and footer drawn twice differ, or miss their fields:\n%s\n%s", header, footer)
	}
	variants := map[string]func(p *Page){
		"name":    func(p *Page) { p.SiteName = "SYDRAV <Isère>" },
		"menu":    func(p *Page) { p.Menu = `<ul><li><a href="/agenda">Agenda</a></li></ul>` },
		"logo":    func(p *Page) { p.LogoURL, p.Site.Logo = "/identite/logo-1.png", &site.Logo{Width: 120, Height: 40} },
		"status":  func(p *Page) { p.A11yStatus = "partiellement conforme" },
		"address": func(p *Page) { p.Site.Values[site.Address] = "2 rue du Tri" },
		"phone":   func(p *Page) { p.Site.Values[site.Telephone] = "04 76 11 11 11" },
		"email":   func(p *Page) { p.Site.Values[site.ContactMail] = "accueil@sydrav.fr" },
		"hours":   func(p *Page) { p.Site.Values[site.Hours] = "Mardi 9 h–12 h" },
	}
	for name, change := range variants {
		p := base()
		change(p)
		h, f := s.chromeHTML(p)
		if h == header && f == footer {
			t.Errorf("a page with another %s was served the first header and footer", name)
		}
	}
	p := base()
	p.LogoURL, p.Site.Logo = "/identite/logo-1.png", &site.Logo{Width: 120, Height: 40}
	p.Site.Values[site.LogoAlt] = "Nouveau logo"
	h1, _ := s.chromeHTML(p)
	p.Site.Values[site.LogoAlt] = "Logo <2027>"
	if h2, _ := s.chromeHTML(p); h2 == h1 || !strings.Contains(string(h2), `alt="Logo &lt;2027&gt;"`) {
		t.Errorf("another logo text was served the first header, or the escaping is lost:\n%s", h2)
	}
}
