package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// New returns the index of d: FTS5 on SQLite, a tsvector on PostgreSQL. Both
// index the same Go-analysed token stream (see Analyze) and share the query
// builder, the permission filter and the snippet builder; only the few lines
// of SQL that differ live in fts5.go and tsvector.go.
func New(d *db.DB) Index {
	var b backend = fts5Backend{}
	if d.Dialect() == db.Postgres {
		b = tsvectorBackend{}
	}
	return &engine{d: d, b: b}
}

// backend is what differs between the two engines.
type backend interface {
	// insertTokens stores the analysed title and body of item id.
	insert(ctx context.Context, q db.Querier, doc Doc, titleToks, bodyToks string) error
	// match returns the FROM clause, the WHERE condition and the score
	// expression (higher is better) of a query, with the arguments of FROM
	// and of WHERE in that order.
	match(pq parsedQuery) (from string, fromArgs []any, where string, whereArgs []any, score string)
	// check verifies the engine's objects are usable.
	check(ctx context.Context, q db.Querier) error
}

type engine struct {
	d *db.DB
	b backend
}

// Errors returned for documents that cannot be indexed.
var (
	ErrBadDoc = errors.New("search: document does not match its object")
)

// Replace sets every part of one object (kind, id), removing older parts.
// Run it in the transaction that publishes the object so the index never
// disagrees with the data. Docs must all carry kind and id and distinct parts.
func (e *engine) Replace(ctx context.Context, q db.Querier, kind string, id int64, docs []Doc) error {
	if err := e.Delete(ctx, q, kind, id); err != nil {
		return err
	}
	for _, doc := range docs {
		if doc.Kind != kind || doc.ID != id || doc.ACLKind == "" {
			return fmt.Errorf("%w: %s %d part %d", ErrBadDoc, doc.Kind, doc.ID, doc.Part)
		}
		if err := e.b.insert(ctx, q, doc, analyzed(doc.Title), analyzed(doc.Body)); err != nil {
			return fmt.Errorf("search: index %s %d part %d: %w", kind, id, doc.Part, err)
		}
	}
	return nil
}

// Delete removes every part of one object. Deleting what is not indexed is
// not an error.
func (e *engine) Delete(ctx context.Context, q db.Querier, kind string, id int64) error {
	if _, err := q.Exec(ctx, "DELETE FROM search_items WHERE kind = ? AND object_id = ?", kind, id); err != nil {
		return fmt.Errorf("search: delete %s %d: %w", kind, id, err)
	}
	return nil
}

// itemColumns are the columns of search_items common to both engines, in
// the order of itemArgs.
const itemColumns = "kind, object_id, part, acl_kind, acl_id, title, body, url, date, folder_id, extra"

func itemArgs(doc Doc) []any {
	var date, folder any
	if !doc.Date.IsZero() {
		date = doc.Date.UTC()
	}
	if doc.FolderID != 0 {
		folder = doc.FolderID
	}
	return []any{doc.Kind, doc.ID, doc.Part, string(doc.ACLKind), doc.ACLID, doc.Title, doc.Body, doc.URL, date, folder, doc.Extra}
}

