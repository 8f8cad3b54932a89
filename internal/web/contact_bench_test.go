package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/contact/form"
	"portique/internal/dbtest"
	"portique/internal/pages"
)

// BenchmarkContactPage: an anonymous visitor's request for a page holding
// a contact form, next to an ordinary page served from the visitors' page
// cache. A form page is never cached (it carries the visitor's CSRF token,
// captcha question and submission key), so it is drawn at each request:
// this measures what that costs.
//
//	go test -run XXX -bench ContactPage ./internal/web/
func BenchmarkContactPage(b *testing.B) {
	ctx := context.Background()
	d := dbtest.NewDB(b)
	if err := pages.SeedDemo(ctx, d, time.Now(), map[string]int64{}, 0); err != nil {
		b.Fatal(err)
	}
	srv := buildServer(b, testConfig(b), d, services.Options{})
	a := access.Actor{Principal: access.Member(0, true, nil)}
	home, err := srv.pages.Home(ctx)
	if err != nil {
		b.Fatal(err)
	}
	p, err := srv.pages.Create(ctx, a, home.ID, pages.NewPage{Title: "Contact"})
	if err != nil {
		b.Fatal(err)
	}
	rev, err := srv.pages.SaveDraft(ctx, a, p.ID, p.DraftRev, "Contact", []pages.Block{{Type: pages.BlockContact,
		Contact: &form.Config{Fields: contactFields, Recipient: "accueil@sydrav.fr", Purpose: "Répondre.", DPO: "dpo@sydrav.fr"}}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := srv.pages.Publish(ctx, a, p.ID, rev.ID, ""); err != nil {
		b.Fatal(err)
	}
	csrf := &http.Cookie{Name: "portique-csrf", Value: "0123456789abcdef0123456789abcdef0123"}
	for _, c := range []struct{ name, path string }{
		{"ordinary-page-cached", "/guide-du-tri"},
		{"contact-page", "/contact"},
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
			size := get()
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
