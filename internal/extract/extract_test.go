package extract_test

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/dbtest"
	"portique/internal/extract"
)

// The test binary doubles as the child process: Child re-executes it with
// this variable set, and TestMain hands over to RunChild, exactly as the
// portique binary does for `portique extract-worker`.
const childEnv = "PORTIQUE_EXTRACT_TEST_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "1":
		os.Exit(extract.RunChild(os.Args[1:]))
	case "sleep": // a file that makes the extractor hang
		time.Sleep(time.Minute)
		os.Exit(0)
	case "hog": // a file that makes the extractor eat memory
		os.Exit(hog(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// hog applies the child's memory limit, then asks for 4 GiB (the address
// space is refused whether or not the pages are touched).
func hog(args []string) int {
	var keep [][]byte
	extract.LimitForTest(args)
	for range 64 {
		keep = append(keep, make([]byte, 64<<20))
	}
	// Only reached when the limit did not hold: report success, so the
	// test fails.
	os.Stdout.WriteString(`{"pages":["` + strconv.Itoa(len(keep)) + `"]}`)
	return 0
}

func child(mode string) *extract.Child {
	return &extract.Child{Exe: os.Args[0], Env: []string{childEnv + "=" + mode}, Timeout: 20 * time.Second}
}

func corpus(name string) string { return filepath.Join("..", "..", "testdata", "corpus", name) }

func needPdftotext(t *testing.T) {
	if _, err := os.Stat("/usr/bin/pdftotext"); err != nil {
		dbtest.SkipOrFail(t, "pdftotext not installed")
	}
}

func TestPDFInChildProcess(t *testing.T) {
	needPdftotext(t)
	testPDFs(t, extract.Options{Engine: extract.EnginePdftotext})
}

// The built-in engine (PDFium in WebAssembly) reads the same corpus. Its
// compiled code is cached between runs (the first run compiles for ~15 s).
func TestPDFiumEngineInChildProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("slow on first run (compiles the WebAssembly module)")
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	testPDFs(t, extract.Options{Engine: extract.EnginePdfium, CacheDir: filepath.Join(dir, "portique-test", "pdfium")})
}

func testPDFs(t *testing.T, o extract.Options) {
	ctx := context.Background()
	cases := []struct {
		file   string
		pages  int
		reason string
		words  map[int]string // page (1-based) → a word on it
	}{
		{"cr-comite-syndical-2025-03-18.pdf", 4, "", map[int]string{1: "Lambertin"}},
		{"deliberation-2026-014.pdf", 1, "", map[int]string{1: "PLPDMA"}},
		{"registre-large.pdf", 186, "", map[int]string{154: "Fourmilière", 2: "Mouret"}},
		{"arrete-2025-A-027-scan.pdf", 1, extract.ReasonScanned, nil},
		{"corrupt-truncated.pdf", 0, extract.ReasonDamaged, nil},
		{"encrypted.pdf", 0, extract.ReasonEncrypted, nil},
	}
	c := child("1")
	c.Options = o
	c.Timeout = time.Minute
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			res, err := c.Extract(ctx, corpus(tc.file), "application/pdf")
			if err != nil {
				t.Fatal(err)
			}
			if res.Reason != tc.reason {
				t.Fatalf("Reason = %q, want %q", res.Reason, tc.reason)
			}
			if res.Engine != o.Engine {
				t.Errorf("Engine = %q, want %q", res.Engine, o.Engine)
			}
			if tc.reason == "" && len(res.Pages) != tc.pages {
				t.Fatalf("%d pages, want %d", len(res.Pages), tc.pages)
			}
			for page, w := range tc.words {
				if !strings.Contains(res.Pages[page-1], w) {
					t.Errorf("page %d lacks %q", page, w)
				}
			}
			if tc.file == "registre-large.pdf" && strings.Contains(res.Pages[152], "Fourmilière") {
				t.Errorf("page 153 has the word of page 154: pages are shifted")
			}
			if tc.reason == extract.ReasonEncrypted {
				for _, p := range res.Pages {
					if strings.Contains(p, "Tri-Sud") {
						t.Error("text of an encrypted PDF leaked")
					}
				}
			}
		})
	}
}

func TestChildTimeoutKillsIt(t *testing.T) {
	c := child("sleep")
	c.Timeout = 300 * time.Millisecond
	start := time.Now()
	res, err := c.Extract(context.Background(), corpus("deliberation-2026-014.pdf"), "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if res.Reason != extract.ReasonTimeout {
		t.Fatalf("Reason = %q, want timeout", res.Reason)
	}
	if time.Since(start) > 15*time.Second {
		t.Fatal("the hung child was not killed")
	}
}

func TestChildMemoryLimit(t *testing.T) {
	c := child("hog")
	c.MemLimit = extract.DefaultMemLimit
	res, err := c.Extract(context.Background(), corpus("deliberation-2026-014.pdf"), "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if res.Reason != extract.ReasonTooComplex {
		t.Fatalf("Reason = %q, want too-complex: the memory limit did not stop the child", res.Reason)
	}
}

func TestChildCannotStart(t *testing.T) {
	c := &extract.Child{Exe: filepath.Join(t.TempDir(), "missing")}
	if _, err := c.Extract(context.Background(), corpus("deliberation-2026-014.pdf"), "application/pdf"); err == nil {
		t.Fatal("no error when the child cannot start")
	}
}

