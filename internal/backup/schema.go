package backup

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"portique/internal/db"
)

// Derived are the name prefixes of tables an archive leaves out because
// they are rebuilt from the others: the search index (FTS5 on SQLite,
// tsvector on PostgreSQL, engine-specific by nature), which a restore
// rebuilds with the same code as `portique reindex`. A new derived table
// whose name does not start with one of these is one line here. Also
// derived: SQLite's event_ids (the highest event id ever given, which
// PostgreSQL's identity keeps by itself); after a restore the calendar
// store takes the highest id present when the mark is behind.
var Derived = []string{
	"search_",   // internal/search: items, parts, vectors, terms, FTS5 tables
	"event_ids", // internal/calendar on SQLite (migration 0251)
}

// schemaTable is where the migrations record themselves; its versions go to
// the manifest, not to a table file (a restore runs the migrations itself).
const schemaTable = "schema_migrations"

// querier is what a snapshot reads through: a transaction (PostgreSQL), a
// copy of the database (SQLite) or the pool.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// tableInfo is a table as the catalogue describes it.
type tableInfo struct {
	Name    string
	Columns []Column // archived columns, in the table's order
	PK      []string // primary key columns, in key order
	// Refs are the other tables its foreign keys point to.
	Refs []string
	// Parent is the column of a one-column foreign key to the table's own
	// one-column primary key (pages.parent_id → pages.id), when there is
	// one: rows are loaded parents first.
	Parent string
	// Identity are the columns a sequence fills (PostgreSQL identity or
	// serial columns), reset after a restore.
	Identity []string
}

