package documents

import (
	"context"
	"fmt"

	"portique/internal/access"
	"portique/internal/db"
)

// UnseenRefs returns, of the folders another area refers to (the folder of
// a page's documents block), those p may not view: unknown ids and folders
// in the trash too, so a forged id and a folder p may not see read the
// same. It asks the access model's rule (Principal.Filter) in one query,
// the rule that filters the folders the page editor's picker offers (Tree).
func (s *Store) UnseenRefs(ctx context.Context, p access.Principal, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	var args []any
	for _, id := range ids {
		if !out[id] {
			out[id] = true
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	f, fargs := p.Filter(access.Folder, "f.id", access.View)
	seen, err := db.IDs(ctx, s.db, "SELECT f.id FROM folders f WHERE f.id IN ("+db.In(len(args))+") AND f.trashed_at IS NULL AND "+f,
		append(args, fargs...)...)
	if err != nil {
		return nil, fmt.Errorf("documents: references: %w", err)
	}
	for _, id := range seen {
		delete(out, id)
	}
	return out, nil
}
