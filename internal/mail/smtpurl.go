package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Security is how the connection to the SMTP server is protected.
type Security int

// Connection security modes.
const (
	StartTLS    Security = iota // smtp://  — plain connection upgraded with STARTTLS (mandatory)
	ImplicitTLS                 // smtps:// — TLS from the first byte
	NoTLS                       // smtp+insecure:// or ?tls=none — a local test server only
)

func (s Security) String() string {
	switch s {
	case ImplicitTLS:
		return "tls"
	case NoTLS:
		return "none"
	}
	return "starttls"
}

// SMTP is a parsed PORTIQUE_SMTP_URL.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	Security Security
}

// ParseSMTPURL reads an SMTP server URL:
//
//	smtp://user:pass@host:587          STARTTLS (required), default port 587
//	smtps://user:pass@host:465         implicit TLS, default port 465
//	smtp+insecure://host:1025          no TLS (a local test server), default port 25
//	smtp://host:1025?tls=none          the same, as a query flag
//
// User and password are optional and percent-encoded.
func ParseSMTPURL(raw string) (SMTP, error) {
	var s SMTP
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return s, errors.New("mail: SMTP URL is not a URL")
	}
	switch u.Scheme {
	case "smtp":
		s.Security, s.Port = StartTLS, 587
	case "smtps":
		s.Security, s.Port = ImplicitTLS, 465
	case "smtp+insecure":
		s.Security, s.Port = NoTLS, 25
	default:
		return s, fmt.Errorf("mail: SMTP URL scheme %q: want smtp, smtps or smtp+insecure", u.Scheme)
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return s, errors.New("mail: SMTP URL must be scheme://[user:pass@]host[:port]")
	}
	for k, v := range u.Query() {
		switch {
		case k == "tls" && len(v) == 1 && v[0] == "none" && u.Scheme == "smtp":
			s.Security, s.Port = NoTLS, 25
		default:
			return s, fmt.Errorf("mail: unknown SMTP URL parameter %q", k)
		}
	}
	s.Host = u.Hostname()
	if s.Host == "" || strings.ContainsAny(s.Host, " /\\@") {
		return s, errors.New("mail: SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return s, fmt.Errorf("mail: SMTP port %q", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}

// Addr is host:port.
func (s SMTP) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// String describes the server without its password (for logs).
func (s SMTP) String() string {
	user := ""
	if s.Username != "" {
		user = s.Username + "@"
	}
	return fmt.Sprintf("%s%s (%s)", user, s.Addr(), s.Security)
}
