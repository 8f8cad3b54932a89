package extract

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	pdferr "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// pdfium extracts a PDF's text with PDFium compiled to WebAssembly (run by
// wazero): nothing to install. It needs about 300 MB of memory and 1.7 GiB
// of address space while it works, which is why it only ever runs in the
// child process. Compiling the module takes seconds, so the compiled code is
// cached in cacheDir (when given) and later children start in ~0.5 s.
func pdfium(ctx context.Context, path, cacheDir string) (Result, error) {
	cfg := wazero.NewRuntimeConfig().WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling)
	if cacheDir != "" {
		if err := os.MkdirAll(cacheDir, 0o750); err == nil {
			if c, err := wazero.NewCompilationCacheWithDir(filepath.Clean(cacheDir)); err == nil {
				cfg = cfg.WithCompilationCache(c)
			}
		}
	}
	pool, err := webassembly.Init(webassembly.Config{MinIdle: 1, MaxIdle: 1, MaxTotal: 1, RuntimeConfig: cfg})
	if err != nil {
		return Result{}, errf("pdfium init: %w", err)
	}
	defer pool.Close()
	inst, err := pool.GetInstanceWithContext(ctx)
	if err != nil {
		return Result{}, errf("pdfium instance: %w", err)
	}
	doc, err := inst.OpenDocument(&requests.OpenDocument{FilePath: &path})
	switch {
	case errors.Is(err, pdferr.ErrPassword), errors.Is(err, pdferr.ErrSecurity):
		return Result{Reason: ReasonEncrypted, Engine: "pdfium"}, nil
	case err != nil:
		return Result{Reason: ReasonDamaged, Engine: "pdfium"}, nil
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return Result{Reason: ReasonDamaged, Engine: "pdfium"}, nil
	}
	pages := make([]string, 0, n.PageCount)
	size := 0
	for i := range n.PageCount {
		if ctx.Err() != nil {
			return Result{Reason: ReasonTimeout}, nil
		}
		txt, err := inst.GetPageText(&requests.GetPageText{Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}}})
		if err != nil {
			pages = append(pages, "")
			continue
		}
		if size += len(txt.Text); size > MaxText {
			break
		}
		pages = append(pages, txt.Text)
	}
	if blank(pages) {
		return Result{Pages: pages, Reason: ReasonScanned, Engine: "pdfium"}, nil
	}
	return Result{Pages: pages, Engine: "pdfium"}, nil
}
