package pages_test

import (
	"context"
	"runtime"
	"testing"

	"portique/internal/access"
	"portique/internal/dbtest"
	"portique/internal/pages"
)

// bulkSite builds a public tree of about 10 × subs × leaves pages.
func bulkSite(b *testing.B, subs, leaves int) (*pages.Store, string, int) {
	b.Helper()
	d := dbtest.NewDB(b)
	n, target, err := pages.SeedBulk(context.Background(), d, subs, leaves)
	if err != nil {
		b.Fatal(err)
	}
	return pages.New(d, nil), target, n
}

// render does what the page handler asks of the store for one page view.
func render(ctx context.Context, b *testing.B, s *pages.Store, p access.Principal, path string) {
	v, err := s.Show(ctx, p, path, false)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.MainMenu(ctx, p); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Breadcrumb(ctx, p, v.Page); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Children(ctx, p, v.Page.ID); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkShowPage compares a page view in a 51-page and a 5,011-page
// tree, for a visitor and for a member of two groups.
func BenchmarkShowPage(b *testing.B) {
	for _, size := range []struct {
		name         string
		subs, leaves int
	}{{"pages=51", 2, 1}, {"pages=5011", 10, 49}} {
		b.Run(size.name, func(b *testing.B) {
			s, target, n := bulkSite(b, size.subs, size.leaves)
			for _, who := range []struct {
				name string
				p    access.Principal
			}{{"visitor", access.Anonymous()}, {"member", access.Member(7, false, []int64{10, 11})}} {
				b.Run(who.name, func(b *testing.B) {
					ctx := context.Background()
					b.ReportMetric(float64(n), "pages")
					runtime.GC()
					cpu := processCPU()
					for b.Loop() {
						render(ctx, b, s, who.p, target)
					}
					b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}
