package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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
	return &engine{d: d, b: b, stmts: map[string]*sql.Stmt{}}
}

// backend is what differs between the two engines.
type backend interface {
	// insertItem stores one object's row and its analysed text (title
	// tokens; the tokens of all its parts) and returns the row id.
	insertItem(ctx context.Context, q db.Querier, args []any, titleToks, bodyToks string) (int64, error)
	// matches returns the common table expression "m" (name included):
	// one row per item of search_items matching pq and cond, a condition
	// on the alias "si" with the arguments condArgs; its arguments follow.
	matches(pq parsedQuery, cond string, condArgs []any) (string, []any)
	// ranked returns the expressions after m that end with "top": the
	// hits of the page [offset, offset+limit), with the columns id, score,
	// total (the number of rows of m) and ord (ascending best first).
	ranked(pq parsedQuery, limit, offset int) (string, []any)
	// settings are SET LOCAL statements run before a search, in its own
	// read-only transaction; none: the search runs on the pool.
	settings() []string
	// check verifies the engine's objects are usable.
	check(ctx context.Context, q db.Querier) error
}

type engine struct {
	d     *db.DB
	b     backend
	mu    sync.Mutex
	stmts map[string]*sql.Stmt // prepared search statements, by SQL text
}

// maxStmts bounds the prepared-statement cache. Search statements differ
// only by the filters used and the number of the searcher's groups, so a
// site has a few dozen; past the bound, statements are simply not cached.
const maxStmts = 256

// query runs a read-only search statement through the cache: parsing the
// statement costs as much as running it for a selective query.
func (e *engine) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	e.mu.Lock()
	st, ok := e.stmts[q]
	e.mu.Unlock()
	if !ok {
		var err error
		st, err = e.d.SQL().PrepareContext(ctx, e.d.Rebind(q))
		if err != nil {
			return nil, err
		}
		e.mu.Lock()
		if old, dup := e.stmts[q]; dup {
			st.Close()
			st = old
		} else if len(e.stmts) < maxStmts {
			e.stmts[q] = st
		} else {
			defer st.Close()
		}
		e.mu.Unlock()
	}
	return st.QueryContext(ctx, args...)
}

// ErrBadDoc is returned by Replace for parts that do not belong to the
// object being replaced, carry no access node, or repeat a part number.
var ErrBadDoc = errors.New("search: document does not match its object")

// Replace sets every part of one object (kind, id), removing older parts.
// Run it in the transaction that publishes the object so the index never
// disagrees with the data. Docs must all carry kind and id and distinct
// parts; the object's title, URL, date, folder, label and access node are
// taken from its first part (lowest Part). No docs: the object is removed.
func (e *engine) Replace(ctx context.Context, q db.Querier, kind string, id int64, docs []Doc) error {
	if err := e.Delete(ctx, q, kind, id); err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	docs = slices.Clone(docs)
	slices.SortFunc(docs, func(a, b Doc) int { return a.Part - b.Part })
	for i, doc := range docs {
		if doc.Kind != kind || doc.ID != id || doc.ACLKind == "" || (i > 0 && doc.Part == docs[i-1].Part) {
			return fmt.Errorf("%w: %s %d part %d", ErrBadDoc, doc.Kind, doc.ID, doc.Part)
		}
	}
	parts := make([]string, len(docs))
	for i, doc := range docs {
		parts[i] = analyzed(doc.Body)
	}
	first := docs[0]
	titleToks := analyzed(first.Title)
	itemID, err := e.b.insertItem(ctx, q, itemArgs(first), titleToks, strings.Join(parts, " "))
	if err != nil {
		return fmt.Errorf("search: index %s %d: %w", kind, id, err)
	}
	if err := addTerms(ctx, q, bodies(first.Title, docs)...); err != nil {
		return fmt.Errorf("search: index %s %d: %w", kind, id, err)
	}
	for i, doc := range docs {
		if _, err := q.Exec(ctx, "INSERT INTO search_parts (item_id, part, tokens, body) VALUES (?, ?, ?, ?)",
			itemID, doc.Part, parts[i], doc.Body); err != nil {
			return fmt.Errorf("search: index %s %d part %d: %w", kind, id, doc.Part, err)
		}
	}
	return nil
}

