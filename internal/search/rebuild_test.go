package search_test

import (
	"context"
	"testing"

	"portique/internal/access"
	"portique/internal/search"
)

func TestRebuild(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(t,
		doc(1, fPublic, "Ancien titre", "compostage", "2026-01-01"),
		doc(2, fPublic, "Supprimé depuis", "compostage", "2026-01-01"),
		page(1, "Page", "compostage"),
	)
	// The documents domain now holds document 1 (renamed) and 3; document 2
	// was deleted while the index was not told. Pages are not re-fed.
	src := search.Source{Kind: search.KindDocument, Feed: func(ctx context.Context, put func(int64, []search.Doc) error) error {
		if err := put(1, []search.Doc{doc(1, fPublic, "Nouveau titre", "compostage", "2026-01-01")}); err != nil {
			return err
		}
		return put(3, []search.Doc{doc(3, fPublic, "Troisième", "compostage", "2026-01-01")})
	}}
	counts, err := search.Rebuild(context.Background(), f.d, f.idx, src)
	if err != nil {
		t.Fatal(err)
	}
	if counts[search.KindDocument] != 2 {
		t.Errorf("counts = %v, want 2 documents", counts)
	}
	res := f.search(t, access.Anonymous(), search.Query{Text: "compostage"})
	got := ids(res)
	want := []string{"document:1", "document:3", "page:1"}
	if len(got) != 3 {
		t.Fatalf("hits = %v, want %v", got, want)
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("hits = %v, want %s", got, w)
		}
	}
	if res := f.search(t, access.Anonymous(), search.Query{Text: "ancien"}); len(res.Hits) != 0 {
		t.Errorf("old title still found: %v", ids(res))
	}
}
