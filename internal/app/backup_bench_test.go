package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/backup"
	"portique/internal/dbtest"
	"portique/internal/documents"
)

// BenchmarkBackup backs up the demo plus 10,000 small documents while a
// visitor keeps asking for the home page, and reports the backup's speed
// and the page's 99th percentile during the backup next to the same
// measure on the idle site (target: at most 2×). Run it once:
//
//	go test ./internal/app -run '^$' -bench BenchmarkBackup -benchtime 1x
func BenchmarkBackup(b *testing.B) {
	ctx := context.Background()
	s := demoSite(b, dbtest.Engine())
	cfg := s.cfg
	admin := access.Actor{Principal: access.Principal{Admin: true, UserID: 1}, Name: "bench"}
	folder, err := s.svc.Documents.CreateFolder(ctx, admin, 0, "Charge")
	if err != nil {
		b.Fatal(err)
	}
	const docs = 10000
	start := time.Now()
	for i := range docs {
		body := strings.Repeat(fmt.Sprintf("Compte rendu numéro %d du bureau syndical.\n", i), 40+i%60)
		if _, err := s.svc.Documents.Upload(ctx, admin, documents.UploadInput{FolderID: folder,
			Filename: fmt.Sprintf("cr-%05d.txt", i), PublishedOn: "2026-02-01", Body: strings.NewReader(body)}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d documents uploaded in %s (%s)", docs, time.Since(start).Round(time.Second), dbtest.Engine())
	srv := httptest.NewServer(s.web)
	defer srv.Close()
	client := srv.Client()
	page := func() time.Duration {
		t0 := time.Now()
		res, err := client.Get(srv.URL + "/")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET / = %d", res.StatusCode)
		}
		return time.Since(t0)
	}
	p99 := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)*99/100]
	}
	// The visitor asks for a page every 2 ms, as a busy small site.
	measure := func(until func() bool) []time.Duration {
		var out []time.Duration
		for !until() {
			out = append(out, page())
			time.Sleep(2 * time.Millisecond)
		}
		return out
	}
	for range 200 {
		page() // warm the cache
	}
	b.ResetTimer()
	for b.Loop() {
		n := 0
		idle := measure(func() bool { n++; return n > 1500 })
		var m *backup.Manifest
		var took time.Duration
		var wg sync.WaitGroup
		done := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			t0 := time.Now()
			var err error
			m, err = backup.WriteFile(ctx, filepath.Join(b.TempDir(), "bench.tar.zst"), backupSource(cfg, s.d, fixedNow))
			took = time.Since(t0)
			if err != nil {
				b.Error(err)
			}
		}()
		during := measure(func() bool {
			select {
			case <-done:
				return true
			default:
				return false
			}
		})
		wg.Wait()
		if m == nil {
			b.FailNow()
		}
		mbs := float64(m.Bytes()) / (1 << 20) / took.Seconds()
		pi, pd := p99(idle), p99(during)
		b.ReportMetric(mbs, "MB/s")
		b.ReportMetric(took.Seconds(), "s/backup")
		b.ReportMetric(float64(pi.Microseconds())/1000, "ms-p99-idle")
		b.ReportMetric(float64(pd.Microseconds())/1000, "ms-p99-during")
		b.ReportMetric(float64(pd)/float64(pi), "p99-ratio")
		b.Logf("%s: %d files, %d rows, %.1f MB in %s (%.1f MB/s); GET / p99 idle %s (%d requests), during the backup %s (%d requests)",
			dbtest.Engine(), m.DataFiles(), m.Rows(), float64(m.Bytes())/(1<<20), took.Round(time.Millisecond), mbs,
			pi.Round(time.Microsecond), len(idle), pd.Round(time.Microsecond), len(during))
	}
}
