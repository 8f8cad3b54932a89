// Command portique-bench starts the real portique binary on SQLite with the
// demo data and loads it over loopback (127.0.0.1 only) with a bounded load
// generator: a fixed number of keep-alive clients for a fixed duration. It
// prints a table of the figures the foundation issue targets:
//
//	start-up to first answer          ≤ 300 ms
//	anonymous public page             ≥ 10,000 requests/s
//	logged-in extranet page           ≥ 3,000 requests/s
//	resident memory after the load    ≤ 60 MB
//
// Usage: make bench, or go run ./cmd/portique-bench -bin ./portique [-duration 5s] [-clients 32]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/users"
)

func main() {
	bin := flag.String("bin", "./portique", "portique binary to start (make build)")
	duration := flag.Duration("duration", 5*time.Second, "how long each load lasts")
	clients := flag.Int("clients", 32, "concurrent keep-alive clients")
	public := flag.String("public", "/", "anonymous public page")
	private := flag.String("private", "/espace-elus", "logged-in extranet page, seen by the demo's élu (falls back to /mon-compte, then /, when it does not answer 200)")
	maxReq := flag.Int64("max-requests", 2_000_000, "upper bound of requests per load")
	logLevel := flag.String("log-level", "info", "server log level (info logs one line per request, as in production)")
	cpuprofile := flag.String("cpuprofile", "", "instead of the table: run the server in this process, load -profile-path and write a CPU profile here")
	profilePath := flag.String("profile-path", "/", "page loaded with -cpuprofile")
	profilePrivate := flag.Bool("profile-private", false, "with -cpuprofile: load the page as a logged-in member")
	flag.Parse()
	if *cpuprofile != "" {
		if err := profile(*cpuprofile, *profilePath, *clients, *duration, *maxReq, *profilePrivate); err != nil {
			fmt.Fprintln(os.Stderr, "portique-bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*bin, *duration, *clients, *public, *private, *maxReq, *logLevel); err != nil {
		fmt.Fprintln(os.Stderr, "portique-bench:", err)
		os.Exit(1)
	}
}

type row struct {
	what, target, measured string
	ok                     bool
}

func run(bin string, duration time.Duration, clients int, public, private string, maxReq int64, logLevel string) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "portique-bench-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var rows []row

	// 1. First start on an empty data directory: migrations + demo site.
	srv, first, err := start(bin, dir, logLevel)
	if err != nil {
		return err
	}
	srv.stop()
	// 2. A normal restart on the existing database: the figure operators see.
	srv, restart, err := start(bin, dir, logLevel)
	if err != nil {
		return err
	}
	defer srv.stop()
	rows = append(rows,
		row{"start-up to first answer (restart)", "≤ 300 ms", ms(restart), restart <= 300*time.Millisecond},
		row{"start-up to first answer (first run: migrations + demo)", "(info)", ms(first), true},
	)

	pid := srv.cmd.Process.Pid
	// Anonymous public page.
	res, err := load(srv.url+public, "", clients, duration, maxReq, pid)
	if err != nil {
		return fmt.Errorf("public page: %w", err)
	}
	rows = append(rows, row{"anonymous page " + public + " (" + res.summary() + ")", "≥ 10,000 req/s", fmt.Sprintf("%.0f req/s", res.rate()), res.rate() >= 10000},
		res.cpuRow())

	// Logged-in page: a session made the way the login form makes one.
	cookie, err := session(dir)
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	for _, alt := range []string{"/mon-compte", "/"} {
		st, err := status(srv.url+private, cookie)
		if err == nil && st == http.StatusOK {
			break
		}
		fmt.Printf("note: %s answered %d (%v) for a member; measuring %s instead\n", private, st, err, alt)
		private = alt
	}
	res, err = load(srv.url+private, cookie, clients, duration, maxReq, pid)
	if err != nil {
		return fmt.Errorf("extranet page: %w", err)
	}
	rows = append(rows, row{"logged-in page " + private + " (" + res.summary() + ")", "≥ 3,000 req/s", fmt.Sprintf("%.0f req/s", res.rate()), res.rate() >= 3000},
		res.cpuRow())

	rss, err := vmRSS(srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	rows = append(rows, row{"resident memory after the load (VmRSS)", "≤ 60 MB", fmt.Sprintf("%.1f MB", float64(rss)/(1<<20)), rss <= 60<<20})

	printTable(rows, clients, duration)
	return nil
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

func status(url, cookie string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck
	resp.Body.Close()
	return resp.StatusCode, nil
}

type result struct {
	n, errs int64
	bytes   int64
	elapsed time.Duration
	lat     []time.Duration // a sample of latencies
	cpu     time.Duration   // CPU time the server used during the load
}

// cpuRow reports the server's CPU time per request: on a machine shared with
// other work (or with the load generator, which needs about as much CPU as
// the server), it tells what the server itself costs, and so the rate it
// could serve with both cores to itself.
func (r result) cpuRow() row {
	per := r.cpu / time.Duration(max(r.n, 1))
	return row{"  server CPU per request (→ req/s with 2 cores to itself)", "(info)",
		fmt.Sprintf("%d µs (→ %.0f)", per.Microseconds(), 2*float64(time.Second)/float64(max(per, 1))), true}
}

func (r result) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r result) summary() string {
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	p := func(q float64) time.Duration {
		if len(r.lat) == 0 {
			return 0
		}
		return r.lat[int(q*float64(len(r.lat)-1))]
	}
	return fmt.Sprintf("%d req, %d errors, %d B/page, p50 %s, p99 %s", r.n, r.errs, r.bytes/max(r.n, 1),
		p(0.5).Round(10*time.Microsecond), p(0.99).Round(10*time.Microsecond))
}

// load runs clients goroutines, each with its own keep-alive connection,
// sending GET url until the duration ends or maxReq requests were sent.
func load(url, cookie string, clients int, duration time.Duration, maxReq int64, pid int) (result, error) {
	if st, err := status(url, cookie); err != nil || st != http.StatusOK {
		return result{}, fmt.Errorf("GET %s = %d, %v", url, st, err)
	}
	u, err := neturl.Parse(url)
	if err != nil {
		return result{}, err
	}
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUser-Agent: portique-bench\r\nAccept: text/html\r\n"
	if cookie != "" {
		req += "Cookie: " + cookie + "\r\n"
	}
	raw := []byte(req + "\r\n")
	var n, errs, nbytes atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var wg sync.WaitGroup
	cpu0, err := cpuTime(pid)
	if err != nil {
		return result{}, err
	}
	t0 := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A lean HTTP/1.1 keep-alive client: one connection, the request
			// bytes written as is, the response read with http.ReadResponse.
			// net/http's Client costs about as much CPU per request as the
			// server does, which on two shared cores halves what is measured.
			var mine []time.Duration
			var conn net.Conn
			var br *bufio.Reader
			defer func() {
				if conn != nil {
					conn.Close()
				}
			}()
			for i := 0; ctx.Err() == nil && n.Load() < maxReq; i++ {
				if conn == nil {
					c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
					if err != nil {
						errs.Add(1)
						time.Sleep(10 * time.Millisecond)
						continue
					}
					conn, br = c, bufio.NewReaderSize(c, 32<<10)
				}
				s := time.Now()
				conn.SetDeadline(s.Add(10 * time.Second)) //nolint:errcheck
				if _, err := conn.Write(raw); err != nil {
					errs.Add(1)
					conn.Close()
					conn = nil
					continue
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					errs.Add(1)
					conn.Close()
					conn = nil
					continue
				}
				b, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					errs.Add(1)
					if err != nil || resp.Close {
						conn.Close()
						conn = nil
					}
					continue
				}
				if resp.Close {
					conn.Close()
					conn = nil
				}
				n.Add(1)
				nbytes.Add(b)
				if i%16 == 0 {
					mine = append(mine, time.Since(s))
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	cpu1, err := cpuTime(pid)
	if err != nil {
		return result{}, err
	}
	return result{n: n.Load(), errs: errs.Load(), bytes: nbytes.Load(), elapsed: elapsed, lat: lat, cpu: cpu1 - cpu0}, nil
}

// cpuTime is the user + system CPU time of a process (/proc/PID/stat,
// fields 14 and 15, in clock ticks of 1/100 s on Linux).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: split after its ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("bad /proc stat")
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// vmRSS reads the resident memory of a process from /proc.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v) // "12345 kB"
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func printTable(rows []row, clients int, duration time.Duration) {
	w, m := 0, 0
	for _, r := range rows {
		w = max(w, utf8.RuneCountInString(r.what))
		m = max(m, utf8.RuneCountInString(r.measured))
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s))) }
	fmt.Printf("\nportique-bench: %d keep-alive clients × %s per load, loopback, SQLite + demo data\n\n", clients, duration)
	fmt.Printf("| %s | %s | %s | ok  |\n", pad("measure", w), pad("target", 15), pad("measured", m))
	fmt.Printf("|%s|%s|%s|-----|\n", strings.Repeat("-", w+2), strings.Repeat("-", 17), strings.Repeat("-", m+2))
	for _, r := range rows {
		ok := "yes"
		if !r.ok {
			ok = "NO "
		}
		fmt.Printf("| %s | %s | %s | %s |\n", pad(r.what, w), pad(r.target, 15), pad(r.measured, m), ok)
	}
}
