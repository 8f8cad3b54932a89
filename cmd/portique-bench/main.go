// Command portique-bench starts the real portique binary on SQLite with the
// demo data and, beside it, a floor server (a plain Go handler writing the
// same pages' bytes from memory), loads each page type on both over
// loopback (127.0.0.1 only) for the same duration with a bounded load
// generator (a fixed number of keep-alive clients), then loads 2,000
// distinct addresses of each anonymous page type (every one a miss of the
// visitors' cache) and crawls 20,000 distinct agenda days, and prints one
// table: requests per second, p50/p99,
// the server's CPU time per request (from /proc: the figure that survives a
// machine shared with other work), the floor's, their ratio, and the
// targets of issue 14; then start-up and resident memory.
//
// Usage: make bench, or go run ./cmd/portique-bench -bin ./portique [-duration 4s] [-clients 32] [-only agenda]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/users"
)

func main() {
	bin := flag.String("bin", "./portique", "portique binary to start (make build)")
	duration := flag.Duration("duration", 4*time.Second, "how long each page is loaded (on the server, then on the floor)")
	clients := flag.Int("clients", 32, "concurrent keep-alive clients")
	public := flag.String("public", "/", "anonymous page served from the visitors' page cache")
	private := flag.String("private", "/espace-elus", "logged-in extranet page, seen by the demo's élu (falls back to /mon-compte, then /, when it does not answer 200)")
	search := flag.String("search", "/recherche?q=collecte", "site search of one word, by an anonymous visitor")
	maxReq := flag.Int64("max-requests", 2_000_000, "upper bound of requests per load")
	crawl := flag.Int("crawl", 20_000, "distinct agenda addresses crawled before the memory is read (0: no crawl)")
	misses := flag.Int("misses", 2000, "distinct addresses of each other anonymous page type loaded once each, every one a miss of the visitors' cache (0: none)")
	only := flag.String("only", "", "load only the pages whose row name contains this text (the crawl and memory rows stay)")
	logLevel := flag.String("log-level", "info", "server log level (info logs one line per request, as in production)")
	cpuprofile := flag.String("cpuprofile", "", "instead of the table: run the server in this process, load -profile-path and write a CPU profile here")
	profilePath := flag.String("profile-path", "/", "page loaded with -cpuprofile")
	profilePrivate := flag.Bool("profile-private", false, "with -cpuprofile: load the page as a logged-in member")
	profileCrawl := flag.Int("profile-crawl", 0, "with -cpuprofile: crawl this many distinct agenda days instead of loading -profile-path (the misses)")
	profileMisses := flag.Int("profile-misses", 0, "with -cpuprofile: load this many distinct addresses of -profile-path once each (its misses)")
	floorFile := flag.String("floor-serve", "", "(internal) be the floor server of the pages in this file")
	flag.Parse()
	var err error
	switch {
	case *floorFile != "":
		err = floorServe(*floorFile)
	case *cpuprofile != "":
		err = profile(*cpuprofile, *profilePath, *clients, *duration, *maxReq, *profilePrivate, *profileCrawl, *profileMisses)
	default:
		err = run(options{bin: *bin, duration: *duration, clients: *clients, public: *public, private: *private,
			search: *search, maxReq: *maxReq, crawl: *crawl, misses: *misses, only: *only, logLevel: *logLevel})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "portique-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	bin                     string
	duration                time.Duration
	clients                 int
	public, private, search string
	maxReq                  int64
	crawl, misses           int
	only, logLevel          string
}

// page is one row of the table: a page type, the address loaded, and the
// target issue 14 sets for it.
type page struct {
	name, path string
	member     bool
	// target says what the row must meet, from the server's and the
	// floor's CPU time per request.
	target func(cpu, floor time.Duration) bool
	goal   string
}

func ratioAtMost(x float64) func(cpu, floor time.Duration) bool {
	return func(cpu, floor time.Duration) bool { return floor > 0 && float64(cpu) <= x*float64(floor) }
}

func cpuAtMost(d time.Duration) func(cpu, floor time.Duration) bool {
	return func(cpu, _ time.Duration) bool { return cpu <= d }
}

// pageRow is a measured page: the server's and the floor's loads.
type pageRow struct {
	page
	srv, flr result
	noFloor  bool
}

func run(o options) error {
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "portique-bench-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// 1. First start on an empty data directory: migrations + demo site.
	srv, first, err := start(bin, dir, o.logLevel)
	if err != nil {
		return err
	}
	srv.stop()
	// 2. A normal restart on the existing database: the figure operators see.
	srv, restart, err := start(bin, dir, o.logLevel)
	if err != nil {
		return err
	}
	defer srv.stop()
	pid := srv.cmd.Process.Pid
	// What the restart starts in the background (extraction of the demo's
	// files, the search index's check) would be counted against the first
	// pages: the loads wait until the server is idle.
	if waited, err := settle(pid, time.Minute); err != nil {
		return err
	} else if waited > time.Second {
		fmt.Fprintf(os.Stderr, "the server was busy for %s after its start\n", waited.Round(100*time.Millisecond))
	}

	cookie, err := session(dir)
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	private := o.private
	for _, alt := range []string{"/mon-compte", "/"} {
		st, err := status(srv.url+private, cookie)
		if err == nil && st == http.StatusOK {
			break
		}
		fmt.Printf("note: %s answered %d (%v) for a member; measuring %s instead\n", private, st, err, alt)
		private = alt
	}
	folder, err := firstLink(srv.url+"/documents", `/documents/dossiers/[0-9]+`)
	if err != nil {
		return err
	}
	item, err := firstLink(srv.url+"/ou-jeter", `/ou-jeter/[a-z0-9-]+`, "/ou-jeter/annuaire")
	if err != nil {
		return err
	}
	hit := "≤ 2 × floor"
	pages := []page{
		{name: "cached anonymous page " + o.public, path: o.public, target: ratioAtMost(1.5), goal: "≤ 1.5 × floor"},
		{name: "agenda, month (anonymous)", path: "/agenda", target: ratioAtMost(2), goal: hit},
		{name: "agenda, list (anonymous)", path: "/agenda?vue=liste", target: ratioAtMost(2), goal: hit},
		{name: "documents (anonymous)", path: "/documents", target: ratioAtMost(2), goal: hit},
		{name: "documents, a folder (anonymous)", path: folder, target: ratioAtMost(2), goal: hit},
		{name: "news list (anonymous)", path: "/actualites", target: ratioAtMost(2), goal: hit},
		{name: "guide item (anonymous)", path: item, target: ratioAtMost(2), goal: hit},
		{name: "member's extranet page " + private, path: private, member: true, target: cpuAtMost(150 * time.Microsecond), goal: "≤ 150 µs"},
		{name: "site search, one word (anonymous)", path: o.search, target: cpuAtMost(time.Millisecond), goal: "≤ 1,000 µs"},
	}
	if o.only != "" {
		pages = slicesFilter(pages, func(p page) bool { return strings.Contains(p.name, o.only) })
	}

	// The floor serves the same bytes as the server, fetched once (which
	// also fills the server's caches).
	var fp []floorPage
	for _, p := range pages {
		c := ""
		if p.member {
			c = cookie
		}
		body, ctype, err := fetch(srv.url+p.path, c)
		if err != nil {
			return err
		}
		fp = append(fp, floorPage{Path: p.path, CType: ctype, Body: body})
	}
	fl, err := startFloor(dir, fp)
	if err != nil {
		return err
	}
	defer fl.stop()
	fpid := fl.cmd.Process.Pid

	var rows []pageRow
	for _, p := range pages {
		c := ""
		if p.member {
			c = cookie
		}
		r := pageRow{page: p}
		if r.srv, err = load(srv.url+p.path, c, o.clients, o.duration, o.maxReq, pid); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		if r.flr, err = load(fl.url+p.path, "", o.clients, o.duration, o.maxReq, fpid); err != nil {
			return fmt.Errorf("%s (floor): %w", p.name, err)
		}
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "%s: server %s; floor %s\n", p.name, r.srv.summary(), r.flr.summary())
	}

	// A crawler: distinct addresses of the agenda (one day each), every one
	// a miss of the visitors' cache, which must stay bounded.
	if o.crawl > 0 {
		res, err := crawlAgenda(srv.url, o.crawl, o.clients, pid)
		if err != nil {
			return fmt.Errorf("crawl: %w", err)
		}
		if res.errs > 0 {
			return fmt.Errorf("crawl: %d errors", res.errs)
		}
		rows = append(rows, pageRow{page: page{name: fmt.Sprintf("agenda, %d distinct days (misses)", o.crawl),
			target: cpuAtMost(500 * time.Microsecond), goal: "≤ 500 µs"}, srv: res, noFloor: true})
		fmt.Fprintf(os.Stderr, "crawl: %s\n", res.summary())
	}
	// Each other anonymous page type missed: distinct addresses of it (the
	// agenda's by date, the others by a query parameter the page ignores),
	// each a miss of the visitors' cache.
	if o.misses > 0 {
		for _, p := range pages {
			if p.member || p.path == o.search || p.path == o.public {
				continue
			}
			res, err := crawlPaths(srv.url, missPaths(p.path, o.misses), o.clients, pid)
			if err != nil {
				return fmt.Errorf("%s misses: %w", p.name, err)
			}
			if res.errs > 0 {
				return fmt.Errorf("%s misses: %d errors", p.name, res.errs)
			}
			rows = append(rows, pageRow{page: page{name: fmt.Sprintf("%s, %d misses", p.name, o.misses),
				target: cpuAtMost(500 * time.Microsecond), goal: "≤ 500 µs"}, srv: res, noFloor: true})
			fmt.Fprintf(os.Stderr, "%s misses: %s\n", p.name, res.summary())
		}
	}
	rss, err := vmRSS(pid)
	if err != nil {
		return err
	}

	fmt.Printf("\nportique-bench: %d keep-alive clients × %s per load (server, then floor), loopback, SQLite + demo data\n\n", o.clients, o.duration)
	printPages(rows)
	fmt.Println()
	printTable([]row{
		{"start-up to first answer (restart)", "≤ 300 ms", ms(restart), restart <= 300*time.Millisecond},
		{"start-up to first answer (first run: migrations + demo)", "(info)", ms(first), true},
		{"resident memory after the whole bench (VmRSS)", "≤ 80 MB", fmt.Sprintf("%.1f MB", float64(rss)/(1<<20)), rss <= 80<<20},
	})
	return nil
}

