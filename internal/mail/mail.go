// Package mail sends Portique's emails (French plain-text + HTML) over SMTP,
// or writes them as .eml files to an outbox directory when no SMTP server is
// configured (the embedded default, so the demo works without a mail
// server). Logs carry the subject and recipient only, never a body: bodies
// hold one-time links.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one email to one recipient.
type Message struct {
	To      string
	ReplyTo string // optional: where answers go (a contact form's visitor)
	Subject string
	Text    string
	HTML    string
	// Headers are extra header fields (List-Unsubscribe, List-Unsubscribe-Post).
	Headers map[string]string
}

// Config configures a Mailer.
type Config struct {
	SMTPURL   string // empty: write to OutboxDir
	From      string // "Name <address>"
	OutboxDir string
	Log       *slog.Logger
	Timeout   time.Duration // per message; default 20 s
	Now       func() time.Time
	// TLSConfig overrides the TLS settings (tests trust their own
	// certificate authority with it). ServerName is filled in.
	TLSConfig *tls.Config
}

// Mailer sends messages. Send is synchronous; Go sends in the background
// so a request is not held by a slow mail server.
type Mailer struct {
	cfg  Config
	smtp *SMTP
	wg   sync.WaitGroup
}

// New checks the configuration (a bad SMTP URL fails at start-up).
func New(c Config) (*Mailer, error) {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Timeout <= 0 {
		c.Timeout = 20 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if err := gomail.NewMsg().From(c.From); err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %w", c.From, err)
	}
	m := &Mailer{cfg: c}
	if c.SMTPURL != "" {
		s, err := ParseSMTPURL(c.SMTPURL)
		if err != nil {
			return nil, err
		}
		m.smtp = &s
	} else if c.OutboxDir == "" {
		return nil, fmt.Errorf("mail: neither an SMTP URL nor an outbox directory")
	}
	return m, nil
}

// Describe says where mail goes, for the start-up log (no password).
func (m *Mailer) Describe() string {
	if m.smtp != nil {
		return "smtp " + m.smtp.String()
	}
	return "outbox " + m.cfg.OutboxDir
}

func (m *Mailer) build(msg Message) (*gomail.Msg, error) {
	g := gomail.NewMsg()
	if err := g.From(m.cfg.From); err != nil {
		return nil, fmt.Errorf("mail: sender %q: %w", m.cfg.From, err)
	}
	if err := g.To(msg.To); err != nil {
		return nil, fmt.Errorf("mail: recipient: %w", err)
	}
	if msg.ReplyTo != "" {
		if err := g.ReplyTo(msg.ReplyTo); err != nil {
			return nil, fmt.Errorf("mail: reply-to: %w", err)
		}
	}
	g.Subject(msg.Subject)
	g.SetDateWithValue(m.cfg.Now())
	g.SetMessageID()
	for k, v := range msg.Headers {
		g.SetGenHeader(gomail.Header(k), v)
	}
	g.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		g.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	return g, nil
}

// Send delivers one message now.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	g, err := m.build(msg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	if m.smtp == nil {
		err = m.writeOutbox(g)
	} else {
		err = m.sendSMTP(ctx, g)
	}
	if err != nil {
		return err
	}
	m.cfg.Log.Info("mail sent", "to", msg.To, "subject", msg.Subject, "via", m.via())
	return nil
}

func (m *Mailer) via() string {
	if m.smtp == nil {
		return "outbox"
	}
	return "smtp"
}

// Go sends in the background (at most Timeout), logging a failure with the
// subject and recipient only.
func (m *Mailer) Go(msg Message) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.Send(context.Background(), msg); err != nil {
			m.cfg.Log.Error("mail not sent", "to", msg.To, "subject", msg.Subject, "err", err)
		}
	}()
}

// Wait returns when every message started with Go is done (shutdown, tests).
func (m *Mailer) Wait() { m.wg.Wait() }

func (m *Mailer) sendSMTP(ctx context.Context, g *gomail.Msg) error {
	s := m.smtp
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if m.cfg.TLSConfig != nil {
		tc = m.cfg.TLSConfig.Clone()
	}
	tc.ServerName = s.Host
	opts := []gomail.Option{
		gomail.WithPort(s.Port),
		gomail.WithTimeout(m.cfg.Timeout),
		gomail.WithTLSConfig(tc),
	}
	switch s.Security {
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, g); err != nil {
		return fmt.Errorf("mail: send via %s: %w", s.Addr(), err)
	}
	return nil
}

// writeOutbox writes the message as an .eml file readable by its owner only.
func (m *Mailer) writeOutbox(g *gomail.Msg) error {
	if err := os.MkdirAll(m.cfg.OutboxDir, 0o700); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	var r [4]byte
	rand.Read(r[:]) //nolint:errcheck // never fails
	name := m.cfg.Now().UTC().Format("20060102T150405.000000000") + "-" + hex.EncodeToString(r[:]) + ".eml"
	f, err := os.OpenFile(filepath.Join(m.cfg.OutboxDir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	if _, err := g.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("mail: outbox: %w", err)
	}
	return f.Close()
}
