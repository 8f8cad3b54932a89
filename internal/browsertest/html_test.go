package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"portique/internal/access"
	"portique/internal/convocations"
	"portique/internal/dbtest"
	"portique/internal/notify"
	"portique/internal/users"
)

// Every page type of the demo site, as a visitor, an élu and the
// administrator, and every form re-rendered with its errors (422), is valid
// HTML for the Nu Html Checker (RGAA 8.2), and every link of an error
// summary reaches an element of the page (RGAA 11.10).
func TestEveryPageTypeIsValidHTML(t *testing.T) {
	vnu := nuChecker(t)
	site := Start(t, Options{Demo: true})
	eluID, _, _ := site.DemoAccount(t, "Élus")
	adminID, _, _ := site.DemoAccount(t, "")
	dir := t.TempDir()
	pages := map[string]string{} // file name → the address it came from
	save := func(who, addr string, status int, body []byte) {
		name := fmt.Sprintf("%03d-%s-%d.html", len(pages), who, status)
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
		pages[name] = who + " " + addr
	}
	seenType := map[string]bool{}
	var forms []crawledForm
	for _, who := range []struct {
		name    string
		id      int64
		entries []string
	}{{"visiteur", 0, linkedFromEmails(t, site, eluID)}, {"elu", eluID, []string{convocationPath(t, site, eluID)}},
		{"admin", adminID, []string{convocationPath(t, site, eluID) + "/convocation"}}, {"deux-facteurs", 0, nil}} {
		c := site.httpClient(t, who.id)
		limit := 400
		if who.name == "deux-facteurs" {
			// The code step of a two-factor login: after the password.
			site.passwordStep(t, c)
			who.entries, limit = []string{"/connexion/code"}, 1 // the entry alone
		}
		for _, p := range site.crawl(t, c, limit, who.entries...) {
			if key := who.name + " " + pageType(p.addr); !seenType[key] {
				seenType[key] = true
				save(who.name, p.addr, http.StatusOK, p.body)
			}
			for _, f := range p.forms {
				f.client, f.who = c, who.name
				forms = append(forms, f)
			}
		}
	}
	// Every form whose fields can be left blank, sent blank: the answer
	// with its errors must be valid too, and its summary's links must reach.
	summaries, seenForm := 0, map[string]bool{}
	for _, f := range forms {
		key := f.who + " " + pageType(f.action)
		if seenForm[key] || !f.blankable() {
			continue
		}
		seenForm[key] = true
		status, body := site.submitBlank(t, f)
		if status != http.StatusUnprocessableEntity {
			continue
		}
		save(f.who, "POST "+f.action, status, body)
		summaries += checkSummaryLinks(t, "POST "+f.action+" ("+f.who+")", body)
	}
	if summaries < 5 {
		t.Errorf("only %d forms answered 422 with an error summary: the crawl of forms is broken", summaries)
	}
	if len(pages) < 60 {
		t.Fatalf("only %d page types crawled: the crawl is broken", len(pages))
	}
	// Every area's kinds of page are in the crawl: the public ones, the
	// edit and management forms, the pages reached from an e-mail.
	crawled := map[string]bool{}
	for _, from := range pages {
		_, addr, _ := strings.Cut(from, " ")
		crawled[pageType(strings.TrimPrefix(addr, "POST "))] = true
	}
	for _, want := range mustCrawl {
		if !crawled[want] {
			t.Errorf("the crawl never reached a page of type %s", want)
		}
	}
	t.Logf("%d page types and forms checked, %d error summaries", len(pages), summaries)
	for _, m := range runNu(t, vnu, dir) {
		t.Errorf("%s (%s), line %d: %s\n    %s", pages[filepath.Base(m.URL)], filepath.Base(m.URL), m.LastLine, m.Message, strings.TrimSpace(m.Extract))
	}
}

// nuChecker returns the command line that runs the Nu Html Checker
// (vnu.jar from the vnu-jar npm package, on Debian's Java runtime).
func nuChecker(t *testing.T) []string {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		dbtest.SkipOrFail(t, "browsertest: no Java runtime for the Nu Html Checker (apt-get install default-jre-headless)")
	}
	jar := filepath.Join(RepoRoot(t), "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
	if _, err := os.Stat(jar); err != nil {
		dbtest.SkipOrFail(t, "browsertest: %v; run `npm ci` for the Nu Html Checker", err)
	}
	return []string{java, "-Xss2m", "-jar", jar}
}

type nuMessage struct {
	Type     string `json:"type"`
	URL      string `json:"url"`
	Message  string `json:"message"`
	Extract  string `json:"extract"`
	LastLine int    `json:"lastLine"`
}

