package web

import (
	"net/url"
	"strings"
	"testing"
)

func TestSafeReturn(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/mon-compte", "/mon-compte"},
		{"/agenda?vue=mois&date=2026-03-01", "/agenda?vue=mois&date=2026-03-01"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/x", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/%2F%2Fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/ok\r\nSet-Cookie: x=1", "/"},
		{"evil.example", "/"},
		{"/\t/evil.example", "/"},
	} {
		if got := safeReturn(c.in); got != c.want {
			t.Errorf("safeReturn(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzSafeReturn: whatever comes in, what goes out is a local path that a
// browser cannot read as another host.
func FuzzSafeReturn(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//x", "/\\x", "http://x", "/%2F/x", "/\x00", "/%0d%0a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := safeReturn(in)
		if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.HasPrefix(out, "/\\") {
			t.Fatalf("safeReturn(%q) = %q: not a local path", in, out)
		}
		u, err := url.Parse(out)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("safeReturn(%q) = %q parses with host %q", in, out, u.Host)
		}
		if strings.ContainsAny(out, "\r\n\t\\") {
			t.Fatalf("safeReturn(%q) = %q contains control characters", in, out)
		}
		if pu, _ := url.PathUnescape(u.EscapedPath()); strings.HasPrefix(pu, "//") || strings.HasPrefix(pu, "/\\") {
			t.Fatalf("safeReturn(%q) = %q unescapes to %q", in, out, pu)
		}
	})
}
