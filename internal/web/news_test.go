package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"portique/internal/access"
	"portique/internal/pages"
)

// newsFixture is newSite with a news index at /actualites, two categories
// and helpers to add news items.
type newsFixture struct {
	*siteFixture
	index            *pages.Page
	travaux, compost *pages.Category
	admin            access.Actor
	loc              *time.Location
}

func newNewsSite(t *testing.T) *newsFixture {
	t.Helper()
	f := &newsFixture{siteFixture: newSite(t)}
	ctx := context.Background()
	st := f.ts.srv.pages
	var adminID int64
	if err := f.ts.db.QueryRow(ctx, "SELECT id FROM users WHERE email = 'admin@sydrav.fr'").Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	f.admin = access.Actor{Principal: access.Member(adminID, true, nil), Name: "admin"}
	f.loc = f.ts.cfg.Location()
	idx, err := st.Create(ctx, f.admin, f.home.ID, pages.NewPage{Title: "Actualités"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateProps(ctx, f.admin, idx.ID, pages.Props{Slug: idx.Slug, NewsIndex: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, f.admin, idx.ID, idx.DraftRev, "v1"); err != nil {
		t.Fatal(err)
	}
	f.index = f.page(t, idx.ID)
	if !f.index.IsNewsIndex() || f.index.Path != "/actualites" {
		t.Fatalf("index = %+v", f.index)
	}
	if f.travaux, err = st.AddCategory(ctx, f.admin, idx.ID, "Travaux"); err != nil {
		t.Fatal(err)
	}
	if f.compost, err = st.AddCategory(ctx, f.admin, idx.ID, "Compostage"); err != nil {
		t.Fatal(err)
	}
	return f
}

// item adds a published news item dated at, in cat (nil: none), private to
// the élus when private.
func (f *newsFixture) item(t *testing.T, title string, at time.Time, cat *pages.Category, private bool) *pages.Page {
	t.Helper()
	ctx := context.Background()
	st := f.ts.srv.pages
	p, err := st.Create(ctx, f.admin, f.index.ID, pages.NewPage{Title: title})
	if err != nil {
		t.Fatal(err)
	}
	if !p.IsNews() || p.PublishAt.IsZero() {
		t.Fatalf("a page under the news index is a dated news item: %+v", p)
	}
	var catID int64
	if cat != nil {
		catID = cat.ID
	}
	if _, err := st.UpdateProps(ctx, f.admin, p.ID, pages.Props{Slug: p.Slug, Loc: f.loc,
		Schedule: pages.Schedule{PublishAt: pages.FormatLocal(at, f.loc)},
		News:     pages.NewsProps{Teaser: "Chapeau de " + title, CategoryID: catID}}); err != nil {
		t.Fatal(err)
	}
	rev, err := st.SaveDraft(ctx, f.admin, p.ID, p.DraftRev, title, []pages.Block{{Type: pages.BlockText, HTML: "<p>Corps de " + title + "</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = st.Publish(ctx, f.admin, p.ID, rev.ID, "v1"); err != nil {
		t.Fatal(err)
	}
	if private {
		if err := st.SetGrants(ctx, f.admin, p.ID, false, []access.Grant{{GroupID: f.gElus, Level: access.View}}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// TestNewsListFeedsAndPrivacy: the list is newest first, paginated and
// filtered by category; the feeds parse with a feed library and carry the
// public items with their dates and links; a private item reaches only
// those who may view it: never the public list, feeds, search or sitemap.
func TestNewsListFeedsAndPrivacy(t *testing.T) {
	f := newNewsSite(t)
	now := f.ts.clock.Now()
	var items []*pages.Page
	for i := range 12 {
		cat := f.travaux
		if i%3 == 0 {
			cat = f.compost
		}
		// Item 0 is the oldest, item 11 the newest.
		items = append(items, f.item(t, fmt.Sprintf("Nouvelle numéro %02d", i), now.Add(time.Duration(i-20)*time.Hour), cat, false))
	}
	secret := f.item(t, "Séance secrète du bureau", now.Add(-time.Minute), f.travaux, true)

	// Page 1: the 10 newest public items, newest first; the private one
	// is not there for a visitor.
	rec := f.visitor.get(t, "/actualites")
	wantStatus(t, rec, 200)
	b := body(t, rec)
	wantNoBody(t, rec, "Séance secrète")
	if i11, i02 := strings.Index(b, "Nouvelle numéro 11"), strings.Index(b, "Nouvelle numéro 02"); i11 < 0 || i02 < 0 || i11 > i02 {
		t.Errorf("page 1 not newest first (11 at %d, 02 at %d)", i11, i02)
	}
	if strings.Contains(b, "Nouvelle numéro 01") {
		t.Error("page 1 holds more than 10 items")
	}
	for _, want := range []string{`rel="alternate" type="application/rss+xml"`, `rel="alternate" type="application/atom+xml"`, `href="/actualites?page=2"`} {
		if !strings.Contains(b, want) {
			t.Errorf("list lacks %s", want)
		}
	}
	rec = f.visitor.get(t, "/actualites?page=2")
	wantBody(t, rec, "Nouvelle numéro 01", "Nouvelle numéro 00")
	wantNoBody(t, rec, "Nouvelle numéro 02")
	wantStatus(t, f.visitor.get(t, "/actualites?page=3"), 404)
	// The category filter: compostage holds items 0, 3, 6, 9.
	rec = f.visitor.get(t, "/actualites?categorie=compostage")
	wantBody(t, rec, "Nouvelle numéro 09", "Nouvelle numéro 00", "Actualités : Compostage")
	wantNoBody(t, rec, "Nouvelle numéro 10", "Nouvelle numéro 11")
	wantStatus(t, f.visitor.get(t, "/actualites?categorie=inconnue"), 404)

	// An élu sees the private item in the list and on its page.
	wantBody(t, f.elu.get(t, "/actualites"), "Séance secrète du bureau")
	wantStatus(t, f.elu.get(t, secret.Path), 200)
	if rec := f.visitor.get(t, secret.Path); rec.Code != 303 && rec.Code != 403 && rec.Code != 404 {
		t.Errorf("visitor on a private news item: %d", rec.Code)
	}

	// A news item's page: date, category, teaser; description and Open Graph.
	rec = f.visitor.get(t, items[5].Path)
	wantBody(t, rec, "Publié le", "Travaux", "Chapeau de Nouvelle numéro 05",
		`<meta name="description" content="Chapeau de Nouvelle numéro 05">`,
		`<meta property="og:type" content="article">`, `<meta property="og:title" content="Nouvelle numéro 05">`)

	// Feeds, read by a feed parser; even a logged-in élu gets the public feed.
	for _, c := range []*client{f.visitor, f.elu} {
		for _, path := range []string{"/actualites/flux.rss", "/actualites/flux.atom"} {
			rec := c.get(t, path)
			wantStatus(t, rec, 200)
			feed, err := gofeed.NewParser().ParseString(body(t, rec))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if wantType := map[bool]string{true: "atom", false: "rss"}[strings.HasSuffix(path, "atom")]; feed.FeedType != wantType {
				t.Errorf("%s: type %s", path, feed.FeedType)
			}
			if len(feed.Items) != 12 {
				t.Fatalf("%s: %d items, want 12", path, len(feed.Items))
			}
			for i, it := range feed.Items {
				src := items[11-i]
				if it.Title != src.Title {
					t.Errorf("%s item %d: %q, want %q", path, i, it.Title, src.Title)
				}
				if u, err := url.Parse(it.Link); err != nil || !u.IsAbs() || u.Path != src.Path {
					t.Errorf("%s item %d: link %q, want absolute %s", path, i, it.Link, src.Path)
				}
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(src.PublishAt) {
					t.Errorf("%s item %d: published %v, want %v", path, i, it.PublishedParsed, src.PublishAt)
				}
				if it.Description != "Chapeau de "+src.Title {
					t.Errorf("%s item %d: description %q", path, i, it.Description)
				}
				if strings.Contains(it.Title, "secrète") {
					t.Errorf("%s: private item in the feed", path)
				}
			}
		}
	}

	// Search and sitemap: never the private item for a visitor.
	wantNoBody(t, f.visitor.get(t, "/recherche?q=secr%C3%A8te"), "Séance secrète")
	wantBody(t, f.elu.get(t, "/recherche?q=secr%C3%A8te"), "Séance secrète", "</span> Actualité — ")
	rec = f.visitor.get(t, "/sitemap.xml")
	wantBody(t, rec, items[3].Path, "<lastmod>")
	wantNoBody(t, rec, secret.Path)
}

// TestNewsLatestBlock: the home page's latest-news block lists the newest
// items the viewer may see, and the form editor can add it.
func TestNewsLatestBlock(t *testing.T) {
	f := newNewsSite(t)
	now := f.ts.clock.Now()
	for i := range 4 {
		f.item(t, fmt.Sprintf("Brève %d", i), now.Add(time.Duration(i-10)*time.Minute), nil, false)
	}
	f.item(t, "Brève réservée", now.Add(-time.Minute), nil, true)
	ctx := context.Background()
	home := f.page(t, f.home.ID)
	// The form editor adds the block (a structure change shows the form again).
	rec := f.boss.post(t, fmt.Sprintf("/pages/%d/modifier", home.ID), url.Values{"base": {fmt.Sprint(home.Head())}, "title": {"Accueil"},
		"op": {"add"}, "add_type": {pages.BlockNews}})
	wantStatus(t, rec, 200)
	wantBody(t, rec, `name="blocks.0.type" value="news"`, `name="blocks.0.limit"`)
	form := url.Values{"base": {fmt.Sprint(home.Head())}, "title": {"Accueil"}, "op": {"publish"},
		"blocks.0.type": {"news"}, "blocks.0.limit": {"3"}}
	wantStatus(t, f.boss.post(t, fmt.Sprintf("/pages/%d/modifier", home.ID), form), 303)
	rec = f.visitor.get(t, "/")
	wantBody(t, rec, "Dernières actualités", "Brève 3", "Brève 2", "Brève 1", `href="/actualites"`)
	wantNoBody(t, rec, "Brève 0", "Brève réservée")
	wantBody(t, f.elu.get(t, "/"), "Brève réservée")
	_ = ctx
}

// TestNewsBadInput: the properties form refuses an unpublication before
// the publication, a picture without its alternative text and a forged
// category, with French messages (422), and changes nothing.
func TestNewsBadInput(t *testing.T) {
	f := newNewsSite(t)
	item := f.item(t, "Fermeture exceptionnelle", f.ts.clock.Now().Add(-time.Hour), f.travaux, false)
	path := fmt.Sprintf("/pages/%d/proprietes", item.ID)
	wantStatus(t, f.boss.get(t, path), 200)
	base := func() url.Values {
		return url.Values{"slug": {item.Slug}, "in_menu": {"1"}, "publish_at": {"2026-03-10T10:00"}, "teaser": {"Nouveau chapeau"},
			"category": {fmt.Sprint(f.compost.ID)}}
	}
	cases := []struct {
		name  string
		edit  func(v url.Values)
		files map[string][2]string
		want  string
	}{
		{"unpublish before publish", func(v url.Values) { v.Set("unpublish_at", "2026-03-10T09:59") }, nil, "La date de dépublication doit être postérieure"},
		{"bad date", func(v url.Values) { v.Set("publish_at", "le 10 mars") }, nil, "Indiquez une date et une heure valides"},
		{"no date", func(v url.Values) { v.Set("publish_at", "") }, nil, "Indiquez la date et l’heure de publication"},
		{"forged category", func(v url.Values) { v.Set("category", "999999") }, nil, "Cette catégorie n’existe pas"},
		{"category not a number", func(v url.Values) { v.Set("category", "travaux'--") }, nil, "Cette catégorie n’existe pas"},
		{"image without alt", func(v url.Values) {}, map[string][2]string{"image": {"photo.png", pngData(t, 40, 30)}}, "Décrivez l’image"},
		{"not an image", func(v url.Values) { v.Set("image_alt", "Une photo") }, map[string][2]string{"image": {"photo.png", "pas une image"}}, "image"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := base()
			c.edit(v)
			rec := f.boss.postMultipart(t, path, v, c.files)
			wantStatus(t, rec, 422)
			wantBody(t, rec, c.want, "Nouveau chapeau") // the input is kept
			got := f.page(t, item.ID)
			if got.Teaser != "Chapeau de Fermeture exceptionnelle" || got.CategoryID != f.travaux.ID || got.ImageID != 0 {
				t.Errorf("a refused form changed the page: %+v", got)
			}
		})
	}
	// A good picture sent without its text is kept: the form shown again
	// carries it, and sending the text alone saves it.
	v := base()
	rec := f.boss.postMultipart(t, path, v, map[string][2]string{"image": {"photo.png", pngData(t, 40, 30)}})
	wantStatus(t, rec, 422)
	b := body(t, rec)
	i := strings.Index(b, `name="image_keep" value="`)
	if i < 0 {
		t.Fatal("the picture sent is not kept")
	}
	kept := b[i+len(`name="image_keep" value="`):]
	kept = kept[:strings.IndexByte(kept, '"')]
	v.Set("image_keep", kept)
	v.Set("image_alt", "Un panneau « fermé »")
	wantStatus(t, f.boss.postMultipart(t, path, v, nil), 303)
	if got := f.page(t, item.ID); fmt.Sprint(got.ImageID) != kept || got.ImageAlt != "Un panneau « fermé »" {
		t.Fatalf("kept picture not saved: %+v", got)
	}
	// Another page's picture cannot be forged in.
	v.Set("image_keep", "999999")
	wantStatus(t, f.boss.postMultipart(t, path, v, nil), 422)

	// A good form with a picture and its text: saved; the picture shows.
	v = base()
	v.Set("image_alt", "Le portail fermé de la déchèterie")
	v.Set("unpublish_at", "2026-04-01T00:00")
	wantStatus(t, f.boss.postMultipart(t, path, v, map[string][2]string{"image": {"photo.png", pngData(t, 40, 30)}}), 303)
	got := f.page(t, item.ID)
	if got.ImageID == 0 || got.ImageAlt != "Le portail fermé de la déchèterie" || got.CategoryID != f.compost.ID || got.UnpublishAt.IsZero() {
		t.Fatalf("saved: %+v", got)
	}
	rec = f.visitor.get(t, item.Path)
	wantBody(t, rec, `alt="Le portail fermé de la déchèterie"`, `<meta property="og:image" content="`)
	wantStatus(t, f.visitor.get(t, fmt.Sprintf("/medias/%d/480", got.ImageID)), 200)
	// Categories: a name taken twice is refused; someone without Manage
	// cannot add one.
	rec = f.boss.post(t, fmt.Sprintf("/pages/%d/categories", f.index.ID), url.Values{"name": {"travaux"}})
	wantStatus(t, rec, 422)
	wantBody(t, rec, "Une catégorie porte déjà ce nom")
	wantStatus(t, f.boss.post(t, fmt.Sprintf("/pages/%d/categories", f.index.ID), url.Values{"name": {"Prévention"}}), 303)
	wantBody(t, f.boss.get(t, fmt.Sprintf("/pages/%d/categories", f.index.ID)), "Prévention")
	wantStatus(t, f.elu.post(t, fmt.Sprintf("/pages/%d/categories", f.index.ID), url.Values{"name": {"Pirate"}}), 403)
}

// TestScheduledPublication: a page and a news item with a publication
// window appear to visitors at their publication minute and disappear at
// their unpublication minute — in the menu, the news list, the feed,
// search and the sitemap — whether the visitors' page cache (or the
// members' view cache) held a copy rendered just before, or not.
func TestScheduledPublication(t *testing.T) {
	f := newNewsSite(t)
	ctx := context.Background()
	st := f.ts.srv.pages
	start := f.ts.clock.Now() // 09:00 UTC
	at, until := start.Add(10*time.Minute), start.Add(30*time.Minute)
	p, err := st.Create(ctx, f.admin, f.home.ID, pages.NewPage{Title: "Enquête publique programmée"})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := st.SaveDraft(ctx, f.admin, p.ID, p.DraftRev, p.Title, []pages.Block{{Type: pages.BlockText, HTML: "<p>Registre ouvert en mairie</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, f.admin, p.ID, rev.ID, "v1"); err != nil {
		t.Fatal(err)
	}
	// The editor sets the window in the properties form (site's zone).
	form := url.Values{"slug": {p.Slug}, "in_menu": {"1"},
		"publish_at": {pages.FormatLocal(at, f.loc)}, "unpublish_at": {pages.FormatLocal(until, f.loc)}}
	wantStatus(t, f.boss.postMultipart(t, fmt.Sprintf("/pages/%d/proprietes", p.ID), form, nil), 303)
	news := f.item(t, "Actualité programmée", at, f.travaux, false)
	if _, err := st.UpdateProps(ctx, f.admin, news.ID, pages.Props{Slug: news.Slug, Loc: f.loc,
		Schedule: pages.Schedule{PublishAt: pages.FormatLocal(at, f.loc), UnpublishAt: pages.FormatLocal(until, f.loc)}}); err != nil {
		t.Fatal(err)
	}

	visible := func(when string, want bool) {
		t.Helper()
		check := func(c *client, path, needle string) {
			t.Helper()
			rec := c.get(t, path)
			if got := strings.Contains(body(t, rec), needle); got != want {
				t.Errorf("%s: %s shows %q = %v, want %v", when, path, needle, got, want)
			}
		}
		for _, c := range []*client{f.visitor, f.tech} {
			check(c, "/", "Enquête publique programmée")            // the main menu (cached)
			check(c, "/?frais=1", "Enquête publique programmée")    // not cached before
			check(c, "/actualites", "Actualité programmée")         // the news list (cached)
			check(c, "/le-syndicat", "Enquête publique programmée") // any page's menu
		}
		check(f.visitor, "/actualites/flux.rss", "Actualité programmée")
		check(f.visitor, "/recherche?q=registre", "Enquête publique programmée")
		check(f.visitor, "/sitemap.xml", p.Path)
		code := f.visitor.get(t, p.Path).Code
		if (code == 200) != want {
			t.Errorf("%s: %s answers %d", when, p.Path, code)
		}
		if code := f.visitor.get(t, news.Path).Code; (code == 200) != want {
			t.Errorf("%s: %s answers %d", when, news.Path, code)
		}
	}
	visible("before", false)
	// The editor sees the page, with a notice.
	wantBody(t, f.boss.get(t, p.Path), "Page programmée : les visiteurs la verront à partir du")
	// Caches warmed 30 s before the minute...
	f.ts.clock.Advance(9*time.Minute + 30*time.Second)
	visible("09:09:30", false)
	if cc := f.ts.visitor().get(t, "/actualites/flux.rss?lecteur=1").Header().Get("Cache-Control"); cc != "public, max-age=30" {
		t.Errorf("feed 30 s before a scheduled item: Cache-Control %q", cc)
	}
	// ...do not outlive it.
	f.ts.clock.Advance(29 * time.Second)
	visible("09:09:59", false)
	f.ts.clock.Advance(time.Second)
	visible("09:10:00", true)
	f.ts.clock.Advance(19*time.Minute + 30*time.Second)
	visible("09:29:30", true)
	f.ts.clock.Advance(29 * time.Second)
	visible("09:29:59", true)
	f.ts.clock.Advance(time.Second)
	visible("09:30:00", false)
	wantBody(t, f.boss.get(t, p.Path), "Page dépubliée")
}

// News cards are drawn once and kept by everything they show: a card that
// differs in any shown field (title, teaser, category, date, picture) is
// drawn anew, never served from another card's drawing.
func TestNewsCardsKept(t *testing.T) {
	ts := newTestServer(t)
	s := ts.srv
	date := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	base := newsCard{Title: "Collecte décalée", URL: "/actualites/collecte", Teaser: "Le lundi de Pâques", Category: "Collecte", Date: date}
	draw := func(c newsCard) string {
		t.Helper()
		h, err := s.newsCardsHTML([]newsCard{c})
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	}
	first := draw(base)
	if again := draw(base); again != first || !strings.Contains(first, "Le lundi de Pâques") {
		t.Fatalf("the same card drawn twice differs, or lacks its teaser:\n%s\n%s", first, again)
	}
	changes := map[string]func(c *newsCard){
		"title":    func(c *newsCard) { c.Title = "Collecte <maintenue>" },
		"teaser":   func(c *newsCard) { c.Teaser = "Aucun changement" },
		"category": func(c *newsCard) { c.Category = "Travaux" },
		"date":     func(c *newsCard) { c.Date = date.AddDate(0, 0, 1) },
		"picture":  func(c *newsCard) { c.Image = &imageView{Src: "/images/1.jpg", Alt: "Un bac", Width: 10, Height: 10} },
	}
	for name, change := range changes {
		c := base
		change(&c)
		if got := draw(c); got == first {
			t.Errorf("a card with another %s was served the first card's drawing", name)
		}
	}
	if got := draw(newsCard{Title: "Collecte <maintenue>", Date: date}); !strings.Contains(got, "Collecte &lt;maintenue&gt;") {
		t.Errorf("a card's title is not escaped:\n%s", got)
	}
}
