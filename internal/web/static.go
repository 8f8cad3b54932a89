package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves CSS, JS and images under /static/{hash}/name, where hash
// fingerprints the whole set: a new release changes every URL, so files can
// be cached for a year.
type staticFiles struct {
	fsys fs.FS
	hash string
	srv  http.Handler
	// fonts is the stylesheet of the self-hosted typeface ("" when the
	// front-end is not built) and preload the URLs of its faces every page
	// uses, named by web/build.mjs in dist/preload.json.
	fonts   string
	preload []string
}

func loadStatic(dev bool) (*staticFiles, error) {
	var fsys fs.FS
	if dev {
		if _, err := os.Stat("internal/web/static"); err == nil {
			fsys = os.DirFS("internal/web/static")
		}
	}
	if fsys == nil {
		sub, err := fs.Sub(staticFS, "static")
		if err != nil {
			return nil, err
		}
		fsys = sub
	}
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sf := &staticFiles{fsys: fsys, hash: hex.EncodeToString(h.Sum(nil))[:12], srv: http.FileServerFS(fsys)}
	if sf.exists(fontsCSS) {
		sf.fonts = sf.url(fontsCSS)
	}
	if b, err := fs.ReadFile(fsys, "dist/preload.json"); err == nil {
		var list struct{ Fonts []string }
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, fmt.Errorf("web: dist/preload.json: %w", err)
		}
		for _, f := range list.Fonts {
			if !sf.exists("dist/" + f) {
				return nil, fmt.Errorf("web: dist/preload.json names %s, which the build did not write", f)
			}
			sf.preload = append(sf.preload, sf.url("dist/"+f))
		}
	}
	return sf, nil
}

// fontsCSS holds the @font-face rules of the site's typeface
// (web/theme/fonts.css bundled by esbuild).
const fontsCSS = "dist/fonts.css"

func (sf *staticFiles) url(name string) string { return "/static/" + sf.hash + "/" + name }

// exists reports whether a static file is present (e.g. the editor bundle,
// which is built by npm and may be missing in a bare `go build`).
func (sf *staticFiles) exists(name string) bool {
	_, err := fs.Stat(sf.fsys, name)
	return err == nil
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) error {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	hash, name, ok := strings.Cut(rest, "/")
	if !ok || name == "" || strings.HasSuffix(name, "/") {
		http.NotFound(w, r)
		return nil
	}
	if hash == s.static.hash {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + name
	s.static.srv.ServeHTTP(w, r2)
	return nil
}

func (s *Server) favicon(w http.ResponseWriter, r *http.Request) error {
	if u := faviconURL(s.siteSettings(r.Context())); u != "" {
		http.Redirect(w, r, u, http.StatusFound) // the identity's: it may change
		return nil
	}
	http.Redirect(w, r, s.static.url("logo.svg"), http.StatusMovedPermanently)
	return nil
}
