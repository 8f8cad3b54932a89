package search

import (
	"context"
	"fmt"

	"portique/internal/db"
)

// tsvectorBackend is the PostgreSQL engine, read with to_tsquery('simple', …)
// of the Go-parsed query. The 'simple' configuration only lower-cases and
// splits: accent folding, ligatures and French stemming were done in Go,
// identically for SQLite, so PostgreSQL needs neither the unaccent extension
// nor the french dictionary.
//
// Each item has two vectors (migration 0402): search_items.words, every
// lexeme without positions, GIN-indexed and stored out of line so the
// table's rows stay narrow; and search_vectors.tsv, the full vector (title
// weight A, body D) in its own row. A search
//
//  1. takes the items whose words match the query without positions from
//     the GIN index: exact, so no vector is read, and a word found in every
//     document is counted from the index and the narrow rows alone;
//  2. keeps those p may view (and, for a phrase, whose full vector has the
//     words in a row);
//  3. ranks with ts_rank over the full vectors, by tiers of rankTier
//     candidates: the candidates are first ordered by a cheap signal (every
//     query word in the title, then newest first) and ts_rank (plus titleBoost for a title
//     match) orders each tier of rankTier. When a query matches rankTier items or fewer (most
//     queries) that is plain ts_rank order; for a broad word it bounds the
//     vectors read per page to rankTier instead of every match (measured:
//     4,000 vectors took 20 to 40 ms), and pages stay consistent: the order
//     is (tier, score, id) whatever the page.
//
// The GIN path is forced with enable_seqscan = off (SET LOCAL in the
// search's read-only transaction): the planner does not count reading
// out-of-line values, so for a frequent word it would prefer scanning the
// narrow table and testing every item's detoasted vector, ten times slower.
type tsvectorBackend struct{}

// rankTier is the number of candidates ts_rank orders at a time.
const rankTier = 200

func (tsvectorBackend) insertItem(ctx context.Context, q db.Querier, args []any, titleToks, bodyToks string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "INSERT INTO search_items ("+itemColumns+`, title_words, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		strip(to_tsvector('simple', ?)), strip(to_tsvector('simple', ?) || to_tsvector('simple', ?))) RETURNING id`,
		append(args, titleToks, titleToks, bodyToks)...).Scan(&id)
	if err != nil {
		return 0, err
	}
	_, err = q.Exec(ctx, `INSERT INTO search_vectors (item_id, tsv) VALUES (?,
		setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'D'))`, id, titleToks, bodyToks)
	return id, err
}

// matches is steps 1 and 2. The GIN match runs in a sub-query fenced with
// OFFSET 0 so the planner always starts from it: left to itself, with small
// access tables, it may start from the visible folders and test every
// document's vector instead. m is materialised, narrow, for the window
// functions of ranked.
func (tsvectorBackend) matches(pq parsedQuery, cond string, condArgs []any) (string, []any) {
	s := `m AS MATERIALIZED (
	SELECT si.id, si.date, si.title_words @@ to_tsquery('simple', ?) AS in_title
	FROM (SELECT s.id, s.kind, s.acl_kind, s.acl_id, s.date, s.folder_id, s.title_words, s.visible_from, s.visible_until FROM search_items s
		WHERE s.words @@ to_tsquery('simple', ?) OFFSET 0) si
	WHERE ` + cond
	args := append([]any{pq.titleTSQuery(), pq.plainTSQuery()}, condArgs...)
	if pq.hasPhrase() {
		s += "\n\t\tAND EXISTS (SELECT 1 FROM search_vectors v WHERE v.item_id = si.id AND v.tsv @@ to_tsquery('simple', ?))"
		args = append(args, pq.tsquery())
	}
	return s + "\n)", args
}

// ranked is step 3: ts_rank with weights {D, C, B, A} = {0.2, 0.2, 0.2, 1.0}
// (a title match weighs five times a body match, as on SQLite) and
// normalisation 1 (divide by 1 + log(length)), close to bm25's length
// normalisation, over the tiers the page [offset, offset+limit) needs.
func (tsvectorBackend) ranked(pq parsedQuery, limit, offset int) (string, []any) {
	lo := offset / rankTier * rankTier
	hi := ((offset+limit-1)/rankTier + 1) * rankTier
	return fmt.Sprintf(`c AS MATERIALIZED (
	SELECT id, in_title, ROW_NUMBER() OVER (ORDER BY in_title DESC, date DESC NULLS LAST, id) - 1 AS n, COUNT(*) OVER () AS total
	FROM m
), r AS (
	SELECT c.id, c.n / %d AS tier, ts_rank('{0.2, 0.2, 0.2, 1.0}', v.tsv, to_tsquery('simple', ?), 1)
		+ CASE WHEN c.in_title THEN %v ELSE 0 END AS score, c.total
	FROM c JOIN search_vectors v ON v.item_id = c.id
	WHERE c.n >= ? AND c.n < ?
), top AS (
	SELECT id, score, total, ROW_NUMBER() OVER (ORDER BY tier, score DESC, id) AS ord
	FROM r ORDER BY tier, score DESC, id LIMIT ? OFFSET ?
)`, rankTier, titleBoost), []any{pq.tsquery(), lo, hi, limit, offset - lo}
}

func (tsvectorBackend) settings() []string { return []string{"SET LOCAL enable_seqscan = off"} }

func (tsvectorBackend) check(ctx context.Context, q db.Querier) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM search_items si JOIN search_vectors v ON v.item_id = si.id
		WHERE si.words @@ to_tsquery('simple', 'portique') AND v.tsv @@ to_tsquery('simple', 'portique')`).Scan(&n); err != nil {
		return fmt.Errorf("search: tsvector index: %w", err)
	}
	return nil
}
