package browsertest

import (
	"context"
	"testing"
	"time"

	"portique/internal/extract"
)

// The server extracts document texts in child processes of its own
// executable: in the harness that is the test binary, which Main turns into
// the worker. The demo's documents all get their text.
func TestDemoDocumentsAreExtractedInChildProcesses(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := context.Background()
	deadline := time.Now().Add(90 * time.Second)
	var total, pending int
	for {
		if err := site.DB.QueryRow(ctx, "SELECT COUNT(*), COUNT(CASE WHEN text_status = 'pending' THEN 1 END) FROM documents").Scan(&total, &pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if total == 0 {
		t.Fatal("the demo has no documents")
	}
	if pending > 0 {
		t.Fatalf("%d of %d demo documents still wait for their text after 90 s", pending, total)
	}
	// A document may legitimately have no text (a scan without OCR, an
	// image); a worker that could not run or crashed may not.
	expected := map[string]bool{extract.ReasonScanned: true, extract.ReasonImage: true, extract.ReasonEmpty: true, extract.ReasonUnsupported: true}
	var done int
	if err := site.DB.QueryRow(ctx, "SELECT COUNT(*) FROM documents WHERE text_status = 'done'").Scan(&done); err != nil {
		t.Fatal(err)
	}
	if done == 0 {
		t.Fatalf("no demo document got its text (%d documents)", total)
	}
	rows, err := site.DB.Query(ctx, "SELECT title, text_status, text_reason FROM documents WHERE text_status <> 'done'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var title, status, reason string
		if err := rows.Scan(&title, &status, &reason); err != nil {
			t.Fatal(err)
		}
		if status != "none" || !expected[reason] {
			t.Errorf("demo document %q: text %s (%s)", title, status, reason)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
