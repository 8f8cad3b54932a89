package web

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/clock"
	"portique/internal/config"
	"portique/internal/dbtest"
	"portique/internal/users"
)

// BenchmarkUploadHTTP100MB posts a 100 MB file through the whole server
// (middleware, multipart streaming, type check, storage) and reports the
// growth of the Go heap while it streams.
func BenchmarkUploadHTTP100MB(b *testing.B) {
	d := dbtest.NewDB(b)
	cfg := testConfig(b, func(c *config.Config) { c.UploadMax = 200 << 20 })
	clk := clock.NewFake(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	srv := buildServer(b, cfg, d, services.Options{Now: clk.Now, NoSearch: true})
	ctx := context.Background()
	var uid int64
	if err := d.QueryRow(ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES ('a@b.fr', 'a', TRUE, ?) RETURNING id", clk.Now().UTC()).Scan(&uid); err != nil {
		b.Fatal(err)
	}
	folder, err := srv.Documents().CreateFolder(ctx, access.Actor{Principal: access.Principal{UserID: uid, Admin: true}}, 0, "Gros")
	if err != nil {
		b.Fatal(err)
	}
	token, err := srv.sessions.Create(ctx, uid, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	var csrf string
	d.QueryRow(ctx, "SELECT csrf_token FROM sessions WHERE id_hash = ?", users.HashToken(token)).Scan(&csrf)
	var peak uint64
	for i := 0; b.Loop(); i++ {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			fw, _ := mw.CreateFormFile("file", fmt.Sprintf("gros-%d.pdf", i))
			buf := make([]byte, 64<<10)
			for j := range buf {
				buf[j] = ' '
			}
			copy(buf, fmt.Sprintf("%%PDF-1.7\n%%%d\n", i))
			for n := 0; n < 100<<20; n += len(buf) {
				fw.Write(buf)
				copy(buf, "          ") // only the first chunk has the header
			}
			mw.Close()
			pw.Close()
		}()
		req := httptest.NewRequest(http.MethodPost, "/documents/dossiers/"+fmt.Sprint(folder)+"/envoi?csrf="+csrf, pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: srv.sessionCookieName(), Value: token})
		req.RemoteAddr = "127.0.0.1:1"
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
				runtime.ReadMemStats(&m)
				if m.HeapInuse > base && m.HeapInuse-base > peak {
					peak = m.HeapInuse - base
				}
			}
		}()
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		close(stop)
		wg.Wait()
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "MB-heap-growth")
	b.SetBytes(100 << 20)
}
