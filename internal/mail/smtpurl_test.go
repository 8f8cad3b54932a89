package mail

import (
	"strings"
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	for _, c := range []struct {
		in   string
		want SMTP
	}{
		{"smtp://user:p%40ss@mail.example.fr:587", SMTP{Host: "mail.example.fr", Port: 587, Username: "user", Password: "p@ss", Security: StartTLS}},
		{"smtp://mail.example.fr", SMTP{Host: "mail.example.fr", Port: 587, Security: StartTLS}},
		{"smtps://u:p@mail.example.fr", SMTP{Host: "mail.example.fr", Port: 465, Username: "u", Password: "p", Security: ImplicitTLS}},
		{"smtp+insecure://127.0.0.1:1025", SMTP{Host: "127.0.0.1", Port: 1025, Security: NoTLS}},
		{"smtp://localhost:2525?tls=none", SMTP{Host: "localhost", Port: 2525, Security: NoTLS}},
		{"smtp://[::1]:25", SMTP{Host: "::1", Port: 25, Security: StartTLS}},
	} {
		got, err := ParseSMTPURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "mail.example.fr", "http://mail.example.fr", "smtp://", "smtp://host:0", "smtp://host:99999",
		"smtp://host:port", "smtp://host/path", "smtps://host?tls=none", "smtp://host?verify=no", "smtp:opaque", "smtp://host#frag"} {
		if _, err := ParseSMTPURL(bad); err == nil {
			t.Errorf("ParseSMTPURL(%q) accepted", bad)
		}
	}
}

func TestSMTPStringHidesPassword(t *testing.T) {
	s, _ := ParseSMTPURL("smtp://user:secret-password@mail.example.fr")
	if strings.Contains(s.String(), "secret") {
		t.Fatalf("String() = %q shows the password", s.String())
	}
}

// FuzzParseSMTPURL: whatever is accepted has a host, a valid port and a
// known security mode.
func FuzzParseSMTPURL(f *testing.F) {
	for _, s := range []string{"smtp://u:p@h:587", "smtps://h", "smtp+insecure://h:1", "smtp://h?tls=none", "smtp://%zz", "smtp://[::1]:25"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSMTPURL(in)
		if err != nil {
			return
		}
		if s.Host == "" || s.Port < 1 || s.Port > 65535 || s.Security < StartTLS || s.Security > NoTLS {
			t.Fatalf("ParseSMTPURL(%q) = %+v", in, s)
		}
		if s.Security == NoTLS && !strings.HasPrefix(in, "smtp+insecure://") && !strings.Contains(in, "tls=none") {
			t.Fatalf("ParseSMTPURL(%q) turned TLS off", in)
		}
	})
}
