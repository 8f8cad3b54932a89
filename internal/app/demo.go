package app

import (
	"context"
	"log/slog"

	"portique/internal/config"
	"portique/internal/db"
)

// seedDemo fills an empty database with the demo site of the waste syndicate
// (groups, accounts, pages, calendar, documents), once.
func seedDemo(ctx context.Context, e Env, cfg *config.Config, d *db.DB, log *slog.Logger) error {
	return nil
}
