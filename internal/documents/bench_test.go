package documents_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/dbtest"
	"portique/internal/documents"
	"portique/internal/search"
	"portique/internal/search/searchtest"
)

func benchEnv(b *testing.B, uploadMax int64) *env {
	d := dbtest.NewDB(b)
	blobs, err := documents.NewBlobs(filepath.Join(b.TempDir(), "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	idx := searchtest.NewRecorder(search.KindDocument, false)
	s := documents.NewStore(d, blobs, idx, documents.Options{ArchiveMonths: 3, UploadMax: uploadMax})
	s.Now = c.Now
	return &env{d: d, s: s, idx: idx, clock: c, ctx: context.Background(), admin: access.Principal{UserID: 0, Admin: true}, names: map[int64]string{}}
}

// BenchmarkExtractAndIndex extracts the 186-page register in the child
// process (pdftotext) and stores + indexes its pages in the real search
// engine. Reports pages/s.
func BenchmarkExtractAndIndex(b *testing.B) {
	if _, err := os.Stat("/usr/bin/pdftotext"); err != nil {
		b.Skip("pdftotext not installed")
	}
	e := benchEnv(b, 10<<20)
	// The real engine (FTS5 or tsvector), as in production.
	e.s = documents.NewStore(e.d, e.s.Blobs(), search.New(e.d), documents.Options{UploadMax: 10 << 20})
	e.s.Now = e.clock.Now
	f, err := e.s.CreateFolder(e.ctx, e.as(e.admin), 0, "Registre")
	if err != nil {
		b.Fatal(err)
	}
	body := corpus(b, "registre-large.pdf")
	doc, err := e.s.Upload(e.ctx, e.as(e.admin), documents.UploadInput{FolderID: f, Filename: "registre.pdf", Body: bytes.NewReader(body)})
	if err != nil {
		b.Fatal(err)
	}
	ch := testChild()
	path := e.s.Blobs().Path(doc.BlobKey)
	pages := 0
	b.ResetTimer()
	for b.Loop() {
		res, err := ch.Extract(e.ctx, path, "application/pdf")
		if err != nil || res.Reason != "" {
			b.Fatal(err, res.Reason)
		}
		if err := e.s.SetText(e.ctx, doc.ID, doc.SHA256, res); err != nil {
			b.Fatal(err)
		}
		pages += len(res.Pages)
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkListFolder1000 lists the first page (50, newest first, with the
// total) of a folder of 1,000 documents as a member, permission filter and
// archive rule included.
func BenchmarkListFolder1000(b *testing.B) {
	e := benchEnv(b, 10<<20)
	ctx := e.ctx
	var g int64
	if err := e.d.QueryRow(ctx, "INSERT INTO groups (name, created_at) VALUES ('Élus', ?) RETURNING id", time.Now().UTC()).Scan(&g); err != nil {
		b.Fatal(err)
	}
	f, _ := e.s.CreateFolder(ctx, e.as(e.admin), 0, "Délibérations")
	if err := e.s.SetFolderGrants(ctx, e.as(e.admin), f, []access.Grant{{GroupID: g, Level: access.View}}, false); err != nil {
		b.Fatal(err)
	}
	other, _ := e.s.CreateFolder(ctx, e.as(e.admin), 0, "Autres")
	// Rows are inserted directly: the benchmark is about listing.
	for i := range 2000 {
		folder := f
		if i%2 == 1 {
			folder = other
		}
		day := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -i/4).Format(time.DateOnly)
		if _, err := e.d.Exec(ctx, `INSERT INTO documents (folder_id, title, filename, media_type, size, sha256, blob_key, published_on, added_at, updated_at)
			VALUES (?, ?, ?, 'application/pdf', 1000, 'x', 'x', ?, ?, ?)`, folder, fmt.Sprintf("Délibération %d", i), "d.pdf", day, time.Now().UTC(), time.Now().UTC()); err != nil {
			b.Fatal(err)
		}
	}
	p := access.Member(1, false, []int64{g})
	for _, archived := range []bool{false, true} {
		b.Run(fmt.Sprintf("archived=%v", archived), func(b *testing.B) {
			for b.Loop() {
				list, total, err := e.s.List(ctx, p, documents.ListQuery{FolderID: f, Archived: archived, Limit: 50})
				if err != nil || len(list) == 0 || total == 0 {
					b.Fatal(err, len(list), total)
				}
			}
		})
	}
}

// pdfStream is a 100 MB "PDF": a real header then filler, generated on the
// fly so the benchmark itself holds nothing.
type pdfStream struct{ n, size int }

func (p *pdfStream) Read(b []byte) (int, error) {
	if p.n >= p.size {
		return 0, io.EOF
	}
	k := min(len(b), p.size-p.n)
	for i := range k {
		b[i] = ' '
	}
	if p.n == 0 {
		copy(b, "%PDF-1.7\n")
	}
	p.n += k
	return k, nil
}

// BenchmarkUpload100MB uploads a 100 MB file and reports the growth of the
// Go heap while it streams (sampled every millisecond): the upload is copied
// to disk through a small buffer, never held in memory.
func BenchmarkUpload100MB(b *testing.B) {
	e := benchEnv(b, 200<<20)
	f, _ := e.s.CreateFolder(e.ctx, e.as(e.admin), 0, "Gros fichiers")
	var peak uint64
	for i := 0; b.Loop(); i++ {
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
		// Each round differs by its size so nothing is deduplicated.
		_, err := e.s.Upload(e.ctx, e.as(e.admin), documents.UploadInput{FolderID: f, Filename: fmt.Sprintf("gros-%d.pdf", i), Body: &pdfStream{size: 100<<20 + i}})
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "MB-heap-growth")
	b.SetBytes(100 << 20)
}
