package search_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/search"
)

// The shared corpus (../shared/corpus, see its MANIFEST) as the document
// extractor sees it: testdata/corpus/*.txt is the output of
// `pdftotext -raw` (poppler 22) for each readable PDF, pages separated by
// form feeds. Each page is one part, rejoined with JoinHyphenated, exactly
// as the documents package indexes it.
var corpusFolders = map[string]int64{
	"cr-comite-syndical-2025-03-18":            fPublic,
	"cr-comite-syndical-2025-10-14":            fInstances,
	"cr-comite-syndical-2026-02-10":            fElus,
	"deliberation-2026-014":                    fPublic,
	"deliberation-2026-031":                    fPublic,
	"rpqs-2025":                                fPublic,
	"guide-du-tri-2026":                        fGuides,
	"note-technique-modernisation-decheteries": fInstances,
	"convention-formation-stagiaires":          fFormation,
	"planning-collectes-2026":                  fPublic,
	"registre-large":                           fComite,
}

func loadCorpus(t *testing.T, f fixture) map[int64]string {
	t.Helper()
	names := map[int64]string{}
	var docs []search.Doc
	id := int64(0)
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	slices.Sort(files)
	if len(files) != len(corpusFolders) {
		t.Fatalf("testdata/corpus has %d files, want %d", len(files), len(corpusFolders))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		folder, ok := corpusFolders[name]
		if !ok {
			t.Fatalf("no folder for %s", name)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		id++
		names[id] = name
		for i, text := range strings.Split(string(b), "\f") {
			if strings.TrimSpace(text) == "" {
				continue
			}
			d := doc(id, folder, name, search.JoinHyphenated(text), "2026-01-01")
			d.Part = i + 1
			docs = append(docs, d)
		}
	}
	f.put(t, docs...)
	return names
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	names := loadCorpus(t, f)
	all := func(except ...string) []string {
		var out []string
		for _, n := range names {
			if !slices.Contains(except, n) {
				out = append(out, n)
			}
		}
		return out
	}
	const (
		cr0318 = "cr-comite-syndical-2025-03-18"
		cr1014 = "cr-comite-syndical-2025-10-14"
		cr0210 = "cr-comite-syndical-2026-02-10"
		del014 = "deliberation-2026-014"
		del031 = "deliberation-2026-031"
		rpqs   = "rpqs-2025"
		guide  = "guide-du-tri-2026"
		note   = "note-technique-modernisation-decheteries"
		conv   = "convention-formation-stagiaires"
		plan   = "planning-collectes-2026"
		reg    = "registre-large"
	)
	cases := []struct {
		query string
		want  []string // must all be found
		not   []string // must not be found
	}{
		// The MANIFEST's tricky cases.
		// Both spellings of « déchèterie » find both (issue 13).
		{"dechetterie", []string{guide, plan, cr0318, cr1014, del031, note, conv, reg}, nil},
		{"decheterie", []string{cr0318, cr1014, del031, rpqs, note, conv, reg, guide}, nil},
		{"déchèteries", []string{cr0318, cr1014, del031, rpqs, note, conv, reg, guide}, nil},
		{"Montelimar", []string{rpqs, note}, nil},
		{"bioseau", []string{guide, cr1014, cr0210, rpqs}, nil},
		{"bioseaux", []string{guide, cr1014, cr0210, rpqs}, nil},
		{"déchet", all(), nil},
		{"bocal", []string{guide}, nil},
		{"accord-cadre", []string{del031}, nil},
		{"hydrocarbures", []string{note}, nil},
		{"giration", []string{note}, nil},
		{"trimestriellement", []string{cr0318}, nil},
		{"élimination", []string{rpqs}, nil},
		{"Combaluzier", []string{cr0318, cr0210}, nil},
		{"Teinturiers", []string{conv}, nil},
		{"Buis-les-Baronnies", []string{cr1014, note, plan}, nil},
		{"ambassadeurs", []string{rpqs}, nil},
		{"oeuvre", []string{del014, rpqs, note}, nil},
		{"noeud", []string{note}, nil},
		{"oeufs", []string{guide}, nil},
		{"vitae", []string{conv}, nil},
		{"manoeuvre", []string{conv}, nil},
		{"coefficient", []string{rpqs}, all(rpqs)},
		{"afflux", []string{rpqs}, all(rpqs)},
		{"récapitulatif", []string{plan}, nil},
		{"l'Ardèche", []string{rpqs}, nil},
		{"d'œufs", []string{guide}, nil},
		{"Fourmilière", []string{reg}, all(reg)},
		{"Tri-Sud", []string{reg}, all(reg)}, // the encrypted note is never indexed
		// The MANIFEST's search words per file.
		{"composteurs individuels", []string{cr0318}, nil},
		{"Lambertin", []string{cr0318}, nil},
		{`"affectation du résultat"`, []string{cr0318}, nil},
		{"plâtre", []string{cr1014}, nil},
		{"Saint-Paul-Trois-Châteaux", []string{cr1014}, nil},
		{`"samedi après-midi"`, []string{cr1014}, nil},
		{"recycleries", []string{cr1014}, nil},
		{"Plastirhône", []string{cr0210}, nil},
		{"Compostic", []string{cr0210}, nil},
		{"hypothese", []string{cr0210}, nil},
		{"grêle", []string{cr0210}, nil},
		{"hypothèse grêle", []string{cr0210}, nil}, // words on pages 1 and 2
		{"PLPDMA", []string{del014}, nil},
		{`"214 contributions"`, []string{del014}, nil},
		{"Teyssier", []string{del014}, nil},
		{"Vertaco", []string{del031}, nil},
		{`"Grands Clapas"`, []string{del031}, nil},
		{"broyage", []string{del031}, nil},
		{"accords-cadres", []string{del031}, nil},
		{"Blachettes", []string{rpqs}, nil},
		{"gratiferias", []string{rpqs}, nil},
		{"déchetterie", []string{guide}, nil},
		{"bocaux", []string{guide}, nil},
		{"essuie-tout", []string{guide}, nil},
		{"blisters", []string{guide}, nil},
		{"ampliroll", []string{note}, nil},
		{"nœud", []string{note}, nil},
		{"garde-corps", []string{note}, nil},
		{`"curriculum vitæ"`, []string{conv}, nil},
		{"manœuvre", []string{conv}, nil},
		{"anticoupure", []string{conv}, nil},
		{"gratification", []string{conv}, nil},
		{"Richerenches", []string{plan}, nil},
		{`"jours fériés"`, []string{plan}, nil},
		{`"semaine paire"`, []string{plan}, nil},
		{"Lamotte-du-Rhône", []string{plan}, nil},
		{"Mouret", []string{reg}, nil},
		{"non-valeur", []string{reg}, nil},
	}
	for _, c := range cases {
		res := f.search(t, admin, search.Query{Text: c.query, Limit: 100})
		got := map[string]bool{}
		for _, h := range res.Hits {
			got[names[h.ID]] = true
			if !strings.Contains(h.Snippet, "<mark>") && len(c.want) > 0 {
				t.Errorf("%q: snippet of %s (page %d) has no mark: %q", c.query, names[h.ID], h.Part, h.Snippet)
			}
		}
		for _, n := range c.want {
			if !got[n] {
				t.Errorf("%q: %s not found", c.query, n)
			}
		}
		for _, n := range c.not {
			if got[n] {
				t.Errorf("%q: %s found", c.query, n)
			}
		}
	}

	// Deep page, page number, and permission on real text.
	res := f.search(t, admin, search.Query{Text: "Fourmilière"})
	if len(res.Hits) != 1 || res.Hits[0].Part != 154 {
		t.Errorf("Fourmilière: hits %+v, want the register, page 154", res.Hits)
	}
	res = f.search(t, admin, search.Query{Text: "Mouret"})
	if len(res.Hits) != 1 || res.Hits[0].Part < 2 || res.Hits[0].Part > 49 {
		t.Errorf("Mouret: hits %+v, want the register, a page in 2-49", res.Hits)
	}
	for _, who := range []struct {
		name string
		p    access.Principal
		n    int
	}{
		{"anonymous", access.Anonymous(), 0},
		{"stagiaire", access.Member(8, false, []int64{gStagiaires}), 0},
		{"technicien", access.Member(7, false, []int64{gTech}), 1},
	} {
		res := f.search(t, who.p, search.Query{Text: "Fourmilière"})
		if len(res.Hits) != who.n || res.Total != who.n {
			t.Errorf("Fourmilière as %s: hits %v, Total %d; want %d", who.name, ids(res), res.Total, who.n)
		}
	}
	// The Élus-only minutes: an intern finds none of their words.
	res = f.search(t, access.Member(8, false, []int64{gStagiaires}), search.Query{Text: "Plastirhône OR Compostic OR bioseaux"})
	for _, h := range res.Hits {
		if names[h.ID] == cr0210 {
			t.Errorf("an intern found the Élus-only minutes: %q", h.Snippet)
		}
	}
}
