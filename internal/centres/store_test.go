package centres_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/centres"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/guide"
	"portique/internal/search"
	"portique/internal/valid"
)

const gCom = 20

var (
	visitor = access.Anonymous()
	member  = access.Member(100, false, nil)
	editor  = access.Member(101, false, []int64{gCom})
	admin   = access.Member(102, true, nil)
)

func actor(p access.Principal) access.Actor {
	return access.Actor{Principal: p, Name: "test@example.fr"}
}

func newStores(t testing.TB) (*centres.Store, *guide.Store, *db.DB) {
	t.Helper()
	d := dbtest.NewDB(t)
	ctx := context.Background()
	if _, err := d.Exec(ctx, "INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)", gCom, "Communication", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	idx := search.New(d)
	g := guide.New(d, idx)
	if err := g.SeedDemo(ctx, gCom); err != nil {
		t.Fatal(err)
	}
	s := centres.New(d, idx, words(t))
	if err := s.SetGrants(ctx, access.System(), []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: gCom, Level: access.Edit}}); err != nil {
		t.Fatal(err)
	}
	return s, g, d
}

func itemID(t testing.TB, g *guide.Store, slug string) int64 {
	t.Helper()
	it, err := g.Get(context.Background(), admin, slug)
	if err != nil {
		t.Fatal(err)
	}
	return it.ID
}

func TestCentreLifecycle(t *testing.T) {
	s, g, d := newStores(t)
	ctx := context.Background()
	pile := itemID(t, g, "pile")
	in := centres.Input{Name: "Déchèterie des Tests", Address: "1 rue du Test", Postcode: "26 000", City: "Valence",
		Latitude: "44,95", Longitude: "4.89", Phone: "04 75 00 00 00", Hours: "lundi au vendredi : 9h-12h", ItemIDs: []int64{pile, pile}}
	c, err := s.Create(ctx, actor(editor), in)
	if err != nil {
		t.Fatal(err)
	}
	if c.Slug != "decheterie-des-tests" || c.Postcode != "26000" || !c.HasGeo || c.Latitude != 44.95 || c.HoursText != "lundi au vendredi : 9h-12h" {
		t.Fatalf("created %+v", c)
	}
	got, err := s.Get(ctx, visitor, c.Slug)
	if err != nil || len(got.Items) != 1 || got.Items[0].Slug != "pile" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	list, err := s.ForItem(ctx, visitor, pile)
	if err != nil || len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("ForItem = %+v, %v", list, err)
	}
	res, err := search.New(d).Search(ctx, visitor, search.Query{Text: "déchèterie tests", Kinds: []string{centres.SearchKind}})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].URL != "/decheteries/decheterie-des-tests" {
		t.Fatalf("site search = %+v, %v", res.Hits, err)
	}
	in.Version = c.Version()
	in.Hours = "lundi : 9h-12h"
	up, err := s.Update(ctx, actor(editor), c.ID, in)
	if err != nil || up.HoursText != "lundi : 9h-12h" {
		t.Fatalf("Update = %+v, %v", up, err)
	}
	// The same form posted again (its version is now stale) is refused
	// with a message, not applied twice over someone else's change.
	if _, err := s.Update(ctx, actor(editor), c.ID, in); err == nil || err.(valid.Errors).Key("") != "centres.error.stale" {
		t.Fatalf("stale update: %v", err)
	}
	if err := s.Delete(ctx, actor(editor), c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, visitor, c.Slug); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	if list, _ := s.ForItem(ctx, visitor, pile); len(list) != 0 {
		t.Fatalf("deleted centre still accepts: %+v", list)
	}
	var n int
	d.QueryRow(ctx, "SELECT COUNT(*) FROM audit WHERE action IN ('centres.create', 'centres.update', 'centres.delete')").Scan(&n)
	if n != 3 {
		t.Fatalf("audit entries = %d, want 3", n)
	}
}

