package documents_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/dbtest"
	"portique/internal/documents"
	"portique/internal/extract"
	"portique/internal/jobs"
)

// slowOCR stands for tesseract: it holds every scan until released, and then
// "reads" one page.
type slowOCR struct {
	started chan struct{}
	release chan struct{}
}

func (o *slowOCR) Extract(ctx context.Context, path, mt string) (extract.Result, error) {
	o.started <- struct{}{}
	select {
	case <-o.release:
	case <-ctx.Done():
		return extract.Result{}, ctx.Err()
	}
	return extract.Result{Pages: []string{"Arrêté portant réglementation de la déchèterie"}, Engine: extract.EngineOCR}, nil
}

// A scan queued first does not hold back the ordinary file queued after it:
// OCR runs in its own runner, beside the ordinary extraction.
func TestOCRRunsBesideOrdinaryExtraction(t *testing.T) {
	if _, err := os.Stat("/usr/bin/pdftotext"); err != nil {
		dbtest.SkipOrFail(t, "pdftotext not installed (apt-get install poppler-utils)")
	}
	e := newEnv(t)
	f := e.folder(0, "Arrêtés", access.Grant{GroupID: access.Everyone, Level: access.View})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	runner := func() *jobs.Runner {
		r := jobs.NewRunner(e.d)
		r.Now, r.Log, r.Poll = e.clock.Now, quiet, 20*time.Millisecond
		return r
	}
	fast, slow := runner(), runner()
	ocr := &slowOCR{started: make(chan struct{}, 1), release: make(chan struct{})}
	e.s.RegisterJobs(fast, testChild())
	e.s.RegisterOCRJobs(slow, ocr)
	ctx, cancel := context.WithCancel(e.ctx)
	waitFast, waitSlow := fast.Start(ctx), slow.Start(ctx)
	defer func() { cancel(); waitFast(); waitSlow() }()

	scan := e.upload(f, "arrete.pdf", corpus(t, "arrete-2025-A-027-scan.pdf"), "")
	select {
	case <-ocr.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the scan never reached OCR")
	}
	txt := e.upload(f, "notes.txt", []byte("Collecte des encombrants à Nyons\n"), "")
	got := e.await(txt.ID, func(d *documents.Document) bool { return d.TextStatus != documents.TextPending })
	if got.TextStatus != documents.TextDone || got.TextOCR {
		t.Fatalf("ordinary file: status %q ocr %v, want done without OCR", got.TextStatus, got.TextOCR)
	}
	// The scan is still being read: it says so.
	s, err := e.s.Get(e.ctx, e.admin, scan.ID)
	must(t, err)
	if s.TextStatus != documents.TextPending || s.TextReason != documents.ReasonOCRQueued {
		t.Fatalf("scan during OCR: status %q reason %q", s.TextStatus, s.TextReason)
	}
	close(ocr.release)
	s = e.await(scan.ID, func(d *documents.Document) bool { return d.TextStatus != documents.TextPending })
	if s.TextStatus != documents.TextDone || !s.TextOCR || s.Pages != 1 {
		t.Fatalf("scan after OCR: status %q reason %q ocr %v pages %d", s.TextStatus, s.TextReason, s.TextOCR, s.Pages)
	}
	if text, err := e.s.PageText(e.ctx, e.admin, scan.ID, 1); err != nil || text == "" {
		t.Errorf("OCR text not stored: %q %v", text, err)
	}
	// A replacement forgets that the old file's text came from OCR.
	d, err := e.s.Replace(e.ctx, e.as(e.admin), scan.ID, "arrete.txt", strings.NewReader("Arrêté retapé\n"))
	must(t, err)
	if d.TextOCR {
		t.Error("the replaced file still says OCR")
	}
}

// Without an OCR runner a scan is marked as such at once.
func TestScanWithoutOCRRunner(t *testing.T) {
	if _, err := os.Stat("/usr/bin/pdftotext"); err != nil {
		dbtest.SkipOrFail(t, "pdftotext not installed (apt-get install poppler-utils)")
	}
	e := newEnv(t)
	f := e.folder(0, "Arrêtés")
	scan := e.upload(f, "arrete.pdf", corpus(t, "arrete-2025-A-027-scan.pdf"), "")
	e.runJobs()
	d, err := e.s.Get(e.ctx, e.admin, scan.ID)
	must(t, err)
	if d.TextStatus != documents.TextNone || d.TextReason != extract.ReasonScanned {
		t.Errorf("status %q reason %q", d.TextStatus, d.TextReason)
	}
	if n, err := jobs.Pending(e.ctx, e.d, documents.JobOCR); err != nil || n != 0 {
		t.Errorf("%d OCR jobs queued without an OCR runner (%v)", n, err)
	}
}

// await polls a document until cond holds (30 s at most).
func (e *env) await(id int64, cond func(*documents.Document) bool) *documents.Document {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := e.s.Get(e.ctx, e.admin, id)
		must(e.t, err)
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("document %d still %q %q", id, d.TextStatus, d.TextReason)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
