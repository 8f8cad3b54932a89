package app

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portique/internal/backup"
	"portique/internal/db"
	"portique/internal/dbtest"
)

// TestBackupDocCommands runs every command of docs/operations/backup.md,
// in order, on a demo site: the paths of the documentation map to the
// test's folders and its PostgreSQL URL to a schema of the test's
// PostgreSQL. A command followed by "# refused" must fail; serve runs
// until it has written its first scheduled archive, or until it serves.
func TestBackupDocCommands(t *testing.T) {
	src := demoSite(t, db.SQLite)
	root := t.TempDir()
	backups := filepath.Join(root, "backups")
	os.MkdirAll(backups, 0o700)
	pg := os.Getenv(dbtest.EnvPostgres) != ""
	repl := []string{"/var/lib/portique-restaure", filepath.Join(root, "restaure"),
		"/var/lib/portique-pg", filepath.Join(root, "pg"),
		"/var/lib/portique", src.cfg.DataDir,
		"/var/backups/portique", backups}
	if pg {
		repl = append(repl, "postgres://portique@localhost/portique", dbtest.PostgresURL(t))
	}
	r := strings.NewReplacer(repl...)
	cmds := docCommands(t, "../../docs/operations/backup.md")
	if len(cmds) < 8 {
		t.Fatalf("found %d commands in the documentation", len(cmds))
	}
	for _, c := range cmds {
		if strings.Contains(c, "postgres://") && !pg {
			// CI's PostgreSQL pass runs these; the SQLite pass has no URL.
			t.Logf("left to the PostgreSQL pass: %s", c)
			continue
		}
		refused := strings.Contains(c, "# refused")
		if i := strings.Index(c, "#"); i >= 0 {
			c = strings.TrimSpace(c[:i])
		}
		args := strings.Fields(r.Replace(c))[1:]
		var out bytes.Buffer
		if args[0] == "serve" {
			runServe(t, args, backups)
			continue
		}
		err := Run(context.Background(), Env{Args: args, Getenv: env(map[string]string{"PORTIQUE_HASH_CONCURRENCY": "2"}), Stdout: &out, Stderr: io.Discard})
		switch {
		case refused && err == nil:
			t.Errorf("%s: succeeded, the documentation says it is refused", c)
		case !refused && err != nil:
			t.Errorf("%s: %v", c, err)
		}
		t.Logf("%s\n%s%v", c, out.String(), err)
	}
}

// runServe starts the server of a documented command on a free port and
// stops it once it serves and, when it schedules backups, once the first
// archive is written.
func runServe(t *testing.T, args []string, backups string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	args = append(args, "--addr", "127.0.0.1:0")
	go func() {
		done <- Run(ctx, Env{Args: args, Getenv: env(nil), Stdout: io.Discard, Stderr: io.Discard,
			Ready: func(a string) { ready <- a }})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve %v: %v", args, err)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve %v did not start", args)
	}
	if strings.Contains(strings.Join(args, " "), "--backup-dir") {
		deadline := time.Now().Add(60 * time.Second)
		for {
			list, _ := backup.List(backups)
			if len(list) > 0 {
				if _, err := backup.VerifyFile(list[0].Path); err != nil {
					t.Errorf("the scheduled archive: %v", err)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no scheduled archive written")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve %v: %v", args, err)
	}
}
