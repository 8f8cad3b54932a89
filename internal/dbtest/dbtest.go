// Package dbtest gives tests a fresh, migrated database: SQLite in a temporary
// directory by default, or a throw-away schema in PostgreSQL when
// PORTIQUE_TEST_POSTGRES holds a URL (CI runs the suite both ways).
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"portique/internal/db"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "PORTIQUE_TEST_POSTGRES"

// EnvRequire, when set to 1, turns every "skip because X is missing"
// (PostgreSQL, Chromium, node) into a failure. CI sets it.
const EnvRequire = "PORTIQUE_TEST_REQUIRE"

// Required reports whether missing test infrastructure must fail the run.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

// SkipOrFail skips the test with a hint, or fails it when EnvRequire is set.
func SkipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if Required() {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format, args...)
}

// NewDB returns a migrated database that is removed when the test ends.
func NewDB(tb testing.TB) *db.DB {
	tb.Helper()
	ctx := context.Background()
	var d *db.DB
	var err error
	if base := os.Getenv(EnvPostgres); base != "" {
		d, err = newPostgres(tb, base)
	} else {
		d, err = db.Open(ctx, "", filepath.Join(tb.TempDir(), "portique.db"))
		if err == nil {
			tb.Cleanup(func() { d.Close() })
		}
	}
	if err != nil {
		tb.Fatalf("dbtest: open: %v", err)
	}
	if err := d.Migrate(ctx); err != nil {
		tb.Fatalf("dbtest: migrate: %v", err)
	}
	return d
}

// Engine names the engine the tests run on, for log lines and skips.
func Engine() db.Dialect {
	if os.Getenv(EnvPostgres) != "" {
		return db.Postgres
	}
	return db.SQLite
}

// newPostgres creates a schema of its own for the test and points the pool's
// search_path at it; a schema is much cheaper than a database.
func newPostgres(tb testing.TB, base string) (*db.DB, error) {
	ctx := context.Background()
	admin, err := db.Open(ctx, base, "")
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	d, err := db.Open(ctx, u.String(), "")
	if err != nil {
		return nil, err
	}
	tb.Cleanup(func() {
		d.Close()
		if a, err := db.Open(context.Background(), base, ""); err == nil {
			a.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") //nolint:errcheck
			a.Close()
		}
	})
	return d, nil
}

// PostgresURL returns the URL of a fresh, empty schema of the PostgreSQL
// of EnvPostgres (not migrated), dropped when the test ends, for tests that
// open the database themselves (a restore into an empty target). It fails
// the test when EnvPostgres is unset.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Fatalf("dbtest: PostgresURL needs %s", EnvPostgres)
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, base, "")
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	tb.Cleanup(func() {
		if a, err := db.Open(context.Background(), base, ""); err == nil {
			a.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") //nolint:errcheck
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