// crawlAgenda loads n distinct days of the agenda once each, as a crawler
// does.
func crawlAgenda(base string, n, clients, pid int) (result, error) {
	paths := make([]string, n)
	day := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range paths {
		paths[i] = "/agenda?vue=jour&date=" + day.AddDate(0, 0, i).Format("2006-01-02")
	}
	return crawlPaths(base, paths, clients, pid)
}

// missPaths are n distinct addresses of the page at path: the agenda's by
// date (as a crawler follows its links), the others with a parameter the
// page ignores.
func missPaths(path string, n int) []string {
	out := make([]string, n)
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	day := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		if strings.HasPrefix(path, "/agenda") {
			out[i] = path + sep + "date=" + day.AddDate(0, 0, i).Format("2006-01-02")
		} else {
			out[i] = path + sep + "n=" + strconv.Itoa(i)
		}
	}
	return out
}

// crawlPaths loads each address once.
func crawlPaths(base string, paths []string, clients, pid int) (result, error) {
	u, err := neturlParse(base)
	if err != nil {
		return result{}, err
	}
	reqs := make([][]byte, len(paths))
	for i, p := range paths {
		u.Path, u.RawQuery, _ = strings.Cut(p, "?")
		reqs[i] = rawGet(u, "")
	}
	return loadRaw(u.Host, reqs, clients, 10*time.Minute, int64(len(paths)), pid)
}

