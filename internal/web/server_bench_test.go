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
	"testing"
	"time"

	"portique/internal/app/services"
	"portique/internal/dbtest"
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
