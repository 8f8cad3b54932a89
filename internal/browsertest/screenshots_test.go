package browsertest

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// EnvScreenshots, set to 1, makes TestScreenshots write the pictures it
// takes into docs/img (make screenshots); otherwise it compares them with
// the committed ones.
const EnvScreenshots = "PORTIQUE_SCREENSHOTS"

// shots are the demo's pages shown in the README and the docs, each at a
// desktop and a phone width.
var shots = []struct{ name, path string }{
	{"accueil", "/"},
	{"page", "/reduire-ses-dechets"},
	{"agenda", "/agenda"},
	{"documents", "/documents"},
	{"actualites", "/actualites"},
}

var widths = []struct {
	suffix        string
	width, height int64
}{{"1280", 1280, 800}, {"390", 390, 844}}

// TestScreenshots takes the documentation's screenshots of the demo site
// in Chromium, so they show the site as it is. Without PORTIQUE_SCREENSHOTS=1
// it checks every committed picture exists and has the size it would be
// taken at, and that every picture the README and docs show is one of them.
func TestScreenshots(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	defer chromedp.Run(ctx, chromedp.EmulateReset()) //nolint:errcheck
	dir := filepath.Join("..", "..", "docs", "img")
	write := os.Getenv(EnvScreenshots) == "1"
	taken := map[string]bool{}
	for _, w := range widths {
		Run(t, ctx, "viewport "+w.suffix, chromedp.EmulateViewport(w.width, w.height))
		for _, s := range shots {
			if st := site.Go(t, ctx, s.path); st != 200 {
				t.Fatalf("%s: status %d", s.path, st)
			}
			b := Get(t, ctx, "screenshot "+s.path, viewportJPEG(80))
			got, err := jpeg.DecodeConfig(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s at %s px: not a JPEG: %v", s.path, w.suffix, err)
			}
			name := s.name + "-" + w.suffix + ".jpg"
			taken[name] = true
			file := filepath.Join(dir, name)
			if write {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, b, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			committed, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%s is missing: run `make screenshots` (%v)", file, err)
			}
			want, _, err := image.DecodeConfig(bytes.NewReader(committed))
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if want.Width != got.Width || want.Height != got.Height {
				t.Errorf("%s is %d×%d, the page now shoots %d×%d: run `make screenshots`", file, want.Width, want.Height, got.Width, got.Height)
			}
		}
	}
	// Every picture of docs/img the documentation shows is one this test takes.
	ref := regexp.MustCompile(`img/([a-z0-9-]+\.jpg)`)
	docs := []string{filepath.Join("..", "..", "README.md")}
	more, _ := filepath.Glob(filepath.Join("..", "..", "docs", "*", "*.md"))
	docs = append(docs, more...)
	shown := 0
	for _, f := range docs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			shown++
			if !taken[m[1]] {
				t.Errorf("%s shows img/%s, which no test takes", f, m[1])
			}
		}
	}
	if shown < 4 {
		t.Errorf("the README and docs show %d screenshots, want at least 4", shown)
	}
}

// viewportJPEG captures what the viewport shows, as a JPEG of the given
// quality (smaller than PNG for photographs of pages).
func viewportJPEG(quality int64) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			FromSurface: ptrTo(true),
			Format:      page.CaptureScreenshotFormatJpeg,
			Quality:     &quality,
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	}
}

func ptrTo[T any](v T) *T { return &v }
