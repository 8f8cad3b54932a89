package web

import (
	"net/http"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"portique/internal/dbtest"
)

var (
	assetRE  = regexp.MustCompile(`(?:href|src)="(/(?:static|site/theme)/[^"]+)"`)
	cssURLRE = regexp.MustCompile(`url\("?([^")]+)"?\)`)
)

// Every stylesheet, script and font a page asks for has a hashed name and
// is served for a year as immutable; the fonts are the site's own (the CSP
// allows no other), the main face is preloaded, and a stale hash is not
// cached for long.
func TestAssetsHashedAndImmutable(t *testing.T) {
	if _, err := os.Stat("static/dist/fonts.css"); err != nil {
		dbtest.SkipOrFail(t, "the front-end is not built (npm run build): %v", err)
	}
	ts := newTestServer(t)
	c := ts.visitor()
	rec := c.get(t, "/")
	wantStatus(t, rec, http.StatusOK)
	page := body(t, rec)
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "font-src 'self';") {
		t.Errorf("CSP = %q, want font-src 'self'", csp)
	}
	if !regexp.MustCompile(`<link rel="preload" href="/static/[0-9a-f]{12}/dist/fonts/[^"]+-latin-wght-normal-[A-Z0-9]+\.woff2" as="font" type="font/woff2" crossorigin>`).MatchString(page) {
		t.Errorf("the main face is not preloaded:\n%.1500s", page)
	}
	urls := map[string]bool{}
	for _, m := range assetRE.FindAllStringSubmatch(page, -1) {
		urls[m[1]] = true
	}
	var fonts []string
	for u := range urls {
		if !strings.HasSuffix(u, ".css") {
			continue
		}
		css := body(t, c.get(t, u))
		for _, m := range cssURLRE.FindAllStringSubmatch(css, -1) {
			if strings.HasPrefix(m[1], "data:") {
				continue
			}
			if strings.Contains(m[1], "//") {
				t.Errorf("%s asks for %s, not a file of the site", u, m[1])
				continue
			}
			f := path.Join(path.Dir(u), m[1])
			urls[f] = true
			fonts = append(fonts, f)
		}
	}
	if len(fonts) < 4 {
		t.Fatalf("fonts found in the stylesheets: %v", fonts)
	}
	kinds := map[string]bool{}
	for u := range urls {
		if !regexp.MustCompile(`^/(static/[0-9a-f]{12}/|site/theme/[0-9a-f]{12}\.css$)`).MatchString(u) {
			t.Errorf("%s has no hashed name", u)
		}
		rec := c.get(t, u)
		wantStatusPath(t, rec, http.StatusOK, u)
		if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control = %q", u, cc)
		}
		ext := path.Ext(u)
		kinds[ext] = true
		want := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".woff2": "font/woff2", ".svg": "image/svg+xml"}[ext]
		if got := rec.Header().Get("Content-Type"); want != "" && got != want {
			t.Errorf("%s: Content-Type = %q, want %q", u, got, want)
		}
	}
	for _, k := range []string{".css", ".js", ".woff2"} {
		if !kinds[k] {
			t.Errorf("no %s asset checked among %v", k, urls)
		}
	}
	// The font files are named by their content too: a new face is a new
	// name even within a release.
	for _, f := range fonts {
		if !regexp.MustCompile(`-[A-Z0-9]{8}\.woff2$`).MatchString(f) {
			t.Errorf("%s: no content hash in the font's name", f)
		}
	}
	// A name from another release is served, but not cached for a year.
	stale := c.get(t, "/static/000000000000/app.css")
	wantStatus(t, stale, http.StatusOK)
	if cc := stale.Header().Get("Cache-Control"); strings.Contains(cc, "immutable") {
		t.Errorf("a stale hash is cached as immutable: %q", cc)
	}
}
