package notify_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/calendar"
	"portique/internal/clock"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/jobs"
	portmail "portique/internal/mail"
	"portique/internal/users"
)

// smtpServer is a real SMTP server (emersion/go-smtp) on loopback that can
// be stopped and started again on the same address, to play a mail server
// that is down.
type smtpServer struct {
	t    *testing.T
	addr string
	srv  *smtp.Server
	ln   net.Listener
	mu   sync.Mutex
	msgs []received
}

type received struct {
	To      string
	Header  mail.Header
	Subject string
	Text    string
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{t: t}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.stop)
	return s
}

func (s *smtpServer) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	srv.Domain = "localhost"
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go srv.Serve(ln) //nolint:errcheck // ends at Close
}

func (s *smtpServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		// Closing the listener too: Close before Serve started would
		// leave it accepting.
		s.ln.Close()
		s.srv.Close()
		s.srv = nil
	}
}

func (s *smtpServer) restart() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port may take a moment to be free again
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.serve(ln)
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

// to returns the messages sent to addr.
func (s *smtpServer) to(addr string) []received {
	var out []received
	for _, m := range s.received() {
		if strings.EqualFold(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

type smtpSession struct {
	s  *smtpServer
	to []string
}

func (x *smtpSession) Reset()                                    { x.to = nil }
func (x *smtpSession) Logout() error                             { return nil }
func (x *smtpSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { x.to = append(x.to, to); return nil }
func (x *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	rc := received{Header: m.Header, Subject: subj, Text: textPart(m)}
	x.s.mu.Lock()
	for _, to := range x.to {
		rc.To = to
		x.s.msgs = append(x.s.msgs, rc)
	}
	x.s.mu.Unlock()
	return nil
}

func textPart(m *mail.Message) string {
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return ""
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			var r io.Reader = p
			if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
				r = quotedprintable.NewReader(p)
			}
			b, _ := io.ReadAll(r)
			return string(b)
		}
	}
}

// env is the services on a fresh database, with mail going to a real SMTP
// server, and a job runner driven by hand (RunOne) on the fake clock.
type env struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	svc    *services.Deps
	clk    *clock.Fake
	smtp   *smtpServer
	runner *jobs.Runner
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d := dbtest.NewDB(t)
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.BaseURL = "https://extranet.sydrav.example"
	cfg.SiteName = "SYDRAV"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	srv := startSMTP(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := portmail.New(portmail.Config{SMTPURL: "smtp+insecure://" + srv.addr, From: "SYDRAV <no-reply@sydrav.example>", Log: log, Now: clk.Now, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := services.New(cfg, d, services.Options{Now: clk.Now, Log: log, Mail: m, PasswordParams: users.CheapParams, NoSearch: true})
	if err != nil {
		t.Fatal(err)
	}
	r := jobs.NewRunner(d)
	r.Now = clk.Now
	r.Log = log
	r.MaxAttempts = 200
	svc.RegisterMailJobs(r)
	return &env{t: t, ctx: context.Background(), d: d, svc: svc, clk: clk, smtp: srv, runner: r}
}

// drain runs every due job.
func (e *env) drain() {
	e.t.Helper()
	for range 1000 {
		ran, err := e.runner.RunOne(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if !ran {
			return
		}
	}
	e.t.Fatal("jobs never drained")
}

// user creates an activated account in groups.
func (e *env) user(email string, groups ...int64) *users.User {
	e.t.Helper()
	u, _, err := e.svc.Accounts.Create(e.ctx, access.System(), users.Form{Email: email, Name: strings.Split(email, "@")[0], Groups: groups})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.d.Exec(e.ctx, "UPDATE users SET password_hash = 'x' WHERE id = ?", u.ID); err != nil {
		e.t.Fatal(err)
	}
	u, err = e.svc.Accounts.Get(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) group(name string) int64 {
	e.t.Helper()
	id, err := e.svc.Groups.Create(e.ctx, access.System(), name)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) actor(u *users.User) access.Actor {
	return access.Actor{Principal: u.Principal(), Name: u.Email}
}

func (e *env) setPrefs(u *users.User, documents, agenda, pages string) {
	e.t.Helper()
	if err := e.svc.Notify.SetPrefs(e.ctx, e.actor(u), map[string]string{"documents": documents, "agenda": agenda, "pages": pages}); err != nil {
		e.t.Fatal(err)
	}
}

// calendarFor creates a calendar that group may view and editors may edit.
func (e *env) calendarFor(name string, viewers, editors int64) int64 {
	e.t.Helper()
	grants := []access.Grant{{GroupID: editors, Level: access.Edit}}
	if viewers != editors {
		grants = append(grants, access.Grant{GroupID: viewers, Level: access.View})
	}
	id, err := e.svc.Calendar.CreateCalendar(e.ctx, access.System(), calendar.Calendar{Name: name, Colour: "#0b4f8a", TimeZone: "Europe/Paris"}, grants)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) event(a access.Actor, cal int64, title string) int64 {
	e.t.Helper()
	id, err := e.svc.Calendar.CreateEvent(e.ctx, a, calendar.EventForm{CalendarID: itoa(cal), Title: title,
		StartDate: "2026-03-20", StartTime: "18:00", EndTime: "20:00"})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
