package guide_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"testing"

	"portique/internal/guide"
)

// thousandItems is a CSV file of 1,000 items: the demo guide's 177, then
// variants of them (same vocabulary, other names), as a large guide would be.
func thousandItems(tb testing.TB) []byte {
	tb.Helper()
	recs, errs := guide.ParseCSV(guide.DemoCSV())
	if len(errs) > 0 {
		tb.Fatal(errs)
	}
	variants := []string{"", "usagé", "grand modèle", "petit modèle", "cassé", "ancien", "de jardin", "de cuisine", "de bureau", "d’enfant"}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.Write([]string{"nom", "synonymes", "filiere", "consignes"})
	n := 0
	for _, v := range variants {
		for _, r := range recs {
			if n == 1000 {
				break
			}
			name := r.Name
			if v != "" {
				name = fmt.Sprintf("%s %s", r.Name, v)
			}
			w.Write([]string{name, r.Synonyms, r.Stream, r.Instructions})
			n++
		}
	}
	w.Flush()
	return b.Bytes()
}

// BenchmarkSuggest: one instant suggestion on a guide of 1,000 items
// (target: at most 2 ms of server CPU), for queries with typos, plurals and
// an unfinished word. It includes the access check and the content version
// read (two statements), as a request pays them.
func BenchmarkSuggest(b *testing.B) {
	s, _, _ := newStore(b)
	ctx := context.Background()
	pl, err := s.SeedItems(ctx, thousandItems(b))
	if err != nil || pl.Created != 1000 {
		b.Fatalf("seed: %d items, %v", pl.Created, err)
	}
	queries := []string{"pot de yahourt", "electromenagé", "piles", "bouteil", "medicamants", "g"}
	if _, err := s.Suggest(ctx, visitor, "x", 8); err != nil { // builds the snapshot
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Suggest(ctx, visitor, queries[i%len(queries)], 8); err != nil {
			b.Fatal(err)
		}
	}
}
