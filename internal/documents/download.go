package documents

import (
	"context"
	"fmt"
	"os"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// Download is a file being downloaded: its bytes, what to name and label
// it, and whether anonymous visitors may have it too (then it may be cached
// by anyone and its downloads are not audited).
type Download struct {
	File      *os.File // the caller closes it
	Doc       *Document
	Version   int // the earlier version served, 0 for the current file
	Filename  string
	MediaType string
	SHA256    string
	Modified  time.Time // when this file was added
	Public    bool
}

// OpenForDownload opens the current file of a document a may view, or one
// of its earlier versions (version > 0: edit needed), in one query: the
// document, its folder's trash state, a's right, the version's row and
// whether the document is public are read together, and only the file
// served is opened. A download of a non-public document is written to the
// audit trail, unless it is resumed (a range request that does not start at
// the first byte: one entry per download, not per chunk).
//
// Errors are those of Get: db.ErrNotFound when the document, its folder or
// the version is gone or a may not view it; access.ErrForbidden for a
// version asked by someone who may only view the document.
func (s *Store) OpenForDownload(ctx context.Context, a access.Actor, id int64, version int, resumed bool) (*Download, error) {
	view, viewArgs := a.Filter(access.Folder, "d.folder_id", access.View)
	edit, editArgs := a.Filter(access.Folder, "d.folder_id", access.Edit)
	public, publicArgs := access.Anonymous().Filter(access.Folder, "d.folder_id", access.View)
	args := make([]any, 0, len(viewArgs)+len(editArgs)+len(publicArgs)+2)
	args = append(append(append(append(args, viewArgs...), editArgs...), publicArgs...), version, id)
	q := "SELECT " + docCols + `, f.trashed_at IS NULL, ` + view + `, ` + edit + `, ` + public + `,
		v.version, v.filename, v.media_type, v.sha256, v.blob_key, v.added_at` + docFrom + `
		LEFT JOIN document_versions v ON v.document_id = d.id AND v.version = ?
		WHERE d.id = ? AND d.trashed_at IS NULL`
	d := &Document{}
	var live, canView, canEdit, isPublic bool
	var vNum *int
	var vName, vType, vSHA, vKey *string
	var vAdded *time.Time
	row := s.db.QueryRow(ctx, q, args...)
	if err := row.Scan(&d.ID, &d.FolderID, &d.FolderName, &d.Title, &d.Filename, &d.MediaType, &d.Size, &d.SHA256, &d.BlobKey,
		&d.Version, &d.PublishedOn, &d.AddedAt, &d.AddedBy, &d.UpdatedAt, &d.Pinned,
		&d.TextStatus, &d.TextReason, &d.Pages, &d.TrashedAt, &d.Description,
		&live, &canView, &canEdit, &isPublic, &vNum, &vName, &vType, &vSHA, &vKey, &vAdded); err != nil {
		return nil, fmt.Errorf("documents: download %d: %w", id, db.NotFound(err))
	}
	// The rule of need, on the values read: a folder in the trash hides
	// its documents from everyone; without view nothing is told.
	if !live || !canView {
		return nil, db.ErrNotFound
	}
	d.Archived = IsArchived(d.PublishedOn, d.Pinned, s.Cutoff())
	dl := &Download{Doc: d, Filename: d.Filename, MediaType: d.MediaType, SHA256: d.SHA256, Modified: d.AddedAt, Public: isPublic}
	key := d.BlobKey
	if version > 0 {
		if !canEdit {
			return nil, fmt.Errorf("documents: versions of %d: %w", id, access.ErrForbidden)
		}
		if vNum == nil {
			return nil, db.ErrNotFound
		}
		dl.Version, dl.Filename, dl.MediaType, dl.SHA256, dl.Modified, key = *vNum, *vName, *vType, *vSHA, *vAdded, *vKey
	}
	f, err := s.blobs.Open(key)
	if err != nil {
		return nil, err
	}
	dl.File = f
	if !isPublic && !resumed {
		detail := dl.Filename
		if dl.Version > 0 {
			detail = fmt.Sprintf("%s version=%d", dl.Filename, dl.Version)
		}
		// A confidential file leaves only with its trace.
		if err := s.record(ctx, s.db, a, "document.download", documentObject(id), detail); err != nil {
			f.Close()
			return nil, err
		}
	}
	return dl, nil
}
