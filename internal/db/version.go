package db

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// The content version (migration 0900: triggers bump content_version on
// every change to what visitors see) tells the web layer's caches whether
// a rendered page is still current. Reading it is a database round trip,
// which costs more than serving a cached page; so the number last read is
// kept, with the count of writes this process had made then, and served
// without a query while:
//
//   - no write went through this DB since (every Exec, every statement
//     that is not a SELECT, every committed transaction that wrote counts,
//     after it completed);
//   - on PostgreSQL, the LISTEN connection is up: the triggers also send
//     a notification (migration 1150), and one from another instance
//     counts as a write here;
//   - it is younger than versionTrust: a write this process cannot see
//     (the portique command line on the same SQLite file, a PostgreSQL
//     notification lost with its connection) shows within that time.
//
// A write of this process thus shows at once, to the request that follows
// it, and an idle site answers from its caches without asking the database.

// versionTrust is how long a content version read from the database is
// served without asking again, when nothing says it changed.
const versionTrust = time.Second

// contentChannel is the PostgreSQL notification channel of content
// changes; the payload is the schema, so instances (and tests) on other
// schemas of the same database are told apart.
const contentChannel = "portique_content"

type versionCache struct {
	writes    atomic.Int64 // writes made (or heard of) so far
	known     atomic.Pointer[knownVersion]
	listening atomic.Bool // PostgreSQL: the LISTEN connection is up
	once      sync.Once
	stop      context.CancelFunc
	done      chan struct{}
}

type knownVersion struct {
	writes, v int64
	at        time.Time
}

// changed records a write: the next ContentVersion asks the database.
func (db *DB) changed() { db.version.writes.Add(1) }

// Writes is a count that moves after every write this DB made (or, on
// PostgreSQL, heard of from another instance): what was read while it did
// not move is still what the database holds, give or take versionTrust.
func (db *DB) Writes() int64 { return db.version.writes.Load() }

// Changed tells the content version cache that the database changed
// behind its back (a restore, a statement run through SQL()).
func (db *DB) Changed() { db.changed() }

// isRead says whether a statement only reads: anything else counts as a
// write (WITH may hold an UPDATE; an INSERT … RETURNING goes through
// QueryRow).
func isRead(q string) bool {
	q = strings.TrimLeft(q, " \t\r\n(")
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

// ContentVersion is the public content's version number, which the
// triggers of migration 0900 bump on every change to a table whose rows
// public pages show. A cache of rendered pages is valid while it is
// unchanged. It is read from the database only when a write may have moved
// it (see versionCache).
func (db *DB) ContentVersion(ctx context.Context) (int64, error) {
	vc := &db.version
	if db.dialect == Postgres {
		vc.once.Do(func() { db.listen() })
	}
	w := vc.writes.Load()
	if k := vc.known.Load(); k != nil && k.writes == w && time.Since(k.at) < versionTrust &&
		(db.dialect != Postgres || vc.listening.Load()) {
		return k.v, nil
	}
	at := time.Now()
	var v int64
	if err := db.QueryRow(ctx, "SELECT v FROM content_version WHERE id = 1").Scan(&v); err != nil {
		return 0, err
	}
	vc.known.Store(&knownVersion{writes: w, v: v, at: at})
	return v, nil
}

// listen starts the goroutine that LISTENs to the content notifications of
// other instances (PostgreSQL), on a connection of its own, reconnecting
// when it drops; until it is up, every ContentVersion asks the database.
func (db *DB) listen() {
	if db.dsn == "" {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	vc := &db.version
	vc.stop, vc.done = cancel, make(chan struct{})
	go func() {
		defer close(vc.done)
		for ctx.Err() == nil {
			db.listenOnce(ctx)
			vc.listening.Store(false)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
}

// listenOnce holds one LISTEN connection until it fails or ctx ends.
func (db *DB) listenOnce(ctx context.Context) {
	vc := &db.version
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return
	}
	if _, err := conn.Exec(ctx, "LISTEN "+contentChannel); err != nil {
		return
	}
	// Whatever happened while nobody listened counts as a change.
	db.changed()
	vc.listening.Store(true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return
		}
		if n.Payload == schema {
			db.changed()
		}
	}
}

// stopListening ends the LISTEN goroutine, if one runs.
func (db *DB) stopListening() {
	vc := &db.version
	vc.once.Do(func() {}) // none may start after Close
	if vc.stop != nil {
		vc.stop()
		<-vc.done
	}
}

// Listening reports whether this DB hears the content notifications of
// other instances (PostgreSQL, once ContentVersion was called).
func (db *DB) Listening() bool { return db.version.listening.Load() }
