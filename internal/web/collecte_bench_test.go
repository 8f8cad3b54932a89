package web

// go test -run XXX -bench Collecte ./internal/web/
//
// A visitor's commune page, yearly calendar and feed come from the page
// cache like an ordinary page: the same content-version read and map
// lookup, so they must cost no more CPU than a cached ordinary page (the
// first sub-benchmark). The "member" lines are the same pages rendered for
// every request (a logged-in member is never served from the cache), the
// cost the cache saves once a minute.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/pages"
)

func BenchmarkCollecteCachedPages(b *testing.B) {
	srv, token := newBenchServer(b)
	ctx := context.Background()
	if err := pages.SeedDemo(ctx, srv.db, time.Now(), map[string]int64{}, 0); err != nil {
		b.Fatal(err)
	}
	if err := srv.collecte.SeedDemo(ctx, time.Now(), map[string]int64{}); err != nil {
		b.Fatal(err)
	}
	visitor := &http.Cookie{Name: "portique-csrf", Value: "0123456789abcdef0123456789abcdef0123"}
	member := &http.Cookie{Name: "portique", Value: token}
	for _, bc := range []struct {
		name, path string
		cookie     *http.Cookie
	}{
		{"ordinary page (cached)", "/le-syndicat", visitor},
		{"lookup (cached)", "/collecte", visitor},
		{"sector page (cached)", "/collecte/valence/centre-ville", visitor},
		{"yearly calendar (cached)", "/collecte/valence/centre-ville/calendrier", visitor},
		{"feed (cached)", "/collecte/valence/centre-ville/collectes.ics", visitor},
		{"autocomplete list (cached)", "/collecte/communes.json", visitor},
		{"ordinary page (member)", "/le-syndicat", member},
		{"sector page (member)", "/collecte/valence/centre-ville", member},
		{"yearly calendar (member)", "/collecte/valence/centre-ville/calendrier", member},
		{"feed (member)", "/collecte/valence/centre-ville/collectes.ics", member},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cpu := processCPU()
			benchServeDiscard(b, srv, bc.path, bc.cookie)
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// benchServeDiscard is benchServe with a response writer that drops the
// body, as a network connection takes it: httptest's recorder copies every
// byte into a growing buffer, which made a 170 kB feed look five times as
// dear to serve as a 12 kB page when the server did the same work for both.
func benchServeDiscard(b *testing.B, h http.Handler, path string, cookies ...*http.Cookie) {
	b.ReportAllocs()
	var size atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.RemoteAddr = "127.0.0.1:4000"
			for _, c := range cookies {
				req.AddCookie(c)
			}
			w := &discardWriter{h: http.Header{}}
			h.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("GET %s = %d", path, w.status)
			}
			size.Store(w.n)
		}
	})
	b.ReportMetric(float64(size.Load()), "body-bytes")
}

type discardWriter struct {
	h      http.Header
	status int
	n      int64
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += int64(len(p))
	return len(p), nil
}

// BenchmarkCollectePlan is the domain's share of a sector page: six
// queries and a year of rules expanded with their exceptions.
func BenchmarkCollectePlan(b *testing.B) {
	srv, _ := newBenchServer(b)
	ctx := context.Background()
	if err := srv.collecte.SeedDemo(ctx, time.Now(), map[string]int64{}); err != nil {
		b.Fatal(err)
	}
	today := srv.collecte.Today()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := srv.collecte.PlanFor(ctx, access.Anonymous(), "valence", "centre-ville", today, today.AddDate(0, 0, 366)); err != nil {
			b.Fatal(err)
		}
	}
}
