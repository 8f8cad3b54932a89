package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/documents"
	"portique/internal/search"
)

// An index built by an older analyser is rebuilt once at start-up, so that
// an upgrade that changes the tokens (« déchetterie » = « déchèterie »)
// needs no manual `portique reindex`.
func TestStartUpReindexWhenAnalyzerChanged(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	idx := search.New(d)
	blobs, err := documents.NewBlobs(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	docs := documents.NewStore(d, blobs, idx, documents.Options{})
	f, err := docs.CreateFolder(ctx, access.System(), 0, "Public")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := docs.Upload(ctx, access.System(), documents.UploadInput{FolderID: f, Filename: "horaires-dechetterie.txt", Title: "Horaires de la déchetterie", Body: strings.NewReader("x\n")})
	if err != nil {
		t.Fatal(err)
	}
	// What an older version indexed: its own token for « déchetterie ».
	if _, err := d.Exec(ctx, "UPDATE search_parts SET tokens = 'horair dechetter' WHERE item_id IN (SELECT id FROM search_items WHERE object_id = ?)", doc.ID); err != nil {
		t.Fatal(err)
	}
	if d.Dialect() == db.Postgres {
		_, err = d.Exec(ctx, "UPDATE search_items SET title_words = to_tsvector('simple', 'horair dechetter'), words = to_tsvector('simple', 'horair dechetter') WHERE object_id = ?", doc.ID)
	} else {
		_, err = d.Exec(ctx, "INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
		if err == nil {
			_, err = d.Exec(ctx, "INSERT INTO search_fts (rowid, title, body) SELECT id, 'horair dechetter', 'horair dechetter' FROM search_items")
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	found := func() int {
		res, err := idx.Search(ctx, access.Member(1, true, nil), search.Query{Text: "déchèterie"})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Hits)
	}
	if found() != 0 {
		t.Fatal("the old tokens already match: the test proves nothing")
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reindexIfStale(ctx, d, idx, docs, log)
	if found() != 1 {
		t.Error("the index was not rebuilt with the new analyser")
	}
	if stale, err := search.AnalyzerStale(ctx, d); err != nil || stale {
		t.Errorf("after the rebuild: stale %v, %v", stale, err)
	}
}
