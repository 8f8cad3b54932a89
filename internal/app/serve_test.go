package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/dbtest"
	"portique/internal/documents"
)

// The hourly housekeeping deletes for good what stayed in the trash past
// --trash-days, and says so in the audit trail.
func TestHousekeepingPurgesTrash(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	blobs, err := documents.NewBlobs(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	docs := documents.NewStore(d, blobs, nil, documents.Options{TrashDays: 7})
	docs.Now = clock
	admin := access.System()
	f, err := docs.CreateFolder(ctx, admin, 0, "Rapports")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := docs.Upload(ctx, admin, documents.UploadInput{FolderID: f, Filename: "vieux.txt", Body: strings.NewReader("vieux\n")})
	if err != nil {
		t.Fatal(err)
	}
	if err := docs.Trash(ctx, admin, doc.ID); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	count := func() int {
		var n int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM audit WHERE action = 'document.purged' AND actor_id IS NULL").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	now = now.Add(6 * 24 * time.Hour)
	purgeTrash(ctx, docs, log)
	if n := count(); n != 0 {
		t.Fatalf("purged after 6 days of 7: %d entries", n)
	}
	now = now.Add(2 * 24 * time.Hour)
	purgeTrash(ctx, docs, log)
	if n := count(); n != 1 {
		t.Fatalf("%d audit entries after 8 days, want 1", n)
	}
	if _, err := docs.TrashedDocument(ctx, admin.Principal, doc.ID); err == nil {
		t.Error("the document is still in the trash")
	}
}
