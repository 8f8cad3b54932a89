package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"portique/internal/backup"
)

func TestListAndPruneIgnorePartials(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)
	var names []string
	for i := range 5 {
		n := backup.Name(at.Add(time.Duration(i) * 24 * time.Hour))
		names = append(names, n)
		os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600)
	}
	// What a crash leaves, and other files: never listed.
	partial := filepath.Join(dir, "."+backup.Name(at.Add(5*24*time.Hour))+".partial-123")
	os.WriteFile(partial, []byte("moitié"), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(dir, "portique-2026.tar.zst"), []byte("x"), 0o600)
	list, err := backup.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 5 || filepath.Base(list[0].Path) != names[4] || filepath.Base(list[4].Path) != names[0] {
		t.Fatalf("List = %v, want the 5 archives newest first", list)
	}
	gone, err := backup.Prune(dir, 2, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(gone) != 3 {
		t.Fatalf("Prune removed %v, want the 3 oldest", gone)
	}
	if _, err := os.Stat(partial); err != nil {
		t.Fatal("a fresh partial file (a backup being written) must stay")
	}
	if gone, _ := backup.Prune(dir, 2, time.Now().Add(2*time.Hour)); len(gone) != 1 || gone[0] != partial {
		t.Fatalf("Prune an hour later removed %v, want the abandoned partial", gone)
	}
	for _, n := range []string{"notes.txt", "portique-2026.tar.zst", names[3], names[4]} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s was removed", n)
		}
	}
}

// The scheduler takes an archive at once when there is none, one every
// period after, and keeps the newest ones.
func TestScheduleRuns(t *testing.T) {
	s := newSource(t)
	dir := filepath.Join(s.data, "sauvegardes") // inside the data directory: left out of the archives
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var done []string
	runs := make(chan struct{}, 10)
	sched := &backup.Schedule{Dir: dir, Every: time.Second, Keep: 2, Source: s.src(),
		Done: func(p string, err error) {
			if err != nil {
				t.Errorf("scheduled backup: %v", err)
			}
			mu.Lock()
			done = append(done, p)
			mu.Unlock()
			runs <- struct{}{}
		}}
	stopped := make(chan struct{})
	go func() { sched.Run(ctx); close(stopped) }()
	for range 3 {
		select {
		case <-runs:
		case <-time.After(30 * time.Second):
			t.Fatal("no scheduled backup")
		}
	}
	cancel()
	<-stopped
	list, _ := backup.List(dir)
	if len(list) != 2 {
		t.Fatalf("%d archives kept, want 2 (of %v)", len(list), done)
	}
	m, err := backup.VerifyFile(list[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if filepath.Base(filepath.Dir(f.Path)) == "sauvegardes" {
			t.Fatalf("an archive holds the backup folder: %s", f.Path)
		}
	}
}
