package pages_test

import (
	"reflect"
	"strings"
	"testing"

	"portique/internal/db"
	"portique/internal/pages"
)

func TestCheckLink(t *testing.T) {
	for link, want := range map[string]string{
		"/collecte":                      "",
		"/agenda?vue=mois#mars":          "",
		"https://www.service-public.fr/": "",
		"http://exemple.fr/a":            "",
		"":                               "pages.error.link_required",
		"//evil.example/x":               "pages.error.link_bad",
		"javascript:alert(1)":            "pages.error.link_bad",
		"data:text/html,hi":              "pages.error.link_bad",
		"collecte":                       "pages.error.link_bad",
		"https://":                       "pages.error.link_bad",
		"/a b":                           "pages.error.link_bad",
		`/a"onmouseover="x`:              "pages.error.link_bad",
		"/\\evil.example":                "pages.error.link_bad",
		"mailto:contact@exemple.fr":      "pages.error.link_bad",
		"/" + strings.Repeat("a", 500):   "pages.error.link_long",
	} {
		if got := pages.CheckLink(link); got != want {
			t.Errorf("CheckLink(%q) = %q, want %q", link, got, want)
		}
	}
}

// FuzzCheckLink: an accepted link is a site path (never another host) or
// an absolute http(s) address, and holds nothing that would end an HTML
// attribute.
func FuzzCheckLink(f *testing.F) {
	for _, s := range []string{"/collecte", "https://a.fr", "//x", "javascript:x", "/a\nb", "http://[::1]/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if pages.CheckLink(s) != "" {
			return
		}
		site := strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//")
		low := strings.ToLower(s)
		abs := strings.HasPrefix(low, "https://") || strings.HasPrefix(low, "http://")
		if !site && !abs {
			t.Fatalf("accepted %q", s)
		}
		if strings.ContainsAny(s, "\"<> \t\r\n\\") {
			t.Fatalf("accepted %q", s)
		}
	})
}

func TestNormalizeHomeBlocks(t *testing.T) {
	long := strings.Repeat("x", 400)
	good := []pages.Block{
		{Type: pages.BlockHero, Title: "  Bienvenue  ", Lead: "Un texte court.", LinkLabel: "Mes jours", LinkURL: "/collecte"},
		{Type: pages.BlockTiles, Tiles: []pages.Tile{
			{Label: "Où jeter ?", URL: "/ou-jeter", Icon: "trash-2"},
			{}, // an empty row of the form: dropped
			{Label: "Service public", URL: "https://www.service-public.fr"},
		}},
		{Type: pages.BlockSearch},
		{Type: pages.BlockEvents, CalendarID: 3, Title: "Prochains rendez-vous"},
	}
	out, err := pages.Normalize(good)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Title != "Bienvenue" || out[0].LinkURL != "/collecte" || out[0].ImageID != 0 {
		t.Fatalf("hero = %+v", out[0])
	}
	want := []pages.Tile{{Label: "Où jeter ?", URL: "/ou-jeter", Icon: "trash-2"}, {Label: "Service public", URL: "https://www.service-public.fr"}}
	if !reflect.DeepEqual(out[1].Tiles, want) {
		t.Fatalf("tiles = %+v", out[1].Tiles)
	}
	if out[3].Title != "Prochains rendez-vous" || out[3].Limit != 5 {
		t.Fatalf("events = %+v", out[3])
	}
	// Every rule, each on its field.
	bad := []pages.Block{
		{Type: pages.BlockHero},                                                             // 0: no title
		{Type: pages.BlockHero, Title: "T", LinkLabel: "Voir"},                              // 1: a button without address
		{Type: pages.BlockHero, Title: "T", LinkURL: "/collecte"},                           // 2: an address without label
		{Type: pages.BlockHero, Title: "T", Lead: long},                                     // 3: too long a text
		{Type: pages.BlockHero, Title: "T", ImageID: 4},                                     // 4: a picture without alternative
		{Type: pages.BlockHero, Title: "T", LinkLabel: "V", LinkURL: "javascript:alert(1)"}, // 5
		{Type: pages.BlockTiles},                                                            // 6: no tile
		{Type: pages.BlockTiles, Tiles: []pages.Tile{{URL: "/a"}, {Label: "B"}, {Label: "C", URL: "/c", Icon: "../../etc/passwd"}}}, // 7
		{Type: pages.BlockTiles, Tiles: make13()},                // 8: too many
		{Type: pages.BlockSearch, Title: "a\nb"},                 // 9: two lines
		{Type: pages.BlockNews, Title: long},                     // 10
		{Type: pages.BlockHero, Title: strings.Repeat("é", 151)}, // 11
	}
	_, err = pages.Normalize(bad)
	for _, field := range []string{"blocks.0.title", "blocks.1.link_url", "blocks.2.link_label", "blocks.3.lead", "blocks.4.alt",
		"blocks.5.link_url", "blocks.6.tiles.0.label", "blocks.7.tiles.0.label", "blocks.7.tiles.1.url", "blocks.7.tiles.2.icon",
		"blocks.8.tiles.12.label", "blocks.9.title", "blocks.10.title", "blocks.11.title"} {
		wantField(t, err, field)
	}
	ve, _ := asValidation(err)
	if k := ve.Key("blocks.5.link_url"); k != "pages.error.link_bad" {
		t.Fatalf("javascript: link refused with %q", k)
	}
	// A decorative hero picture needs no alternative (and keeps none).
	out, err = pages.Normalize([]pages.Block{{Type: pages.BlockHero, Title: "T", ImageID: 4, Alt: "ignored", Decorative: true}})
	if err != nil || out[0].Alt != "" || out[0].ImageID != 4 {
		t.Fatalf("decorative hero = %+v, %v", out, err)
	}
	// The readable text (search, diffs) holds the words of the blocks.
	if txt := pages.BlocksText(good); !strings.Contains(txt, "Bienvenue") || !strings.Contains(txt, "Où jeter ?") {
		t.Fatalf("text = %q", txt)
	}
}

