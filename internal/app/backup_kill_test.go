package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"portique/internal/backup"
	"portique/internal/dbtest"
)

// childArgs, in the environment of the test binary, makes it the program
// itself: TestMain runs Run with those arguments (one per line) and exits
// with its status, as main does. Tests start it with exec and can kill it.
const childArgs = "PORTIQUE_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgs); args != "" {
		ctx := context.Background()
		if err := Run(ctx, Env{Args: strings.Split(args, "\n")}); err != nil {
			fmt.Fprintln(os.Stderr, "portique:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// program returns the command that runs the program with args in a child
// process.
func program(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgs+"="+strings.Join(args, "\n"))
	return cmd
}

// A backup killed with SIGKILL in the middle leaves no archive under its
// name: only a hidden .partial file, which verify refuses, the list of
// scheduled archives ignores and the rotation removes once abandoned; the
// next backup leaves the dead one's working files out.
func TestBackupKilledLeavesNoArchive(t *testing.T) {
	data := t.TempDir()
	dbArgs := []string{"--data", data}
	if os.Getenv(dbtest.EnvPostgres) != "" {
		dbArgs = append(dbArgs, "--db", dbtest.PostgresURL(t))
	}
	if out, err := program(t, append([]string{"migrate"}, dbArgs...)...).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	// Enough incompressible bytes that the archive takes a while to write.
	for i := range 120 {
		p := filepath.Join(data, "blobs", fmt.Sprintf("%02x", i), fmt.Sprintf("fichier-%03d", i))
		os.MkdirAll(filepath.Dir(p), 0o700)
		b := make([]byte, 1<<20)
		rand.Read(b)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	final := filepath.Join(dir, backup.Name(time.Now()))
	cmd := program(t, append([]string{"backup", "--to", final}, dbArgs...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once the archive is being written, well before its end.
	var partial string
	deadline := time.Now().Add(60 * time.Second)
	for partial == "" {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the backup never started writing")
		}
		m, _ := filepath.Glob(filepath.Join(dir, ".*.partial-*"))
		if len(m) == 1 {
			if info, err := os.Stat(m[0]); err == nil && info.Size() > 4<<20 {
				partial = m[0]
			}
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the backup was not killed mid-way (it ended with %v): give it more to write", err)
	}
	if _, err := os.Stat(final); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a killed backup left %s (%v)", final, err)
	}
	if list, _ := backup.List(dir); len(list) != 0 {
		t.Fatalf("a killed backup is offered as an archive: %v", list)
	}
	if _, err := backup.VerifyFile(partial); !errors.Is(err, backup.ErrCorrupt) {
		t.Fatalf("verify of the half-written file: %v", err)
	}
	out, err := program(t, "backup", "verify", partial).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "tronquée") {
		t.Fatalf("portique backup verify of the half-written file: %v\n%s", err, out)
	}
	// The next backup works and holds none of the dead one's files.
	again := filepath.Join(dir, "apres.tar.zst")
	if out, err := program(t, append([]string{"backup", "--to", again}, dbArgs...)...).CombinedOutput(); err != nil {
		t.Fatalf("backup after the kill: %v\n%s", err, out)
	}
	m, err := backup.VerifyFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if m.DataFiles() != 120 {
		t.Fatalf("the next archive has %d files, want the 120 of the data directory", m.DataFiles())
	}
	if gone, _ := backup.Prune(dir, 14, time.Now().Add(2*time.Hour)); len(gone) != 1 || gone[0] != partial {
		t.Fatalf("rotation removed %v, want the abandoned partial file", gone)
	}
}
