// Package db opens the database (SQLite by default, PostgreSQL when a URL is
// configured), runs the embedded migrations and offers the few helpers every
// store needs: placeholder rebinding, transactions and error classification.
//
// Store code writes each query once with ? placeholders; DB and Tx rebind them
// to $n for PostgreSQL. Per-dialect SQL lives only in migrations and in the
// search engines.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The two supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Sentinel errors returned by stores; web maps them to HTTP statuses.
var (
	// ErrNotFound means the row does not exist (or is not visible).
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique constraint refused the write.
	ErrConflict = errors.New("conflict")
)

// Querier is what DB and Tx have in common, so a store function can run
// inside or outside a transaction.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *Row
	Dialect() Dialect
}

// Row is sql.Row whose Scan reports unique violations as ErrConflict (an
// INSERT … RETURNING goes through QueryRow).
type Row struct {
	row   *sql.Row
	wrote *DB // a write outside a transaction: counted after Scan
}

// Scan copies the columns into dest; sql.ErrNoRows is returned as is (use
// NotFound to map it).
func (r *Row) Scan(dest ...any) error {
	if r.wrote != nil {
		defer r.wrote.changed()
	}
	return classify(r.row.Scan(dest...))
}

// Err reports the error of the query, if any.
func (r *Row) Err() error { return classify(r.row.Err()) }

// DB is an open database.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	rebinds sync.Map // query string → rebound string (PostgreSQL only)
	stmts   stmtCache
	observe atomic.Pointer[func(query string)]
	dsn     string // PostgreSQL: for the LISTEN connection
	version versionCache
}

// Observe calls fn with the text of every statement run from now on, on db
// and in its transactions (nil stops). Tests count the queries of a request
// with it; the cost when unset is one atomic load per statement.
func (db *DB) Observe(fn func(query string)) {
	if fn == nil {
		db.observe.Store(nil)
		return
	}
	db.observe.Store(&fn)
}

func (db *DB) seen(q string) {
	if fn := db.observe.Load(); fn != nil {
		(*fn)(q)
	}
}

// stmtCache keeps one prepared statement per query text on SQLite, where
// parsing SQL is about a third of a page view's CPU time when every call
// prepares again. (pgx already caches prepared statements per connection.)
// database/sql re-prepares a cached statement on each pooled connection as
// needed. Query texts built at run time (IN lists, search) can be many, so
// the cache stops growing at maxStmts and further texts are run unprepared.
type stmtCache struct {
	m sync.Map // query text → *sql.Stmt
	n atomic.Int64
}

const maxStmts = 2000

// stmt returns the cached prepared statement for q, or nil when q should
// run unprepared (PostgreSQL, a full cache, or a statement that failed to
// prepare: the plain call then reports its error).
func (db *DB) stmt(ctx context.Context, q string) *sql.Stmt {
	if db.dialect != SQLite {
		return nil
	}
	if v, ok := db.stmts.m.Load(q); ok {
		return v.(*sql.Stmt)
	}
	if db.stmts.n.Load() >= maxStmts {
		return nil
	}
	st, err := db.sql.PrepareContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return nil
	}
	if prev, loaded := db.stmts.m.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	db.stmts.n.Add(1)
	return st
}

// Open connects to PostgreSQL when dsn is a postgres:// URL, otherwise opens
// (creating it if needed) the SQLite file sqlitePath. It does not migrate.
func Open(ctx context.Context, dsn, sqlitePath string) (*DB, error) {
	if dsn != "" {
		if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
			return nil, fmt.Errorf("db: unsupported database URL (want postgres://…)")
		}
		sdb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("db: open postgres: %w", err)
		}
		sdb.SetMaxOpenConns(20)
		sdb.SetMaxIdleConns(20)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
		if err := sdb.PingContext(ctx); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("db: connect postgres: %w", err)
		}
		return &DB{sql: sdb, dialect: Postgres, dsn: dsn}, nil
	}
	if err := os.MkdirAll(filepath.Dir(sqlitePath), 0o700); err != nil {
		return nil, fmt.Errorf("db: create data directory: %w", err)
	}
	if err := ownerOnly(sqlitePath); err != nil {
		return nil, err
	}
	// busy_timeout comes first so the other pragmas wait for a busy file;
	// _txlock=immediate takes the write lock at BEGIN, which avoids the
	// "database is locked" upgrade deadlock between two writers. A 1 MiB
	// page cache per connection keeps the resident memory of a small site
	// low; the OS file cache does the rest.
	q := "?_txlock=immediate&_time_format=sqlite" +
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(ON)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-1024)"
	sdb, err := sql.Open("sqlite", "file:"+sqlitePath+q)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	n := max(4, 2*runtime.NumCPU())
	sdb.SetMaxOpenConns(n)
	sdb.SetMaxIdleConns(n)
	sdb.SetConnMaxLifetime(0)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("db: open sqlite %s: %w", sqlitePath, err)
	}
	return &DB{sql: sdb, dialect: SQLite}, nil
}

