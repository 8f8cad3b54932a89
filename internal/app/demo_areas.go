package app

import (
	"context"
	"time"

	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/search"
	"portique/internal/users"
)

// seedAreas writes the demo content of each area (pages, calendar,
// documents) for the demo groups and administrator.
func seedAreas(ctx context.Context, cfg *config.Config, d *db.DB, now time.Time, res *users.DemoResult) error {
	docs, err := documents.FromConfig(cfg, d, search.New(d), func() time.Time { return now })
	if err != nil {
		return err
	}
	return documents.SeedDemo(ctx, d, docs, now, res.Groups)
}