func writeZip(t testing.TB, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestOfficeAndText(t *testing.T) {
	dir := t.TempDir()
	docx := filepath.Join(dir, "a.docx")
	writeZip(t, docx, map[string]string{
		"[Content_Types].xml": `<Types/>`,
		"word/document.xml": `<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Collecte des </w:t></w:r><w:r><w:t>biodéchets</w:t></w:r></w:p>` +
			`<w:p><w:r><w:t>Déchèterie de Nyons</w:t></w:r></w:p></w:body></w:document>`,
	})
	odt := filepath.Join(dir, "a.odt")
	writeZip(t, odt, map[string]string{
		"mimetype":    "application/vnd.oasis.opendocument.text",
		"content.xml": `<office:document-content xmlns:office="o" xmlns:text="t"><office:body><text:p>Compte<text:s/>rendu</text:p><text:h>Œuvre</text:h></office:body></office:document-content>`,
	})
	pptx := filepath.Join(dir, "a.pptx")
	writeZip(t, pptx, map[string]string{
		"ppt/slides/slide10.xml": `<p:sld xmlns:a="a" xmlns:p="p"><a:p><a:r><a:t>dixième</a:t></a:r></a:p></p:sld>`,
		"ppt/slides/slide2.xml":  `<p:sld xmlns:a="a" xmlns:p="p"><a:p><a:r><a:t>deuxième</a:t></a:r></a:p></p:sld>`,
	})
	latin1 := filepath.Join(dir, "a.csv")
	os.WriteFile(latin1, []byte("commune;tonnage\nMont\xe9limar;12\n"), 0o600)
	cases := []struct {
		path, mt string
		want     []string
	}{
		{docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{"Collecte des biodéchets\nDéchèterie de Nyons"}},
		{odt, "application/vnd.oasis.opendocument.text", []string{"Compte rendu\nŒuvre"}},
		{pptx, "application/vnd.openxmlformats-officedocument.presentationml.presentation", []string{"deuxième", "dixième"}},
		{latin1, "text/csv", []string{"Montélimar"}},
	}
	for _, tc := range cases {
		res, err := extract.File(context.Background(), tc.path, tc.mt, extract.Options{})
		if err != nil || res.Reason != "" {
			t.Fatalf("%s: %v %q", tc.path, err, res.Reason)
		}
		if len(res.Pages) != len(tc.want) {
			t.Fatalf("%s: %d parts, want %d", tc.path, len(res.Pages), len(tc.want))
		}
		for i, w := range tc.want {
			if !strings.Contains(res.Pages[i], w) {
				t.Errorf("%s part %d = %q, want it to contain %q", tc.path, i+1, res.Pages[i], w)
			}
		}
	}
}

// A docx whose document.xml inflates to far more than MaxText: extraction
// stops at the bound instead of inflating it all.
func TestZipBombIsBounded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bomb.docx")
	f, _ := os.Create(p)
	zw := zip.NewWriter(f)
	zw.Create("[Content_Types].xml")
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>`))
	chunk := []byte(strings.Repeat("a", 1<<20))
	for range 48 { // 48 MiB of text, above MaxText (32 MiB)
		w.Write(chunk)
	}
	w.Write([]byte(`</w:t></w:r></w:p></w:body></w:document>`))
	zw.Close()
	f.Close()
	res, err := extract.File(context.Background(), p, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", extract.Options{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, pg := range res.Pages {
		total += len(pg)
	}
	if total > extract.MaxText {
		t.Fatalf("read %d bytes of text, more than the bound %d", total, extract.MaxText)
	}
}

// Every kind of broken input: no panic, a reason, no error.
func FuzzOffice(f *testing.F) {
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte(""))
	f.Add([]byte("<w:p>unterminated"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "x")
		os.WriteFile(p, b, 0o600)
		for _, mt := range []string{"application/vnd.oasis.opendocument.text", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text/plain"} {
			if _, err := extract.File(context.Background(), p, mt, extract.Options{}); err != nil {
				t.Fatalf("%s: %v", mt, err)
			}
		}
	})
}

// A PDF cut anywhere (an interrupted copy, a hostile file) never makes the
// extractor fail or hang: the child answers with text or a reason.
func TestTruncatedPDFs(t *testing.T) {
	needPdftotext(t)
	full, err := os.ReadFile(corpus("cr-comite-syndical-2025-03-18.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	c := child("1")
	dir := t.TempDir()
	for _, frac := range []int{1, 10, 50, 90, 99} {
		p := filepath.Join(dir, strconv.Itoa(frac)+".pdf")
		os.WriteFile(p, full[:len(full)*frac/100], 0o600)
		res, err := c.Extract(context.Background(), p, "application/pdf")
		if err != nil {
			t.Fatalf("cut at %d%%: %v", frac, err)
		}
		if res.Reason == "" && len(res.Pages) == 0 {
			t.Errorf("cut at %d%%: neither text nor a reason", frac)
		}
		t.Logf("cut at %d%%: reason %q, %d pages", frac, res.Reason, len(res.Pages))
	}
}

// Optional OCR: with tesseract and its French data installed, the scanned
// decree is read. Skipped when they are not installed (OCR is optional).
func TestOCRScannedPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: OCR")
	}
	if !extract.OCRAvailable() {
		t.Skip("tesseract with French data not installed (optional)")
	}
	c := child("1")
	c.Options = extract.Options{Engine: extract.EnginePdftotext, OCR: true}
	c.Timeout = 5 * time.Minute
	res, err := c.Extract(context.Background(), corpus("arrete-2025-A-027-scan.pdf"), "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if res.Reason != "" || res.Engine != "tesseract" || len(res.Pages) != 1 {
		t.Fatalf("OCR result: reason %q engine %q, %d pages", res.Reason, res.Engine, len(res.Pages))
	}
	for _, w := range []string{"Vigneron", "signature", "bons de commande"} {
		if !strings.Contains(res.Pages[0], w) {
			t.Errorf("OCR text lacks %q", w)
		}
	}
}