// bodies returns the title and the texts of docs.
func bodies(title string, docs []Doc) []string {
	out := []string{title}
	for _, d := range docs {
		out = append(out, d.Body)
	}
	return out
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
const itemColumns = "kind, object_id, acl_kind, acl_id, date, folder_id, url, extra, title, visible_from, visible_until"

func itemArgs(doc Doc) []any {
	var date, folder any
	if !doc.Date.IsZero() {
		date = doc.Date.UTC()
	}
	if doc.FolderID != 0 {
		folder = doc.FolderID
	}
	return []any{doc.Kind, doc.ID, string(doc.ACLKind), doc.ACLID, date, folder, doc.URL, doc.Extra, doc.Title,
		nullTime(doc.VisibleFrom), nullTime(doc.VisibleUntil)}
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// Default and maximum page sizes.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Search returns the hits p may see, best first: one hit per object, with,
// for a document, its best page (Part) and a snippet of it. The access
// filter is inside the SQL, so hits, the total and snippets only ever come
// from objects p may view. Every word must occur in the object (a document's
// words may be on different pages); a phrase must be consecutive. An empty
// query (or one with only exclusions) returns no hit and no error; so does
// any input: the query text never reaches the engines' own syntax.
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

	res, itemIDs, err := e.find(ctx, p, q, pq, limit, offset)
	if err != nil {
		return Result{}, err
	}
	res.Cut = pq.cut
	if len(res.Hits) == 0 {
		if res.Total == 0 {
			res.Suggestion, err = e.suggest(ctx, p, q)
		}
		return res, err
	}
	if err := e.snippets(ctx, pq, itemIDs, res.Hits); err != nil {
		return Result{}, err
	}
	return res, nil
}

// find runs the search statement: a page of hits (without snippets), their
// search_items ids and the total.
func (e *engine) find(ctx context.Context, p access.Principal, q Query, pq parsedQuery, limit, offset int) (Result, []int64, error) {
	with, args, cond, condArgs := e.build(p, q)
	m, mArgs := e.b.matches(pq, cond, condArgs)
	top, topArgs := e.b.ranked(pq, limit, offset)
	if with == "" {
		with = "WITH "
	} else {
		with += ",\n"
	}
	with += m
	args = append(args, mArgs...)
	var res Result
	var itemIDs []int64
	err := e.read(ctx, with+",\n"+top+`
SELECT si.id, si.kind, si.object_id, si.title, si.url, si.date, si.folder_id, si.extra, top.score, top.total
FROM top JOIN search_items si ON si.id = top.id
ORDER BY top.ord`, append(slices.Clip(args), topArgs...), func(rows *sql.Rows) error {
		var h Hit
		var itemID int64
		var date sql.NullTime
		var folder sql.NullInt64
		if err := rows.Scan(&itemID, &h.Kind, &h.ID, &h.Title, &h.URL, &date, &folder, &h.Extra, &h.Rank, &res.Total); err != nil {
			return err
		}
		if date.Valid {
			h.Date = date.Time.UTC()
		}
		h.FolderID = folder.Int64
		res.Hits = append(res.Hits, h)
		itemIDs = append(itemIDs, itemID)
		return nil
	})
	if err != nil {
		return Result{}, nil, fmt.Errorf("search: query: %w", err)
	}
	if len(res.Hits) == 0 && offset > 0 {
		// Past the last page: the window count had no row to ride on.
		err := e.read(ctx, with+"\nSELECT COUNT(*) FROM m", args, func(rows *sql.Rows) error {
			return rows.Scan(&res.Total)
		})
		if err != nil {
			return Result{}, nil, fmt.Errorf("search: count: %w", err)
		}
	}
	return res, itemIDs, nil
}

// snippets picks the best part of each hit (most query clauses, then most
// occurrences, then the first) from the stored token streams, in Go so both
// engines choose alike, then cuts the snippet from that part's text.
func (e *engine) snippets(ctx context.Context, pq parsedQuery, itemIDs []int64, hits []Hit) error {
	args := make([]any, len(itemIDs))
	at := make(map[int64]int, len(itemIDs))
	for i, id := range itemIDs {
		args[i] = id
		at[id] = i
	}
	type best struct{ part, clauses, count int }
	bests := make([]best, len(hits))
	for i := range bests {
		bests[i].clauses = -1
	}
	rows, err := e.query(ctx, "SELECT item_id, part, tokens FROM search_parts WHERE item_id IN ("+db.In(len(args))+")", args...)
	if err != nil {
		return fmt.Errorf("search: parts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var part int
		var tokens string
		if err := rows.Scan(&id, &part, &tokens); err != nil {
			return fmt.Errorf("search: parts: %w", err)
		}
		i := at[id]
		clauses, count := pq.score(strings.Fields(tokens))
		b := bests[i]
		if clauses > b.clauses || (clauses == b.clauses && (count > b.count || (count == b.count && part < b.part))) {
			bests[i] = best{part, clauses, count}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: parts: %w", err)
	}
	rows.Close()
	var cond []string
	args = args[:0]
	for i, id := range itemIDs {
		hits[i].Part = bests[i].part
		cond = append(cond, "(item_id = ? AND part = ?)")
		args = append(args, id, bests[i].part)
	}
	rows, err = e.query(ctx, "SELECT item_id, body FROM search_parts WHERE "+strings.Join(cond, " OR "), args...)
	if err != nil {
		return fmt.Errorf("search: bodies: %w", err)
	}
	defer rows.Close()
	terms := pq.terms()
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return fmt.Errorf("search: bodies: %w", err)
		}
		hits[at[id]].Snippet = snippet(body, terms)
	}
	return rows.Err()
}

// build returns the parts of the search statement every engine shares: the
// WITH clause (the folder subtree, the access nodes p may view) and its
// arguments, and the condition on search_items "si" (access, folder, kinds,
// dates) and its arguments.
func (e *engine) build(p access.Principal, q Query) (with string, withArgs []any, cond string, condArgs []any) {
	var w strings.Builder
	conds := []string{"1=1"}
	if q.FolderID != 0 {
		// The folder and its sub-folders, from the access tree (which every
		// folder has a node in).
		w.WriteString(`WITH RECURSIVE sub(id) AS (
	SELECT CAST(? AS BIGINT)
	UNION
	SELECT n.id FROM acl_nodes n JOIN sub ON n.parent_id = sub.id WHERE n.kind = ?
)`)
		withArgs = append(withArgs, q.FolderID, string(access.Folder))
		conds = append(conds, "si.folder_id IN (SELECT id FROM sub)")
	}
	if !p.Admin {
		// THE access rule (access.FilterExpr), applied once to the access
		// nodes rather than once per matching row: the objects p may view
		// are those whose node is in vis. Same rule, same SQL fragment;
		// a correlated EXISTS per row costs 4x more on broad queries.
		f, fArgs := p.FilterExpr("n.kind", "n.id", access.View)
		if w.Len() == 0 {
			w.WriteString("WITH ")
		} else {
			w.WriteString(",\n")
		}
		w.WriteString("vis(kind, id) AS (SELECT n.kind, n.id FROM acl_nodes n WHERE " + f + ")")
		withArgs = append(withArgs, fArgs...)
		conds = append(conds, "(si.acl_kind, si.acl_id) IN (SELECT kind, id FROM vis)")
	}
	// Scheduled publication: the same window for everyone.
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	conds = append(conds, "(si.visible_from IS NULL OR si.visible_from <= ?) AND (si.visible_until IS NULL OR si.visible_until > ?)")
	condArgs = append(condArgs, now.UTC(), now.UTC())
	if len(q.Kinds) > 0 {
		conds = append(conds, "si.kind IN ("+db.In(len(q.Kinds))+")")
		for _, k := range q.Kinds {
			condArgs = append(condArgs, k)
		}
	}
	if !q.From.IsZero() {
		conds = append(conds, "si.date >= ?")
		condArgs = append(condArgs, dayStart(q.From))
	}
	if !q.To.IsZero() {
		conds = append(conds, "si.date < ?")
		condArgs = append(condArgs, dayStart(q.To).AddDate(0, 0, 1))
	}
	return w.String(), withArgs, strings.Join(conds, " AND "), condArgs
}

// read runs one read-only search statement and calls scan for each row: on
// the statement cache, or, when the backend has planner settings, in a
// read-only transaction that applies them first.
func (e *engine) read(ctx context.Context, q string, args []any, scan func(*sql.Rows) error) error {
	var rows *sql.Rows
	var err error
	if settings := e.b.settings(); len(settings) == 0 {
		rows, err = e.query(ctx, q, args...)
	} else {
		var tx *sql.Tx
		tx, err = e.d.SQL().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
		for _, s := range settings {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		rows, err = tx.QueryContext(ctx, e.d.Rebind(q), args...)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
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
