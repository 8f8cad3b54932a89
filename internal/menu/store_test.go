package menu_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/menu"
	"portique/internal/pages"
	"portique/internal/valid"
)

const (
	gElus int64 = 10
	gCom  int64 = 11
)

var (
	visitor = access.Actor{Principal: access.Anonymous()}
	elu     = access.Actor{Principal: access.Member(101, false, []int64{gElus}), Name: "elu@example.fr"}
	com     = access.Actor{Principal: access.Member(102, false, []int64{gCom}), Name: "com@example.fr"}
	admin   = access.Actor{Principal: access.Member(104, true, nil), Name: "admin@example.fr"}
)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	d     *db.DB
	s     *menu.Store
	pages *pages.Store
}

// newFixture builds the demo page tree (a public site, a private « Espace
// élus ») and an empty menu the Communication group may change.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.NewDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	for _, g := range []struct {
		id   int64
		name string
	}{{gElus, "Élus"}, {gCom, "Communication"}} {
		if _, err := d.Exec(ctx, "INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)", g.id, g.name, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := pages.SeedDemo(ctx, d, now, map[string]int64{"elus": gElus}, 0); err != nil {
		t.Fatal(err)
	}
	ps := pages.New(d, nil)
	ps.Now = func() time.Time { return now.Add(time.Hour) }
	s := menu.New(d, ps)
	s.Now = ps.Now
	if err := s.SetGrants(ctx, admin, []access.Grant{{GroupID: gCom, Level: access.Edit}}); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, d: d, s: s, pages: ps}
}

func (f *fixture) pageID(path string) int64 {
	f.t.Helper()
	p, _, err := f.pages.Resolve(f.ctx, path)
	if err != nil {
		f.t.Fatalf("page %s: %v", path, err)
	}
	return p.ID
}

