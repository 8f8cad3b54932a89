package guide_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/clock"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/guide"
	"portique/internal/search"
	"portique/internal/valid"
)

const gCom = 20 // the communication team's group

var (
	visitor = access.Anonymous()
	member  = access.Member(100, false, nil)
	editor  = access.Member(101, false, []int64{gCom})
	admin   = access.Member(102, true, nil)
)

func actor(p access.Principal) access.Actor {
	return access.Actor{Principal: p, Name: "test@example.fr", IP: "192.0.2.9"}
}

// newStore returns a guide on a fresh database whose communication group
// may edit it, with the real search index.
func newStore(t testing.TB) (*guide.Store, *db.DB, search.Index) {
	t.Helper()
	d := dbtest.NewDB(t)
	ctx := context.Background()
	if _, err := d.Exec(ctx, "INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)", gCom, "Communication", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	idx := search.New(d)
	s := guide.New(d, idx)
	s.Now = clock.NewFake(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)).Now
	if err := s.SetGrants(ctx, access.System(), []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: gCom, Level: access.Edit}}); err != nil {
		t.Fatal(err)
	}
	return s, d, idx
}

func mustCreate(t testing.TB, s *guide.Store, in guide.Input) *guide.Item {
	t.Helper()
	it, err := s.Create(context.Background(), actor(editor), in)
	if err != nil {
		t.Fatalf("Create(%q): %v", in.Name, err)
	}
	return it
}

func TestCreateUpdateDelete(t *testing.T) {
	s, d, idx := newStore(t)
	ctx := context.Background()
	it := mustCreate(t, s, guide.Input{Name: "  Pot de   yaourt ", Synonyms: "yoghourt, yogourt\nyoghourt", Stream: "bac_jaune", Instructions: "Videz-le."})
	if it.Slug != "pot-de-yaourt" || it.Name != "Pot de yaourt" {
		t.Fatalf("created %q (%q), want slug pot-de-yaourt and a clean name", it.Slug, it.Name)
	}
	if strings.Join(it.Synonyms, "|") != "yoghourt|yogourt" {
		t.Fatalf("synonyms = %q, want two without the repeat", it.Synonyms)
	}
	got, err := s.Get(ctx, visitor, "pot-de-yaourt")
	if err != nil || got.ID != it.ID {
		t.Fatalf("Get = %v, %v", got, err)
	}
	// The site search finds it, for a visitor.
	res, err := idx.Search(ctx, visitor, search.Query{Text: "yogourt", Kinds: []string{guide.SearchKind}})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].URL != "/ou-jeter/pot-de-yaourt" {
		t.Fatalf("site search = %+v, %v", res.Hits, err)
	}
	// Update with the right version.
	up, err := s.Update(ctx, actor(editor), it.ID, guide.Input{Name: "Pot de yaourt", Slug: "pot-yaourt", Stream: "bac_jaune", Version: it.Version()})
	if err != nil || up.Slug != "pot-yaourt" {
		t.Fatalf("Update = %v, %v", up, err)
	}
	// An update built on the old version is refused, as a form error.
	_, err = s.Update(ctx, actor(editor), it.ID, guide.Input{Name: "Autre", Stream: "verre", Version: it.Version()})
	if ve, ok := err.(valid.Errors); !ok || ve.Key("") != "guide.error.stale" {
		t.Fatalf("stale update: err = %v, want guide.error.stale", err)
	}
	// Duplicate slug: a form error on the slug, nothing written.
	mustCreate(t, s, guide.Input{Name: "Bouteille", Stream: "bac_jaune"})
	_, err = s.Create(ctx, actor(editor), guide.Input{Name: "Bouteille", Stream: "verre"})
	if ve, ok := err.(valid.Errors); !ok || ve.Key("slug") != "guide.error.slug_taken" {
		t.Fatalf("duplicate: err = %v, want guide.error.slug_taken", err)
	}
	if err := s.Delete(ctx, actor(editor), up.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, visitor, "pot-yaourt"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("after delete: err = %v, want not found", err)
	}
	res, _ = idx.Search(ctx, visitor, search.Query{Text: "yogourt"})
	if len(res.Hits) != 0 {
		t.Fatalf("deleted item still in the site search: %+v", res.Hits)
	}
	// Every change left its audit entry.
	var n int
	d.QueryRow(ctx, "SELECT COUNT(*) FROM audit WHERE action LIKE 'guide.item.%' AND actor = 'test@example.fr' AND ip = '192.0.2.9'").Scan(&n)
	if n != 4 {
		t.Fatalf("audit entries = %d, want 4 (2 create, 1 update, 1 delete)", n)
	}
}

