package acts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/extract"
	"portique/internal/jobs"
	"portique/internal/search"
)

// URL is an act's permanent address.
func URL(id int64) string { return "/actes/" + itoa(id) }

// FileURL is the permanent download address of an act's file.
func FileURL(id int64) string { return URL(id) + "/telecharger" }

// reindex puts an act in the site's index when it is published and
// public, and removes it otherwise: the index only ever holds what the
// register shows to whoever holds view on it (a draft, or an individual
// act kept private, is never indexed). Part 0 carries the number, the
// subject and the file name; parts 1…n the pages of the file.
func (s *Store) reindex(ctx context.Context, q db.Querier, id int64) error {
	if s.index == nil {
		return nil
	}
	var number, subject, date, filename string
	var public bool
	var published int
	err := q.QueryRow(ctx, "SELECT a.number, a.subject, a.act_date, a.filename, a.public, COUNT(p.act_id)"+actFrom+" WHERE a.id = ? GROUP BY a.number, a.subject, a.act_date, a.filename, a.public", id).
		Scan(&number, &subject, &date, &filename, &public, &published)
	if errors.Is(db.NotFound(err), db.ErrNotFound) || (err == nil && (published == 0 || !public)) {
		return s.index.Delete(ctx, q, SearchKind, id)
	}
	if err != nil {
		return fmt.Errorf("acts: index %d: %w", id, err)
	}
	base := search.Doc{Kind: SearchKind, ID: id, ACLKind: Register, ACLID: RegisterID, Title: subject, URL: URL(id), Date: day(date), Extra: number}
	part0 := base
	part0.Body = number + " " + filename
	docs := []search.Doc{part0}
	rows, err := q.Query(ctx, "SELECT page, text FROM act_pages WHERE act_id = ? ORDER BY page", id)
	if err != nil {
		return fmt.Errorf("acts: pages of %d: %w", id, err)
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
	if err := s.index.Replace(ctx, q, SearchKind, id, docs); err != nil {
		return fmt.Errorf("acts: index %d: %w", id, err)
	}
	return nil
}

// Reindex rebuilds the index entries of every act (for `portique reindex`
// and the demo) and returns how many acts are indexed.
func (s *Store) Reindex(ctx context.Context) (int, error) {
	ids, err := db.IDs(ctx, s.db, "SELECT a.id"+actFrom+" WHERE p.act_id IS NOT NULL AND a.public = TRUE ORDER BY a.id")
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

// Extractor gets the text of a stored file (extract.Child runs it in a
// child process with time and memory limits).
type Extractor interface {
	Extract(ctx context.Context, path, mediaType string) (extract.Result, error)
}

// ExtractJob is the handler of JobExtract: it extracts the text of the
// act's file, stores it per page and indexes it when the act is public. A
// job for a file since replaced (in a draft) does nothing.
func (s *Store) ExtractJob(ex Extractor) jobs.Handler {
	return func(ctx context.Context, j jobs.Job) error {
		var pl extractPayload
		if err := json.Unmarshal([]byte(j.Payload), &pl); err != nil {
			return jobs.Permanent(fmt.Errorf("acts: extract payload %q: %w", j.Payload, err))
		}
		var key, mt, sha string
		err := s.db.QueryRow(ctx, "SELECT blob_key, media_type, sha256 FROM acts WHERE id = ?", pl.Act).Scan(&key, &mt, &sha)
		if errors.Is(db.NotFound(err), db.ErrNotFound) || (err == nil && sha != pl.SHA256) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := ex.Extract(ctx, s.blobs.Path(key), mt)
		if err != nil {
			return err // infrastructure failure: retried
		}
		return s.SetText(ctx, pl.Act, pl.SHA256, res)
	}
}

// SetText stores the text extracted from an act's file (identified by its
// hash: a result for a replaced draft file is dropped) and indexes it.
func (s *Store) SetText(ctx context.Context, id int64, sha string, res extract.Result) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var cur string
		if err := tx.QueryRow(ctx, "SELECT sha256 FROM acts WHERE id = ?", id).Scan(&cur); err != nil {
			return db.NotFound(err)
		}
		if cur != sha {
			return nil
		}
		if _, err := tx.Exec(ctx, "DELETE FROM act_pages WHERE act_id = ?", id); err != nil {
			return err
		}
		n := 0
		for i, text := range res.Pages {
			text = search.JoinHyphenated(text)
			if strings.TrimSpace(text) == "" {
				continue
			}
			n++
			if _, err := tx.Exec(ctx, "INSERT INTO act_pages (act_id, page, text) VALUES (?, ?, ?)", id, i+1, text); err != nil {
				return fmt.Errorf("acts: store page %d of %d: %w", i+1, id, err)
			}
		}
		status, reason := TextDone, ""
		if res.Reason != "" {
			status, reason = TextNone, res.Reason
		} else if n == 0 {
			status, reason = TextNone, extract.ReasonEmpty
		}
		if _, err := tx.Exec(ctx, "UPDATE acts SET text_status = ?, text_reason = ?, pages = ? WHERE id = ?", status, reason, len(res.Pages), id); err != nil {
			return err
		}
		return s.reindex(ctx, tx, id)
	})
}

// RegisterJobs makes a job runner run the extraction of acts' files with
// ex (an *extract.Child in production) and wakes it after each upload.
func (s *Store) RegisterJobs(r *jobs.Runner, ex Extractor) {
	r.Handle(JobExtract, s.ExtractJob(ex))
	s.Wake = r.Wake
}

// NewBlobs is the storage of the register's files: DATA/acts, apart from
// the document space's, content-addressed like it.
func NewBlobs(dataDir string) (*documents.Blobs, error) {
	return documents.NewBlobs(filepath.Join(dataDir, "acts"))
}