func (f *fixture) version() int64 {
	f.t.Helper()
	_, v, err := f.s.Entries(f.ctx, admin.Principal)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

func (f *fixture) add(in menu.Input) int64 {
	f.t.Helper()
	id, err := f.s.Add(f.ctx, com, f.version(), in)
	if err != nil {
		f.t.Fatalf("add %+v: %v", in, err)
	}
	return id
}

// labels renders the menu p sees as "A[a1,a2] B".
func (f *fixture) labels(p access.Principal) string {
	f.t.Helper()
	items, custom, err := f.s.Menu(f.ctx, p)
	if err != nil {
		f.t.Fatal(err)
	}
	if !custom {
		return "(tree)"
	}
	var parts []string
	for _, it := range items {
		l := it.Label
		if l == "" {
			l = it.LabelKey
		}
		if len(it.Children) > 0 {
			var cs []string
			for _, c := range it.Children {
				cl := c.Label
				if cl == "" {
					cl = c.LabelKey
				}
				cs = append(cs, cl+"="+c.URL)
			}
			l += "[" + strings.Join(cs, ",") + "]"
		} else {
			l += "=" + it.URL
		}
		parts = append(parts, l)
	}
	return strings.Join(parts, " ")
}

func TestMenuOrderSubmenusAndMoves(t *testing.T) {
	f := newFixture(t)
	if got := f.labels(visitor.Principal); got != "(tree)" {
		t.Fatalf("an empty menu = %q, want the page tree", got)
	}
	syndicat := f.add(menu.Input{Kind: menu.KindPage, PageID: f.pageID("/le-syndicat"), Subpages: true})
	services := f.add(menu.Input{Kind: menu.KindGroup, Label: "Vos services"})
	f.add(menu.Input{ParentID: services, Kind: menu.KindArea, Area: "ou-jeter"})
	contact := f.add(menu.Input{ParentID: services, Kind: menu.KindLink, Label: "Nous écrire", URL: "/reduire-ses-dechets"})
	f.add(menu.Input{ParentID: services, Kind: menu.KindLink, Label: "Service public", URL: "https://www.service-public.fr/"})
	agenda := f.add(menu.Input{Kind: menu.KindArea, Area: "agenda", Label: "Agenda du syndicat"})

	want := "Le syndicat[Nos missions=/le-syndicat/nos-missions,Le comité syndical=/le-syndicat/le-comite-syndical] " +
		"Vos services[guide.title=/ou-jeter,Nous écrire=/reduire-ses-dechets,Service public=https://www.service-public.fr/] Agenda du syndicat=/agenda"
	if got := f.labels(visitor.Principal); got != want {
		t.Fatalf("menu =\n%s\nwant\n%s", got, want)
	}
	// Moves: up at the top is a no-op; agenda up twice goes first.
	if err := f.s.Move(f.ctx, com, f.version(), syndicat, true); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := f.s.Move(f.ctx, com, f.version(), agenda, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.s.Move(f.ctx, com, f.version(), contact, true); err != nil {
		t.Fatal(err)
	}
	got := f.labels(visitor.Principal)
	if !strings.HasPrefix(got, "Agenda du syndicat=/agenda Le syndicat[") || !strings.Contains(got, "Vos services[Nous écrire=/reduire-ses-dechets,guide.title=/ou-jeter,") {
		t.Fatalf("after the moves: %s", got)
	}
	// A sub-menu of its own replaces the sub-pages.
	f.add(menu.Input{ParentID: syndicat, Kind: menu.KindPage, PageID: f.pageID("/le-syndicat/nos-missions"), Label: "Missions"})
	if got := f.labels(visitor.Principal); !strings.Contains(got, "Le syndicat[Missions=/le-syndicat/nos-missions]") {
		t.Fatalf("own sub-menu: %s", got)
	}
	// Deleting a group deletes its sub-menu.
	if err := f.s.Delete(f.ctx, com, f.version(), services); err != nil {
		t.Fatal(err)
	}
	if got := f.labels(visitor.Principal); strings.Contains(got, "services") || strings.Contains(got, "Nous écrire") {
		t.Fatalf("after delete: %s", got)
	}
	top, _, err := f.s.Entries(f.ctx, com.Principal)
	if err != nil || len(top) != 2 {
		t.Fatalf("entries after delete = %d, %v", len(top), err)
	}
	// Every change is in the audit trail, with who made it.
	entries, _, err := audit.Find(f.ctx, f.d, audit.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "menu.") && e.Actor == com.Name {
			n++
		}
	}
	if n < 11 {
		t.Errorf("%d audit entries of the menu by %s, want ≥ 11", n, com.Name)
	}
}

func TestMenuValidation(t *testing.T) {
	f := newFixture(t)
	group := f.add(menu.Input{Kind: menu.KindGroup, Label: "Groupe"})
	sub := f.add(menu.Input{ParentID: group, Kind: menu.KindArea, Area: "agenda"})
	v := f.version()
	for _, c := range []struct {
		in    menu.Input
		field string
		key   string
	}{
		{menu.Input{Kind: "script"}, "kind", "menu.error.kind"},
		{menu.Input{Kind: menu.KindLink, Label: "X", URL: "javascript:alert(1)"}, "url", "menu.error.url"},
		{menu.Input{Kind: menu.KindLink, Label: "X", URL: "http://example.org/"}, "url", "menu.error.url"},
		{menu.Input{Kind: menu.KindLink, Label: "X", URL: "//evil.example/"}, "url", "menu.error.url"},
		{menu.Input{Kind: menu.KindLink, Label: "X", URL: "https://user@evil.example/"}, "url", "menu.error.url"},
		{menu.Input{Kind: menu.KindLink, Label: "X", URL: "/a b"}, "url", "menu.error.url"},
		{menu.Input{Kind: menu.KindLink, Label: "X", URL: ""}, "url", "menu.error.url_required"},
		{menu.Input{Kind: menu.KindLink, Label: "X", URL: "/" + strings.Repeat("a", 600)}, "url", "menu.error.url_long"},
		{menu.Input{Kind: menu.KindLink, URL: "/agenda"}, "label", "menu.error.label_required"},
		{menu.Input{Kind: menu.KindGroup, Label: strings.Repeat("é", 61)}, "label", "menu.error.label_long"},
		{menu.Input{Kind: menu.KindArea, Area: "admin"}, "area", "menu.error.area"},
		{menu.Input{Kind: menu.KindPage}, "page", "menu.error.page"},
		{menu.Input{Kind: menu.KindPage, PageID: 999999}, "page", "menu.error.page"},
		{menu.Input{ParentID: group, Kind: menu.KindGroup, Label: "Trop profond"}, "kind", "menu.error.group_nested"},
	} {
		_, err := f.s.Add(f.ctx, com, v, c.in)
		var ve valid.Errors
		if !errors.As(err, &ve) || ve.Key(c.field) != c.key {
			t.Errorf("Add(%+v) = %v, want %s on %s", c.in, err, c.key, c.field)
		}
	}
	// A private page the editor may not see is refused like a forged id.
	if _, err := f.s.Add(f.ctx, com, v, menu.Input{Kind: menu.KindPage, PageID: f.pageID("/espace-elus")}); !isField(err, "page") {
		t.Errorf("a page the editor may not see: %v", err)
	}
	// Forged ids: an unknown parent, a sub-entry as parent, an unknown entry.
	if _, err := f.s.Add(f.ctx, com, v, menu.Input{ParentID: 999999, Kind: menu.KindArea, Area: "agenda"}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("unknown parent: %v", err)
	}
	if _, err := f.s.Add(f.ctx, com, v, menu.Input{ParentID: sub, Kind: menu.KindArea, Area: "agenda"}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("a third level: %v", err)
	}
	for name, err := range map[string]error{
		"update": f.s.Update(f.ctx, com, v, 999999, menu.Input{Kind: menu.KindArea, Area: "agenda"}),
		"move":   f.s.Move(f.ctx, com, v, 999999, true),
		"delete": f.s.Delete(f.ctx, com, v, 999999),
	} {
		if !errors.Is(err, db.ErrNotFound) {
			t.Errorf("%s of an unknown entry: %v", name, err)
		}
	}
	if f.version() != v {
		t.Error("a refused change moved the version")
	}
	// A good link is kept as typed (trimmed).
	id := f.add(menu.Input{Kind: menu.KindLink, Label: " Collecte ", URL: " /collecte?commune=rives "})
	e, err := f.s.Entry(f.ctx, com.Principal, id)
	if err != nil || e.Label != "Collecte" || e.URL != "/collecte?commune=rives" {
		t.Errorf("stored %+v, %v", e, err)
	}
}

func isField(err error, field string) bool {
	var ve valid.Errors
	return errors.As(err, &ve) && ve.Key(field) != ""
}

func TestMenuStaleChangeRefused(t *testing.T) {
	f := newFixture(t)
	v := f.version()
	id, err := f.s.Add(f.ctx, com, v, menu.Input{Kind: menu.KindArea, Area: "agenda"})
	if err != nil {
		t.Fatal(err)
	}
	// A second editor's form drawn before that change.
	for name, err := range map[string]error{
		"add": func() error {
			_, err := f.s.Add(f.ctx, admin, v, menu.Input{Kind: menu.KindArea, Area: "actes"})
			return err
		}(),
		"update": f.s.Update(f.ctx, admin, v, id, menu.Input{Kind: menu.KindArea, Area: "actes"}),
		"move":   f.s.Move(f.ctx, admin, v, id, false),
		"delete": f.s.Delete(f.ctx, admin, v, id),
	} {
		if !errors.Is(err, menu.ErrStale) || !errors.Is(err, db.ErrConflict) {
			t.Errorf("stale %s = %v, want ErrStale", name, err)
		}
	}
	if got := f.labels(visitor.Principal); got != "site.agenda=/agenda" {
		t.Errorf("after refused stale changes: %s", got)
	}
}

// TestMenuAccess tries to break the rules: who may change the menu, and that
// a private page never shows to those who may not see it — not as a page
// entry, not as its sub-pages, not through a custom link into it.
func TestMenuAccess(t *testing.T) {
	f := newFixture(t)
	v := f.version()
	in := menu.Input{Kind: menu.KindArea, Area: "agenda"}
	for _, a := range []access.Actor{visitor, elu} {
		if _, err := f.s.Add(f.ctx, a, v, in); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%q adds: %v", a.Name, err)
		}
		if _, _, err := f.s.Entries(f.ctx, a.Principal); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%q reads the entries: %v", a.Name, err)
		}
	}
	id := f.add(in)
	for _, a := range []access.Actor{visitor, elu} {
		if err := f.s.Update(f.ctx, a, f.version(), id, menu.Input{Kind: menu.KindArea, Area: "actes"}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%q updates: %v", a.Name, err)
		}
		if err := f.s.Move(f.ctx, a, f.version(), id, true); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%q moves: %v", a.Name, err)
		}
		if err := f.s.Delete(f.ctx, a, f.version(), id); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%q deletes: %v", a.Name, err)
		}
	}
	// Editing the menu is not managing it: only administrators change who may.
	if err := f.s.SetGrants(f.ctx, com, []access.Grant{{GroupID: gElus, Level: access.Edit}}); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("an editor changes the grants: %v", err)
	}
	if _, err := f.s.Grants(f.ctx, com.Principal); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("an editor reads the grants: %v", err)
	}

	// The administrator puts the private section in the menu, three ways.
	elus := f.pageID("/espace-elus")
	a := func(in menu.Input) int64 {
		id, err := f.s.Add(f.ctx, admin, f.version(), in)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a(menu.Input{Kind: menu.KindPage, PageID: elus})
	a(menu.Input{Kind: menu.KindPage, PageID: elus, Label: "Élus (sous-pages)", Subpages: true})
	for _, u := range []string{"/espace-elus", "/Espace-Elus/", "/espace%2Delus", "/x/../espace-elus?a=1#b", "/espace-elus/ordre-du-jour"} {
		a(menu.Input{Kind: menu.KindLink, Label: "Lien " + u, URL: u})
	}
	g := a(menu.Input{Kind: menu.KindGroup, Label: "Réservé"})
	a(menu.Input{ParentID: g, Kind: menu.KindPage, PageID: elus})

	for _, p := range []access.Actor{visitor, com} {
		got := f.labels(p.Principal)
		if strings.Contains(got, "Espace élus") || strings.Contains(got, "espace-elus") || strings.Contains(got, "Élus") ||
			strings.Contains(got, "Lien") || strings.Contains(got, "Réservé") {
			t.Errorf("%q sees the private section: %s", p.Name, got)
		}
	}
	got := f.labels(elu.Principal)
	for _, want := range []string{"Espace élus=/espace-elus", "Élus (sous-pages)=/espace-elus", "Lien /espace-elus=/espace-elus", "Lien /espace%2Delus=", "Réservé[Espace élus=/espace-elus]"} {
		if !strings.Contains(got, want) {
			t.Errorf("the élu's menu lacks %q: %s", want, got)
		}
	}
	// The editor who may not see the page sees the entry without its title.
	top, _, err := f.s.Entries(f.ctx, com.Principal)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range top {
		if e.Kind == menu.KindPage && e.PageID == elus && e.PageTitle != "" {
			t.Errorf("the editor sees the private page's title %q", e.PageTitle)
		}
	}
}
