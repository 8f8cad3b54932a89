package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sasl "github.com/emersion/go-sasl"
	smtp "github.com/emersion/go-smtp"
)

var now = func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }

func TestRenderFrenchTemplates(t *testing.T) {
	for _, kind := range []string{Invitation, Reset, Locked} {
		m, err := Render(kind, "a@example.fr", Data{SiteName: "SYDRAV", Name: "Jeanne <b>", Link: "https://x.example/l?a=1&b=2", Expires: "dans une heure", Until: "mardi 10 mars 2026 à 10:00"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject == "" || strings.Contains(m.Subject, "Objet") || !strings.Contains(m.Text, "Bonjour Jeanne <b>") {
			t.Errorf("%s: subject %q text %q", kind, m.Subject, m.Text)
		}
		if !strings.Contains(m.HTML, "Jeanne &lt;b&gt;") || !strings.Contains(m.HTML, `href="https://x.example/l?a=1&amp;b=2"`) || !strings.Contains(m.HTML, `lang="fr"`) {
			t.Errorf("%s: HTML not escaped or link missing: %s", kind, m.HTML)
		}
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	for _, c := range []Config{
		{From: "pas une adresse", OutboxDir: t.TempDir()},
		{From: "a@example.fr", SMTPURL: "http://mail.example.fr"},
		{From: "a@example.fr"},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}

func TestOutbox(t *testing.T) {
	dir := t.TempDir()
	var logs strings.Builder
	m, err := New(Config{From: "SYDRAV <no-reply@sydrav.example>", OutboxDir: filepath.Join(dir, "outbox"), Now: now, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	m.Go(Message{To: "a@example.fr", Subject: "Objet é", Text: "lien secret https://x/reinitialisation/TOKEN", HTML: "<p>x</p>"})
	m.Wait()
	files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d files", len(files))
	}
	st, _ := os.Stat(files[0])
	if st.Mode().Perm() != 0o600 {
		t.Errorf("outbox file mode %v", st.Mode().Perm())
	}
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(string(b), "To: <a@example.fr>") || !strings.Contains(string(b), "multipart/alternative") {
		t.Errorf("eml: %s", b)
	}
	if strings.Contains(logs.String(), "TOKEN") || !strings.Contains(logs.String(), "a@example.fr") {
		t.Errorf("log: %s", logs.String())
	}
}

// testCert makes a certificate for 127.0.0.1 and a pool trusting it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

type server struct {
	mu      sync.Mutex
	authed  []string
	data    []string
	tlsSeen []bool
}

type session struct {
	srv  *server
	conn *smtp.Conn
	user string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "portique" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.user = user
		return nil
	}), nil
}
func (s *session) Mail(string, *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Data(r io.Reader) error {
	b, _ := io.ReadAll(r)
	_, isTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	s.srv.data = append(s.srv.data, string(b))
	s.srv.authed = append(s.srv.authed, s.user)
	s.srv.tlsSeen = append(s.srv.tlsSeen, isTLS)
	s.srv.mu.Unlock()
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

// startServer runs a real SMTP server that requires TLS (STARTTLS or
// implicit) before AUTH PLAIN.
func startServer(t *testing.T, implicit bool) (*server, string, *x509.CertPool) {
	t.Helper()
	cert, pool := testCert(t)
	st := &server{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{srv: st, conn: c}, nil }))
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	var ln net.Listener
	var err error
	if implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck
	t.Cleanup(func() { srv.Close() })
	return st, ln.Addr().String(), pool
}

func TestSendOverSTARTTLSAndImplicitTLSWithAuth(t *testing.T) {
	for _, tc := range []struct {
		name, scheme string
		implicit     bool
	}{{"starttls", "smtp", false}, {"tls", "smtps", true}} {
		t.Run(tc.name, func(t *testing.T) {
			st, addr, pool := startServer(t, tc.implicit)
			m, err := New(Config{SMTPURL: tc.scheme + "://portique:s3cret@" + addr, From: "SYDRAV <no-reply@sydrav.example>",
				Now: now, Timeout: 5 * time.Second, TLSConfig: &tls.Config{RootCAs: pool}})
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := Render(Reset, "jeanne@example.fr", Data{SiteName: "SYDRAV", Name: "Jeanne", Link: "https://x.example/reinitialisation/abc"})
			if err := m.Send(t.Context(), msg); err != nil {
				t.Fatal(err)
			}
			st.mu.Lock()
			defer st.mu.Unlock()
			if len(st.data) != 1 || st.authed[0] != "portique" || !st.tlsSeen[0] || !strings.Contains(st.data[0], "jeanne@example.fr") {
				t.Fatalf("server saw %d messages, auth %v, tls %v", len(st.data), st.authed, st.tlsSeen)
			}
		})
	}
}

func TestStartTLSIsMandatory(t *testing.T) {
	// A server without STARTTLS: smtp:// must refuse to send in clear.
	st := &server{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{srv: st, conn: c, user: "x"}, nil }))
	srv.Domain = "127.0.0.1"
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln) //nolint:errcheck
	defer srv.Close()
	m, _ := New(Config{SMTPURL: "smtp://" + ln.Addr().String(), From: "a@example.fr", Now: now, Timeout: 3 * time.Second})
	if err := m.Send(t.Context(), Message{To: "b@example.fr", Subject: "x", Text: "x"}); err == nil {
		t.Fatal("sent without TLS to a server that offers no STARTTLS")
	}
	if len(st.data) != 0 {
		t.Fatal("the message went out in clear")
	}
}
