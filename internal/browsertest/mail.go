package browsertest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mailbox is a real SMTP server (github.com/emersion/go-smtp) listening on
// 127.0.0.1 for one test; it keeps every message it accepts. The program
// reaches it through PORTIQUE_SMTP_URL, over plain SMTP (no TLS on
// loopback), so the test exercises the program's real SMTP client.
type Mailbox struct {
	addr string
	// User and Password are the credentials accepted by AUTH PLAIN (the
	// server advertises AUTH without TLS: it only listens on loopback).
	User, Password string

	mu       sync.Mutex
	changed  chan struct{}
	messages []*Message
}

// Message is one email received.
type Message struct {
	From    string
	To      []string // envelope recipients
	Raw     []byte
	Header  mail.Header
	Subject string // decoded
	Text    string // the text/plain part, decoded
	HTML    string // the text/html part, decoded
}

// StartMailServer starts the SMTP server; it stops when the test ends.
func StartMailServer(t testing.TB) *Mailbox {
	t.Helper()
	mb := &Mailbox{User: "portique", Password: "test-smtp-password", changed: make(chan struct{})}
	srv := smtp.NewServer(&backend{mb: mb})
	srv.Domain = "localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 50
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("browsertest: SMTP listen: %v", err)
	}
	mb.addr = ln.Addr().String()
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return mb
}

// Addr is host:port of the server.
func (mb *Mailbox) Addr() string { return mb.addr }

// URL is the PORTIQUE_SMTP_URL that reaches this server without TLS nor
// credentials (internal/mail reads smtp+insecure:// as "no TLS: a local
// test server only"; plain smtp:// requires STARTTLS).
func (mb *Mailbox) URL() string { return "smtp+insecure://" + mb.addr }

// URLWithAuth is the same URL with the accepted credentials.
func (mb *Mailbox) URLWithAuth() string {
	return fmt.Sprintf("smtp+insecure://%s:%s@%s", mb.User, mb.Password, mb.addr)
}

// Messages returns a copy of every message received so far.
func (mb *Mailbox) Messages() []*Message {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]*Message(nil), mb.messages...)
}

// Count is the number of messages received so far.
func (mb *Mailbox) Count() int {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return len(mb.messages)
}

// Wait returns the first message, received after the skip first ones, sent
// to the address and whose subject contains subject (any when empty); it
// fails the test after 20 s.
func (mb *Mailbox) Wait(t testing.TB, to, subject string, skip int) *Message {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		mb.mu.Lock()
		ch := mb.changed
		for i, m := range mb.messages {
			if i < skip {
				continue
			}
			if m.SentTo(to) && strings.Contains(m.Subject, subject) {
				mb.mu.Unlock()
				return m
			}
		}
		n := len(mb.messages)
		mb.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("browsertest: no email to %s with subject containing %q after 20 s (%d received: %s)", to, subject, n, mb.summary())
			return nil
		}
	}
}

func (mb *Mailbox) summary() string {
	var parts []string
	for _, m := range mb.Messages() {
		parts = append(parts, fmt.Sprintf("%v %q", m.To, m.Subject))
	}
	return strings.Join(parts, "; ")
}

func (mb *Mailbox) add(m *Message) {
	mb.mu.Lock()
	mb.messages = append(mb.messages, m)
	close(mb.changed)
	mb.changed = make(chan struct{})
	mb.mu.Unlock()
}

// SentTo reports whether addr is one of the envelope recipients.
func (m *Message) SentTo(addr string) bool {
	for _, to := range m.To {
		if strings.EqualFold(to, addr) {
			return true
		}
	}
	return false
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"')\]]+`)

// Links lists the URLs in the text part (or the HTML part when there is no
// text part), in order.
func (m *Message) Links() []string {
	body := m.Text
	if body == "" {
		body = m.HTML
	}
	return linkRE.FindAllString(body, -1)
}

// Link returns the first link containing part, failing the test if none.
func (m *Message) Link(t testing.TB, part string) string {
	t.Helper()
	for _, l := range m.Links() {
		if strings.Contains(l, part) {
			return l
		}
	}
	t.Fatalf("browsertest: email %q has no link containing %q; links: %v\n%s", m.Subject, part, m.Links(), m.Text)
	return ""
}

// parseMessage decodes the headers and the text and HTML parts.
func parseMessage(from string, to []string, raw []byte) (*Message, error) {
	m := &Message{From: from, To: to, Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		m.Subject = msg.Header.Get("Subject")
	}
	err = m.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	return m, err
}

func (m *Message) walk(ctype, encoding string, body io.Reader, depth int) error {
	if ctype == "" {
		ctype = "text/plain; charset=utf-8"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth > 5 {
			return errors.New("multipart nested too deep")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := m.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64Reader(body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("decode %s part: %w", mt, err)
	}
	switch mt {
	case "text/plain":
		if m.Text == "" {
			m.Text = string(b)
		}
	case "text/html":
		if m.HTML == "" {
			m.HTML = string(b)
		}
	}
	return nil
}

// backend and session implement go-smtp's server side.
type backend struct{ mb *Mailbox }

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{mb: b.mb}, nil }

type session struct {
	mb   *Mailbox
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.mb.User || password != s.mb.Password {
			return errors.New("invalid credentials")
		}
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMessage(s.from, s.to, raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unreadable message: " + err.Error()}
	}
	s.mb.add(m)
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }
