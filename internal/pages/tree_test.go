package pages_test

import (
	"errors"
	"slices"
	"testing"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/pages"
)

func TestCreateSlugs(t *testing.T) {
	f := newFixture(t)
	p, err := f.s.Create(f.ctx, editor, f.home.ID, pages.NewPage{Title: "Réduire ses déchets"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Path != "/reduire-ses-dechets" || p.Published() || p.DraftRev == 0 {
		t.Fatalf("page = %+v, want an unpublished draft at /reduire-ses-dechets", p)
	}
	// Same title again: a numbered slug.
	p2, err := f.s.Create(f.ctx, editor, f.home.ID, pages.NewPage{Title: "Réduire ses déchets"})
	if err != nil {
		t.Fatal(err)
	}
	if p2.Path != "/reduire-ses-dechets-2" {
		t.Fatalf("second path = %q, want /reduire-ses-dechets-2", p2.Path)
	}
	// A slug typed by the user that is taken: an error on the field.
	_, err = f.s.Create(f.ctx, editor, f.home.ID, pages.NewPage{Title: "Autre", Slug: "reduire-ses-dechets"})
	wantField(t, err, "slug")
	// Reserved first segments.
	_, err = f.s.Create(f.ctx, editor, f.home.ID, pages.NewPage{Title: "Agenda", Slug: "agenda"})
	wantField(t, err, "slug")
	a, err := f.s.Create(f.ctx, editor, f.home.ID, pages.NewPage{Title: "Agenda"})
	if err != nil || a.Path != "/agenda-2" {
		t.Fatalf("auto slug for a reserved title = %v, %v; want /agenda-2", a, err)
	}
	// …but only at the root.
	sub, err := f.s.Create(f.ctx, editor, p.ID, pages.NewPage{Title: "Agenda", Slug: "agenda"})
	if err != nil || sub.Path != "/reduire-ses-dechets/agenda" {
		t.Fatalf("reserved slug below the root = %v, %v", sub, err)
	}
	// Legal pages are ordinary pages.
	if _, err := f.s.Create(f.ctx, editor, f.home.ID, pages.NewPage{Title: "Accessibilité"}); err != nil {
		t.Fatal(err)
	}
	// Invalid slug and missing title.
	_, err = f.s.Create(f.ctx, editor, f.home.ID, pages.NewPage{Title: "X", Slug: "Avec Espaces"})
	wantField(t, err, "slug")
	_, err = f.s.Create(f.ctx, editor, f.home.ID, pages.NewPage{Title: "  "})
	wantField(t, err, "title")
	// Creating needs Edit on the parent.
	for _, a := range []access.Actor{visitor, member, elu} {
		_, err = f.s.Create(f.ctx, a, f.home.ID, pages.NewPage{Title: "Pirate"})
		wantErr(t, err, access.ErrForbidden)
	}
}

func TestMoveRenameRedirect(t *testing.T) {
	f := newFixture(t)
	syndicat := f.page(f.home.ID, "Le syndicat", "Présentation")
	elus := f.page(syndicat.ID, "Les élus", "Liste des élus")
	seances := f.page(elus.ID, "Séances", "Comptes rendus")
	actus := f.page(f.home.ID, "Actualités", "Nouvelles")

	// Move "Les élus" (and its child) under "Actualités".
	if err := f.s.Move(f.ctx, editor, elus.ID, actus.ID, -1); err != nil {
		t.Fatal(err)
	}
	if got := f.get(seances.ID).Path; got != "/actualites/les-elus/seances" {
		t.Fatalf("descendant path = %q", got)
	}
	// Old paths answer with the new page (301).
	p, moved, err := f.s.Resolve(f.ctx, "/le-syndicat/les-elus/seances")
	if err != nil || !moved || p.ID != seances.ID {
		t.Fatalf("Resolve(old path) = %v, %v, %v; want the moved page", p, moved, err)
	}
	v, err := f.s.Show(f.ctx, visitor.Principal, "/le-syndicat/les-elus", false)
	if err != nil || v.Redirect != "/actualites/les-elus" {
		t.Fatalf("Show(old path) = %+v, %v; want redirect", v, err)
	}
	// The search index follows the new URL.
	if d, ok := f.idx.Get(seances.ID); !ok || d.URL != "/actualites/les-elus/seances" || d.ACLID != seances.ID || d.ACLKind != access.Page {
		t.Fatalf("index doc = %+v, %v", d, ok)
	}
	// Cycles and the home page.
	wantErr(t, f.s.Move(f.ctx, editor, elus.ID, seances.ID, -1), access.ErrCycle)
	wantErr(t, f.s.Move(f.ctx, editor, elus.ID, elus.ID, -1), access.ErrCycle)
	wantErr(t, f.s.Move(f.ctx, editor, f.home.ID, actus.ID, -1), pages.ErrHomeProtected)
	// Rename: the slug changes, the old path redirects, descendants follow.
	if _, err := f.s.UpdateProps(f.ctx, editor, elus.ID, pages.Props{Slug: "nos-elus", MenuTitle: "Élus"}); err != nil {
		t.Fatal(err)
	}
	if got := f.get(seances.ID).Path; got != "/actualites/nos-elus/seances" {
		t.Fatalf("path after rename = %q", got)
	}
	for _, old := range []string{"/le-syndicat/les-elus/seances", "/actualites/les-elus/seances"} {
		if p, moved, err := f.s.Resolve(f.ctx, old); err != nil || !moved || p.Path != "/actualites/nos-elus/seances" {
			t.Fatalf("Resolve(%q) = %v, %v, %v", old, p, moved, err)
		}
	}
	// A new page at an old path takes it over.
	back, err := f.s.Create(f.ctx, editor, syndicat.ID, pages.NewPage{Title: "Les élus"})
	if err != nil {
		t.Fatal(err)
	}
	if p, moved, err := f.s.Resolve(f.ctx, "/le-syndicat/les-elus"); err != nil || moved || p.ID != back.ID {
		t.Fatalf("Resolve(reused path) = %v, %v, %v", p, moved, err)
	}
	// Moving into a parent where the slug is taken is refused.
	clash := f.page(actus.ID, "Les élus", "homonyme")
	_ = clash
	err = f.s.Move(f.ctx, editor, back.ID, actus.ID, -1)
	wantField(t, err, "slug")
	// Moving needs Manage on the page: a branch viewer cannot.
	wantErr(t, f.s.Move(f.ctx, member, seances.ID, f.home.ID, -1), access.ErrForbidden)
}

func TestReorder(t *testing.T) {
	f := newFixture(t)
	a := f.page(f.home.ID, "A", "a")
	b := f.page(f.home.ID, "B", "b")
	c := f.page(f.home.ID, "C", "c")
	menu := func() []string {
		l, err := f.s.MainMenu(f.ctx, visitor.Principal)
		if err != nil {
			t.Fatal(err)
		}
		return paths(l)
	}
	if got := menu(); !slices.Equal(got, []string{"/a", "/b", "/c"}) {
		t.Fatalf("menu = %v", got)
	}
	if err := f.s.Move(f.ctx, editor, c.ID, f.home.ID, 0); err != nil {
		t.Fatal(err)
	}
	if got := menu(); !slices.Equal(got, []string{"/c", "/a", "/b"}) {
		t.Fatalf("menu after moving C first = %v", got)
	}
	if err := f.s.Move(f.ctx, editor, a.ID, f.home.ID, 2); err != nil {
		t.Fatal(err)
	}
	if got := menu(); !slices.Equal(got, []string{"/c", "/b", "/a"}) {
		t.Fatalf("menu after moving A last = %v", got)
	}
	_ = b
}

func TestInheritedGrants(t *testing.T) {
	f := newFixture(t)
	espace := f.page(f.home.ID, "Espace élus", "Réservé aux élus")
	f.grants(espace.ID, access.Grant{GroupID: gElus, Level: access.View})
	seance := f.page(espace.ID, "Séance du 12 mars", "Ordre du jour")
	public := f.page(f.home.ID, "Le syndicat", "Public")

	cases := []struct {
		name string
		a    access.Actor
		path string
		want error
	}{
		{"visitor sees public", visitor, public.Path, nil},
		{"visitor denied private", visitor, espace.Path, access.ErrForbidden},
		{"visitor denied inherited", visitor, seance.Path, access.ErrForbidden},
		{"other group denied", tech, seance.Path, access.ErrForbidden},
		{"member denied", member, espace.Path, access.ErrForbidden},
		{"elu sees", elu, seance.Path, nil},
		{"home editors lose the private branch", editor, seance.Path, access.ErrForbidden},
		{"admin sees", admin, seance.Path, nil},
		{"missing page", admin, "/nulle-part", db.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := f.s.Show(f.ctx, c.a.Principal, c.path, false)
			if c.want == nil {
				if err != nil || v.Rev == nil {
					t.Fatalf("Show = %v, %v; want the page", v, err)
				}
				return
			}
			wantErr(t, err, c.want)
		})
	}
	// Elus may view but not edit.
	_, err := f.s.SaveDraft(f.ctx, elu, seance.ID, seance.PublishedRev, "Piraté", nil)
	wantErr(t, err, access.ErrForbidden)
	// An editors' group owning the branch may edit it, and only it.
	f.grants(espace.ID, access.Grant{GroupID: gElus, Level: access.View}, access.Grant{GroupID: gTech, Level: access.Edit})
	if _, err := f.s.SaveDraft(f.ctx, tech, seance.ID, seance.PublishedRev, "Séance", nil); err != nil {
		t.Fatalf("branch editor save: %v", err)
	}
	_, err = f.s.SaveDraft(f.ctx, tech, public.ID, public.PublishedRev, "Piraté", nil)
	wantErr(t, err, access.ErrForbidden)
	// Back to inheriting: the branch is public again.
	if err := access.Inherit(f.ctx, f.d, access.Page, espace.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Show(f.ctx, visitor.Principal, seance.Path, false); err != nil {
		t.Fatalf("inherited public page: %v", err)
	}
}

func TestTrashRestore(t *testing.T) {
	f := newFixture(t)
	guide := f.page(f.home.ID, "Guide du tri", "Le tri")
	verre := f.page(guide.ID, "Le verre", "Bouteilles")
	papier := f.page(guide.ID, "Le papier", "Journaux")

	wantErr(t, func() error { _, err := f.s.Trash(f.ctx, editor, f.home.ID); return err }(), pages.ErrHomeProtected)
	for _, a := range []access.Actor{visitor, member, tech} {
		_, err := f.s.Trash(f.ctx, a, guide.ID)
		wantErr(t, err, access.ErrForbidden)
	}
	// A sub-page the editor does not manage blocks deleting the branch.
	f.grants(papier.ID, access.Grant{GroupID: access.Everyone, Level: access.View})
	_, err := f.s.Trash(f.ctx, editor, guide.ID)
	wantErr(t, err, access.ErrForbidden)
	if _, err := f.s.Get(f.ctx, papier.ID); err != nil {
		t.Fatalf("refused deletion removed a page: %v", err)
	}
	f.grants(papier.ID, access.Grant{GroupID: access.Everyone, Level: access.View}, access.Grant{GroupID: gEditeurs, Level: access.Manage})

	n, err := f.s.Trash(f.ctx, editor, guide.ID)
	if err != nil || n != 3 {
		t.Fatalf("Trash = %d, %v; want 3 pages", n, err)
	}
	for _, p := range []string{guide.Path, verre.Path} {
		_, err := f.s.Show(f.ctx, admin.Principal, p, false)
		wantErr(t, err, db.ErrNotFound)
	}
	if _, ok := f.idx.Get(verre.ID); ok {
		t.Fatal("trashed page still indexed")
	}
	if l, _ := f.s.MainMenu(f.ctx, visitor.Principal); len(l) != 0 {
		t.Fatalf("menu shows trashed pages: %v", paths(l))
	}
	// Only administrators see and restore the trash.
	_, err = f.s.TrashList(f.ctx, editor.Principal)
	wantErr(t, err, access.ErrForbidden)
	wantErr(t, f.s.Restore(f.ctx, editor, guide.ID), access.ErrForbidden)
	list, err := f.s.TrashList(f.ctx, admin.Principal)
	if err != nil || len(list) != 1 || list[0].Page.ID != guide.ID || list[0].Count != 3 {
		t.Fatalf("TrashList = %+v, %v", list, err)
	}
	// A sub-page cannot be restored on its own.
	wantErr(t, f.s.Restore(f.ctx, admin, verre.ID), pages.ErrNotTrashed)
	// Its path was taken meanwhile: restore refuses with a clear message.
	taker := f.page(f.home.ID, "Guide du tri", "nouveau guide")
	wantField(t, f.s.Restore(f.ctx, admin, guide.ID), "path")
	if _, err := f.s.UpdateProps(f.ctx, editor, taker.ID, pages.Props{Slug: "nouveau-guide"}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Restore(f.ctx, admin, guide.ID); err != nil {
		t.Fatal(err)
	}
	if v, err := f.s.Show(f.ctx, visitor.Principal, verre.Path, false); err != nil || v.Page.ID != verre.ID {
		t.Fatalf("restored sub-page: %v, %v", v, err)
	}
	if _, ok := f.idx.Get(verre.ID); !ok {
		t.Fatal("restored page not indexed again")
	}
	// The old path of the page that moved aside must not shadow the restored one.
	if p, moved, err := f.s.Resolve(f.ctx, "/guide-du-tri"); err != nil || moved || p.ID != guide.ID {
		t.Fatalf("Resolve(/guide-du-tri) = %v, %v, %v", p, moved, err)
	}

	// Empty the trash: the pages are gone for good, with their revisions and grants.
	if _, err := f.s.Trash(f.ctx, editor, guide.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.EmptyTrash(f.ctx, editor)
	wantErr(t, err, access.ErrForbidden)
	n, err = f.s.EmptyTrash(f.ctx, admin)
	if err != nil || n != 3 {
		t.Fatalf("EmptyTrash = %d, %v", n, err)
	}
	var left int
	if err := f.d.QueryRow(f.ctx, "SELECT (SELECT COUNT(*) FROM page_revisions WHERE page_id = ?) + (SELECT COUNT(*) FROM acl_nodes WHERE kind = 'page' AND id = ?) + (SELECT COUNT(*) FROM grants WHERE kind = 'page' AND object_id = ?)",
		papier.ID, papier.ID, papier.ID).Scan(&left); err != nil || left != 0 {
		t.Fatalf("rows left after purge = %d, %v", left, err)
	}
	wantErr(t, f.s.Restore(f.ctx, admin, guide.ID), db.ErrNotFound)
}

func TestNavigation(t *testing.T) {
	f := newFixture(t)
	syndicat := f.page(f.home.ID, "Le syndicat", "Présentation")
	elus := f.page(syndicat.ID, "Les élus", "Liste")
	espace := f.page(f.home.ID, "Espace élus", "Réservé")
	f.grants(espace.ID, access.Grant{GroupID: gElus, Level: access.View})
	draft, err := f.s.Create(f.ctx, editor, f.home.ID, pages.NewPage{Title: "Brouillon", MenuTitle: "Brouillon"})
	if err != nil {
		t.Fatal(err)
	}
	_ = draft
	if _, err := f.s.UpdateProps(f.ctx, editor, syndicat.ID, pages.Props{Slug: "le-syndicat", MenuTitle: "Syndicat"}); err != nil {
		t.Fatal(err)
	}
	legal, err := f.s.Create(f.ctx, editor, f.home.ID, pages.NewPage{Title: "Vie privée", HideFromMenu: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Publish(f.ctx, editor, legal.ID, legal.DraftRev, ""); err != nil {
		t.Fatal(err)
	}

	menu, err := f.s.MainMenu(f.ctx, visitor.Principal)
	if err != nil {
		t.Fatal(err)
	}
	if got := paths(menu); !slices.Equal(got, []string{"/le-syndicat"}) || menu[0].Title != "Syndicat" {
		t.Fatalf("visitor menu = %v (%q)", got, menu[0].Title)
	}
	menu, _ = f.s.MainMenu(f.ctx, elu.Principal)
	if got := paths(menu); !slices.Equal(got, []string{"/le-syndicat", "/espace-elus"}) {
		t.Fatalf("elu menu = %v", got)
	}
	crumbs, err := f.s.Breadcrumb(f.ctx, visitor.Principal, f.get(elus.ID))
	if err != nil || !slices.Equal(paths(crumbs), []string{"/", "/le-syndicat"}) {
		t.Fatalf("breadcrumb = %v, %v", paths(crumbs), err)
	}
	kids, err := f.s.Children(f.ctx, visitor.Principal, syndicat.ID)
	if err != nil || !slices.Equal(paths(kids), []string{"/le-syndicat/les-elus"}) {
		t.Fatalf("children = %v, %v", paths(kids), err)
	}
	tree, err := f.s.SiteMap(f.ctx, tech.Principal)
	if err != nil || tree.Path != "/" || len(tree.Children) != 2 || len(tree.Children[0].Children) != 1 {
		t.Fatalf("site map for tech = %+v, %v", tree, err)
	}
	tree, _ = f.s.SiteMap(f.ctx, elu.Principal)
	if len(tree.Children) != 3 {
		t.Fatalf("site map for elu has %d sections, want 3 (hidden-from-menu pages are in the plan)", len(tree.Children))
	}
	pub, err := f.s.PublicPages(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pub {
		got = append(got, p.Path)
		if p.Updated == "" {
			t.Errorf("sitemap entry %s has no date", p.Path)
		}
	}
	if !slices.Equal(got, []string{"/", "/le-syndicat", "/le-syndicat/les-elus", "/vie-privee"}) {
		t.Fatalf("public pages = %v", got)
	}
}

func TestSetGrants(t *testing.T) {
	f := newFixture(t)
	espace := f.page(f.home.ID, "Espace élus", "Réservé")
	sub := f.page(espace.ID, "Séances", "Ordre du jour")
	// Only managers change grants.
	for _, a := range []access.Actor{visitor, member, elu} {
		wantErr(t, f.s.SetGrants(f.ctx, a, espace.ID, false, []access.Grant{{GroupID: gElus, Level: access.Manage}}), access.ErrForbidden)
	}
	if err := f.s.SetGrants(f.ctx, editor, espace.ID, false, []access.Grant{{GroupID: gElus, Level: access.View}, {GroupID: gEditeurs, Level: access.Manage}}); err != nil {
		t.Fatal(err)
	}
	g, own, err := f.s.Grants(f.ctx, editor.Principal, sub.ID)
	if err != nil || own || len(g) != 2 {
		t.Fatalf("sub-page grants = %v own=%v, %v; want 2 inherited", g, own, err)
	}
	if _, err := f.s.Show(f.ctx, visitor.Principal, sub.Path, false); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("visitor on a newly private sub-page: %v", err)
	}
	if err := f.s.SetGrants(f.ctx, editor, espace.ID, true, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Show(f.ctx, visitor.Principal, sub.Path, false); err != nil {
		t.Fatalf("visitor after inherit: %v", err)
	}
	wantField(t, f.s.SetGrants(f.ctx, admin, f.home.ID, true, nil), "inherit")
	// An editor who removes their own right is locked out (admins can fix it).
	if err := f.s.SetGrants(f.ctx, editor, espace.ID, false, []access.Grant{{GroupID: gElus, Level: access.View}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.s.Grants(f.ctx, editor.Principal, espace.ID)
	wantErr(t, err, access.ErrForbidden)
}