// settle waits until process pid uses no more than a clock tick of CPU
// time in half a second, for at most limit, and says how long it waited.
func settle(pid int, limit time.Duration) (time.Duration, error) {
	t0 := time.Now()
	prev, err := cpuTime(pid)
	if err != nil {
		return 0, err
	}
	for time.Since(t0) < limit {
		time.Sleep(500 * time.Millisecond)
		c, err := cpuTime(pid)
		if err != nil {
			return 0, err
		}
		if c-prev <= 10*time.Millisecond {
			return time.Since(t0), nil
		}
		prev = c
	}
	return time.Since(t0), nil
}

// firstLink is the first address matching pattern in the page at url,
// other than the excluded ones.
func firstLink(url, pattern string, exclude ...string) (string, error) {
	body, _, err := fetch(url, "")
	if err != nil {
		return "", err
	}
	re := regexp.MustCompile(`href="(` + pattern + `)"`)
	for _, m := range re.FindAllStringSubmatch(string(body), -1) {
		if !contains(exclude, m[1]) {
			return m[1], nil
		}
	}
	return "", fmt.Errorf("no link like %s in %s", pattern, url)
}

// server is the running binary.
type server struct {
	cmd *exec.Cmd
	url string
	log *os.File
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt) //nolint:errcheck
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }() //nolint:errcheck
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill() //nolint:errcheck
		<-done
	}
	s.log.Close()
}