// ownerOnly makes the SQLite file readable by its owner only (0600) before
// SQLite opens it: a new file is created so, an existing one is corrected.
// SQLite gives its -wal and -shm files the mode of the database file; those
// left by an earlier version are corrected too.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("db: create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("db: restrict %s to its owner: %w", p, err)
		}
	}
	return nil
}

// Close closes the cached statements and the pool.
func (db *DB) Close() error {
	db.stopListening()
	db.stmts.m.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return db.sql.Close()
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL exposes the pool for the rare caller that needs database/sql itself
// (migrations, tests).
func (db *DB) SQL() *sql.DB { return db.sql }

// Ping checks that the database answers (for /healthz).
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// Rebind turns ? placeholders into $1, $2… on PostgreSQL. Question marks
// inside single-quoted literals are left alone.
func (db *DB) Rebind(q string) string {
	if db.dialect != Postgres {
		return q
	}
	if v, ok := db.rebinds.Load(q); ok {
		return v.(string)
	}
	r := rebind(q)
	db.rebinds.Store(q, r)
	return r
}

func rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 8)
	n, inQuote := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Exec runs a statement.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	db.seen(q)
	defer db.changed()
	if st := db.stmt(ctx, q); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, classify(err)
	}
	res, err := db.sql.ExecContext(ctx, db.Rebind(q), args...)
	return res, classify(err)
}

// Query runs a query returning rows.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	db.seen(q)
	if !isRead(q) {
		defer db.changed()
	}
	if st := db.stmt(ctx, q); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, classify(err)
	}
	rows, err := db.sql.QueryContext(ctx, db.Rebind(q), args...)
	return rows, classify(err)
}

// QueryRow runs a query returning at most one row.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *Row {
	db.seen(q)
	var w *DB
	if !isRead(q) {
		w = db // counted once Scan has run it to the end
	}
	if st := db.stmt(ctx, q); st != nil {
		return &Row{row: st.QueryRowContext(ctx, args...), wrote: w}
	}
	return &Row{row: db.sql.QueryRowContext(ctx, db.Rebind(q), args...), wrote: w}
}

// Tx is a transaction with the same helpers as DB.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	wrote bool // a statement other than a SELECT ran (counted at commit)
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	tx.db.seen(q)
	tx.wrote = true
	res, err := tx.tx.ExecContext(ctx, tx.db.Rebind(q), args...)
	return res, classify(err)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	tx.db.seen(q)
	tx.wrote = tx.wrote || !isRead(q)
	rows, err := tx.tx.QueryContext(ctx, tx.db.Rebind(q), args...)
	return rows, classify(err)
}

// QueryRow runs a single-row query in the transaction.
func (tx *Tx) QueryRow(ctx context.Context, q string, args ...any) *Row {
	tx.db.seen(q)
	tx.wrote = tx.wrote || !isRead(q)
	return &Row{row: tx.tx.QueryRowContext(ctx, tx.db.Rebind(q), args...)}
}

// Dialect reports the engine.
func (tx *Tx) Dialect() Dialect { return tx.db.dialect }

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise (and on panic).
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", classify(err))
	}
	defer stx.Rollback() //nolint:errcheck // no-op after Commit
	tx := &Tx{tx: stx, db: db}
	if err := fn(tx); err != nil {
		return err
	}
	if tx.wrote {
		defer db.changed() // after the commit: a reader then sees the new rows
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", classify(err))
	}
	return nil
}

// NotFound maps sql.ErrNoRows to ErrNotFound and leaves other errors alone.
func NotFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// classify wraps unique-constraint violations as ErrConflict so stores can
// test with errors.Is without knowing the engine.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrConflict, pgErr.ConstraintName)
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %s", ErrConflict, sqErr.Error())
		}
	}
	return err
}

// In returns "?, ?, ?" for n placeholders (n ≥ 1), for IN lists.
func In(n int) string {
	if n <= 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Args turns a slice of values into query arguments (for an IN list of
// In(len(s)) placeholders).
func Args[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// IDs runs a query returning one integer column (ids) and collects it.
func IDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
