package app

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"portique/internal/app/services"
	"portique/internal/backup"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/users"
	"portique/internal/web"
)

// The sites of the backup tests run on one fixed clock, so that two sites
// holding the same rows render the same bytes (dates relative to today,
// iCalendar stamps).
var backupClock = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return backupClock }

// testSite is one Portique site of a backup test: settings, database,
// services and web handler, on SQLite or PostgreSQL.
type testSite struct {
	cfg *config.Config
	d   *db.DB
	svc *services.Deps
	web http.Handler
	// sessions are cookie values by role ("admin", "member").
	sessions map[string]string
}

// siteConfig returns the settings of a fresh, empty site on engine: a data
// directory of its own and, on PostgreSQL, a schema of its own.
func siteConfig(t testing.TB, engine db.Dialect) *config.Config {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.Addr = "127.0.0.1:8080"
	if engine == db.Postgres {
		cfg.DBURL = dbtest.PostgresURL(t)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// openSite opens (and migrates) the site of cfg and builds its services and
// web handler as the program does.
func openSite(t testing.TB, cfg *config.Config) *testSite {
	t.Helper()
	ctx := context.Background()
	d, err := openDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := services.New(cfg, d, services.Options{Log: log, Now: fixedNow, PasswordParams: users.CheapParams})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(svc)
	if err != nil {
		t.Fatal(err)
	}
	return &testSite{cfg: cfg, d: d, svc: svc, web: srv}
}

// demoSite is a fresh site on engine holding the demo.
func demoSite(t testing.TB, engine db.Dialect) *testSite {
	t.Helper()
	s := openSite(t, siteConfig(t, engine))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := seedDemo(context.Background(), Env{Stdout: io.Discard, Now: fixedNow}, s.cfg, s.d, log, s.svc.Search, s.svc.Documents, s.svc.Acts); err != nil {
		t.Fatal(err)
	}
	return s
}

// restoreInto restores archive into a fresh site on engine and opens it.
func restoreInto(t *testing.T, archive string, engine db.Dialect) *testSite {
	t.Helper()
	cfg := siteConfig(t, engine)
	if _, err := backup.Restore(context.Background(), archive, restoreTarget(cfg, false, fixedNow)); err != nil {
		t.Fatalf("restore on %s: %v", engine, err)
	}
	return openSite(t, cfg)
}

// session opens a session for the account and returns its cookie value.
func (s *testSite) session(t *testing.T, userID int64) string {
	t.Helper()
	tok, err := s.svc.Sessions.Create(context.Background(), userID, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// anonCSRF is the double-submit token anonymous requests carry, so that two
// sites render the same forms.
const anonCSRF = "0123456789abcdef0123456789abcdef"

type response struct {
	status   int
	location string
	body     string
}

// get asks the site for path as the holder of session (anonymous when "").
func (s *testSite) get(path, session string) response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "192.0.2.1:1234"
	req.AddCookie(&http.Cookie{Name: "portique-csrf", Value: anonCSRF})
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "portique", Value: session})
	}
	rec := httptest.NewRecorder()
	s.web.ServeHTTP(rec, req)
	return response{status: rec.Code, location: rec.Header().Get("Location"), body: rec.Body.String()}
}

var linkRE = regexp.MustCompile(`(?:href|src)="(/[^"]*)"`)

