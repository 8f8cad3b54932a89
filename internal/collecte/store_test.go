package collecte

import (
	"slices"
	"testing"

	"portique/internal/access"
	"portique/internal/search"
)

func searchQuery(text string) search.Query { return search.Query{Text: text, Limit: 10} }

func TestCommuneForm(t *testing.T) {
	w := newWorld(t)
	id := w.commune("Saint-Marcel-lès-Valence", "26313", "26320")
	c, err := w.s.Commune(w.ctx, access.Anonymous(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Slug != "saint-marcel-les-valence" || c.URL() != "/collecte/saint-marcel-les-valence" || !slices.Equal(c.Postcodes, []string{"26320"}) {
		t.Fatalf("commune %+v", c)
	}
	for _, tc := range []struct {
		in         CommuneInput
		field, key string
	}{
		{CommuneInput{INSEE: "26004", Postcodes: "26300"}, "name", "collecte.error.required"},
		{CommuneInput{Name: "Alixan", Postcodes: "26300"}, "insee", "collecte.error.insee_required"},
		{CommuneInput{Name: "Alixan", INSEE: "2600", Postcodes: "26300"}, "insee", "collecte.error.insee_invalid"},
		{CommuneInput{Name: "Alixan", INSEE: "26004"}, "postcodes", "collecte.error.postcode_required"},
		{CommuneInput{Name: "Alixan", INSEE: "26004", Postcodes: "26300, 2630"}, "postcodes", "collecte.error.postcode_invalid"},
		// Posting the same commune twice: the second is refused clearly.
		{CommuneInput{Name: "Saint-Marcel", INSEE: "26313", Postcodes: "26320"}, "insee", "collecte.error.insee_taken"},
	} {
		_, err := w.s.CreateCommune(w.ctx, w.editor, tc.in)
		wantField(t, err, tc.field, tc.key)
	}
	// Corsican codes and several postcodes are fine; duplicates are dropped.
	ajaccio := w.commune("Ajaccio", "2a004", "20000 20090,20000")
	c, _ = w.s.Commune(w.ctx, access.Anonymous(), ajaccio)
	if c.INSEE != "2A004" || !slices.Equal(c.Postcodes, []string{"20000", "20090"}) {
		t.Fatalf("ajaccio %+v", c)
	}
	// Two communes of one name: the second URL gets the INSEE code.
	other := w.commune("Saint-Marcel-lès-Valence", "99999", "26320")
	c, _ = w.s.Commune(w.ctx, access.Anonymous(), other)
	if c.Slug != "saint-marcel-les-valence-99999" {
		t.Fatalf("homonym slug %q", c.Slug)
	}
	// A reserved path is never a commune's URL.
	g := w.commune("Gestion", "01001", "01000")
	c, _ = w.s.Commune(w.ctx, access.Anonymous(), g)
	if c.Slug != "gestion-01001" {
		t.Fatalf("reserved slug %q", c.Slug)
	}
	// Renaming keeps the printed URL.
	if err := w.s.UpdateCommune(w.ctx, w.editor, id, CommuneInput{Name: "Saint-Marcel", INSEE: "26313", Postcodes: "26320"}); err != nil {
		t.Fatal(err)
	}
	c, _ = w.s.Commune(w.ctx, access.Anonymous(), id)
	if c.Name != "Saint-Marcel" || c.Slug != "saint-marcel-les-valence" {
		t.Fatalf("renamed %+v", c)
	}
	if err := w.s.UpdateCommune(w.ctx, w.editor, id, CommuneInput{Name: "Saint-Marcel", INSEE: "2A004", Postcodes: "26320"}); err == nil {
		t.Fatal("an INSEE code taken by another commune was accepted")
	} else {
		wantField(t, err, "insee", "collecte.error.insee_taken")
	}
}

func TestSectorAndStreamForms(t *testing.T) {
	w := newWorld(t)
	c := w.commune("Valence", "26362", "26000")
	w.sector(c, "Centre-ville")
	_, err := w.s.CreateSector(w.ctx, w.editor, c, SectorInput{Name: "centre ville"})
	wantField(t, err, "sector_name", "collecte.error.sector_taken")
	_, err = w.s.CreateSector(w.ctx, w.editor, c, SectorInput{Name: "Calendrier"})
	wantField(t, err, "sector_name", "collecte.error.sector_reserved")
	_, err = w.s.CreateSector(w.ctx, w.editor, c, SectorInput{Name: "Sud", Position: "-3"})
	wantField(t, err, "sector_position", "collecte.error.position")
	w.stream("Verre", "V")
	for _, tc := range []struct {
		in         StreamInput
		field, key string
	}{
		{StreamInput{Name: "Verre", Code: "VE"}, "stream_name", "collecte.error.stream_taken"},
		{StreamInput{Name: "Collectes", Code: "C"}, "stream_name", "collecte.error.stream_reserved"},
		{StreamInput{Name: "Textiles"}, "stream_code", "collecte.error.code_required"},
		{StreamInput{Name: "Textiles", Code: "TEXTI"}, "stream_code", "collecte.error.code_too_long"},
		{StreamInput{Name: "Textiles", Code: "T", Colour: "red"}, "stream_colour", "collecte.error.colour_invalid"},
		{StreamInput{Name: "Textiles", Code: "T", Colour: "#ffff66"}, "stream_colour", "collecte.error.colour_contrast"},
	} {
		_, err := w.s.CreateStream(w.ctx, w.editor, tc.in)
		wantField(t, err, tc.field, tc.key)
	}
}

// Residents find their commune by name (accents, case, hyphens and
// "St" ignored) or by postcode.
func TestLookup(t *testing.T) {
	w := newWorld(t)
	w.commune("Valence", "26362", "26000")
	w.commune("Bourg-lès-Valence", "26058", "26500")
	w.commune("Saint-Marcel-lès-Valence", "26313", "26320")
	w.commune("Alixan", "26004", "26300")
	w.commune("Bourg-de-Péage", "26057", "26300")
	w.commune("Étoile-sur-Rhône", "26124", "26800")
	for q, want := range map[string][]string{
		"valence":          {"valence", "bourg-les-valence", "saint-marcel-les-valence"},
		"VALENCE":          {"valence", "bourg-les-valence", "saint-marcel-les-valence"},
		"st marcel":        {"saint-marcel-les-valence"},
		"bourg":            {"bourg-de-peage", "bourg-les-valence"},
		"bourg les":        {"bourg-les-valence"},
		"peage":            {"bourg-de-peage"},
		"etoile":           {"etoile-sur-rhone"},
		"Étoile sur Rhône": {"etoile-sur-rhone"},
		"26300":            {"alixan", "bourg-de-peage"},
		"263":              {"alixan", "bourg-de-peage", "saint-marcel-les-valence", "valence"}, // postcodes and INSEE codes
		"26362":            {"valence"},
		"alence":           nil, // words match from their start
		"":                 nil,
		"   ":              nil,
		"%":                nil,
		"vale_nce":         nil,
		"x' OR 1=1 --":     nil,
	} {
		got, err := w.s.Lookup(w.ctx, access.Anonymous(), q)
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, c := range got {
			slugs = append(slugs, c.Slug)
		}
		if !slices.Equal(slugs, want) {
			t.Errorf("Lookup(%q) = %v, want %v", q, slugs, want)
		}
	}
}

// The site search finds communes by name, postcode and sector.
func TestSearchFindsCommunes(t *testing.T) {
	w := newWorld(t)
	c := w.commune("Portes-lès-Valence", "26252", "26800")
	w.sector(c, "Quartier des Rigaudières")
	for _, q := range []string{"Portes-lès-Valence", "portes les valence", "26800", "Rigaudières"} {
		res, err := w.idx.Search(w.ctx, access.Anonymous(), search.Query{Text: q, Kinds: []string{SearchKind}, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 1 || res.Hits[0].URL != "/collecte/portes-les-valence" || res.Hits[0].Title != "Portes-lès-Valence" {
			t.Errorf("search %q: %+v", q, res)
		}
	}
	if err := w.s.DeleteCommune(w.ctx, w.editor, c); err != nil {
		t.Fatal(err)
	}
	if res, _ := w.idx.Search(w.ctx, access.Anonymous(), searchQuery("Portes")); res.Total != 0 {
		t.Fatalf("a deleted commune is still found: %+v", res)
	}
	w.commune("Upie", "26358", "26120")
	if _, err := w.d.Exec(w.ctx, "DELETE FROM search_items"); err != nil {
		t.Fatal(err)
	}
	if n, err := w.s.Reindex(w.ctx); err != nil || n != 1 {
		t.Fatalf("reindex: %d %v", n, err)
	}
	if res, _ := w.idx.Search(w.ctx, access.Anonymous(), searchQuery("Upie")); res.Total != 1 {
		t.Fatalf("after reindex: %+v", res)
	}
}

// The demo territory: at least 20 communes, sectors in a town, every
// commune with a schedule of each stream it gets, and a plan for each.
func TestSeedDemo(t *testing.T) {
	w := newWorld(t)
	groups := map[string]int64{"Techniciens": w.group("Techniciens")}
	if err := w.s.SeedDemo(w.ctx, w.clock.Now(), groups); err != nil {
		t.Fatal(err)
	}
	if err := w.s.SeedDemo(w.ctx, w.clock.Now(), groups); err != nil { // a second run changes nothing
		t.Fatal(err)
	}
	list, err := w.s.Communes(w.ctx, access.Anonymous())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 20 {
		t.Fatalf("%d demo communes", len(list))
	}
	for _, c := range list {
		if c.Schedules == 0 {
			t.Errorf("demo commune %s has no schedule", c.Name)
		}
	}
	valence, err := w.s.CommuneBySlug(w.ctx, access.Anonymous(), "valence")
	if err != nil || len(valence.Sectors) < 3 {
		t.Fatalf("Valence: %+v %v", valence, err)
	}
	today := w.s.Today()
	for _, x := range valence.Sectors {
		p, err := w.s.PlanFor(w.ctx, access.Anonymous(), "valence", x.Slug, today, today.AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Streams) < 3 || len(p.Collections) < 8 {
			t.Errorf("sector %s: %d streams, %d collections", x.Name, len(p.Streams), len(p.Collections))
		}
	}
	tech := access.Actor{Principal: access.Member(9, false, []int64{groups["Techniciens"]}), Name: "technicien@example.fr"}
	if _, err := w.s.CreateStream(w.ctx, tech, StreamInput{Name: "Textiles", Code: "TEX"}); err != nil {
		t.Fatalf("the demo's technicians cannot edit: %v", err)
	}
	cases, err := w.s.HolidayCases(w.ctx, tech.Principal, today, today.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	decided := 0
	for _, h := range cases {
		if h.Decided() {
			decided++
		}
	}
	if decided == 0 || decided == len(cases) {
		t.Fatalf("the demo should decide some holidays and leave others: %d of %d", decided, len(cases))
	}
}
