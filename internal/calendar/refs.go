package calendar

import (
	"context"
	"fmt"

	"portique/internal/access"
	"portique/internal/db"
)

// UnseenRefs returns, of the calendars another area refers to (the
// calendar of a page's events or month block), those p may not view:
// unknown ids too, so a forged id and a calendar p may not see read the
// same. It asks the access model's rule (Principal.Filter) in one query,
// the rule that filters the calendars the page editor's picker offers.
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
	f, fargs := p.Filter(access.Calendar, "c.id", access.View)
	seen, err := db.IDs(ctx, s.db, "SELECT c.id FROM calendars c WHERE c.id IN ("+db.In(len(args))+") AND "+f, append(args, fargs...)...)
	if err != nil {
		return nil, fmt.Errorf("calendar: references: %w", err)
	}
	for _, id := range seen {
		delete(out, id)
	}
	return out, nil
}
