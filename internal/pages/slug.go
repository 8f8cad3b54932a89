package pages

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxSlug is the longest slug kept; longer titles are cut at a hyphen.
const MaxSlug = 80

// Reserved are the first path segments the application itself serves; a
// page directly under the home page cannot take them. /accessibilite and
// /mentions-legales are built from the site settings (package site), on
// every site, and /site serves its logo.
var Reserved = map[string]bool{
	"connexion": true, "deconnexion": true, "mot-de-passe-oublie": true,
	"reinitialisation": true, "mon-compte": true, "agenda": true,
	"documents": true, "recherche": true, "admin": true,
	"plan-du-site": true, "sitemap.xml": true, "healthz": true,
	"metrics": true, "static": true, "pages": true, "medias": true,
	"robots.txt": true, "favicon.ico": true, "api": true,
	"inscription": true, "invitation": true, "flux": true,
	"ou-jeter": true, "decheteries": true, // the sorting guide and the recycling centres
	"collecte":      true,
	"notifications": true, "convocations": true, // e-mail notifications' links
	"formulaire-contact": true,                                      // where the contact form blocks post
	"mentions-legales":   true, "accessibilite": true, "site": true, // the site settings' pages
}

// ligatures are letters that Unicode does not decompose into a base letter
// plus accents but that French (and its neighbours) spell with two letters.
var ligatures = strings.NewReplacer(
	"œ", "oe", "Œ", "oe", "æ", "ae", "Æ", "ae", "ß", "ss", "ø", "o", "Ø", "o",
	"đ", "d", "Đ", "d", "ł", "l", "Ł", "l", "þ", "th", "Þ", "th",
)

// Slugify turns a title into a URL segment: lower case ASCII letters, digits
// and single hyphens, accents folded ("Réduire ses déchets" →
// "reduire-ses-dechets", "Œuvre" → "oeuvre"). It returns "page" for a title
// with no usable letter.
func Slugify(title string) string {
	s := norm.NFD.String(ligatures.Replace(title))
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // combining accent
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + ('a' - 'A'))
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if len(out) > MaxSlug {
		out = out[:MaxSlug]
		if i := strings.LastIndexByte(out, '-'); i > MaxSlug/2 {
			out = out[:i]
		}
		out = strings.TrimSuffix(out, "-")
	}
	if out == "" {
		return "page"
	}
	return out
}

// ValidSlug reports whether s is already a slug as Slugify makes them.
func ValidSlug(s string) bool {
	if s == "" || len(s) > MaxSlug || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// checkSlug validates a slug chosen for a page under a parent whose path is
// parentPath; messages are in French for the form.
func checkSlug(slug, parentPath string) error {
	if !ValidSlug(slug) {
		return invalid("slug", "pages.error.slug_invalid")
	}
	if parentPath == "/" && Reserved[slug] {
		return invalid("slug", "pages.error.slug_reserved")
	}
	return nil
}

// childPath joins a parent path and a slug.
func childPath(parentPath, slug string) string {
	if parentPath == "/" {
		return "/" + slug
	}
	return parentPath + "/" + slug
}

// CleanPath normalises a request path: no trailing slash (except "/"), no
// empty segments. It does not lower-case: slugs are lower case, so an upper
// case path simply does not match.
func CleanPath(p string) string {
	segs := strings.Split(p, "/")
	out := segs[:0]
	for _, s := range segs {
		if s != "" {
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}
