package extract

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// pdf extracts a PDF's text with pdftotext (poppler): pages come separated
// by form feeds. When it is not installed the file gets ReasonNoTool.
func pdf(ctx context.Context, path string, ocr bool) (Result, error) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return Result{Reason: ReasonNoTool}, nil
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pdftotext", "-enc", "UTF-8", "-eol", "unix", path, "-")
	cmd.Stdout = &limitedBuffer{buf: &out, max: MaxText}
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 64 << 10}
	err := cmd.Run()
	if ctx.Err() != nil {
		return Result{Reason: ReasonTimeout}, nil
	}
	if err != nil {
		msg := stderr.String()
		if strings.Contains(msg, "password") || strings.Contains(msg, "Permission Error") {
			return Result{Reason: ReasonEncrypted, Engine: "pdftotext"}, nil
		}
		return Result{Reason: ReasonDamaged, Engine: "pdftotext"}, nil
	}
	pages := strings.Split(out.String(), "\f")
	if n := len(pages); n > 1 && strings.TrimSpace(pages[n-1]) == "" {
		pages = pages[:n-1] // pdftotext ends every page with a form feed
	}
	if blank(pages) {
		if ocr {
			if res, ok := ocrPDF(ctx, path, len(pages)); ok {
				return res, nil
			}
		}
		return Result{Pages: pages, Reason: ReasonScanned, Engine: "pdftotext"}, nil
	}
	return Result{Pages: pages, Engine: "pdftotext"}, nil
}

// OCRAvailable reports whether tesseract, its French data and pdftoppm are
// installed.
func OCRAvailable() bool {
	if _, err := exec.LookPath("tesseract"); err != nil {
		return false
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		return false
	}
	langs, err := exec.Command("tesseract", "--list-langs").CombinedOutput()
	return err == nil && bytes.Contains(langs, []byte("fra"))
}

// ocrPDF reads image-only pages with tesseract in French, when tesseract,
// its French data and pdftoppm are installed. ok is false when OCR is not
// available or read nothing.
func ocrPDF(ctx context.Context, path string, n int) (Result, bool) {
	if !OCRAvailable() {
		return Result{}, false
	}
	dir, err := os.MkdirTemp("", "ocr-*")
	if err != nil {
		return Result{}, false
	}
	defer os.RemoveAll(dir)
	pages := make([]string, 0, n)
	for i := 1; i <= max(n, 1) && i <= 500; i++ {
		img := filepath.Join(dir, "p")
		num := strconv.Itoa(i)
		if err := exec.CommandContext(ctx, "pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", "-f", num, "-l", num, path, img).Run(); err != nil {
			return Result{}, false
		}
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, "tesseract", img+".png", "-", "-l", "fra")
		cmd.Stdout = &limitedBuffer{buf: &out, max: MaxText}
		if err := cmd.Run(); err != nil {
			return Result{}, false
		}
		pages = append(pages, out.String())
	}
	if blank(pages) {
		return Result{}, false
	}
	return Result{Pages: pages, Engine: EngineOCR}, true
}

// limitedBuffer keeps at most max bytes and silently drops the rest, so a
// tool's output cannot exhaust memory.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
