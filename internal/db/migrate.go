package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Migrations live in migrations/common (SQL both engines accept) or, when the
// engines differ, in migrations/sqlite and migrations/postgres under the same
// name. They are append-only: a released file is never edited; a change is a
// new file. Each runs in its own transaction and is recorded in
// schema_migrations. Number ranges per domain keep parallel work apart:
// 0001-0099 foundation, 0100-0199 pages, 0200-0299 calendar,
// 0300-0399 documents, 0400-0499 search.
//
//go:embed migrations
var migrationFS embed.FS

// Migrate applies every migration not yet recorded. On PostgreSQL an advisory
// lock serialises instances that start at the same time.
func (db *DB) Migrate(ctx context.Context) error { return db.MigrateOnly(ctx, nil) }

// Migrations lists the versions of the migrations this program knows for
// dialect d, in the order they run ("0001_core", "0100_pages"…). Both
// engines know the same versions.
func Migrations(d Dialect) ([]string, error) {
	names, err := migrationNames(d)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n.version
	}
	return out, nil
}

// MigrateOnly is Migrate limited to the versions keep accepts (all when
// keep is nil), still in order. A restore uses it to rebuild the schema an
// archive was taken with, loads the rows, then runs Migrate for the rest,
// so later migrations transform restored rows as they did live ones.
func (db *DB) MigrateOnly(ctx context.Context, keep func(version string) bool) error {
	names, err := migrationNames(db.dialect)
	if err != nil {
		return err
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	defer conn.Close()
	if db.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7264001)"); err != nil {
			return fmt.Errorf("db: migrate lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7264001)") //nolint:errcheck
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY,
		applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("db: create schema_migrations: %w", err)
	}
	done := map[string]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("db: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		done[v] = true
	}
	rows.Close()
	for _, n := range names {
		if done[n.version] || (keep != nil && !keep(n.version)) {
			continue
		}
		body, err := fs.ReadFile(migrationFS, n.file)
		if err != nil {
			return err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("db: migrate %s: %w", n.version, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback() //nolint:errcheck
			return fmt.Errorf("db: migrate %s: %w", n.file, err)
		}
		if _, err := tx.ExecContext(ctx, db.Rebind("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"),
			n.version, time.Now().UTC().Format(time.RFC3339)); err != nil {
			tx.Rollback() //nolint:errcheck
			return fmt.Errorf("db: record %s: %w", n.version, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("db: commit %s: %w", n.version, err)
		}
	}
	return nil
}

type migration struct{ version, file string }

func migrationNames(d Dialect) ([]migration, error) {
	byVersion := map[string]string{}
	for _, dir := range []string{"migrations/common", "migrations/" + string(d)} {
		entries, err := fs.ReadDir(migrationFS, dir)
		if err != nil {
			continue // an empty folder is not embedded
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".sql") {
				continue
			}
			v := strings.TrimSuffix(e.Name(), ".sql")
			if prev, ok := byVersion[v]; ok {
				return nil, fmt.Errorf("db: migration %s is both %s and %s", v, prev, dir)
			}
			byVersion[v] = path.Join(dir, e.Name())
		}
	}
	out := make([]migration, 0, len(byVersion))
	for v, f := range byVersion {
		out = append(out, migration{v, f})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}
