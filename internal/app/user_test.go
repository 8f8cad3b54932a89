package app

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/audit"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/users"
)

func runCLI(t *testing.T, data string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), Env{
		Args:   append(args, "--data", data),
		Getenv: func(string) string { return "" },
		Stdout: &out, Stderr: &errOut,
		Now: func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) },
	})
	return out.String(), err
}

func TestUserCreateAndUnlockCLI(t *testing.T) {
	data := t.TempDir()
	d, err := openDB(context.Background(), mustCfg(t, data))
	if err != nil {
		t.Fatal(err)
	}
	_, grs, err := services.Accounts(mustCfg(t, data), d, services.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gid, err := grs.Create(context.Background(), access.System(), "Élus")
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	out, err := runCLI(t, data, "user", "create", "--email", "Jeanne@Example.fr", "--name", "Jeanne Martin", "--group", "élus", "--admin")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`http://127\.0\.0\.1:8080/invitation/([A-Za-z0-9_-]{43})\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no invitation link in %q", out)
	}
	if strings.Contains(strings.ToLower(out), "mot de passe :") {
		t.Fatal("a password was printed")
	}
	d, _ = db.Open(context.Background(), "", filepath.Join(data, "portique.db"))
	defer d.Close()
	accounts, _, _ := services.Accounts(mustCfg(t, data), d, services.Options{Now: func() time.Time { return time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC) }})
	u, err := accounts.PeekToken(context.Background(), m[1], users.PurposeInvite)
	if err != nil || u.Email != "jeanne@example.fr" || !u.Admin || len(u.Groups) != 1 || u.Groups[0] != gid {
		t.Fatalf("account = %+v, %v", u, err)
	}
	if !strings.HasPrefix(out, "Compte créé : jeanne@example.fr (id ") {
		t.Fatalf("the command line did not say it in French: %q", out)
	}

	if _, err := runCLI(t, data, "user", "create", "--email", "x@example.fr", "--name", "X", "--group", "Inconnu"); err == nil {
		t.Fatal("unknown group accepted")
	}
	if _, err := runCLI(t, data, "user", "create", "--email", "pas-une-adresse", "--name", "X"); err == nil || !strings.Contains(err.Error(), "n’est pas valide") {
		t.Fatalf("bad email: %v", err)
	}

	d.Exec(context.Background(), "UPDATE users SET locked_until = ?, failed_count = 4 WHERE id = ?", time.Now().Add(time.Hour).UTC(), u.ID)
	if _, err := runCLI(t, data, "user", "unlock", "JEANNE@example.fr"); err != nil {
		t.Fatal(err)
	}
	u, _ = accounts.Get(context.Background(), u.ID)
	if !u.LockedUntil.IsZero() || u.FailedCount != 0 {
		t.Fatalf("still locked: %+v", u)
	}
	if _, err := runCLI(t, data, "user", "unlock", "nobody@example.fr"); err == nil || !strings.Contains(err.Error(), "aucun compte") {
		t.Fatalf("unlocking an unknown account: %v", err)
	}
	if _, err := runCLI(t, data, "user", "frobnicate"); err == nil || !strings.Contains(err.Error(), "sous-commande inconnue") {
		t.Fatalf("unknown subcommand: %v", err)
	}
	// The trail names the command line, with data for details.
	trail := &audit.Trail{DB: d}
	for action, detail := range map[string]string{
		"user.created":     "jeanne@example.fr admin=true groups=" + strconv.FormatInt(gid, 10),
		"invitation.sent":  "jeanne@example.fr",
		"account.unlocked": "jeanne@example.fr",
	} {
		e, _, err := trail.Find(context.Background(), audit.Filter{Action: action})
		if err != nil || len(e) != 1 || e[0].Actor != "cli" || e[0].ActorID != 0 || e[0].IP != "" || e[0].Detail != detail || e[0].Object != "user:"+strconv.FormatInt(u.ID, 10) {
			t.Errorf("%s = %+v, %v; want one entry by cli with detail %q", action, e, err, detail)
		}
	}
}

func mustCfg(t *testing.T, data string) *config.Config {
	t.Helper()
	c := config.Defaults()
	c.DataDir = data
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}
