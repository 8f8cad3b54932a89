package web

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	smtp "github.com/emersion/go-smtp"

	"portique/internal/users"
)

// newAccountsServer is newTestServer with cheap password hashing, chosen
// explicitly (production never gets these parameters).
func newAccountsServer(t *testing.T) *testServer {
	t.Helper()
	ts := newTestServer(t)
	ts.srv.accounts.Hasher = users.NewHasher(users.CheapParams, 4)
	ts.srv.captcha.MaxNumber = 2000 // a quick proof of work
	return ts
}

// setPassword gives an account a password directly (a fixture: no flow
// sets a password without a link or the current one).
func (ts *testServer) setPassword(t *testing.T, uid int64, pw string) {
	t.Helper()
	h, err := ts.srv.accounts.Hasher.Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	ts.setPasswordHash(t, uid, h)
}

// setPasswordHash stores a password hash as it is.
func (ts *testServer) setPasswordHash(t *testing.T, uid int64, hash string) {
	t.Helper()
	if _, err := ts.db.Exec(context.Background(), "UPDATE users SET password_hash = ? WHERE id = ?", hash, uid); err != nil {
		t.Fatal(err)
	}
}

// mailMsg is a received email, decoded.
type mailMsg struct {
	To, Subject, Text, HTML string
}

// parseMail decodes a raw message (multipart/alternative, quoted-printable).
func parseMail(t *testing.T, raw []byte) mailMsg {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subj, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	out := mailMsg{To: m.Header.Get("To"), Subject: subj}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	read := func(h interface{ Get(string) string }, r io.Reader) string {
		if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		out.Text = read(m.Header, m.Body)
		return out
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body := read(p.Header, p)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			out.HTML = body
		} else {
			out.Text = body
		}
	}
	return out
}

// outbox returns the emails written to DATA/outbox, oldest first.
func (ts *testServer) outbox(t *testing.T) []mailMsg {
	t.Helper()
	ts.srv.mail.Wait()
	files, _ := filepath.Glob(filepath.Join(ts.cfg.DataDir, "outbox", "*.eml"))
	sort.Strings(files)
	var out []mailMsg
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, parseMail(t, b))
	}
	return out
}

// lastMailTo returns the newest email sent to addr.
func (ts *testServer) lastMailTo(t *testing.T, addr string) mailMsg {
	t.Helper()
	msgs := ts.outbox(t)
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i].To, addr) {
			return msgs[i]
		}
	}
	t.Fatalf("no email to %s (outbox has %d)", addr, len(msgs))
	return mailMsg{}
}

var linkRe = regexp.MustCompile(`https?://[^\s"<>]+/(reinitialisation|invitation)/[A-Za-z0-9_-]{43}`)

// linkIn extracts the one-time link of an email and returns its path.
func linkIn(t *testing.T, m mailMsg, base string) string {
	t.Helper()
	l := linkRe.FindString(m.Text)
	if l == "" {
		t.Fatalf("no link in email %q:\n%s", m.Subject, m.Text)
	}
	if !strings.HasPrefix(l, base+"/") {
		t.Fatalf("link %q is not built from the base URL %q", l, base)
	}
	if !strings.Contains(m.HTML, l) {
		t.Fatalf("HTML part lacks the link %q", l)
	}
	return strings.TrimPrefix(l, base)
}

// smtpSink is a real SMTP server (emersion/go-smtp) on loopback that keeps
// what it receives.
type smtpSink struct {
	mu   sync.Mutex
	msgs [][]byte
	from []string
	rcpt []string
	got  chan struct{}
	addr string
}

func startSMTP(t *testing.T) *smtpSink {
	t.Helper()
	sink := &smtpSink{got: make(chan struct{}, 100)}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: sink}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.addr = ln.Addr().String()
	go srv.Serve(ln) //nolint:errcheck // ends at Close
	t.Cleanup(func() { srv.Close() })
	return sink
}

type sinkSession struct {
	sink *smtpSink
	from string
	to   []string
}

func (s *sinkSession) Reset()        { s.from, s.to = "", nil }
func (s *sinkSession) Logout() error { return nil }
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, b)
	s.sink.from = append(s.sink.from, s.from)
	s.sink.rcpt = append(s.sink.rcpt, s.to...)
	s.sink.mu.Unlock()
	s.sink.got <- struct{}{}
	return nil
}

// newFormRequest builds a POST of a form.
func newFormRequest(path string, form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// sessionCSRF gives a client that logged in through the form the form token
// of its new session (a browser reads it from the next page).
func (ts *testServer) sessionCSRF(t *testing.T, c *client) {
	t.Helper()
	ck := c.cookies[ts.srv.sessionCookieName()]
	if ck == nil {
		t.Fatal("no session cookie")
	}
	if err := ts.db.QueryRow(context.Background(), "SELECT csrf_token FROM sessions WHERE id_hash = ?", users.HashToken(ck.Value)).Scan(&c.csrf); err != nil {
		t.Fatal(err)
	}
}
