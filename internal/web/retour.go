package web

import (
	"net/url"
	"strings"
)

// safeReturn validates a return URL (the retour= parameter of /connexion and
// similar): only a path on this site is accepted; anything else — another
// host, a scheme, "//evil", "/\evil", control characters — gives "/".
func safeReturn(raw string) string {
	if raw == "" || len(raw) > 2000 || raw[0] != '/' {
		return "/"
	}
	if len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\') {
		return "/"
	}
	for _, c := range raw {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	// A path that unescapes to "//host" would be a protocol-relative URL
	// once a browser normalises it.
	if strings.HasPrefix(u.Path, "//") || strings.HasPrefix(u.EscapedPath(), "/%2F") || strings.HasPrefix(u.EscapedPath(), "/%2f") || strings.HasPrefix(u.EscapedPath(), "/%5C") || strings.HasPrefix(u.EscapedPath(), "/%5c") {
		return "/"
	}
	return u.RequestURI()
}
