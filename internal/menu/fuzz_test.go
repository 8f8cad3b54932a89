package menu_test

import (
	"net/url"
	"strings"
	"testing"

	"portique/internal/menu"
)

// FuzzCheckURL: whatever an editor types, an accepted address is a path of
// this site or an https URL with a host — never another scheme, never
// "//host", never spaces or control characters.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"/collecte", "https://www.service-public.fr/", "javascript:alert(1)", "//evil", "/\\evil", "https://a@b/", " /x ", "https:/x", "HTTPS://X", "/%0a", "data:text/html,x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, key := menu.CheckURL(s)
		if key != "" {
			return
		}
		if u != strings.TrimSpace(s) || len(u) > menu.MaxURL || strings.ContainsAny(u, " \t\r\n\\") {
			t.Fatalf("CheckURL(%q) accepted %q", s, u)
		}
		p, err := url.Parse(u)
		if err != nil {
			t.Fatalf("accepted %q does not parse: %v", u, err)
		}
		switch {
		case menu.Internal(u):
			if strings.HasPrefix(u, "//") || p.Host != "" || p.Scheme != "" {
				t.Fatalf("accepted %q as a site path", u)
			}
		case p.Scheme != "https" || p.Host == "" || p.User != nil:
			t.Fatalf("accepted %q as an https URL", u)
		}
	})
}
