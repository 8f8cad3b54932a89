package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"portique/internal/audit"
)

func TestUserResetTwoFactorCLI(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	d, err := openDB(ctx, mustCfg(t, data))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	var id int64
	if err := d.QueryRow(ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES ('seul.admin@example.fr', 'Admin', TRUE, ?) RETURNING id", now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, "INSERT INTO user_totp (user_id, secret, created_at, confirmed_at) VALUES (?, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', ?, ?)", id, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, data, "user", "reset-2fa"); err == nil || !strings.Contains(err.Error(), "indiquez l’adresse") {
		t.Fatalf("no email: %v", err)
	}
	if _, err := runCLI(t, data, "user", "reset-2fa", "personne@example.fr"); err == nil || !strings.Contains(err.Error(), "aucun compte") {
		t.Fatalf("unknown account: %v", err)
	}
	out, err := runCLI(t, data, "user", "reset-2fa", "Seul.Admin@example.fr")
	if err != nil || !strings.Contains(out, "réinitialisée : seul.admin@example.fr") {
		t.Fatalf("reset: %q %v", out, err)
	}
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM user_totp WHERE user_id = ?", id).Scan(&n); err != nil || n != 0 {
		t.Fatalf("secret still there (%d, %v)", n, err)
	}
	if _, err := runCLI(t, data, "user", "reset-2fa", "seul.admin@example.fr"); err == nil || !strings.Contains(err.Error(), "pas de double authentification") {
		t.Fatalf("second reset: %v", err)
	}
	e, _, err := (&audit.Trail{DB: d}).Find(ctx, audit.Filter{Action: "twofa.reset"})
	if err != nil || len(e) != 1 || e[0].Actor != "cli" || e[0].Detail != "seul.admin@example.fr" {
		t.Fatalf("audit = %+v, %v", e, err)
	}
}
