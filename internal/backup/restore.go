package backup

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"portique/internal/db"
)

// Target is where a restore writes.
type Target struct {
	DBURL      string // PostgreSQL URL; empty for SQLite at SQLitePath
	SQLitePath string
	DataDir    string
	// Force replaces a target that holds data (its rows and its files are
	// deleted first). Without it such a target is refused.
	Force bool
	// Reindex rebuilds the search index from the restored rows (the
	// program passes the code of `portique reindex`); nil leaves it empty.
	Reindex func(ctx context.Context, d *db.DB) error
}

// sqliteFiles are the SQLite database file and its companions.
func sqliteFiles(p string) []string {
	return []string{p, p + "-wal", p + "-shm", p + "-journal"}
}

// Restore restores the archive at archive into t: it refuses a target that
// holds data unless t.Force, reads and checks the whole archive into a
// working folder inside the data directory before touching anything (a
// damaged archive leaves the target as it was), refuses an archive from a
// schema this program does not know, then rebuilds the archive's schema
// with the migrations it was taken with, loads every table in one
// transaction, runs the later migrations, moves the files into place and
// rebuilds the search index.
func Restore(ctx context.Context, archive string, t Target) (*Manifest, error) {
	f, err := os.Open(archive)
	if err != nil {
		return nil, because(err, "backup.error.open", archive)
	}
	defer f.Close()
	if t.DataDir == "" {
		return nil, errors.New("backup: restore: no data directory")
	}
	skip := []string{}
	if t.DBURL == "" {
		skip = sqliteFiles(t.SQLitePath)
	}
	existing, err := walkData(t.DataDir, skip)
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 && !t.Force {
		return nil, &Error{Key: "backup.error.data_not_empty", Args: []any{t.DataDir, len(existing)}, Err: ErrNotEmpty}
	}
	if err := os.MkdirAll(t.DataDir, 0o700); err != nil {
		return nil, because(err, "backup.error.create", t.DataDir)
	}
	d, err := db.Open(ctx, t.DBURL, t.SQLitePath)
	if err != nil {
		return nil, err
	}
	defer func() { d.Close() }()
	st, err := inspect(ctx, d)
	if err != nil {
		return nil, err
	}
	if st.table != "" && !t.Force {
		return nil, &Error{Key: "backup.error.db_not_empty", Args: []any{st.table, st.rows}, Err: ErrNotEmpty}
	}

	stage, err := os.MkdirTemp(t.DataDir, restorePrefix)
	if err != nil {
		return nil, because(err, "backup.error.create", t.DataDir)
	}
	defer os.RemoveAll(stage)
	m, err := readArchive(bufio.NewReaderSize(f, 1<<20), func(name string) (io.WriteCloser, error) {
		p := filepath.Join(stage, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, err
		}
		return os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	})
	if err != nil {
		return nil, err
	}
	known, err := db.Migrations(d.Dialect())
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, v := range m.Migrations {
		want[v] = true
	}
	for _, v := range m.Migrations {
		if !contains(known, v) {
			return nil, &Error{Key: "backup.error.newer_schema", Args: []any{v}, Err: ErrNewerSchema}
		}
	}

	// The target is empty, or the operator said to replace it: start from
	// nothing, so the archive's own migrations can run.
	if st.tables > 0 {
		if d, err = wipe(ctx, d, t); err != nil {
			return nil, err
		}
	}
	for _, f := range existing {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if err := d.MigrateOnly(ctx, func(v string) bool { return want[v] }); err != nil {
		return nil, err
	}
	if err := load(ctx, d, stage, m); err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		return nil, err
	}
	for _, f := range m.Files {
		rel, ok := strings.CutPrefix(f.Path, filesDir)
		if !ok {
			continue
		}
		dst := filepath.Join(t.DataDir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return nil, because(err, "backup.error.create", dst)
		}
		if err := os.Rename(filepath.Join(stage, filepath.FromSlash(f.Path)), dst); err != nil {
			return nil, because(err, "backup.error.create", dst)
		}
	}
	if t.Reindex != nil {
		if err := t.Reindex(ctx, d); err != nil {
			return m, because(err, "backup.error.reindex")
		}
	}
	return m, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// state is what inspect found in a target database.
type state struct {
	tables int    // tables of any kind
	table  string // the first table holding rows a fresh schema has not ("" when empty)
	rows   int64
}

// inspect tells whether a database holds data: it has no table, or every
// table holds no more rows than the migrations applied to it write into a
// fresh database (the two built-in groups…), counted on a scratch SQLite
// database migrated to the same versions.
func inspect(ctx context.Context, d *db.DB) (state, error) {
	var st state
	q := d.SQL()
	var names []string
	var err error
	if d.Dialect() == db.Postgres {
		names, err = strings1(ctx, q, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	} else {
		names, err = strings1(ctx, q, `SELECT name FROM pragma_table_list
			WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	}
	if err != nil {
		return st, fmt.Errorf("backup: inspect target: %w", err)
	}
	st.tables = len(names)
	if len(names) == 0 {
		return st, nil
	}
	if !contains(names, schemaTable) {
		st.table, st.rows = names[0], -1 // not Portique's
		return st, nil
	}
	applied, err := strings1(ctx, q, "SELECT version FROM "+schemaTable)
	if err != nil {
		return st, err
	}
	known, err := db.Migrations(d.Dialect())
	if err != nil {
		return st, err
	}
	set := map[string]bool{}
	for _, v := range applied {
		if !contains(known, v) {
			st.table, st.rows = schemaTable, -1
			return st, nil
		}
		set[v] = true
	}
	dir, err := os.MkdirTemp("", "portique-scratch-")
	if err != nil {
		return st, err
	}
	defer os.RemoveAll(dir)
	scratch, err := db.Open(ctx, "", filepath.Join(dir, "scratch.db"))
	if err != nil {
		return st, err
	}
	defer scratch.Close()
	if err := scratch.MigrateOnly(ctx, func(v string) bool { return set[v] }); err != nil {
		return st, err
	}
	for _, n := range names {
		if n == schemaTable {
			continue
		}
		var got, fresh int64
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quote(n)).Scan(&got); err != nil {
			return st, err
		}
		if got == 0 {
			continue
		}
		if err := scratch.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quote(n)).Scan(&fresh); err != nil {
			fresh = 0 // a table only one engine has (PostgreSQL's search_vectors)
		}
		if got > fresh {
			st.table, st.rows = n, got
			return st, nil
		}
	}
	return st, nil
}

// wipe empties the target database: SQLite's files are deleted, every
// table, view, sequence and function of PostgreSQL's current schema is
// dropped (objects of extensions are left alone). It returns the database
// to go on with.
func wipe(ctx context.Context, d *db.DB, t Target) (*db.DB, error) {
	if d.Dialect() == db.SQLite {
		d.Close()
		for _, p := range sqliteFiles(t.SQLitePath) {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
		return db.Open(ctx, t.DBURL, t.SQLitePath)
	}
	notExt := "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = %s AND e.deptype = 'e')"
	rows, err := d.SQL().QueryContext(ctx, `SELECT c.relname, c.relkind FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND `+fmt.Sprintf(notExt, "c.oid")+`
		ORDER BY c.relkind DESC`)
	if err != nil {
		return nil, err
	}
	var stmts []string
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			rows.Close()
			return nil, err
		}
		what := map[string]string{"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}[kind]
		stmts = append(stmts, "DROP "+what+" IF EXISTS "+quote(name)+" CASCADE")
	}
	rows.Close()
	funcs, err := strings1(ctx, d.SQL(), `SELECT p.oid::regprocedure::text FROM pg_proc p
		JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = current_schema() AND p.prokind IN ('f', 'p') AND `+fmt.Sprintf(notExt, "p.oid"))
	if err != nil {
		return nil, err
	}
	for _, f := range funcs {
		stmts = append(stmts, "DROP ROUTINE IF EXISTS "+f+" CASCADE")
	}
	for _, s := range stmts {
		if _, err := d.SQL().ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("backup: empty the target: %s: %w", s, err)
		}
	}
	return d, nil
}

// load inserts the archive's rows into the migrated target, in one
// transaction, tables in the target's foreign-key order.
func load(ctx context.Context, d *db.DB, stage string, m *Manifest) error {
	tx, err := d.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	infos, err := readSchema(ctx, tx, d.Dialect())
	if err != nil {
		return err
	}
	byName := map[string]tableInfo{}
	for _, ti := range infos {
		byName[ti.Name] = ti
	}
	archived := map[string]Table{}
	for _, at := range m.Tables {
		if _, ok := byName[at.Name]; !ok {
			return refuse("backup.error.unknown_table", at.Name)
		}
		archived[at.Name] = at
	}
	// The archive's rows are loaded as they were: the schema's triggers
	// (the content version, the acts' rule that a published act's annexes
	// never change) guard changes, not this copy, and do not run.
	// PostgreSQL disables them per table in the transaction (foreign keys
	// are still checked); SQLite cannot, so they are dropped and created
	// again, from their own text, before the commit.
	var triggers []string
	if d.Dialect() == db.Postgres {
		for _, at := range m.Tables {
			if _, err := tx.ExecContext(ctx, "ALTER TABLE "+quote(at.Name)+" DISABLE TRIGGER USER"); err != nil {
				return fmt.Errorf("backup: triggers of %s: %w", at.Name, err)
			}
		}
	} else {
		rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var n, q string
			if err := rows.Scan(&n, &q); err != nil {
				rows.Close()
				return err
			}
			names, triggers = append(names, n), append(triggers, q)
		}
		rows.Close()
		for _, n := range names {
			if _, err := tx.ExecContext(ctx, "DROP TRIGGER "+quote(n)); err != nil {
				return fmt.Errorf("backup: trigger %s: %w", n, err)
			}
		}
	}
	// Rows the migrations wrote (built-in groups, counters) give way to the
	// archive's, children first.
	for i := len(infos) - 1; i >= 0; i-- {
		if _, ok := archived[infos[i].Name]; ok {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+quote(infos[i].Name)); err != nil {
				return fmt.Errorf("backup: empty %s: %w", infos[i].Name, err)
			}
		}
	}
	for _, ti := range infos {
		at, ok := archived[ti.Name]
		if !ok {
			continue
		}
		if err := loadTable(ctx, tx, d, ti, at, filepath.Join(stage, filepath.FromSlash(at.File))); err != nil {
			return err
		}
		if d.Dialect() == db.Postgres {
			for _, col := range ti.Identity {
				q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE((SELECT MAX(%s) FROM %s), 0) + 1, false)",
					literal(quote(ti.Name)), literal(col), quote(col), quote(ti.Name))
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("backup: sequence of %s.%s: %w", ti.Name, col, err)
				}
			}
		}
	}
	if d.Dialect() == db.Postgres {
		for _, at := range m.Tables {
			if _, err := tx.ExecContext(ctx, "ALTER TABLE "+quote(at.Name)+" ENABLE TRIGGER USER"); err != nil {
				return fmt.Errorf("backup: triggers of %s: %w", at.Name, err)
			}
		}
	}
	for _, q := range triggers {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("backup: trigger: %w", err)
		}
	}
	return tx.Commit()
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// loadTable inserts one table's rows, in batches of multi-row INSERTs.
func loadTable(ctx context.Context, tx *sql.Tx, d *db.DB, ti tableInfo, at Table, path string) error {
	target := map[string]string{}
	for _, c := range ti.Columns {
		target[c.Name] = c.Type
	}
	types := make([]string, len(at.Columns))
	cols := make([]string, len(at.Columns))
	parentIdx, pkIdx := -1, -1
	for i, c := range at.Columns {
		typ, ok := target[c.Name]
		if !ok {
			return refuse("backup.error.unknown_column", at.Name, c.Name)
		}
		types[i], cols[i] = typ, quote(c.Name)
		if ti.Parent != "" && c.Name == ti.Parent {
			parentIdx = i
		}
		if len(ti.PK) == 1 && c.Name == ti.PK[0] {
			pkIdx = i
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 256<<10))
	dec.UseNumber()
	next := func() ([]any, error) {
		var row []any
		if err := dec.Decode(&row); err != nil {
			return nil, err
		}
		if len(row) != len(cols) {
			return nil, corrupt("backup.error.row", at.File, 0)
		}
		return row, nil
	}
	if parentIdx >= 0 && pkIdx >= 0 {
		next, err = parentsFirst(next, pkIdx, parentIdx)
		if err != nil {
			return fmt.Errorf("backup: table %s: %w", at.Name, err)
		}
	}
	head := "INSERT INTO " + quote(at.Name) + " (" + strings.Join(cols, ", ") + ")"
	if d.Dialect() == db.Postgres {
		head += " OVERRIDING SYSTEM VALUE"
	}
	head += " VALUES "
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	maxRows := max(1, min(500, 30000/len(cols)))
	var args []any
	n, bytes := 0, 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := head + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
		if _, err := tx.ExecContext(ctx, d.Rebind(q), args...); err != nil {
			return fmt.Errorf("backup: load %s: %w", at.Name, err)
		}
		args, n, bytes = args[:0], 0, 0
		return nil
	}
	line := 0
	for {
		row, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("backup: read %s: %w", at.File, err)
		}
		line++
		for i, v := range row {
			x, err := decodeValue(types[i], v)
			if err != nil {
				return refuse("backup.error.value", at.Name, at.Columns[i].Name, line)
			}
			if b, ok := x.([]byte); ok {
				bytes += len(b)
			} else if s, ok := x.(string); ok {
				bytes += len(s)
			}
			args = append(args, x)
		}
		n++
		if n >= maxRows || bytes >= 4<<20 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// parentsFirst reads every row of a table whose rows point to a parent row
// of the same table (pages, folders) and returns them so that a parent
// comes before its children whatever their ids (a page moved under a newer
// one has a smaller id than its parent).
func parentsFirst(next func() ([]any, error), pkIdx, parentIdx int) (func() ([]any, error), error) {
	var rows [][]any
	index := map[string]int{}
	for {
		r, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		index[fmt.Sprint(r[pkIdx])] = len(rows)
		rows = append(rows, r)
	}
	order := make([]int, 0, len(rows))
	state := make([]byte, len(rows)) // 0 new, 1 on the path, 2 placed
	var visit func(i int)
	visit = func(i int) {
		if state[i] != 0 {
			return // placed, or a cycle the database would refuse anyway
		}
		state[i] = 1
		if p := rows[i][parentIdx]; p != nil {
			if j, ok := index[fmt.Sprint(p)]; ok {
				visit(j)
			}
		}
		state[i] = 2
		order = append(order, i)
	}
	for i := range rows {
		visit(i)
	}
	k := 0
	return func() ([]any, error) {
		if k >= len(order) {
			return nil, io.EOF
		}
		k++
		return rows[order[k-1]], nil
	}, nil
}
