package search_test

import (
	"context"
	"testing"

	"portique/internal/access"
	"portique/internal/search"
)

// FuzzQuery sends any text to the real engine (SQLite, or PostgreSQL when
// PORTIQUE_TEST_POSTGRES is set): no input may cause an SQL error, and a
// visitor never gets more than the public documents.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"bioseau", `"mise en oeuvre"`, "-x", `"`, `*`, `a NEAR b`, `NEAR(a b, 3)`, `(a OR b) AND NOT c`,
		`title:x`, `{title}: x`, `^x`, `x*`, "\x00", `'; DROP TABLE search_items; --`, `'a':*`, `a & b | !c <-> d`,
		"OR OR", "-\"a b\" c", "\xff", "œuvre ﬃ re\u0301", `\`, `$1`, `?`, "compostgae", `"bocuax" -verre`,
	} {
		f.Add(s)
	}
	fx := newFixture(f)
	fx.put(f, frenchDocs()...)
	hidden := map[int64]bool{2: true, 7: true, 8: true} // not in public folders
	f.Fuzz(func(t *testing.T, q string) {
		res, err := fx.idx.Search(context.Background(), access.Anonymous(), search.Query{Text: q, Limit: 50})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		for _, h := range res.Hits {
			if hidden[h.ID] {
				t.Fatalf("Search(%q): hidden document %d found", q, h.ID)
			}
		}
		if res.Total < len(res.Hits) {
			t.Fatalf("Search(%q): Total %d < %d hits", q, res.Total, len(res.Hits))
		}
		// A suggestion finds something the visitor may see.
		if res.Suggestion != "" {
			again, err := fx.idx.Search(context.Background(), access.Anonymous(), search.Query{Text: res.Suggestion, Limit: 50})
			if err != nil || again.Total == 0 {
				t.Fatalf("Search(%q) suggests %q, which finds %d (%v)", q, res.Suggestion, again.Total, err)
			}
		}
	})
}