func TestCentreValidation(t *testing.T) {
	s, _, _ := newStores(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		in    centres.Input
		field string
		key   string
	}{
		{"no name", centres.Input{}, "nom", "centres.error.name_required"},
		{"postcode", centres.Input{Name: "A", Postcode: "2600"}, "code_postal", "centres.error.postcode"},
		{"phone", centres.Input{Name: "A", Phone: "appelez-nous"}, "telephone", "centres.error.phone"},
		{"email", centres.Input{Name: "A", Email: "pas une adresse"}, "courriel", "centres.error.email"},
		{"latitude only", centres.Input{Name: "A", Latitude: "44.9"}, "latitude", "centres.error.coordinates_both"},
		{"latitude out of range", centres.Input{Name: "A", Latitude: "94.9", Longitude: "4"}, "latitude", "centres.error.coordinate"},
		{"hours", centres.Input{Name: "A", Hours: "lundi : 9h-12h\nmardy : 9h-12h"}, "horaires", "centres.hours.error.line"},
		{"closures", centres.Input{Name: "A", Closures: "31/02/2026"}, "fermetures", "centres.closures.error.date"},
		{"kind", centres.Input{Name: "A", Kind: "chateau"}, "type", "centres.error.kind"},
		{"unknown item", centres.Input{Name: "A", ItemIDs: []int64{999999}}, "objets", "centres.error.items"},
		{"reserved slug", centres.Input{Name: "Gestion"}, "slug", "centres.error.slug_reserved"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Create(ctx, actor(editor), c.in)
			ve, ok := err.(valid.Errors)
			if !ok || ve.Key(c.field) != c.key {
				t.Fatalf("err = %v, want %s on %s", err, c.key, c.field)
			}
		})
	}
	if _, err := s.Create(ctx, actor(editor), centres.Input{Name: "Unique"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Create(ctx, actor(editor), centres.Input{Name: "Unique"})
	if ve, ok := err.(valid.Errors); !ok || ve.Key("slug") != "centres.error.slug_taken" {
		t.Fatalf("duplicate slug: %v", err)
	}
}

func TestCentrePermissions(t *testing.T) {
	s, g, _ := newStores(t)
	ctx := context.Background()
	c, err := s.Create(ctx, actor(editor), centres.Input{Name: "Site", ItemIDs: []int64{itemID(t, g, "pile")}})
	if err != nil {
		t.Fatal(err)
	}
	csv := []byte("nom\nAutre site\n")
	for _, who := range []struct {
		name string
		p    access.Principal
	}{{"visitor", visitor}, {"member", member}} {
		a := actor(who.p)
		checks := map[string]error{}
		_, checks["create"] = s.Create(ctx, a, centres.Input{Name: "X"})
		_, checks["update"] = s.Update(ctx, a, c.ID, centres.Input{Name: "X"})
		checks["delete"] = s.Delete(ctx, a, c.ID)
		_, checks["preview"] = s.PreviewImport(ctx, who.p, csv)
		_, checks["import"] = s.Import(ctx, a, csv)
		_, checks["item options"] = s.ItemOptions(ctx, who.p)
		_, checks["grants"] = s.Grants(ctx, who.p)
		checks["set grants"] = s.SetGrants(ctx, a, nil)
		for what, err := range checks {
			if !errors.Is(err, access.ErrForbidden) {
				t.Errorf("%s by %s: %v, want forbidden", what, who.name, err)
			}
		}
	}
	if err := s.SetGrants(ctx, actor(editor), nil); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("editor sets grants: %v", err)
	}
	// A private guide: the public centre page does not list its items.
	if err := g.SetGrants(ctx, actor(admin), []access.Grant{{GroupID: gCom, Level: access.Edit}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, visitor, c.Slug)
	if err != nil || len(got.Items) != 0 {
		t.Fatalf("private guide's items on a public centre: %+v, %v", got, err)
	}
	var out bytes.Buffer
	if err := s.Export(ctx, visitor, &out); err != nil || strings.Contains(out.String(), "pile") {
		t.Fatalf("private guide's items in a visitor's export: %v\n%s", err, out.String())
	}
	// A private directory: nothing for visitors, even through an item page.
	if err := s.SetGrants(ctx, actor(admin), []access.Grant{{GroupID: gCom, Level: access.Edit}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, visitor, c.Slug); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("private directory, Get: %v", err)
	}
	if _, err := s.List(ctx, visitor); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("private directory, List: %v", err)
	}
	if list, err := s.ForItem(ctx, visitor, itemID(t, g, "pile")); err != nil || len(list) != 0 {
		t.Errorf("private directory, ForItem: %+v, %v", list, err)
	}
	res, _ := search.New(s.DB()).Search(ctx, visitor, search.Query{Text: "site"})
	if len(res.Hits) != 0 {
		t.Errorf("private directory in the site search: %+v", res.Hits)
	}
}

func TestCentresDemoAndCSV(t *testing.T) {
	s, _, _ := newStores(t)
	ctx := context.Background()
	if err := s.SeedDemo(ctx, gCom); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx, visitor)
	if err != nil || len(list) < 6 {
		t.Fatalf("demo centres: %d, %v", len(list), err)
	}
	c, err := s.Get(ctx, visitor, "decheterie-de-valence-nord")
	if err != nil || len(c.Items) < 20 || c.Hours.Schedule.Empty() {
		t.Fatalf("demo centre: %d items, %v", len(c.Items), err)
	}
	var out bytes.Buffer
	if err := s.Export(ctx, visitor, &out); err != nil {
		t.Fatal(err)
	}
	pl, err := s.Import(ctx, actor(editor), out.Bytes())
	if err != nil || pl.Created != 0 || pl.Update != len(list) {
		t.Fatalf("re-import of the export: %+v, %v", pl, err)
	}
	again, _ := s.Get(ctx, visitor, "decheterie-de-valence-nord")
	if len(again.Items) != len(c.Items) || again.HoursText != c.HoursText {
		t.Fatalf("round trip lost data: %d items (want %d), hours %q", len(again.Items), len(c.Items), again.HoursText)
	}
	// A file with an error on one line writes nothing.
	bad := "nom;horaires;objets\nNouveau site;lundi : 9h-12h;pile\nAutre;lundi : 25h-26h;\nTroisième;;boite-inconnue\n"
	pl, err = s.Import(ctx, actor(editor), []byte(bad))
	if err == nil || len(pl.Errors) != 2 || pl.Errors[0].Line != 3 || pl.Errors[1].Line != 4 || pl.Errors[1].Field != "objets" {
		t.Fatalf("bad file: %+v, %v", pl, err)
	}
	if _, err := s.Get(ctx, visitor, "nouveau-site"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("a refused file was half-imported: %v", err)
	}
}