// Default and maximum page sizes.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Search returns the hits p may see, best first: one hit per object (the
// best part of a document, with its page number and snippet). The access
// filter is inside the SQL, so hits, the total and snippets only ever come
// from objects p may view. An empty query (or one with only exclusions)
// returns no hit and no error; so does any input: the query text never
// reaches the engines' own syntax.
func (e *engine) Search(ctx context.Context, p access.Principal, q Query) (Result, error) {
	pq := parseQuery(q.Text)
	if pq.empty() {
		return Result{}, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset := max(q.Offset, 0)

	body, args := e.query(p, q, pq)
	rows, err := e.d.Query(ctx, body+`
SELECT si.kind, si.object_id, si.part, si.title, si.body, si.url, si.date, si.folder_id, si.extra, b.score, COUNT(*) OVER () AS total
FROM b JOIN search_items si ON si.id = b.id
WHERE b.rn = 1
ORDER BY b.score DESC, si.id
LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return Result{}, fmt.Errorf("search: query: %w", err)
	}
	defer rows.Close()
	terms := pq.terms()
	var res Result
	for rows.Next() {
		var h Hit
		var text string
		var date sql.NullTime
		var folder sql.NullInt64
		if err := rows.Scan(&h.Kind, &h.ID, &h.Part, &h.Title, &text, &h.URL, &date, &folder, &h.Extra, &h.Rank, &res.Total); err != nil {
			return Result{}, fmt.Errorf("search: scan: %w", err)
		}
		if date.Valid {
			h.Date = date.Time.UTC()
		}
		h.FolderID = folder.Int64
		h.Snippet = snippet(text, terms)
		res.Hits = append(res.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return Result{}, fmt.Errorf("search: rows: %w", err)
	}
	if len(res.Hits) == 0 && offset > 0 {
		// Past the last page: the window count had no row to ride on.
		if err := e.d.QueryRow(ctx, body+"\nSELECT COUNT(*) FROM b WHERE b.rn = 1", args...).Scan(&res.Total); err != nil {
			return Result{}, fmt.Errorf("search: count: %w", err)
		}
	}
	return res, nil
}

// query builds the common CTEs: m (matching, visible, filtered parts with
// their score) and b (parts ranked within their object).
func (e *engine) query(p access.Principal, q Query, pq parsedQuery) (string, []any) {
	from, fromArgs, match, matchArgs, score := e.b.match(pq)
	var sb strings.Builder
	var args []any
	var conds []string
	if q.FolderID != 0 {
		// The folder and its sub-folders, from the access tree (which every
		// folder has a node in).
		sb.WriteString(`WITH RECURSIVE sub(id) AS (
	SELECT CAST(? AS BIGINT)
	UNION
	SELECT n.id FROM acl_nodes n JOIN sub ON n.parent_id = sub.id WHERE n.kind = ?
), `)
		args = append(args, q.FolderID, string(access.Folder))
		conds = append(conds, "si.folder_id IN (SELECT id FROM sub)")
	} else {
		sb.WriteString("WITH ")
	}
	acl, aclArgs := p.FilterExpr("si.acl_kind", "si.acl_id", access.View)
	sb.WriteString("m AS (\n\tSELECT si.id, si.kind, si.object_id, ")
	sb.WriteString(score)
	sb.WriteString(" AS score\n\tFROM ")
	sb.WriteString(from)
	sb.WriteString("\n\tWHERE ")
	sb.WriteString(match)
	sb.WriteString(" AND ")
	sb.WriteString(acl)
	args = append(args, fromArgs...)
	args = append(args, matchArgs...)
	args = append(args, aclArgs...)
	if len(q.Kinds) > 0 {
		conds = append(conds, "si.kind IN ("+db.In(len(q.Kinds))+")")
	}
	for _, c := range conds {
		sb.WriteString(" AND ")
		sb.WriteString(c)
	}
	for _, k := range q.Kinds {
		args = append(args, k)
	}
	if !q.From.IsZero() {
		sb.WriteString(" AND si.date >= ?")
		args = append(args, dayStart(q.From))
	}
	if !q.To.IsZero() {
		sb.WriteString(" AND si.date < ?")
		args = append(args, dayStart(q.To).AddDate(0, 0, 1))
	}
	sb.WriteString(`
), b AS (
	SELECT id, score, ROW_NUMBER() OVER (PARTITION BY kind, object_id ORDER BY score DESC, id) AS rn FROM m
)`)
	return sb.String(), args
}

// dayStart is midnight of t's day in t's own location, in UTC: From and To
// are inclusive by calendar day in the zone the caller parsed them in
// (Europe/Paris for the site's forms).
func dayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location()).UTC()
}

// Check verifies at start-up that the index is usable: on SQLite, that FTS5
// is compiled in and the index table answers; on PostgreSQL, that the
// tsvector table and the text search configuration answer.
func Check(ctx context.Context, d *db.DB) error {
	e := New(d).(*engine)
	return e.b.check(ctx, d)
}
