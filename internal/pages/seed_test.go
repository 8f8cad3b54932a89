package pages_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/pages"
)

func TestSeedDemo(t *testing.T) {
	f := newFixture(t)
	// The fixture already has a home page: seeding must not touch an existing site.
	if err := pages.SeedDemo(f.ctx, f.d, time.Now(), map[string]int64{"elus": gElus}, 0); err != nil {
		t.Fatal(err)
	}
	if l, _ := f.s.MainMenu(f.ctx, admin.Principal); len(l) != 0 {
		t.Fatalf("seed wrote into an existing site: %v", paths(l))
	}
}

func TestSeedDemoFresh(t *testing.T) {
	f := newFixture(t)
	// Start from an empty tree.
	if _, err := f.d.Exec(f.ctx, "DELETE FROM page_revisions"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Exec(f.ctx, "DELETE FROM pages"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Exec(f.ctx, "DELETE FROM acl_nodes WHERE kind = 'page'"); err != nil {
		t.Fatal(err)
	}
	groups := map[string]int64{"Élus": gElus, "Techniciens": gTech, "editeurs": gEditeurs}
	if err := f.s.SeedDemo(f.ctx, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), groups, 0); err != nil {
		t.Fatal(err)
	}
	menu, err := f.s.MainMenu(f.ctx, visitor.Principal)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/le-syndicat", "/reduire-ses-dechets", "/guide-du-tri", "/decheteries-et-points-de-collecte", "/actualites", "/documents-publics"}
	if got := paths(menu); !slices.Equal(got, want) {
		t.Fatalf("public menu = %v, want %v", got, want)
	}
	menu, _ = f.s.MainMenu(f.ctx, elu.Principal)
	if got := paths(menu); !slices.Contains(got, "/espace-elus") || slices.Contains(got, "/espace-techniciens") {
		t.Fatalf("elu menu = %v", got)
	}
	// The legal pages are the site settings' (package site), not the tree's.
	if _, err := f.s.Show(f.ctx, visitor.Principal, "/accessibilite", false); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("the demo seeds a placeholder accessibility page: %v", err)
	}
	_, err = f.s.Show(f.ctx, tech.Principal, "/espace-elus", false)
	wantErr(t, err, access.ErrForbidden)
	// The communication team may edit everywhere, extranet included.
	if ok, _ := f.s.Can(f.ctx, editor.Principal, mustResolve(t, f, "/espace-elus").ID, 3); !ok {
		t.Fatal("editors cannot manage the extranet")
	}
	err = f.s.AddDemoLinks(f.ctx, time.Now(), []pages.DemoLink{
		{Path: "/documents-publics", Block: pages.Block{Type: pages.BlockDocuments, FolderID: 7}},
		{Path: "/", Block: pages.Block{Type: pages.BlockEvents, CalendarID: 3, Limit: 4}},
		{Path: "/n-existe-pas", Block: pages.Block{Type: pages.BlockEvents, CalendarID: 3}},
	})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.s.Show(f.ctx, visitor.Principal, "/documents-publics", false)
	if n := len(v.Rev.Blocks); n != 2 || v.Rev.Blocks[1].FolderID != 7 {
		t.Fatalf("documents-publics blocks = %+v", v.Rev.Blocks)
	}
	v, _ = f.s.Show(f.ctx, visitor.Principal, "/", false)
	if last := v.Rev.Blocks[len(v.Rev.Blocks)-1]; last.Type != pages.BlockEvents || last.Limit != 4 {
		t.Fatalf("home blocks = %+v", v.Rev.Blocks)
	}
	if err := f.s.AddDemoLinks(f.ctx, time.Now(), []pages.DemoLink{{Path: "/", Block: pages.Block{Type: pages.BlockDocuments}}}); err == nil {
		t.Fatal("a documents block without folder was accepted")
	}
	// « Réduire ses déchets » shows a picture inside its text, described,
	// public with the page (issue 13A).
	v, _ = f.s.Show(f.ctx, visitor.Principal, "/reduire-ses-dechets", false)
	imgs := pages.RichImages(v.Rev.Blocks[0].HTML)
	if len(imgs) != 1 || !strings.Contains(imgs[0].Alt, "composteur") || imgs[0].Width != 640 {
		t.Fatalf("the demo's picture in the text: %+v in %s", imgs, v.Rev.Blocks[0].HTML)
	}
	if _, err := f.s.ImageVariant(f.ctx, visitor.Principal, imgs[0].ID, 480); err != nil {
		t.Fatalf("visitors cannot see the demo's picture: %v", err)
	}
	if d, ok := f.idx.Get(mustResolve(t, f, "/guide-du-tri").ID); !ok || !strings.Contains(d.Body, "bac jaune") && !strings.Contains(d.Body, "Bac jaune") {
		t.Fatalf("guide du tri not indexed: %+v", d)
	}
}

func mustResolve(t *testing.T, f *fixture, path string) *pages.Page {
	t.Helper()
	p, _, err := f.s.Resolve(f.ctx, path)
	if err != nil {
		t.Fatalf("resolve %s: %v", path, err)
	}
	return p
}
