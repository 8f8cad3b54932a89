package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"testing"
	"time"

	"portique/internal/app/services"
	"portique/internal/dbtest"
	"portique/internal/guide"
	"portique/internal/pages"
)

// BenchmarkResidentsCachedPages: an anonymous visitor's request for the
// guide's and the centres' public pages, served from the visitors' page
// cache, next to an ordinary page of the same demo site (target: no more
// server CPU than the ordinary page). cpu-ns/op is the process's CPU time
// per request (user + system); the body is counted, not kept, so the
// figures compare the server's work whatever the page's size.
//
//	go test -run XXX -bench ResidentsCachedPages ./internal/web/
func BenchmarkResidentsCachedPages(b *testing.B) {
	ctx := context.Background()
	d := dbtest.NewDB(b)
	if err := pages.SeedDemo(ctx, d, time.Now(), map[string]int64{}, 0); err != nil {
		b.Fatal(err)
	}
	srv := buildServer(b, testConfig(b), d, services.Options{})
	if err := srv.guide.SeedDemo(ctx, 0); err != nil {
		b.Fatal(err)
	}
	if err := srv.centres.SeedDemo(ctx, 0); err != nil {
		b.Fatal(err)
	}
	csrf := &http.Cookie{Name: "portique-csrf", Value: "0123456789abcdef0123456789abcdef0123"}
	for _, c := range []struct{ name, path string }{
		{"ordinary-page", "/guide-du-tri"},
		{"ordinary-page-long", "/accessibilite"},
		{"guide-item", "/ou-jeter/pot-de-yaourt"},
		{"guide-search", "/ou-jeter?q=" + url.QueryEscape("pot de yahourt")},
		{"guide-index", "/ou-jeter"},
		{"centres-index", "/decheteries"},
		{"centre-page", "/decheteries/decheterie-de-valence-nord"},
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

// countingWriter is a ResponseWriter that counts the body's bytes and keeps
// none: the benchmark measures the server, not a recorder's buffer growing
// with the page's size.
type countingWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *countingWriter) Header() http.Header { return w.h }
func (w *countingWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *countingWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

// BenchmarkGuideSuggestHTTP: one instant suggestion through the whole
// server (middleware, access check, matching, JSON) on a guide of 1,000
// items (target: at most 2 ms of server CPU).
func BenchmarkGuideSuggestHTTP(b *testing.B) {
	ctx := context.Background()
	d := dbtest.NewDB(b)
	srv := buildServer(b, testConfig(b), d, services.Options{NoSearch: true})
	recs, errs := guide.ParseCSV(guide.DemoCSV())
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	for i := 0; i < 1000; i++ {
		r := recs[i%len(recs)]
		name := r.Name
		if i >= len(recs) {
			name += " " + []string{"usagé", "grand modèle", "petit modèle", "cassé", "ancien", "de jardin"}[i/len(recs)-1]
		}
		if _, err := srv.guide.Create(ctx, accessSystem(), guide.Input{Name: name, Synonyms: r.Synonyms, Stream: r.Stream, Instructions: r.Instructions}); err != nil {
			b.Fatal(err)
		}
	}
	queries := []string{"pot de yahourt", "electromenagé", "piles", "bouteil", "medicamants", "canap"}
	csrf := &http.Cookie{Name: "portique-csrf", Value: "0123456789abcdef0123456789abcdef0123"}
	b.ReportAllocs()
	runtime.GC()
	cpu := processCPU()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/ou-jeter/suggestions?q="+url.QueryEscape(queries[i%len(queries)]), nil)
		req.RemoteAddr = "127.0.0.1:4000"
		req.AddCookie(csrf)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("suggestions = %d", rec.Code)
		}
		i++
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
}
