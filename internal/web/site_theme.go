package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"portique/internal/site"
)

// themeURL is the address of the identity's stylesheet, named by the hash
// of its content (so it is cached for a year and a change gives a new
// name); "" when the identity sets no colour.
func themeURL(set *site.Settings) string {
	css := set.ThemeCSS()
	if css == "" {
		return ""
	}
	return "/site/theme/" + themeHash(css) + ".css"
}

func themeHash(css string) string {
	h := sha256.Sum256([]byte(css))
	return hex.EncodeToString(h[:6])
}

// siteTheme serves the identity's stylesheet. A name that is not the
// current one is not found (a stale page asks for it only after a change;
// the bundled colours apply then).
func (s *Server) siteTheme(w http.ResponseWriter, r *http.Request) error {
	css := s.siteSettings(r.Context()).ThemeCSS()
	if css == "" || r.PathValue("name") != themeHash(css)+".css" {
		http.NotFound(w, r)
		return nil
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, err := w.Write([]byte(css))
	return err
}
