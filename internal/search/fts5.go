package search

import (
	"context"
	"fmt"
	"strings"

	"portique/internal/db"
)

// fts5Backend is the SQLite engine: a contentless FTS5 table (search_fts)
// whose rowid is search_items.id. bm25 weighs the title column five times
// the body, and an item whose title holds every word of the query comes
// before those that do not (titleBoost): bm25 alone let a long study titled
// with the query's words sink below short notes that merely mention them.
type fts5Backend struct{}

// titleBoost is added to the score of an item whose title holds every word
// of the query, on both engines: more than any bm25 or ts_rank score.
const titleBoost = 1000.0

func (fts5Backend) insertItem(ctx context.Context, q db.Querier, args []any, titleToks, bodyToks string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "INSERT INTO search_items ("+itemColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		args...).Scan(&id)
	if err != nil {
		return 0, err
	}
	_, err = q.Exec(ctx, "INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)", id, titleToks, bodyToks)
	return id, err
}

func (fts5Backend) matches(pq parsedQuery, cond string, condArgs []any) (string, []any) {
	return `m AS (
	SELECT si.id, -bm25(search_fts, 5.0, 1.0)
		+ CASE WHEN si.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?) THEN ` + fmt.Sprint(titleBoost) + ` ELSE 0 END AS score
	FROM search_fts JOIN search_items si ON si.id = search_fts.rowid
	WHERE search_fts MATCH ? AND ` + cond + `
)`, append([]any{pq.fts5Title(), pq.fts5()}, condArgs...)
}

// ranked orders every match by bm25. The score is computed in m and the
// window functions here: FTS5's bm25 cannot be called in a query that also
// has a window function.
func (fts5Backend) ranked(_ parsedQuery, limit, offset int) (string, []any) {
	return `top AS (
	SELECT id, score, COUNT(*) OVER () AS total, ROW_NUMBER() OVER (ORDER BY score DESC, id) AS ord
	FROM m ORDER BY score DESC, id LIMIT ? OFFSET ?
)`, []any{limit, offset}
}

func (fts5Backend) settings() []string { return nil }

// check asserts FTS5 is compiled into this SQLite (modernc.org/sqlite has
// it) and that the index answers a query.
func (fts5Backend) check(ctx context.Context, q db.Querier) error {
	rows, err := q.Query(ctx, "PRAGMA compile_options")
	if err != nil {
		return fmt.Errorf("search: sqlite compile options: %w", err)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var opt string
		if err := rows.Scan(&opt); err != nil {
			return err
		}
		if strings.EqualFold(opt, "ENABLE_FTS5") {
			found = true
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("search: this SQLite build has no FTS5")
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH '"portique"'`).Scan(&n); err != nil {
		return fmt.Errorf("search: fts5 index: %w", err)
	}
	return nil
}
