package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"portique/internal/acts"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/search"
	"portique/internal/users"
)

// demoFile keeps the demo credentials so a newcomer who restarts the demo
// still finds them (owner-readable only; demo mode only).
const demoFile = "demo-comptes.txt"

// seedDemo fills an empty database with the demo site of the waste syndicate
// (groups, accounts, pages, calendar, documents), once, and prints the demo
// accounts. Outside demo mode nothing here runs and no password is printed.
func seedDemo(ctx context.Context, e Env, cfg *config.Config, d *db.DB, log *slog.Logger, idx search.Index, docs *documents.Store, register *acts.Store) error {
	path := filepath.Join(cfg.DataDir, demoFile)
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		// Already seeded: show the credentials again if we kept them.
		if b, err := os.ReadFile(path); err == nil {
			fmt.Fprint(e.Stdout, string(b))
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	now := e.Now()
	h := users.NewHasher(users.DefaultParams, cfg.HashConcurrency)
	res, err := users.SeedDemo(ctx, d, now, h)
	if err != nil {
		return err
	}
	// One more Élu, with two-factor login on (docs/guide/double-authentification.md).
	tf, err := users.SeedDemoTwoFactor(ctx, d, now, h, res.Groups["Élus"], "Élus")
	if err != nil {
		return err
	}
	res.Accounts = append(res.Accounts, tf)
	if err := seedAreas(ctx, d, idx, docs, register, now, res); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\n=== DÉMONSTRATION — comptes de démonstration (ne pas utiliser en production) ===\n")
	for _, a := range res.Accounts {
		role := a.Group
		if role == "" {
			role = "Administrateur"
		}
		fmt.Fprintf(&b, "  %-14s %-28s mot de passe : %s\n", role, a.Email, a.Password)
		if a.TwoFactorSecret != "" {
			fmt.Fprintf(&b, "  %-14s double authentification, clé de l’application (TOTP) : %s\n", "", users.GroupCode(a.TwoFactorSecret, " "))
		}
	}
	fmt.Fprintf(&b, "  Site : %s\n\n", cfg.BaseURL)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return err
	}
	fmt.Fprint(e.Stdout, b.String())
	log.Info("demo site created", "accounts", len(res.Accounts))
	return nil
}