func derived(name string) bool {
	for _, p := range Derived {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// quote quotes an identifier for both engines.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// strings1 runs a query returning one text column.
func strings1(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// readSchema lists the tables an archive holds (every base table but the
// derived ones and schema_migrations), with their columns, keys and
// foreign keys, in an order where a table comes after those it refers to.
func readSchema(ctx context.Context, q querier, d db.Dialect) ([]tableInfo, error) {
	var names []string
	var err error
	if d == db.Postgres {
		names, err = strings1(ctx, q, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	} else {
		// pragma_table_list tells ordinary tables from virtual ones (FTS5)
		// and their shadow tables.
		names, err = strings1(ctx, q, `SELECT name FROM pragma_table_list
			WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	}
	if err != nil {
		return nil, fmt.Errorf("backup: list tables: %w", err)
	}
	var tables []tableInfo
	for _, n := range names {
		if n == schemaTable || derived(n) {
			continue
		}
		var t tableInfo
		if d == db.Postgres {
			t, err = postgresTable(ctx, q, n)
		} else {
			t, err = sqliteTable(ctx, q, n)
		}
		if err != nil {
			return nil, fmt.Errorf("backup: table %s: %w", n, err)
		}
		tables = append(tables, t)
	}
	return orderTables(tables), nil
}

func sqliteTable(ctx context.Context, q querier, name string) (tableInfo, error) {
	t := tableInfo{Name: name}
	rows, err := q.QueryContext(ctx, `SELECT name, type, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`, name)
	if err != nil {
		return t, err
	}
	type pkCol struct {
		name string
		pos  int
	}
	var pks []pkCol
	for rows.Next() {
		var col, typ string
		var pk, hidden int
		if err := rows.Scan(&col, &typ, &pk, &hidden); err != nil {
			rows.Close()
			return t, err
		}
		if hidden != 0 { // generated columns are computed again
			continue
		}
		t.Columns = append(t.Columns, Column{Name: col, Type: sqliteType(typ)})
		if pk > 0 {
			pks = append(pks, pkCol{col, pk})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t, err
	}
	sort.Slice(pks, func(i, j int) bool { return pks[i].pos < pks[j].pos })
	for _, p := range pks {
		t.PK = append(t.PK, p.name)
	}
	rows, err = q.QueryContext(ctx, `SELECT id, "table", "from", COALESCE("to", '') FROM pragma_foreign_key_list(?) ORDER BY id, seq`, name)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	type fk struct {
		table, from, to string
		cols            int
	}
	fks := map[int]*fk{}
	var order []int
	for rows.Next() {
		var id int
		var ref, from, to string
		if err := rows.Scan(&id, &ref, &from, &to); err != nil {
			return t, err
		}
		if f, ok := fks[id]; ok {
			f.cols++
			continue
		}
		fks[id] = &fk{ref, from, to, 1}
		order = append(order, id)
	}
	if err := rows.Err(); err != nil {
		return t, err
	}
	for _, id := range order {
		f := fks[id]
		t.addRef(f.table, f.from, f.to, f.cols)
	}
	return t, nil
}

// addRef records a foreign key of cols columns from column from to
// table.to ("" for the referenced table's primary key).
func (t *tableInfo) addRef(table, from, to string, cols int) {
	if table != t.Name {
		for _, r := range t.Refs {
			if r == table {
				return
			}
		}
		t.Refs = append(t.Refs, table)
		return
	}
	if cols == 1 && len(t.PK) == 1 && (to == "" || to == t.PK[0]) {
		t.Parent = from
	}
}

// sqliteType maps a declared SQLite type to a portable one, following
// SQLite's own affinity rules plus the names the migrations use for
// booleans and times.
func sqliteType(decl string) string {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "BOOL"):
		return typeBoolean
	case strings.Contains(d, "DATE") || strings.Contains(d, "TIME"):
		return typeTimestamp
	case strings.Contains(d, "INT"):
		return typeInteger
	case strings.Contains(d, "CHAR") || strings.Contains(d, "CLOB") || strings.Contains(d, "TEXT"):
		return typeText
	case d == "" || strings.Contains(d, "BLOB"):
		return typeBlob
	default:
		return typeReal
	}
}

func postgresTable(ctx context.Context, q querier, name string) (tableInfo, error) {
	t := tableInfo{Name: name}
	rows, err := q.QueryContext(ctx, `SELECT column_name, data_type, is_identity, is_generated, COALESCE(column_default, '')
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, name)
	if err != nil {
		return t, err
	}
	for rows.Next() {
		var col, typ, identity, generated, def string
		if err := rows.Scan(&col, &typ, &identity, &generated, &def); err != nil {
			rows.Close()
			return t, err
		}
		if generated == "ALWAYS" {
			continue
		}
		pt, ok := postgresType(typ)
		if !ok {
			rows.Close()
			return t, fmt.Errorf("column %s: type %s has no portable form", col, typ)
		}
		if pt == "" { // tsvector: derived, rebuilt by the index
			continue
		}
		t.Columns = append(t.Columns, Column{Name: col, Type: pt})
		if identity == "YES" || strings.HasPrefix(def, "nextval(") {
			t.Identity = append(t.Identity, col)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t, err
	}
	t.PK, err = strings1(ctx, q, `SELECT a.attname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indisprimary AND n.nspname = current_schema() AND c.relname = $1
		ORDER BY array_position(i.indkey, a.attnum)`, name)
	if err != nil {
		return t, err
	}
	rows, err = q.QueryContext(ctx, `SELECT cf.relname, a.attname, af.attname, array_length(c.conkey, 1)
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		JOIN pg_class cf ON cf.oid = c.confrelid
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
		WHERE c.contype = 'f' AND n.nspname = current_schema() AND cl.relname = $1
		ORDER BY c.conname`, name)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var ref, from, to string
		var cols int
		if err := rows.Scan(&ref, &from, &to, &cols); err != nil {
			return t, err
		}
		t.addRef(ref, from, to, cols)
	}
	return t, rows.Err()
}

// postgresType maps information_schema's data_type to a portable type; ""
// with ok means the column is derived (a text-search vector) and left out.
func postgresType(dataType string) (typ string, ok bool) {
	switch dataType {
	case "smallint", "integer", "bigint":
		return typeInteger, true
	case "real", "double precision", "numeric":
		return typeReal, true
	case "text", "character varying", "character", "json", "jsonb", "uuid":
		return typeText, true
	case "boolean":
		return typeBoolean, true
	case "timestamp with time zone", "timestamp without time zone", "date":
		return typeTimestamp, true
	case "bytea":
		return typeBlob, true
	case "tsvector", "tsquery":
		return "", true
	}
	return "", false
}

// orderTables sorts tables so that each comes after the tables its foreign
// keys refer to (by name among equals, so archives are stable). Tables in a
// cycle, which the schema does not have, keep name order at the end.
func orderTables(tables []tableInfo) []tableInfo {
	byName := map[string]tableInfo{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	done := map[string]bool{}
	var out []tableInfo
	for len(out) < len(tables) {
		progress := false
		for _, t := range tables {
			if done[t.Name] {
				continue
			}
			ready := true
			for _, r := range t.Refs {
				if _, known := byName[r]; known && !done[r] {
					ready = false
					break
				}
			}
			if ready {
				done[t.Name] = true
				out = append(out, t)
				progress = true
			}
		}
		if !progress {
			for _, t := range tables {
				if !done[t.Name] {
					done[t.Name] = true
					out = append(out, t)
				}
			}
		}
	}
	return out
}
