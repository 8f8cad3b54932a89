package search_test

import (
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/search"
)

// « déchèterie » and « déchetterie » are one word, whichever is indexed and
// whichever is typed (both engines: the analyser folds them).
func TestDechetterieSpellings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(t,
		doc(1, fPublic, "Horaires de la déchèterie de Nyons", "Ouverte le samedi.", "2026-01-01"),
		doc(2, fPublic, "Règlement", "L’accès aux déchetteries est gratuit pour les particuliers.", "2026-01-01"),
		doc(3, fPublic, "Autre", "Le verre va au conteneur.", "2026-01-01"),
	)
	for _, q := range []string{"déchèterie", "déchetterie", "dechetterie", "decheteries", "DÉCHETTERIES"} {
		if got := ids(f.search(t, access.Anonymous(), search.Query{Text: q})); len(got) != 2 {
			t.Errorf("%q finds %v, want documents 1 and 2", q, got)
		}
	}
}

// A title that holds every word of the query lifts a long document above
// shorter ones that only mention the words (the « ordures ménagères »
// study ranked 6th of 6).
func TestTitleMatchLiftsLongDocument(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	filler := strings.Repeat("Le syndicat étudie les flux, les tonnages, les coûts et les tournées de collecte sur son territoire. ", 300)
	f.put(t,
		doc(1, fPublic, "Compte rendu du bureau", "Les ordures ménagères résiduelles baissent.", "2026-01-01"),
		doc(2, fPublic, "Rapport annuel", "Tonnage des ordures ménagères : 12 000 t. Les ordures ménagères progressent.", "2026-01-02"),
		doc(3, fPublic, "Note", "Collecte des ordures ménagères le lundi.", "2026-01-03"),
		doc(4, fPublic, "Lettre d’information", "Réduire ses ordures ménagères : le compostage.", "2026-01-04"),
		doc(5, fPublic, "Délibération 2026-002", "Tarif des ordures ménagères.", "2026-01-05"),
		doc(6, fPublic, "Étude sur les ordures ménagères", filler+"Conclusion sur les ordures ménagères.", "2025-06-01"),
	)
	res := f.search(t, access.Anonymous(), search.Query{Text: "ordures ménagères"})
	got := ids(res)
	if len(got) != 6 || got[0] != "document:6" {
		t.Fatalf("hits = %v, want the study titled « ordures ménagères » first", got)
	}
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Rank > res.Hits[i-1].Rank {
			t.Errorf("ranks not decreasing: %v", res.Hits)
		}
	}
}

// More than the old 8 OU alternatives are all searched; past the limit the
// result says that the query was cut instead of cutting silently.
func TestManyAlternatives(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	words := []string{"verre", "papier", "carton", "plastique", "métal", "bois", "gravats", "textile", "huile", "piles", "ampoules", "pneus"}
	var docs []search.Doc
	for i, w := range words {
		docs = append(docs, doc(int64(i+1), fPublic, "Fiche "+w, "Où déposer : "+w+".", "2026-01-01"))
	}
	f.put(t, docs...)
	res := f.search(t, access.Anonymous(), search.Query{Text: strings.Join(words, " OU ")})
	if len(res.Hits) != len(words) || res.Cut {
		t.Errorf("%d OU alternatives: %d hits (cut %v), want %d", len(words), len(res.Hits), res.Cut, len(words))
	}
	var many []string
	for i := range search.MaxAlternatives + 5 {
		many = append(many, "mot"+strings.Repeat("x", i%7)+string(rune('a'+i%26)))
	}
	if res := f.search(t, access.Anonymous(), search.Query{Text: strings.Join(many, " OU ")}); !res.Cut {
		t.Errorf("%d alternatives: the result does not say the query was cut", len(many))
	}
	if res := f.search(t, access.Anonymous(), search.Query{Text: "verre papier"}); res.Cut {
		t.Error("a short query says it was cut")
	}
}
