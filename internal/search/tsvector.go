package search

import (
	"context"
	"fmt"

	"portique/internal/db"
)

// tsvectorBackend is the PostgreSQL engine: search_items.tsv, a GIN-indexed
// tsvector of the Go-analysed tokens (title weight A, body weight D), read
// with to_tsquery('simple', …) of the Go-parsed query. The 'simple'
// configuration only lower-cases and splits: accent folding, ligatures and
// French stemming were done in Go, identically for SQLite, so PostgreSQL
// needs neither the unaccent extension nor the french dictionary.
type tsvectorBackend struct{}

func (tsvectorBackend) insertItem(ctx context.Context, q db.Querier, args []any, titleToks, bodyToks string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "INSERT INTO search_items ("+itemColumns+`, tsv) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,
		setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'D')) RETURNING id`,
		append(args, titleToks, bodyToks)...).Scan(&id)
	return id, err
}

// match ranks with ts_rank, weights {D, C, B, A} = {0.2, 0.2, 0.2, 1.0}
// (a title match weighs five times a body match, as on SQLite) and
// normalisation 1 (divide by 1 + log(length)), close to bm25's length
// normalisation. The match runs in a sub-query fenced with OFFSET 0 so the
// planner always starts from the GIN index: left to itself, with small
// access tables, it may start from the visible folders and test every
// document's tsvector instead (measured 10x slower).
func (tsvectorBackend) match(pq parsedQuery) (string, []any, string, []any, string) {
	tq := pq.tsquery()
	return `(SELECT s.*, to_tsquery('simple', ?) AS q FROM search_items s
		WHERE s.tsv @@ to_tsquery('simple', ?) OFFSET 0) si`, []any{tq, tq},
		"TRUE", nil,
		"ts_rank('{0.2, 0.2, 0.2, 1.0}', si.tsv, si.q, 1)"
}

func (tsvectorBackend) check(ctx context.Context, q db.Querier) error {
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM search_items WHERE tsv @@ to_tsquery('simple', 'portique')").Scan(&n); err != nil {
		return fmt.Errorf("search: tsvector index: %w", err)
	}
	return nil
}