func TestValidation(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		in    guide.Input
		field string
		key   string
	}{
		{"no name", guide.Input{Stream: "verre"}, "nom", "guide.error.name_required"},
		{"long name", guide.Input{Name: strings.Repeat("a", 121), Stream: "verre"}, "nom", "guide.error.name_long"},
		{"no stream", guide.Input{Name: "Verre"}, "filiere", "guide.error.stream_required"},
		{"unknown stream", guide.Input{Name: "Verre", Stream: "poubelle_rose"}, "filiere", "guide.error.stream_unknown"},
		{"bad slug", guide.Input{Name: "Verre", Slug: "Pas Un Slug", Stream: "verre"}, "slug", "guide.error.slug_invalid"},
		{"reserved slug", guide.Input{Name: "Gestion", Stream: "verre"}, "slug", "guide.error.slug_reserved"},
		{"image without alt", guide.Input{Name: "Verre", Stream: "verre", Image: pngBytes(t)}, "image_alt", "guide.error.image_alt_required"},
		{"not an image", guide.Input{Name: "Verre", Stream: "verre", Image: []byte("%PDF-1.4 nope"), ImageAlt: "x"}, "image", "guide.error.image_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Create(ctx, actor(editor), c.in)
			ve, ok := err.(valid.Errors)
			if !ok || ve.Key(c.field) != c.key {
				t.Fatalf("err = %v, want %s on %q", err, c.key, c.field)
			}
		})
	}
	items, err := s.List(ctx, admin)
	if err != nil || len(items) != 0 {
		t.Fatalf("invalid input wrote %d items (%v)", len(items), err)
	}
}

