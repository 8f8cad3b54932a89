package web

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"portique/internal/app/services"
	"portique/internal/clock"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/users"
)

// testServer is the whole web layer on a real database, driven through the
// full middleware chain with httptest.
type testServer struct {
	srv   *Server
	db    *db.DB
	cfg   *config.Config
	clock *clock.Fake
	logs  *strings.Builder
}

func newTestServer(t *testing.T) *testServer { return newTestServerWith(t, false) }

// newTestServerWith is newTestServer with the real search engine of the
// database (FTS5 or tsvector) when withSearch, so publishing indexes and
// /recherche finds; change may adjust the settings (testConfig).
func newTestServerWith(t *testing.T, withSearch bool, change ...func(*config.Config)) *testServer {
	t.Helper()
	d := dbtest.NewDB(t)
	cfg := testConfig(t, change...)
	clk := clock.NewFake(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	logs := &strings.Builder{}
	srv := buildServer(t, cfg, d, services.Options{Now: clk.Now, Log: slog.New(slog.NewTextHandler(logs, nil)), NoSearch: !withSearch})
	return &testServer{srv: srv, db: d, cfg: cfg, clock: clk, logs: logs}
}

// testConfig returns the default settings on a temporary data directory;
// change may adjust them before they are validated.
func testConfig(tb testing.TB, change ...func(*config.Config)) *config.Config {
	tb.Helper()
	cfg := config.Defaults()
	cfg.DataDir = tb.TempDir()
	for _, c := range change {
		c(cfg)
	}
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// buildServer wires the services as the program does and builds the server.
func buildServer(tb testing.TB, cfg *config.Config, d *db.DB, o services.Options) *Server {
	tb.Helper()
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	svc, err := services.New(cfg, d, o)
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := New(svc)
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// createUser inserts an account with its groups (by id) and returns its id.
func (ts *testServer) createUser(t *testing.T, email string, admin bool, groups ...int64) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := ts.db.QueryRow(ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES (?, ?, ?, ?) RETURNING id",
		email, strings.Split(email, "@")[0], admin, ts.clock.Now().UTC()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if _, err := ts.db.Exec(ctx, "INSERT INTO memberships (user_id, group_id) VALUES (?, ?)", id, g); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// createGroup inserts a group and returns its id.
func (ts *testServer) createGroup(t *testing.T, name string) int64 {
	t.Helper()
	var id int64
	if err := ts.db.QueryRow(context.Background(), "INSERT INTO groups (name, created_at) VALUES (?, ?) RETURNING id",
		name, ts.clock.Now().UTC()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// client is a browser: it keeps cookies and knows its CSRF token.
type client struct {
	ts      *testServer
	cookies map[string]*http.Cookie
	csrf    string
}

// visitor returns an anonymous client.
func (ts *testServer) visitor() *client { return &client{ts: ts, cookies: map[string]*http.Cookie{}} }

// loginAs returns a client with a live session for userID (the login form is
// tested on its own; this is the shortcut for every other test).
func (ts *testServer) loginAs(t *testing.T, userID int64) *client {
	t.Helper()
	c := ts.visitor()
	token, err := ts.srv.sessions.Create(context.Background(), userID, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	c.cookies[ts.srv.sessionCookieName()] = &http.Cookie{Name: ts.srv.sessionCookieName(), Value: token}
	if err := ts.db.QueryRow(context.Background(), "SELECT csrf_token FROM sessions WHERE id_hash = ?", users.HashToken(token)).Scan(&c.csrf); err != nil {
		t.Fatal(err)
	}
	return c
}

// do sends a request through the full handler and keeps the cookies set.
func (c *client) do(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	if req.RemoteAddr == "" || req.RemoteAddr == "192.0.2.1:1234" {
		req.RemoteAddr = "203.0.113.7:5555"
	}
	rec := httptest.NewRecorder()
	c.ts.srv.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
			continue
		}
		c.cookies[ck.Name] = ck
		if ck.Name == c.ts.srv.csrfCookieName() && c.csrf == "" {
			c.csrf = ck.Value
		}
	}
	return rec
}

// get fetches a path.
func (c *client) get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	return c.do(t, httptest.NewRequest(http.MethodGet, path, nil))
}

// post submits a form with the client's CSRF token (fetching a page first
// when an anonymous client has none yet).
func (c *client) post(t *testing.T, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if c.csrf == "" {
		c.get(t, "/connexion")
	}
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		form.Set("csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(t, req)
}

func body(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	b, _ := io.ReadAll(rec.Result().Body)
	return string(b)
}

// wantStatus fails the test when the status differs.
func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		b := rec.Body.String()
		if len(b) > 600 {
			b = b[:600]
		}
		t.Fatalf("status = %d, want %d; body: %s", rec.Code, want, b)
	}
}

var netParseCIDR = net.ParseCIDR
