// Package extract gets the text out of stored files for the search index:
// PDF (pdftotext from poppler when installed, page by page), OpenDocument and
// Office files (zip + XML, bounded reads), plain text and CSV. Optional OCR of
// image-only PDFs with tesseract when installed.
//
// Files come from users and may be hostile, so the server never parses them
// itself: Child runs the extraction in a child process (the same binary's
// `extract-worker` subcommand, see RunChild) with a time limit and an
// address-space limit, and kills the whole process group when time runs out.
package extract

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Result is the text of a file, one string per page (or per part: one for a
// text document, one per slide). When no text could be had, Reason says why
// and Pages is empty or holds only blank pages.
type Result struct {
	Pages  []string `json:"pages"`
	Reason string   `json:"reason,omitempty"`
	Engine string   `json:"engine,omitempty"`
}

// Reasons for a file without indexable text. Each is the catalogue key of
// the text shown to people (internal/i18n/fr/documents.json), so the
// documents store keeps it as is and the web layer translates it.
const (
	ReasonScanned     = "documents.reason.scanned"     // image-only PDF (no text layer) and no OCR
	ReasonEncrypted   = "documents.reason.encrypted"   // password-protected PDF
	ReasonDamaged     = "documents.reason.damaged"     // unreadable file
	ReasonNoTool      = "documents.reason.no-tool"     // no PDF engine available
	ReasonTimeout     = "documents.reason.timeout"     // extraction took longer than allowed
	ReasonTooComplex  = "documents.reason.too-complex" // extraction hit the memory limit or crashed
	ReasonImage       = "documents.reason.image"       // an image file (and no OCR)
	ReasonEmpty       = "documents.reason.empty"       // readable, but no text in it
	ReasonUnsupported = "documents.reason.unsupported" // a type we do not read
)

// MaxText bounds the text kept from one file (32 MiB): beyond it the rest
// is dropped. It also bounds how much XML is read from office files.
const MaxText = 32 << 20

// PDF engines.
const (
	EngineAuto      = ""          // pdftotext when installed, else pdfium
	EnginePdftotext = "pdftotext" // poppler's pdftotext (fast; must be installed)
	EnginePdfium    = "pdfium"    // PDFium in WebAssembly (built in)
	EngineOCR       = "tesseract" // the Engine of a Result read by OCR
)

// Options choose the PDF engine.
type Options struct {
	Engine   string // EngineAuto, EnginePdftotext or EnginePdfium
	CacheDir string // where pdfium keeps its compiled code ("" = no cache)
	// OCR reads image-only PDFs with tesseract (French) when it is
	// installed. It is slow (seconds to tens of seconds per page).
	OCR bool
}

// PDFEngine resolves EngineAuto to the engine that will run.
func (o Options) PDFEngine() string {
	if o.Engine != EngineAuto {
		return o.Engine
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		return EnginePdftotext
	}
	return EnginePdfium
}

// File extracts the text of the file at path, in this process. Use it only
// inside the child process (RunChild) or on trusted files; the server uses
// Child.
func File(ctx context.Context, path, mediaType string, o Options) (Result, error) {
	mt, _, _ := strings.Cut(mediaType, ";")
	switch {
	case mt == "application/pdf":
		if o.PDFEngine() == EnginePdfium {
			return pdfium(ctx, path, o.CacheDir)
		}
		return pdf(ctx, path, o.OCR)
	case strings.HasPrefix(mt, "application/vnd.oasis.opendocument."),
		strings.HasPrefix(mt, "application/vnd.openxmlformats-officedocument."):
		return office(path, mt)
	case mt == "text/plain" || mt == "text/csv":
		return plain(path)
	case strings.HasPrefix(mt, "image/"):
		return Result{Reason: ReasonImage}, nil
	}
	return Result{Reason: ReasonUnsupported}, nil
}

// blank reports whether no page holds a letter or digit.
func blank(pages []string) bool {
	for _, p := range pages {
		if strings.IndexFunc(p, func(r rune) bool { return r > ' ' && r != '\f' }) >= 0 {
			return false
		}
	}
	return true
}

func errf(format string, args ...any) error { return fmt.Errorf("extract: "+format, args...) }
