// Package browsertest starts the real Portique program in-process and drives
// it with Debian's headless Chromium (through chromedp), checks pages with
// axe-core, and receives the program's emails on a real in-process SMTP
// server. Every area's browser test uses it:
//
//	site := browsertest.Start(t, browsertest.Options{Demo: true})
//	uid := site.CreateUser(t, "elu@example.fr", "Élu Test", false)
//	ctx := site.Browser(t)
//	site.LoginAs(t, ctx, uid)
//	site.Go(t, ctx, "/agenda")
//	browsertest.AssertAccessible(t, ctx)
//
// Chromium (/usr/bin/chromium, or PORTIQUE_CHROMIUM) and node_modules
// (npm ci, for axe-core) are optional on a laptop: without them the test
// skips with a hint, or fails when PORTIQUE_TEST_REQUIRE=1 (CI).
package browsertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"portique/internal/app"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/dbtest"
)

// Options say how to start the site.
type Options struct {
	// Demo starts the program with --demo (the demo site of the syndicate).
	Demo bool
	// Seed, when set, runs on the migrated database before the program
	// starts (fixtures built through the stores).
	Seed func(ctx context.Context, d *db.DB) error
	// Args are extra command-line settings, e.g. "--lockout-threshold", "3".
	Args []string
	// Env are extra PORTIQUE_* variables seen by the program (only by it:
	// the test process environment is not changed).
	Env map[string]string
	// Now is the program's clock (time.Now when nil).
	Now func() time.Time
	// NoMail leaves PORTIQUE_SMTP_URL unset, so emails go to DATA/outbox.
	NoMail bool
}

// Site is a running Portique program.
type Site struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234 (no trailing slash).
	URL string
	// DataDir is the program's data directory.
	DataDir string
	// DB is a connection to the program's database, for fixtures and checks.
	DB *db.DB
	// Mail receives every email the program sends (nil with NoMail).
	Mail *Mailbox

	dbURL  string
	stdout *syncBuffer
	stderr *syncBuffer
}

// startWait bounds a program's start: seeding the demo on PostgreSQL took
// over 30 s once on a loaded machine (two suites and a bench on 2 cores).
const startWait = 2 * time.Minute

// Start runs the real program (app.Run, the same code as `portique serve`)
// on 127.0.0.1 with a random port, a fresh data directory and a fresh
// database: SQLite in the data directory, or a throw-away schema in
// PostgreSQL when PORTIQUE_TEST_POSTGRES is set. It returns when the site
// answers; the program stops when the test ends.
func Start(t testing.TB, o Options) *Site {
	t.Helper()
	s := &Site{DataDir: t.TempDir(), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	ctx := context.Background()

	if base := os.Getenv(dbtest.EnvPostgres); base != "" {
		s.dbURL = postgresSchema(t, base)
	}
	d, err := db.Open(ctx, s.dbURL, filepath.Join(s.DataDir, "portique.db"))
	if err != nil {
		t.Fatalf("browsertest: open database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("browsertest: migrate: %v", err)
	}
	s.DB = d
	if o.Seed != nil {
		if err := o.Seed(ctx, d); err != nil {
			t.Fatalf("browsertest: seed: %v", err)
		}
	}

	env := map[string]string{"PORTIQUE_LOG_LEVEL": "warn"}
	if !o.NoMail {
		s.Mail = StartMailServer(t)
		env["PORTIQUE_SMTP_URL"] = s.Mail.URL()
	}
	for k, v := range o.Env {
		env[k] = v
	}
	// The public base URL goes into emailed links, so the port is chosen
	// before the start (the program never trusts the Host header for links).
	addr := freeAddr(t)
	args := []string{"serve", "--addr", addr, "--base-url", "http://" + addr, "--data", s.DataDir}
	if s.dbURL != "" {
		args = append(args, "--db", s.dbURL)
	}
	if o.Demo {
		args = append(args, "--demo=true")
	}
	args = append(args, o.Args...)

	runCtx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- app.Run(runCtx, app.Env{
			Args:   args,
			Getenv: func(k string) string { return env[k] },
			Stdout: s.stdout,
			Stderr: s.stderr,
			Now:    o.Now,
			Ready:  func(addr string) { ready <- addr },
		})
	}()
	select {
	case addr := <-ready:
		s.URL = "http://" + addr
	case err := <-done:
		cancel()
		t.Fatalf("browsertest: the program stopped before serving: %v\nstderr:\n%s", err, s.stderr)
	case <-time.After(startWait):
		cancel()
		t.Fatalf("browsertest: the program did not start in %s\nstderr:\n%s", startWait, s.stderr)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("browsertest: the program ended with: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("browsertest: the program did not stop in 30 s")
		}
		if t.Failed() {
			t.Logf("program output (stdout):\n%s\nprogram log (stderr, level warn+):\n%s", s.stdout, s.stderr)
		}
	})
	return s
}

// Stdout is what the program printed so far (e.g. the demo accounts).
func (s *Site) Stdout() string { return s.stdout.String() }

// Log is the program's log so far (level warn and above unless Options.Env
// sets PORTIQUE_LOG_LEVEL).
func (s *Site) Log() string { return s.stderr.String() }

// Config is the configuration the program runs with, rebuilt the same way
// (defaults, then the settings given), for values such as session lengths.
func (s *Site) Config(t testing.TB) *config.Config {
	t.Helper()
	c := config.Defaults()
	c.DataDir = s.DataDir
	c.DBURL = s.dbURL
	c.Addr = strings.TrimPrefix(s.URL, "http://")
	if err := c.Validate(); err != nil {
		t.Fatalf("browsertest: config: %v", err)
	}
	return c
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("browsertest: find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// postgresSchema makes a schema of its own for one test and returns the URL
// whose search_path points at it; the schema is dropped when the test ends.
func postgresSchema(t testing.TB, base string) string {
	t.Helper()
	ctx := context.Background()
	adm, err := db.Open(ctx, base, "")
	if err != nil {
		dbtest.SkipOrFail(t, "browsertest: PostgreSQL at %s unreachable (%v); unset %s to run on SQLite", dbtest.EnvPostgres, err, dbtest.EnvPostgres)
	}
	defer adm.Close()
	var b [6]byte
	rand.Read(b[:]) //nolint:errcheck // never fails
	schema := "bt_" + hex.EncodeToString(b[:])
	if _, err := adm.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("browsertest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if a, err := db.Open(context.Background(), base, ""); err == nil {
			a.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") //nolint:errcheck // best effort
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("browsertest: %s: %v", dbtest.EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// RepoRoot is the directory holding go.mod (tests run in their package's
// directory).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("browsertest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// syncBuffer is a bytes.Buffer safe for the program's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var _ fmt.Stringer = (*syncBuffer)(nil)
