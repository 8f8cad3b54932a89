package documents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/extract"
	"portique/internal/jobs"
	"portique/internal/search"
)

// joinHyphenated rejoins words a PDF broke at a line end before the text is
// stored and indexed.
var joinHyphenated = search.JoinHyphenated

// URL is a document's stable address.
func URL(id int64) string { return "/documents/" + strconv.FormatInt(id, 10) }

// reindex rebuilds the index entries of one document from the database:
// part 0 carries the title and the file name (so every document is found by
// its name, even before or without text), parts 1…n the pages' text. A
// document in the trash is removed from the index.
func (s *Store) reindex(ctx context.Context, q db.Querier, id int64) error {
	if s.index == nil {
		return nil
	}
	d, err := s.load(ctx, q, id, false)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return s.unindex(ctx, q, id)
		}
		return err
	}
	base := search.Doc{
		Kind: search.KindDocument, ID: d.ID, ACLKind: access.Folder, ACLID: d.FolderID,
		Title: d.Title, URL: URL(d.ID), Date: d.Published(), FolderID: d.FolderID, Extra: d.FolderName,
	}
	part0 := base
	part0.Body = d.Filename
	docs := []search.Doc{part0}
	rows, err := q.Query(ctx, "SELECT page, text FROM document_pages WHERE document_id = ? ORDER BY page", id)
	if err != nil {
		return fmt.Errorf("documents: pages of %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		x := base
		if err := rows.Scan(&x.Part, &x.Body); err != nil {
			return err
		}
		if strings.TrimSpace(x.Body) != "" {
			docs = append(docs, x)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if err := s.index.Replace(ctx, q, search.KindDocument, id, docs); err != nil {
		return fmt.Errorf("documents: index %d: %w", id, err)
	}
	return nil
}

// unindex removes a document from the index (trashed, or deleted for good).
func (s *Store) unindex(ctx context.Context, q db.Querier, id int64) error {
	if s.index == nil {
		return nil
	}
	if err := s.index.Delete(ctx, q, search.KindDocument, id); err != nil {
		return fmt.Errorf("documents: unindex %d: %w", id, err)
	}
	return nil
}

// reindexFolder refreshes the documents of a folder (its name is shown with
// each hit).
func (s *Store) reindexFolder(ctx context.Context, q db.Querier, folderID int64) error {
	if s.index == nil {
		return nil
	}
	ids, err := s.ids(ctx, q, "SELECT id FROM documents WHERE folder_id = ? AND trashed_at IS NULL", folderID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.reindex(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) ids(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	ids, err := db.IDs(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("documents: ids: %w", err)
	}
	return ids, nil
}

// ReindexAll rebuilds the index entries of every document from the stored
// text (for `portique reindex`); it does not re-extract.
func (s *Store) ReindexAll(ctx context.Context) (int, error) {
	ids, err := s.ids(ctx, s.db, "SELECT id FROM documents WHERE trashed_at IS NULL ORDER BY id")
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := s.db.InTx(ctx, func(tx *db.Tx) error { return s.reindex(ctx, tx, id) }); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// Extractor gets the text of a stored file; extract.Child runs it in a
// child process with time and memory limits.
type Extractor interface {
	Extract(ctx context.Context, path, mediaType string) (extract.Result, error)
}

// ExtractJob is the handler of JobExtract: it extracts the text of the
// document's current file, stores it per page and indexes it. A job whose
// file was replaced meanwhile does nothing (the replacement queued its own).
// A file without a text layer (a scan) is handed to JobOCR when a runner
// does OCR (RegisterOCRJobs), so this worker goes on with the next file.
func (s *Store) ExtractJob(ex Extractor) jobs.Handler { return s.extractJob(ex, false) }

// OCRJob is the handler of JobOCR: the same as ExtractJob, with ex reading
// scans by optical character recognition (a slow child process).
func (s *Store) OCRJob(ex Extractor) jobs.Handler { return s.extractJob(ex, true) }

func (s *Store) extractJob(ex Extractor, ocr bool) jobs.Handler {
	return func(ctx context.Context, j jobs.Job) error {
		var pl extractPayload
		if err := json.Unmarshal([]byte(j.Payload), &pl); err != nil {
			return jobs.Permanent(fmt.Errorf("documents: extract payload %q: %w", j.Payload, err))
		}
		var key, mt, sha string
		err := s.db.QueryRow(ctx, "SELECT blob_key, media_type, sha256 FROM documents WHERE id = ?", pl.Doc).Scan(&key, &mt, &sha)
		if err != nil {
			if errors.Is(db.NotFound(err), db.ErrNotFound) {
				return nil
			}
			return err
		}
		if sha != pl.SHA256 {
			return nil
		}
		res, err := ex.Extract(ctx, s.blobs.Path(key), mt)
		if err != nil {
			return err // infrastructure failure: retried
		}
		if !ocr && res.Reason == extract.ReasonScanned && s.wakeOCR != nil {
			return s.queueOCR(ctx, pl.Doc, pl.SHA256, len(res.Pages))
		}
		return s.SetText(ctx, pl.Doc, pl.SHA256, res)
	}
}

// queueOCR marks a scanned document as waiting for OCR and queues JobOCR.
func (s *Store) queueOCR(ctx context.Context, id int64, sha string, pages int) error {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE documents SET text_status = ?, text_reason = ?, pages = ? WHERE id = ? AND sha256 = ?",
			TextPending, ReasonOCRQueued, pages, id, sha)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // replaced meanwhile
		}
		return s.enqueue(ctx, tx, JobOCR, id, sha)
	})
	if err == nil {
		s.wakeOCR()
	}
	return err
}

// SetText stores the extraction result of a document's file (identified by
// its hash, so a result for a replaced file is dropped) and indexes it.
func (s *Store) SetText(ctx context.Context, id int64, sha string, res extract.Result) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var cur string
		if err := tx.QueryRow(ctx, "SELECT sha256 FROM documents WHERE id = ?", id).Scan(&cur); err != nil {
			return db.NotFound(err)
		}
		if cur != sha {
			return nil
		}
		if _, err := tx.Exec(ctx, "DELETE FROM document_pages WHERE document_id = ?", id); err != nil {
			return err
		}
		n := 0
		for i, text := range res.Pages {
			text = joinHyphenated(text)
			if strings.TrimSpace(text) == "" {
				continue
			}
			n++
			if _, err := tx.Exec(ctx, "INSERT INTO document_pages (document_id, page, text) VALUES (?, ?, ?)", id, i+1, text); err != nil {
				return fmt.Errorf("documents: store page %d of %d: %w", i+1, id, err)
			}
		}
		status, reason := TextDone, ""
		if res.Reason != "" {
			status, reason = TextNone, res.Reason
		} else if n == 0 {
			status, reason = TextNone, extract.ReasonEmpty
		}
		ocr := status == TextDone && res.Engine == extract.EngineOCR
		if _, err := tx.Exec(ctx, "UPDATE documents SET text_status = ?, text_reason = ?, text_ocr = ?, pages = ? WHERE id = ?",
			status, reason, ocr, len(res.Pages), id); err != nil {
			return err
		}
		return s.reindex(ctx, tx, id)
	})
}