// runNu checks every file of dir in one run and returns its errors.
func runNu(t *testing.T, vnu []string, dir string) []nuMessage {
	t.Helper()
	args := append(append([]string{}, vnu[1:]...), "--errors-only", "--format", "json", "--exit-zero-always", dir)
	cmd := exec.Command(vnu[0], args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("Nu Html Checker: %v\n%s", err, stderr.String())
	}
	var res struct {
		Messages []nuMessage `json:"messages"`
	}
	// The JSON report goes to stderr.
	raw := stderr.Bytes()
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = out.Bytes()
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("Nu Html Checker report: %v\n%s", err, raw)
	}
	var errs []nuMessage
	for _, m := range res.Messages {
		if m.Type == "error" || m.Type == "non-document-error" {
			errs = append(errs, m)
		}
	}
	return errs
}

// The checker itself fails on invalid HTML (a role on a heading that
// changes its meaning, a duplicate id).
func TestNuCheckerReportsErrors(t *testing.T) {
	vnu := nuChecker(t)
	dir := t.TempDir()
	bad := `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>x</title></head>
<body><main><h2 role="status">3 résultats</h2><p id="a"></p><p id="a"></p></main></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "bad.html"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if errs := runNu(t, vnu, dir); len(errs) < 2 {
		t.Fatalf("the Nu checker found %d errors in an invalid page, want 2: %v", len(errs), errs)
	}
}

// checkSummaryLinks checks that every link of the page's error summary
// points at an element of the page, and returns 1 if the page has a
// summary.
func checkSummaryLinks(t *testing.T, what string, body []byte) int {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	ids := map[string]bool{}
	var links []string
	found := 0
	var walk func(n *html.Node, inSummary bool)
	walk = func(n *html.Node, inSummary bool) {
		if n.Type == html.ElementNode {
			if id := attr(n, "id"); id != "" {
				ids[id] = true
			}
			if strings.Contains(" "+attr(n, "class")+" ", " form-errors ") {
				inSummary = true
				found = 1
			}
			if inSummary && n.Data == "a" && strings.HasPrefix(attr(n, "href"), "#") {
				links = append(links, strings.TrimPrefix(attr(n, "href"), "#"))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inSummary)
		}
	}
	walk(doc, false)
	for _, l := range links {
		if !ids[l] {
			t.Errorf("%s: the error summary links to #%s, which is not on the page", what, l)
		}
	}
	return found
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// httpClient is a plain HTTP client of the site with the session of
// userID (none for 0), keeping the CSRF cookie the site sets.
func (s *Site) httpClient(t *testing.T, userID int64) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	if userID != 0 {
		cfg := s.Config(t)
		ses := &users.Sessions{DB: s.DB, Now: time.Now, Idle: cfg.SessionIdle, Max: cfg.SessionMax}
		token, err := ses.Create(context.Background(), userID, "127.0.0.1", "browsertest")
		if err != nil {
			t.Fatalf("browsertest: create session: %v", err)
		}
		u, _ := url.Parse(s.URL + "/")
		jar.SetCookies(u, []*http.Cookie{{Name: SessionCookie, Value: token, Path: "/"}})
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

type crawledPage struct {
	addr  string
	body  []byte
	forms []crawledForm
}

type crawledForm struct {
	action, enctype string
	fields          []formField
	client          *http.Client
	who             string
}

type formField struct {
	name, value, kind string // kind: hidden, text (typed by a person), file, choice
}

// blankable reports whether the form has a field a person types in (so
// sending it blank is a mistake the form must answer) and nothing that
// destroys or signs out.
func (f crawledForm) blankable() bool {
	for _, bad := range []string{"/deconnexion", "supprimer", "corbeille", "purger", "vider", "restaurer", "/session/"} {
		if strings.Contains(f.action, bad) {
			return false
		}
	}
	for _, fl := range f.fields {
		if fl.kind == "text" {
			return true
		}
	}
	return false
}

// mustCrawl are page types the validator must see (pageType's form): one
// or more per area, the edit pages and the new areas included.
var mustCrawl = []string{
	"/pages/N/modifier?", "/pages/N/historique?", "/pages/N/droits?", "/pages/N/proprietes?", "/pages/N/ajouter?",
	"/actualites?", "/actualites/S?",
	"/actes?", "/actes/N?", "/actes/gestion?", "/actes/gestion/nouveau?", "/actes/seances/N/modifier?",
	"/ou-jeter?", "/ou-jeter/gestion?", "/ou-jeter/gestion/nouveau?", "/ou-jeter/gestion/N/modifier?",
	"/decheteries?", "/decheteries/gestion?", "/decheteries/gestion/nouveau?", "/decheteries/gestion/N/modifier?",
	"/collecte?", "/collecte/gestion?", "/collecte/gestion/communes/N?", "/collecte/S/calendrier?",
	"/contact?", "/admin/messages?", "/admin/messages/N?",
	"/agenda/evenements/N/convocation?", "/agenda/evenements/N/convocation/presences?", "/convocations/reponse/S?",
	"/notifications/desabonnement/S?",
	"/mon-compte?", "/mon-compte/S?", "/connexion/code?", "/admin/journal?", "/admin/parametres?", "/admin/utilisateurs/N?",
	"/invitation/S?", "/reinitialisation/S?", "/admin/utilisateurs/import?",
	"/agenda/evenements/N/modifier?", "/agenda/evenements/nouveau?", "/documents/dossiers/N?", "/documents/N?",
}

// linkedFromEmails returns pages a visitor reaches from an e-mail only
// (an invitation, a password reset, an unsubscribe link, the answer link
// of a convocation), with tokens made as the program makes them.
func linkedFromEmails(t *testing.T, site *Site, memberID int64) []string {
	t.Helper()
	ctx := context.Background()
	acc := &users.Accounts{DB: site.DB}
	var invited int64
	if err := site.DB.QueryRow(ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES ('invite@example.fr', 'Invité', FALSE, ?) RETURNING id", time.Now().UTC()).Scan(&invited); err != nil {
		t.Fatal(err)
	}
	_, inv, err := acc.Invite(ctx, access.System(), invited)
	if err != nil {
		t.Fatal(err)
	}
	var email string
	if err := site.DB.QueryRow(ctx, "SELECT email FROM users WHERE id = ?", memberID).Scan(&email); err != nil {
		t.Fatal(err)
	}
	_, reset, err := acc.RequestReset(ctx, access.System(), email)
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(site.DataDir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	signer := notify.NewSigner(strings.TrimSpace(string(key)))
	conv := &convocations.Store{Notify: &notify.Store{Signer: signer}}
	return []string{"/invitation/" + inv.Token, "/reinitialisation/" + reset.Token,
		"/notifications/desabonnement/" + signer.UnsubscribeToken(memberID, notify.AllAreas),
		"/convocations/reponse/" + conv.AnswerToken(convocationEvent(t, site, memberID), memberID)}
}

// convocationEvent is the demo's session (an event with a convocation
// sent) that memberID is convened to.
func convocationEvent(t *testing.T, site *Site, memberID int64) int64 {
	t.Helper()
	var event int64
	if err := site.DB.QueryRow(context.Background(), `SELECT c.event_id FROM convocations c JOIN memberships m ON m.group_id = c.group_id
		WHERE m.user_id = ? AND c.sent_at IS NOT NULL ORDER BY c.event_id LIMIT 1`, memberID).Scan(&event); err != nil {
		t.Fatalf("no demo convocation sent to the élu: %v", err)
	}
	return event
}

// convocationPath is the page of the demo's session.
func convocationPath(t *testing.T, site *Site, memberID int64) string {
	return fmt.Sprintf("/agenda/evenements/%d", convocationEvent(t, site, memberID))
}

// passwordStep logs c in with the password of the demo's two-factor
// account: the site then waits for its code.
func (s *Site) passwordStep(t *testing.T, c *http.Client) {
	t.Helper()
	var email, pass string
	for _, line := range strings.Split(s.Stdout(), "\n") {
		if f := strings.Fields(line); len(f) >= 6 && strings.HasPrefix(f[1], "double.authentification@") {
			email, pass = f[1], f[len(f)-1]
		}
	}
	login := s.crawl(t, c, 1, "/connexion")
	if email == "" || len(login) != 1 {
		t.Fatal("no demo two-factor account, or no login page")
	}
	v := url.Values{"email": {email}, "password": {pass}}
	for _, f := range login[0].forms {
		if f.action != "/connexion" {
			continue
		}
		for _, fl := range f.fields {
			if fl.kind == "hidden" {
				v.Set(fl.name, fl.value)
			}
		}
	}
	resp, err := c.PostForm(s.URL+"/connexion", v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if p := resp.Request.URL.Path; p != "/connexion/code" {
		t.Fatalf("the password of the two-factor account led to %s (%d)", p, resp.StatusCode)
	}
}

var skipCrawl = regexp.MustCompile(`^/static/|/telecharger|^/medias/|\.ics$|\.xml$|\.csv$|\.json$|/flux|/deconnexion|/defi$|/suggestions`)

// crawl fetches the pages reachable from entries (by default the site's
// entry points), at most limit, with their POST forms.
func (s *Site) crawl(t *testing.T, c *http.Client, limit int, entries ...string) []crawledPage {
	t.Helper()
	queue := []string{"/", "/plan-du-site", "/agenda", "/agenda?vue=liste", "/agenda?vue=semaine", "/agenda?vue=jour",
		"/documents", "/documents/archives", "/documents/recherche?q=d%C3%A9chets", "/recherche?q=d%C3%A9chets",
		"/recherche?q=zzzzqqq", "/mon-compte", "/admin", "/connexion", "/mot-de-passe-oublie", "/introuvable-404"}
	queue = append(entries, queue...)
	seen := map[string]bool{}
	for _, q := range queue {
		seen[q] = true
	}
	typed := map[string]int{}
	var out []crawledPage
	for len(queue) > 0 && len(out) < limit {
		addr := queue[0]
		queue = queue[1:]
		// Three of a kind are enough to find its links.
		if typed[pageType(addr)]++; typed[pageType(addr)] > 3 {
			continue
		}
		resp, err := c.Get(s.URL + addr)
		if err != nil {
			t.Fatalf("GET %s: %v", addr, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		if resp.StatusCode >= 500 {
			t.Errorf("GET %s: %d", addr, resp.StatusCode)
		}
		final := resp.Request.URL.RequestURI()
		p := crawledPage{addr: final, body: body}
		doc, err := html.Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: %v", addr, err)
		}
		var cur *crawledForm
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "a":
					l := attr(n, "href")
					if i := strings.IndexByte(l, '#'); i >= 0 {
						l = l[:i]
					}
					if strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//") && !seen[l] && !skipCrawl.MatchString(l) {
						seen[l] = true
						queue = append(queue, l)
					}
				case "form":
					if strings.EqualFold(attr(n, "method"), "post") {
						p.forms = append(p.forms, crawledForm{action: attr(n, "action"), enctype: attr(n, "enctype")})
						cur = &p.forms[len(p.forms)-1]
						for c := n.FirstChild; c != nil; c = c.NextSibling {
							walk(c)
						}
						cur = nil
						return
					}
				case "input", "textarea", "select":
					if cur != nil && attr(n, "name") != "" {
						kind := "text"
						switch strings.ToLower(attr(n, "type")) {
						case "hidden":
							kind = "hidden"
						case "file":
							kind = "file"
						case "checkbox", "radio", "submit", "button":
							kind = "choice"
						}
						if n.Data == "select" {
							kind = "choice"
						}
						cur.fields = append(cur.fields, formField{name: attr(n, "name"), value: attr(n, "value"), kind: kind})
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		out = append(out, p)
	}
	return out
}

// submitBlank sends a form with its hidden fields (CSRF token, ids) and
// every typed field blank.
func (s *Site) submitBlank(t *testing.T, f crawledForm) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	ctype := "application/x-www-form-urlencoded"
	if f.enctype == "multipart/form-data" {
		mw := multipart.NewWriter(&body)
		for _, fl := range f.fields {
			if fl.kind == "hidden" {
				mw.WriteField(fl.name, fl.value) //nolint:errcheck // in memory
			} else if fl.kind == "text" {
				mw.WriteField(fl.name, "") //nolint:errcheck // in memory
			}
		}
		mw.Close()
		ctype = mw.FormDataContentType()
	} else {
		v := url.Values{}
		for _, fl := range f.fields {
			if fl.kind == "hidden" {
				v.Add(fl.name, fl.value)
			} else if fl.kind == "text" {
				v.Add(fl.name, "")
			}
		}
		body.WriteString(v.Encode())
	}
	action := f.action
	if !strings.HasPrefix(action, "/") {
		return 0, nil
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+action, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", action, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		t.Errorf("POST %s sent blank (%s): %d", action, f.who, resp.StatusCode)
	}
	return resp.StatusCode, b
}

var numberRE = regexp.MustCompile(`[0-9]+`)

// pageType reduces an address to its kind: numbers and query values go,
// the query's names stay ("/documents/N?tri").
func pageType(addr string) string {
	path, query, _ := strings.Cut(addr, "?")
	path = numberRE.ReplaceAllString(path, "N")
	// A slug below a section (/ou-jeter/pot-de-yaourt, /actualites/…,
	// /collecte/romans-sur-isere/calendrier) is one page of the section's
	// kind: a segment with a hyphen, below the first, reads as "S".
	// Without it the 150 sheets of the sorting guide would use up the
	// crawl before the management pages.
	// A token (an e-mailed link's) is one too.
	segs := strings.Split(path, "/")
	for i := 2; i < len(segs); i++ {
		if strings.Contains(segs[i], "-") || len(segs[i]) > 24 {
			segs[i] = "S"
		}
	}
	path = strings.Join(segs, "/")
	var names []string
	for _, kv := range strings.Split(query, "&") {
		if k, _, _ := strings.Cut(kv, "="); k != "" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return path + "?" + strings.Join(names, "&")
}