// Every rule of the guide's access, tried by who must be refused.
func TestPermissions(t *testing.T) {
	s, d, _ := newStore(t)
	ctx := context.Background()
	it := mustCreate(t, s, guide.Input{Name: "Pile", Stream: "point_collecte"})
	csv := []byte("nom;filiere\nBatterie;point_collecte\n")
	for _, p := range []struct {
		name string
		p    access.Principal
	}{{"visitor", visitor}, {"member", member}} {
		t.Run(p.name, func(t *testing.T) {
			a := actor(p.p)
			checks := map[string]error{}
			_, checks["create"] = s.Create(ctx, a, guide.Input{Name: "X", Stream: "verre"})
			_, checks["update"] = s.Update(ctx, a, it.ID, guide.Input{Name: "X", Stream: "verre"})
			checks["delete"] = s.Delete(ctx, a, it.ID)
			_, checks["preview"] = s.PreviewImport(ctx, p.p, csv)
			_, checks["import"] = s.Import(ctx, a, csv)
			_, checks["grants"] = s.Grants(ctx, p.p)
			checks["set grants"] = s.SetGrants(ctx, a, []access.Grant{{GroupID: access.Everyone, Level: access.Edit}})
			for what, err := range checks {
				if !errors.Is(err, access.ErrForbidden) {
					t.Errorf("%s by %s: err = %v, want forbidden", what, p.name, err)
				}
			}
			// Reading is allowed.
			if _, err := s.Get(ctx, p.p, "pile"); err != nil {
				t.Errorf("%s cannot read the public guide: %v", p.name, err)
			}
		})
	}
	// An editor may edit but not change who may.
	if _, err := s.Grants(ctx, editor); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("editor reads grants: err = %v, want forbidden", err)
	}
	if err := s.SetGrants(ctx, actor(editor), nil); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("editor sets grants: err = %v, want forbidden", err)
	}
	// A private guide (Everyone's view withdrawn): visitors read nothing,
	// not even through the suggestions, the search page or the export.
	if err := s.SetGrants(ctx, actor(admin), []access.Grant{{GroupID: gCom, Level: access.Edit}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	checks := map[string]error{}
	_, checks["get"] = s.Get(ctx, visitor, "pile")
	_, checks["list"] = s.List(ctx, visitor)
	_, checks["suggest"] = s.Suggest(ctx, visitor, "pil", 5)
	_, checks["find"] = s.Find(ctx, visitor, "pile")
	_, _, checks["image"] = s.Image(ctx, visitor, "pile")
	checks["export"] = s.Export(ctx, visitor, &buf)
	for what, err := range checks {
		if !errors.Is(err, access.ErrForbidden) {
			t.Errorf("private guide, %s by a visitor: err = %v, want forbidden", what, err)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("private guide exported %d bytes to a visitor", buf.Len())
	}
	// The site search follows the same rule.
	res, err := search.New(d).Search(ctx, visitor, search.Query{Text: "pile"})
	if err != nil || len(res.Hits) != 0 {
		t.Errorf("private guide in a visitor's site search: %+v, %v", res.Hits, err)
	}
	if _, err := s.Get(ctx, editor, "pile"); err != nil {
		t.Errorf("editor cannot read the private guide: %v", err)
	}
}

// The search tolerates accents, plurals, typos and unfinished words.
func TestSearchTolerance(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.SeedItems(ctx, guide.DemoCSV()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		q, want string
	}{
		{"yaourt", "pot-de-yaourt"},
		{"yaourts", "pot-de-yaourt"},
		{"pot de yahourt", "pot-de-yaourt"},
		{"Pots de Yaourts", "pot-de-yaourt"},
		{"yaou", "pot-de-yaourt"},         // being typed
		{"pot de yahou", "pot-de-yaourt"}, // being typed, with a typo
		{"electromenager", "gros-electromenager"},
		{"électroménagé", "gros-electromenager"},
		{"piles", "pile"},
		{"pille", "pile"},
		{"épluchure", "epluchures"},
		{"epluchures", "epluchures"},
		{"frigo", "gros-electromenager"},        // a synonym
		{"bouteille vin", "bouteille-en-verre"}, // words of a synonym
		{"canettes", "canette"},
		{"cannettes", "canette"},
		{"medicamants", "medicaments"},
		{"seringe", "seringue"},
		{"boite a pizza", "boite-a-pizza"},
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			got, err := s.Suggest(ctx, visitor, c.q, 5)
			if err != nil {
				t.Fatal(err)
			}
			var slugs []string
			for _, m := range got {
				slugs = append(slugs, m.Slug)
			}
			if len(got) == 0 || !contains(slugs[:min(3, len(slugs))], c.want) {
				t.Fatalf("Suggest(%q) = %v, want %s among the first three", c.q, slugs, c.want)
			}
		})
	}
	// Nothing for nonsense; the results page offers the nearest items for
	// a query whose words do not all match.
	if got, _ := s.Suggest(ctx, visitor, "zzzqqq", 5); len(got) != 0 {
		t.Fatalf("nonsense found %v", got)
	}
	res, err := s.Find(ctx, visitor, "yaourt zzzqqq")
	if err != nil || len(res.Matches) != 0 || len(res.Nearest) == 0 || res.Nearest[0].Slug != "pot-de-yaourt" {
		t.Fatalf("Find(partial) = %+v, %v", res, err)
	}
	// A new item is found at once (the snapshot follows the content version).
	mustCreate(t, s, guide.Input{Name: "Trottinette électrique", Stream: "decheterie"})
	if got, _ := s.Suggest(ctx, visitor, "trotinette", 5); len(got) == 0 || got[0].Slug != "trottinette-electrique" {
		t.Fatalf("new item not suggested: %v", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