// PageText returns the stored text of one page of a document p may view.
func (s *Store) PageText(ctx context.Context, p access.Principal, id int64, page int) (string, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return "", err
	}
	var t string
	err := s.db.QueryRow(ctx, "SELECT text FROM document_pages WHERE document_id = ? AND page = ?", id, page).Scan(&t)
	return t, db.NotFound(err)
}

// HumanSize formats a byte count the French way ("1,5 Mo").
func HumanSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d o", n)
	case n < 1024*1024:
		return strings.Replace(fmt.Sprintf("%.0f Ko", float64(n)/1024), ".", ",", 1)
	case n < 1024*1024*1024:
		return strings.Replace(fmt.Sprintf("%.1f Mo", float64(n)/(1024*1024)), ".", ",", 1)
	}
	return strings.Replace(fmt.Sprintf("%.1f Go", float64(n)/(1024*1024*1024)), ".", ",", 1)
}

// RegisterJobs makes a job runner run the extraction jobs with ex (an
// *extract.Child without OCR in production), and wakes it after each upload.
func (s *Store) RegisterJobs(r *jobs.Runner, ex Extractor) {
	r.Handle(JobExtract, s.ExtractJob(ex))
	s.Wake = r.Wake
}

// RegisterOCRJobs makes another runner read scans with ex (an *extract.Child
// with OCR on): the scans found by the extraction jobs are queued for it
// instead of being marked unreadable. Call it before the runners start.
func (s *Store) RegisterOCRJobs(r *jobs.Runner, ex Extractor) {
	r.Handle(JobOCR, s.OCRJob(ex))
	s.wakeOCR = r.Wake
}

// AwaitText waits, max at most, for the extraction of freshly stored files,
// so that the uploader is told at once when a file's text could not be read.
// It waits only when a job runner of this process extracts (RegisterJobs);
// a scan handed to OCR counts as read. It returns the ids of the documents
// whose text could not be read (Document.Unreadable).
func (s *Store) AwaitText(ctx context.Context, ids []int64, max time.Duration) ([]int64, error) {
	if s.Wake == nil || len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	deadline := time.Now().Add(max)
	for {
		var bad []int64
		pending := false
		rows, err := s.db.Query(ctx, "SELECT id, text_status, text_reason FROM documents WHERE id IN ("+db.In(len(ids))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("documents: await text: %w", err)
		}
		for rows.Next() {
			var d Document
			if err := rows.Scan(&d.ID, &d.TextStatus, &d.TextReason); err != nil {
				rows.Close()
				return nil, err
			}
			pending = pending || (d.TextStatus == TextPending && d.TextReason != ReasonOCRQueued)
			if d.Unreadable() {
				bad = append(bad, d.ID)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if !pending || time.Now().After(deadline) {
			return bad, nil
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return bad, nil
		case <-t.C:
		}
	}
}
