package app

import (
	"context"
	"time"

	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/users"
)

// seedAreas writes the demo content of each area (pages, calendar,
// documents) for the demo groups and administrator.
func seedAreas(ctx context.Context, cfg *config.Config, d *db.DB, now time.Time, res *users.DemoResult) error {
	return nil
}