// start runs the binary and measures the time until /healthz answers 200.
func start(bin, dir, logLevel string) (*server, time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", filepath.Join(dir, "data"), "--demo=true", "--log-level", logLevel)
	cmd.Env = append(os.Environ(), "PORTIQUE_DB=", "PORTIQUE_SMTP_URL=")
	cmd.Stdout, cmd.Stderr = logf, logf
	s := &server{cmd: cmd, url: "http://" + addr, log: logf}
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	deadline := t0.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := hc.Get(s.url + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body) //nolint:errcheck
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(t0), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	s.stop()
	b, _ := os.ReadFile(logf.Name())
	return nil, 0, fmt.Errorf("the server did not answer in 30 s; log:\n%s", b)
}

// session creates a session for a member of the demo (or a bench account),
// as the login form does, and returns the Cookie header value.
func session(dir string) (string, error) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = filepath.Join(dir, "data")
	d, err := db.Open(ctx, "", cfg.SQLitePath())
	if err != nil {
		return "", err
	}
	defer d.Close()
	var uid int64
	err = d.QueryRow(ctx, `SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id JOIN groups g ON g.id = m.group_id
		WHERE g.name = 'Élus' AND u.is_admin = FALSE ORDER BY u.id LIMIT 1`).Scan(&uid)
	if errors.Is(db.NotFound(err), db.ErrNotFound) {
		err = d.QueryRow(ctx, "SELECT id FROM users WHERE is_admin = FALSE AND disabled = FALSE AND deleted_at IS NULL ORDER BY id LIMIT 1").Scan(&uid)
	}
	if errors.Is(db.NotFound(err), db.ErrNotFound) {
		err = d.QueryRow(ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES (?, ?, FALSE, ?) RETURNING id",
			"bench@example.fr", "Bench", time.Now().UTC()).Scan(&uid)
	}
	if err != nil {
		return "", err
	}
	ses := &users.Sessions{DB: d, Now: time.Now, Idle: cfg.SessionIdle, Max: cfg.SessionMax}
	token, err := ses.Create(ctx, uid, "127.0.0.1", "portique-bench")
	if err != nil {
		return "", err
	}
	return "portique=" + token, nil
}
