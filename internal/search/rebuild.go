package search

import (
	"context"
	"fmt"

	"portique/internal/db"
)

// Source is one domain's side of `portique reindex`: Feed calls put once per
// object of Kind with all its parts (exactly what the domain passes to
// Replace when it publishes). Feed must not hold a transaction open while
// calling put: each put writes in a transaction of its own.
type Source struct {
	Kind string
	Feed func(ctx context.Context, put func(id int64, docs []Doc) error) error
}

// Rebuild re-feeds the index from the domains without emptying it first, so
// search keeps answering during the rebuild: every object a source puts is
// replaced (one short transaction each), then the objects of that kind the
// source did not put are deleted. On SQLite the FTS5 index is then merged
// into one segment. It returns the number of objects indexed per kind.
func Rebuild(ctx context.Context, d *db.DB, idx Index, sources ...Source) (map[string]int, error) {
	counts := map[string]int{}
	for _, src := range sources {
		seen := map[int64]bool{}
		err := src.Feed(ctx, func(id int64, docs []Doc) error {
			seen[id] = true
			return d.InTx(ctx, func(tx *db.Tx) error { return idx.Replace(ctx, tx, src.Kind, id, docs) })
		})
		if err != nil {
			return counts, fmt.Errorf("search: reindex %s: %w", src.Kind, err)
		}
		counts[src.Kind] = len(seen)
		stale, err := indexedIDs(ctx, d, src.Kind)
		if err != nil {
			return counts, err
		}
		for _, id := range stale {
			if seen[id] {
				continue
			}
			if err := idx.Delete(ctx, d, src.Kind, id); err != nil {
				return counts, err
			}
		}
	}
	if d.Dialect() == db.SQLite {
		if _, err := d.Exec(ctx, "INSERT INTO search_fts (search_fts) VALUES ('optimize')"); err != nil {
			return counts, fmt.Errorf("search: optimize: %w", err)
		}
	} else if _, err := d.Exec(ctx, "ANALYZE search_items, search_vectors"); err != nil {
		return counts, fmt.Errorf("search: analyze: %w", err)
	}
	return counts, nil
}

func indexedIDs(ctx context.Context, q db.Querier, kind string) ([]int64, error) {
	rows, err := q.Query(ctx, "SELECT object_id FROM search_items WHERE kind = ?", kind)
	if err != nil {
		return nil, fmt.Errorf("search: list %s: %w", kind, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// AnalyzerStale reports whether the index was built by an older analyser
// (AnalyzerVersion changed since): its tokens differ from what queries are
// analysed to, and the index must be rebuilt.
func AnalyzerStale(ctx context.Context, q db.Querier) (bool, error) {
	var v int
	if err := q.QueryRow(ctx, "SELECT version FROM search_analyzer WHERE id = 1").Scan(&v); err != nil {
		return false, fmt.Errorf("search: analyser version: %w", err)
	}
	return v != AnalyzerVersion, nil
}

// MarkAnalyzed records that the index now holds the tokens of this
// analyser (after a full rebuild).
func MarkAnalyzed(ctx context.Context, q db.Querier) error {
	if _, err := q.Exec(ctx, "UPDATE search_analyzer SET version = ? WHERE id = 1", AnalyzerVersion); err != nil {
		return fmt.Errorf("search: record analyser version: %w", err)
	}
	return nil
}