func make13() []pages.Tile {
	out := make([]pages.Tile, pages.MaxTiles+1)
	for i := range out {
		out[i] = pages.Tile{Label: "T", URL: "/t"}
	}
	return out
}

// Every icon of the list has its label; the list holds no duplicates.
func TestIcons(t *testing.T) {
	if len(pages.Icons) < 10 {
		t.Fatalf("icons = %v", pages.Icons)
	}
	seen := map[string]bool{}
	for _, n := range pages.Icons {
		if seen[n] || strings.ContainsAny(n, " /.#") {
			t.Fatalf("icon name %q (duplicate or unsafe)", n)
		}
		seen[n] = true
	}
}

// A hero's picture must be one of its page's (a forged id of another
// page's picture is refused), and is published with the page.
func TestHeroImage(t *testing.T) {
	f := newFixture(t)
	p := f.page(f.home.ID, "Accueil bis", "texte")
	other := f.page(f.home.ID, "Privée", "secret")
	f.grants(other.ID) // nobody but the administrators
	theirs, err := f.s.UploadImage(f.ctx, admin, other.ID, "secret.png", "Secret", pngReader(t, 800, 400))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.SaveDraft(f.ctx, editor, p.ID, p.PublishedRev, "Accueil bis", []pages.Block{{Type: pages.BlockHero, Title: "T", ImageID: theirs.ID, Alt: "x"}})
	wantField(t, err, "blocks.0.image")

	// Uploaded with the block, through Save: stored in the page, shown to visitors once published.
	pic, err := f.s.ReadImage("bandeau.png", "Bandeau", pngReader(t, 1600, 600))
	if err != nil {
		t.Fatal(err)
	}
	blocks := []pages.Block{{Type: pages.BlockHero, Title: "Bienvenue", Alt: "Des collines"}}
	_, rev, err := f.s.Save(f.ctx, editor, p.ID, pages.Edit{Base: p.PublishedRev, Title: "Accueil bis", Blocks: blocks, Uploads: map[int]*pages.Upload{0: pic}, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	id := rev.Blocks[0].ImageID
	if id == 0 || rev.Blocks[0].Alt != "Des collines" {
		t.Fatalf("hero = %+v", rev.Blocks[0])
	}
	if _, err := f.s.ImageVariant(f.ctx, visitor.Principal, id, 480); err != nil {
		t.Fatalf("visitors cannot see the published hero's picture: %v", err)
	}
	// The other page's picture stays hidden from visitors.
	_, err = f.s.ImageVariant(f.ctx, visitor.Principal, theirs.ID, 480)
	wantErr(t, err, db.ErrNotFound)
}