// crawlSame walks every page reachable from the site's entry points by the
// links of its pages, as the holder of session, and checks that the other
// site answers each one with the same status, redirect and bytes: what a
// person can see and download is the same on both. It returns how many
// addresses it compared. norm, when set, rewrites a body before the
// comparison (what may lawfully differ).
func crawlSame(t *testing.T, a, b *testSite, who, session string, limit int, norm func(path, body string) string) int {
	t.Helper()
	queue := []string{"/", "/plan-du-site", "/sitemap.xml", "/agenda", "/agenda?vue=liste", "/documents",
		"/documents/archives", "/recherche?q=d%C3%A9chets", "/mon-compte", "/admin"}
	seen := map[string]bool{}
	for _, q := range queue {
		seen[q] = true
	}
	// With norm, a search's results are compared over all its pages at
	// once (pooled by the search without its page number): engines that
	// order equal scores each their own way may put a result on page 1 on
	// one side and on page 2 on the other.
	pooled := map[string]*[2][]string{}
	n := 0
	for len(queue) > 0 && n < limit {
		p := queue[0]
		queue = queue[1:]
		ra, rb := a.get(p, session), b.get(p, session)
		n++
		ca, cb := maskRandom(ra.body), maskRandom(rb.body)
		if norm != nil {
			ca, cb = norm(p, ca), norm(p, cb)
			if key, ok := searchKey(p); ok && ra.status == rb.status {
				if pooled[key] == nil {
					pooled[key] = &[2][]string{}
				}
				pooled[key][0] = append(pooled[key][0], ca)
				pooled[key][1] = append(pooled[key][1], cb)
				ca, cb = "", ""
			}
		}
		if ra.status != rb.status || ra.location != rb.location {
			t.Errorf("%s GET %s: %d %q, restored %d %q", who, p, ra.status, ra.location, rb.status, rb.location)
		} else if ca != cb {
			t.Errorf("%s GET %s: the restored site answers other bytes:\n%s", who, p, firstDifference(ca, cb))
		}
		if ra.status != http.StatusOK || strings.HasSuffix(p, "/telecharger") {
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(ra.body, -1) {
			l := html.UnescapeString(m[1])
			if i := strings.IndexByte(l, '#'); i >= 0 {
				l = l[:i]
			}
			if l == "" || seen[l] || strings.HasPrefix(l, "/static/") || strings.HasPrefix(l, "/deconnexion") ||
				(strings.HasPrefix(l, "/agenda") && strings.Contains(l, "date=")) {
				continue
			}
			seen[l] = true
			queue = append(queue, l)
		}
	}
	for key, p := range pooled {
		x, y := strings.Join(p[0], "\n"), strings.Join(p[1], "\n")
		if norm != nil {
			x, y = sortedLines(x), sortedLines(y)
		}
		if x != y {
			t.Errorf("%s %s: the restored site finds other results over the search's pages:\n%s", who, key, firstDifference(x, y))
		}
	}
	return n
}

// searchKey is a search page's address without its page number.
func searchKey(path string) (string, bool) {
	u, err := neturl.Parse(path)
	if err != nil || u.Path != "/recherche" {
		return "", false
	}
	q := u.Query()
	q.Del("page")
	return u.Path + "?" + q.Encode(), true
}

func sortedLines(s string) string {
	l := strings.Split(s, "\n")
	sort.Strings(l)
	return strings.Join(l, "\n")
}

// captchaRE finds what differs between two renderings of a page carrying
// the anti-robot question: a fresh random question each time (and, on a
// contact form, a fresh submission key).
var captchaRE = regexp.MustCompile(`name="question_token" value="[^"]*"|<label for="(?:contact-\d+-)?question">[^<]*</label>|name="cle" value="[^"]*"`)

func maskRandom(body string) string { return captchaRE.ReplaceAllString(body, "…") }

var resultRE = regexp.MustCompile(`<h3><a href="([^"]+)"`)

// sameResults keeps, of a search page, the set of results: FTS5 and
// PostgreSQL rank equal scores in their own order, so across engines the
// same results may come in another order.
func sameResults(path, body string) string {
	if !strings.HasPrefix(path, "/recherche") {
		return body
	}
	var hits []string
	for _, m := range resultRE.FindAllStringSubmatch(body, -1) {
		hits = append(hits, m[1])
	}
	sort.Strings(hits)
	return strings.Join(hits, "\n")
}

// firstDifference shows where two texts part.
func firstDifference(x, y string) string {
	i := 0
	for i < len(x) && i < len(y) && x[i] == y[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("…%s\n--- original: %.200q\n--- restored: %.200q", x[from:i], x[i:], y[i:])
}

// ids runs a query returning ids.
func (s *testSite) ids(t *testing.T, q string, args ...any) []int64 {
	t.Helper()
	ids, err := db.IDs(context.Background(), s.d, q, args...)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (s *testSite) id(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	ids := s.ids(t, q, args...)
	if len(ids) == 0 {
		t.Fatalf("no row for %s", q)
	}
	return ids[0]
}

// compareSites crawls both sites as a visitor, an administrator and a
// member of the demo, with the sessions openSessions opened on a before
// it was backed up (sessions are rows like the others: they open the
// restored site too), and compares what each sees.
func compareSites(t *testing.T, a, b *testSite, norm func(path, body string) string) {
	t.Helper()
	if len(a.sessions) == 0 {
		t.Fatal("compareSites: no session opened on the original site")
	}
	names := []string{""}
	for w := range a.sessions {
		names = append(names, w)
	}
	sort.Strings(names)
	for _, who := range names {
		label := who
		if label == "" {
			label = "visitor"
		}
		n := crawlSame(t, a, b, label, a.sessions[who], 500, norm)
		if n < 20 {
			t.Errorf("%s: only %d addresses compared; the crawl found too little to prove anything", label, n)
		}
		t.Logf("%s: %d addresses compared", label, n)
	}
}

// openSessions opens, on the original site, the sessions of an
// administrator and of a member that compareSites uses.
func openSessions(t *testing.T, s *testSite) {
	t.Helper()
	admin := s.id(t, "SELECT id FROM users WHERE is_admin ORDER BY id LIMIT 1")
	member := s.id(t, "SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id WHERE NOT u.is_admin ORDER BY u.id LIMIT 1")
	s.sessions = map[string]string{"admin": s.session(t, admin), "member": s.session(t, member)}
}
