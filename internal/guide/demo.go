package guide

import (
	"context"
	_ "embed"
	"fmt"

	"portique/internal/access"
)

// demoItems are the demo site's guide: French sorting rules as they stand
// since the extension of the sorting instructions (every plastic packaging
// and every paper in the yellow bin) and the separate collection of
// biowaste (2024), written for the demo syndicate.
//
//go:embed demo/objets.csv
var demoItems []byte

// DemoCSV returns the demo guide as a CSV file (tests and benchmarks use it
// as a realistic corpus).
func DemoCSV() []byte { return demoItems }

// SeedDemo fills an empty guide with the demo items and lets the group
// editors (0: none) edit it; the guide stays public. It does nothing when
// the guide already has items.
func (s *Store) SeedDemo(ctx context.Context, editors int64) error {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM guide_items").Scan(&n); err != nil {
		return fmt.Errorf("guide: seed: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := s.SeedItems(ctx, demoItems); err != nil {
		return fmt.Errorf("guide: seed: %w", err)
	}
	if editors == 0 {
		return nil
	}
	return s.SetGrants(ctx, access.System(), []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: editors, Level: access.Edit}})
}
