package backup

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"portique/internal/db"
)

// snapshot is a consistent read view of the database.
type snapshot struct {
	q       querier
	dialect db.Dialect
	close   func() error
}

// openSnapshot takes the database's consistent view. PostgreSQL: one
// REPEATABLE READ, READ ONLY transaction (its snapshot is fixed by its first
// query, made here), which never blocks writers. SQLite: VACUUM INTO writes
// a copy of the database as of one read transaction (writers go on in the
// WAL meanwhile) into dir, and the copy is read.
func openSnapshot(ctx context.Context, d *db.DB, dir string) (*snapshot, error) {
	if d.Dialect() == db.Postgres {
		tx, err := d.SQL().BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return nil, fmt.Errorf("backup: begin snapshot: %w", err)
		}
		if _, err := strings1(ctx, tx, "SELECT 'snapshot'"); err != nil {
			tx.Rollback() //nolint:errcheck
			return nil, fmt.Errorf("backup: begin snapshot: %w", err)
		}
		return &snapshot{q: tx, dialect: db.Postgres, close: tx.Rollback}, nil
	}
	path := filepath.Join(dir, "snapshot.db")
	if _, err := d.SQL().ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return nil, fmt.Errorf("backup: VACUUM INTO: %w", err)
	}
	cp, err := db.Open(ctx, "", path)
	if err != nil {
		return nil, err
	}
	return &snapshot{q: cp.SQL(), dialect: db.SQLite, close: cp.Close}, nil
}

// migrations reads the schema versions applied in the snapshot.
func (s *snapshot) migrations(ctx context.Context) ([]string, error) {
	v, err := strings1(ctx, s.q, "SELECT version FROM "+schemaTable+" ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("backup: read %s: %w", schemaTable, err)
	}
	return v, nil
}

// export writes every table of the snapshot to dir/db/NNN_<table>.jsonl and
// returns their descriptions, in load order.
func (s *snapshot) export(ctx context.Context, dir string) ([]Table, error) {
	infos, err := readSchema(ctx, s.q, s.dialect)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o700); err != nil {
		return nil, err
	}
	out := make([]Table, 0, len(infos))
	for i, t := range infos {
		tab := Table{Name: t.Name, File: fmt.Sprintf("%s%03d_%s.jsonl", dbDir, i+1, t.Name), Columns: t.Columns}
		n, err := s.exportTable(ctx, t, filepath.Join(dir, filepath.FromSlash(tab.File)))
		if err != nil {
			return nil, fmt.Errorf("backup: table %s: %w", t.Name, err)
		}
		tab.Rows = n
		out = append(out, tab)
	}
	return out, nil
}

// exportTable writes one table's rows, one JSON array per line, in primary
// key order (so two archives of the same data are the same).
func (s *snapshot) exportTable(ctx context.Context, t tableInfo, path string) (int64, error) {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = quote(c.Name)
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + quote(t.Name)
	if len(t.PK) > 0 {
		pk := make([]string, len(t.PK))
		for i, c := range t.PK {
			pk[i] = quote(c)
		}
		q += " ORDER BY " + strings.Join(pk, ", ")
	} else if s.dialect == db.SQLite {
		q += " ORDER BY rowid"
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 256<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	rows, err := s.q.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	row := make([]any, len(cols))
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range t.Columns {
			v, err := encodeValue(c.Type, vals[i])
			if err != nil {
				return n, fmt.Errorf("column %s: %w", c.Name, err)
			}
			row[i] = v
		}
		if err := enc.Encode(row); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := w.Flush(); err != nil {
		return n, err
	}
	return n, f.Close()
}
