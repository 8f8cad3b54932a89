package db_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"portique/internal/db"
	"portique/internal/dbtest"
)

// ContentVersion asks the database only when a write may have moved it: a
// cached page's hit costs no round trip while nothing changed, and a write
// shows to the very next call.
func TestContentVersionAsksOnlyAfterAWrite(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	var queries atomic.Int64
	d.Observe(func(q string) {
		if strings.Contains(q, "content_version") {
			queries.Add(1)
		}
	})
	defer d.Observe(nil)
	if dbtest.Engine() == db.Postgres {
		d.ContentVersion(ctx) //nolint:errcheck // starts the listener
		waitListening(t, d)
	}
	v0, err := d.ContentVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := queries.Load()
	for range 100 {
		if v, err := d.ContentVersion(ctx); err != nil || v != v0 {
			t.Fatalf("ContentVersion = %d, %v; want %d", v, err, v0)
		}
	}
	if n := queries.Load() - before; n > 1 { // one at most: the trust window may end once
		t.Fatalf("100 reads with nothing written asked the database %d times", n)
	}
	// A write through Exec, through a transaction, through QueryRow … RETURNING.
	writes := []func() error{
		func() error {
			_, err := d.Exec(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)", "perf.a", "1")
			return err
		},
		func() error {
			return d.InTx(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, "UPDATE settings SET value = ? WHERE key = ?", "2", "perf.a")
				return err
			})
		},
		func() error {
			var k string
			return d.QueryRow(ctx, "DELETE FROM settings WHERE key = ? RETURNING key", "perf.a").Scan(&k)
		},
	}
	last := v0
	for i, write := range writes {
		if err := write(); err != nil {
			t.Fatal(err)
		}
		v, err := d.ContentVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v <= last {
			t.Fatalf("write %d: ContentVersion = %d, not past %d: the change would not show", i, v, last)
		}
		last = v
	}
	// A transaction that only read does not count.
	w := d.WritesForTest()
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		var n int
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM settings").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if d.WritesForTest() != w {
		t.Error("a read-only transaction counted as a write")
	}
}

// On PostgreSQL, an instance hears the writes of another instance on the
// same schema (LISTEN/NOTIFY), so its caches drop at once without asking
// the database at every request.
func TestContentVersionHearsOtherInstances(t *testing.T) {
	if dbtest.Engine() != db.Postgres {
		t.Skip("PostgreSQL only: an SQLite file has one instance")
	}
	ctx := context.Background()
	url := dbtest.PostgresURL(t)
	open := func() *db.DB {
		d, err := db.Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	a := open()
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	b := open()
	if _, err := a.ContentVersion(ctx); err != nil {
		t.Fatal(err)
	}
	waitListening(t, a)
	heard := a.WritesForTest()
	if _, err := b.Exec(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)", "perf.b", "1"); err != nil {
		t.Fatal(err)
	}
	// a made no write: only the notification can move its count.
	deadline := time.Now().Add(30 * time.Second)
	for a.WritesForTest() == heard {
		if time.Now().After(deadline) {
			t.Fatal("the other instance's write was never heard")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var want int64
	if err := b.QueryRow(ctx, "SELECT v FROM content_version WHERE id = 1").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if v, err := a.ContentVersion(ctx); err != nil || v != want {
		t.Fatalf("after the notification ContentVersion = %d, %v; want %d", v, err, want)
	}
}

func waitListening(t *testing.T, d *db.DB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !d.Listening() {
		if time.Now().After(deadline) {
			t.Fatal("the LISTEN connection never came up")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
