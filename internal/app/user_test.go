package app

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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
	gid, _ := users.CreateGroup(context.Background(), d, "Élus", time.Now())
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
	u, err := users.PeekToken(context.Background(), d, m[1], users.PurposeInvite, time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC))
	if err != nil || u.Email != "jeanne@example.fr" || !u.Admin || len(u.Groups) != 1 || u.Groups[0] != gid {
		t.Fatalf("account = %+v, %v", u, err)
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
	u, _ = users.Get(context.Background(), d, u.ID)
	if !u.LockedUntil.IsZero() || u.FailedCount != 0 {
		t.Fatalf("still locked: %+v", u)
	}
	if _, err := runCLI(t, data, "user", "unlock", "nobody@example.fr"); err == nil {
		t.Fatal("unlocking an unknown account succeeded")
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
