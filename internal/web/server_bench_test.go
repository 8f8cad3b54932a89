package web

// Server-side micro-benchmarks of the web layer (go test -run XXX -bench
// 'PublicPage|MemberPage' ./internal/web/): the cost of one request through
// the full middleware chain on a real database, without the network or a
// load generator competing for the CPU. The end-to-end load test of the real
// binary over loopback is cmd/portique-bench (make bench).

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"portique/internal/app/services"
	"portique/internal/dbtest"
	"portique/internal/pages"
)

func newBenchServer(b *testing.B) (*Server, string) {
	b.Helper()
	d := dbtest.NewDB(b)
	// Production logs one line per request at info level: buildServer's
	// discarding text logger keeps that cost.
	srv := buildServer(b, testConfig(b), d, services.Options{NoSearch: true})
	ctx := context.Background()
	var uid int64
	if err := d.QueryRow(ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES (?, ?, FALSE, ?) RETURNING id",
		"bench@example.fr", "Bench", time.Now().UTC()).Scan(&uid); err != nil {
		b.Fatal(err)
	}
	token, err := srv.sessions.Create(ctx, uid, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	return srv, token
}

func benchServe(b *testing.B, h http.Handler, path string, cookies ...*http.Cookie) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.RemoteAddr = "127.0.0.1:4000"
			for _, c := range cookies {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("GET %s = %d", path, rec.Code)
			}
		}
	})
}

// BenchmarkPublicPage: an anonymous visitor who already holds the CSRF
// cookie (a returning browser).
func BenchmarkPublicPage(b *testing.B) {
	srv, _ := newBenchServer(b)
	benchServe(b, srv, "/", &http.Cookie{Name: "portique-csrf", Value: "0123456789abcdef0123456789abcdef0123"})
}

// BenchmarkPublicPageNewVisitor: no cookie at all (a CSRF token is minted).
func BenchmarkPublicPageNewVisitor(b *testing.B) {
	srv, _ := newBenchServer(b)
	benchServe(b, srv, "/")
}

// BenchmarkMemberPage: a logged-in member (session lookup in the database).
func BenchmarkMemberPage(b *testing.B) {
	srv, token := newBenchServer(b)
	benchServe(b, srv, "/", &http.Cookie{Name: "portique", Value: token})
}

// BenchmarkNewsCachedPages: an anonymous visitor's request for the news
// list, a filtered list, a news item, the feeds and the home page with its
// latest-news block, served from the visitors' page cache, next to an
// ordinary page of the same demo site (target: no more server CPU than the
// ordinary page). cpu-ns/op is the process's CPU time per request.
//
//	go test -run XXX -bench NewsCachedPages ./internal/web/
func BenchmarkNewsCachedPages(b *testing.B) {
	ctx := context.Background()
	d := dbtest.NewDB(b)
	if err := pages.SeedDemo(ctx, d, time.Now(), map[string]int64{}, 0); err != nil {
		b.Fatal(err)
	}
	srv := buildServer(b, testConfig(b), d, services.Options{NoSearch: true})
	csrf := &http.Cookie{Name: "portique-csrf", Value: "0123456789abcdef0123456789abcdef0123"}
	for _, c := range []struct{ name, path string }{
		{"ordinary-page", "/guide-du-tri"},
		{"home-latest-news", "/"},
		{"news-list", "/actualites"},
		{"news-list-category", "/actualites?categorie=vie-du-syndicat"},
		{"news-item", "/actualites/distribution-gratuite-de-composteurs"},
		{"feed-rss", "/actualites/flux.rss"},
		{"feed-atom", "/actualites/flux.atom"},
	} {
		b.Run(c.name, func(b *testing.B) {
			get := func() int {
				req := httptest.NewRequest(http.MethodGet, c.path, nil)
				req.RemoteAddr = "127.0.0.1:4000"
				req.AddCookie(csrf)
				w := &countingWriter{h: http.Header{}}
				srv.ServeHTTP(w, req)
				if w.code != http.StatusOK {
					b.Fatalf("GET %s = %d", c.path, w.code)
				}
				return w.n
			}
			size := get() // fills the cache
			b.ReportAllocs()
			runtime.GC()
			cpu := processCPU()
			for b.Loop() {
				get()
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(size), "bytes")
		})
	}
}
