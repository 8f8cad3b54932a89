package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"portique/internal/config"
	"portique/internal/dbtest"
	"portique/internal/users"
	"portique/internal/web"
)

func newServer(b *testing.B) (*web.Server, string) {
	b.Helper()
	d := dbtest.NewDB(b)
	cfg := config.Defaults()
	cfg.DataDir = b.TempDir()
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	// Production logs one line per request at info level: keep that cost.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(web.Deps{Config: cfg, DB: d, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var uid int64
	if err := d.QueryRow(ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES (?, ?, FALSE, ?) RETURNING id",
		"bench@example.fr", "Bench", time.Now().UTC()).Scan(&uid); err != nil {
		b.Fatal(err)
	}
	ses := &users.Sessions{DB: d, Now: time.Now, Idle: cfg.SessionIdle, Max: cfg.SessionMax}
	token, err := ses.Create(ctx, uid, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	return srv, token
}

func serve(b *testing.B, h http.Handler, path string, cookies ...*http.Cookie) {
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
	srv, _ := newServer(b)
	serve(b, srv, "/", &http.Cookie{Name: "portique-csrf", Value: "0123456789abcdef0123456789abcdef0123"})
}

// BenchmarkPublicPageNewVisitor: no cookie at all (a CSRF token is minted).
func BenchmarkPublicPageNewVisitor(b *testing.B) {
	srv, _ := newServer(b)
	serve(b, srv, "/")
}

// BenchmarkMemberPage: a logged-in member (session lookup in the database).
func BenchmarkMemberPage(b *testing.B) {
	srv, token := newServer(b)
	serve(b, srv, "/", &http.Cookie{Name: "portique", Value: token})
}
