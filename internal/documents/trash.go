package documents

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/i18n"
	"portique/internal/valid"
)

// The trash. Deleting a document or a folder puts it in the trash: it
// leaves every list, count, search result and download at once, keeps its
// bytes, versions and grants, and an administrator can restore it. A folder
// goes with its sub-folders and documents (they are marked trashed_with the
// folder, so restoring it brings back exactly those). What stays in the
// trash longer than Options.TrashDays is deleted for good by PurgeExpired;
// an administrator may also delete one item for good at once.
//
// Restoring puts an item back where it was, under its folder wherever that
// folder has been moved meanwhile; while that folder is itself in the
// trash, the restore is refused with TrashedParentError (restore the folder
// first). Deleting a folder for good deletes for good everything still
// below it, including items trashed on their own before it.

// TrashedParentError refuses to restore an item whose folder is in the trash.
type TrashedParentError struct {
	Folder string // the name of that folder
}

func (e *TrashedParentError) Error() string {
	return fmt.Sprintf("documents: folder %q is in the trash", e.Folder)
}

// As lets the refusal be read as the form error of the trash page:
// valid.Errors with the whole form's message (field "") naming the folder
// to restore first.
func (e *TrashedParentError) As(target any) bool {
	if ve, ok := target.(*valid.Errors); ok {
		*ve = valid.One("", "documents.trash.parent_trashed", e.Folder)
		return true
	}
	return false
}

// Contents counts what a folder holds below it: sub-folders at every depth
// and their documents, the folder's own included.
type Contents struct {
	Folders   int
	Documents int
}

// TrashedFolder is a folder in the trash, as the trash page lists it.
type TrashedFolder struct {
	Folder
	Path      string // where it was: its ancestors' names, "" at the top level
	TrashedAt time.Time
	Contents  // what left with it
}

// Purged is an item deleted for good (its audit entry is written by the
// store, in the transaction of the deletion).
type Purged struct {
	Kind      string // "folder" or "document"
	ID        int64
	Name      string
	Documents int // documents deleted with it (folders)
	Files     int // stored files removed from disk
}

// PurgeOn is the day an item trashed at t is deleted for good.
func (s *Store) PurgeOn(t time.Time) time.Time {
	return t.Add(time.Duration(s.opts.TrashDays) * 24 * time.Hour).In(s.opts.Location)
}

// TrashDays is how long an item stays in the trash.
func (s *Store) TrashDays() int { return s.opts.TrashDays }

// FolderContents counts what deleting a folder would send to the trash
// with it (manage needed on the folder).
func (s *Store) FolderContents(ctx context.Context, p access.Principal, id int64) (Contents, error) {
	if err := need(ctx, s.db, p, id, access.Manage); err != nil {
		return Contents{}, err
	}
	sub, err := subtree(ctx, s.db, id, true)
	if err != nil {
		return Contents{}, err
	}
	return s.count(ctx, s.db, sub, "d.trashed_at IS NULL")
}

func (s *Store) count(ctx context.Context, q db.Querier, folders []int64, docCond string) (Contents, error) {
	c := Contents{Folders: len(folders) - 1}
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM documents d WHERE "+docCond+" AND d.folder_id IN ("+db.In(len(folders))+")",
		db.Args(folders)...).Scan(&c.Documents); err != nil {
		return c, fmt.Errorf("documents: count contents: %w", err)
	}
	return c, nil
}

// TrashFolder sends a folder to the trash with its sub-folders and their
// documents. a needs manage on the folder and on every sub-folder (a
// manager may not delete what others have hidden from them); a folder at
// the top level needs an administrator, as creating one does. Refusals a
// user can understand are valid.Errors on "folder". It returns what went.
func (s *Store) TrashFolder(ctx context.Context, a access.Actor, id int64) (Contents, error) {
	var c Contents
	p := a.Principal
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := need(ctx, tx, p, id, access.Manage); err != nil {
			return err
		}
		f, err := s.folder(ctx, tx, id)
		if err != nil {
			return err
		}
		if f.ParentID == 0 && !p.Admin {
			return valid.One("folder", "documents.error.folder_trash_root")
		}
		sub, err := subtree(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if !p.Admin {
			in, args := db.In(len(sub)), db.Args(sub)
			filter, fargs := p.Filter(access.Folder, "f.id", access.Manage)
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM folders f WHERE f.id IN ("+in+") AND NOT "+filter,
				append(append([]any{}, args...), fargs...)...).Scan(&n); err != nil {
				return fmt.Errorf("documents: trash folder %d: %w", id, err)
			}
			if n > 0 {
				return valid.One("folder", "documents.error.folder_trash_unmanaged")
			}
		}
		// Folders first, the folder itself, then its live sub-folders level
		// by level until none is left: their rows are locked before the
		// documents are read, so an upload or a sub-folder created at the
		// same moment either finishes first and is taken along, or waits and
		// finds its folder trashed (see needLive).
		now, by := s.Now().UTC(), nullID(p.UserID)
		if _, err := tx.Exec(ctx, "UPDATE folders SET trashed_at = ?, trashed_by = ?, trashed_with = NULL WHERE id = ?", now, by, id); err != nil {
			return fmt.Errorf("documents: trash folder %d: %w", id, err)
		}
		const gone = "(SELECT g.id FROM folders g WHERE g.id = ? OR g.trashed_with = ?)"
		for {
			res, err := tx.Exec(ctx, "UPDATE folders SET trashed_at = ?, trashed_by = ?, trashed_with = ? WHERE trashed_at IS NULL AND parent_id IN "+gone,
				now, by, id, id, id)
			if err != nil {
				return fmt.Errorf("documents: trash folder %d: %w", id, err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				break
			}
		}
		docs, err := s.ids(ctx, tx, "SELECT id FROM documents WHERE trashed_at IS NULL AND folder_id IN "+gone, id, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE documents SET trashed_at = ?, trashed_by = ?, trashed_with = ? WHERE trashed_at IS NULL AND folder_id IN "+gone,
			now, by, id, id, id); err != nil {
			return fmt.Errorf("documents: trash folder %d: %w", id, err)
		}
		if err := tx.QueryRow(ctx, "SELECT (SELECT COUNT(*) FROM folders WHERE trashed_with = ?), (SELECT COUNT(*) FROM documents WHERE trashed_with = ?)", id, id).
			Scan(&c.Folders, &c.Documents); err != nil {
			return fmt.Errorf("documents: trash folder %d: %w", id, err)
		}
		for _, d := range docs {
			if err := s.unindex(ctx, tx, d); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, a, "folder.trashed", folderObject(id), fmt.Sprintf("%s folders=%d documents=%d", f.Name, c.Folders, c.Documents))
	})
	return c, err
}

// liveParent fails with TrashedParentError when folderID is in the trash,
// and otherwise locks it (see needLive) for the restore under way.
func (s *Store) liveParent(ctx context.Context, tx *db.Tx, folderID int64) error {
	if folderID == 0 {
		return nil
	}
	if ok, err := lockLive(ctx, tx, folderID); err != nil || ok {
		return err
	}
	var name string
	if err := tx.QueryRow(ctx, "SELECT name FROM folders WHERE id = ?", folderID).Scan(&name); err != nil {
		return fmt.Errorf("documents: folder %d: %w", folderID, db.NotFound(err))
	}
	return &TrashedParentError{Folder: name}
}

// RestoreFolder takes a folder out of the trash with what left with it
// (administrators only), back under its parent folder wherever that is now.
// When a folder of the same name has taken its place meanwhile, it comes
// back renamed "name (restauré)" (documents.folder.restored_name). It
// returns the name it has.
func (s *Store) RestoreFolder(ctx context.Context, a access.Actor, id int64) (string, error) {
	if !a.Admin {
		return "", fmt.Errorf("documents: restore folder %d: %w", id, access.ErrForbidden)
	}
	var name string
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var parent *int64
		if err := tx.QueryRow(ctx, "SELECT name, parent_id FROM folders WHERE id = ? AND trashed_at IS NOT NULL AND trashed_with IS NULL", id).
			Scan(&name, &parent); err != nil {
			return fmt.Errorf("documents: restore folder %d: %w", id, db.NotFound(err))
		}
		var parentID int64
		if parent != nil {
			parentID = *parent
		}
		if err := s.liveParent(ctx, tx, parentID); err != nil {
			return err
		}
		base := name
		for i := 1; ; i++ {
			taken, err := nameTaken(ctx, tx, parentID, name, id)
			if err != nil {
				return err
			}
			if !taken {
				break
			}
			name = restoredName(base, i)
		}
		if _, err := tx.Exec(ctx, "UPDATE folders SET name = ?, trashed_at = NULL, trashed_by = NULL WHERE id = ?", name, id); err != nil {
			return fmt.Errorf("documents: restore folder %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE folders SET trashed_at = NULL, trashed_by = NULL, trashed_with = NULL WHERE trashed_with = ?", id); err != nil {
			return fmt.Errorf("documents: restore folder %d: %w", id, err)
		}
		docs, err := s.ids(ctx, tx, "SELECT id FROM documents WHERE trashed_with = ?", id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE documents SET trashed_at = NULL, trashed_by = NULL, trashed_with = NULL WHERE trashed_with = ?", id); err != nil {
			return fmt.Errorf("documents: restore folder %d: %w", id, err)
		}
		for _, d := range docs {
			if err := s.reindex(ctx, tx, d); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, a, "folder.restored", folderObject(id), name)
	})
	return name, err
}

// restoredName is the name of a restored folder whose name was taken
// meanwhile, at the i-th try: "Comité (restauré)", "Comité (restauré 2)".
// The words are the catalogue's, like every text a person reads.
func restoredName(base string, i int) string {
	if i == 1 {
		return catalogue().T("documents.folder.restored_name", base)
	}
	return catalogue().T("documents.folder.restored_name_n", base, i)
}

var catalogue = sync.OnceValue(func() *i18n.Catalog { return i18n.MustLoad("fr") })

// Restore takes a document out of the trash (administrators only), back
// into its folder; refused with TrashedParentError while that folder is in
// the trash. A document that left with its folder comes back with it.
func (s *Store) Restore(ctx context.Context, a access.Actor, id int64) error {
	if !a.Admin {
		return fmt.Errorf("documents: restore %d: %w", id, access.ErrForbidden)
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var folder int64
		var filename string
		if err := tx.QueryRow(ctx, "SELECT folder_id, filename FROM documents WHERE id = ? AND trashed_at IS NOT NULL AND trashed_with IS NULL", id).Scan(&folder, &filename); err != nil {
			return fmt.Errorf("documents: restore %d: %w", id, db.NotFound(err))
		}
		if err := s.liveParent(ctx, tx, folder); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE documents SET trashed_at = NULL, trashed_by = NULL WHERE id = ?", id); err != nil {
			return fmt.Errorf("documents: restore %d: %w", id, err)
		}
		if err := s.reindex(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "document.restored", documentObject(id), filename)
	})
}

// Trashed lists the documents in the trash on their own (not those that
// left with a folder), most recently trashed first (administrators only).
func (s *Store) Trashed(ctx context.Context, p access.Principal) ([]Document, error) {
	if !p.Admin {
		return nil, fmt.Errorf("documents: the trash: %w", access.ErrForbidden)
	}
	rows, err := s.db.Query(ctx, "SELECT "+docCols+docFrom+" WHERE d.trashed_at IS NOT NULL AND d.trashed_with IS NULL ORDER BY d.trashed_at DESC, d.id DESC LIMIT 500")
	if err != nil {
		return nil, fmt.Errorf("documents: trash: %w", err)
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		var d Document
		if err := scanDoc(rows, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// TrashedDocument returns one document of the trash (administrators only).
func (s *Store) TrashedDocument(ctx context.Context, p access.Principal, id int64) (*Document, error) {
	if !p.Admin {
		return nil, fmt.Errorf("documents: the trash: %w", access.ErrForbidden)
	}
	d := &Document{}
	if err := scanDoc(s.db.QueryRow(ctx, "SELECT "+docCols+docFrom+" WHERE d.id = ? AND d.trashed_at IS NOT NULL AND d.trashed_with IS NULL", id), d); err != nil {
		return nil, fmt.Errorf("documents: trashed document %d: %w", id, db.NotFound(err))
	}
	return d, nil
}

// TrashedFolders lists the folders in the trash on their own, most
// recently trashed first, with what left with each (administrators only).
func (s *Store) TrashedFolders(ctx context.Context, p access.Principal) ([]TrashedFolder, error) {
	if !p.Admin {
		return nil, fmt.Errorf("documents: the trash: %w", access.ErrForbidden)
	}
	ids, err := s.ids(ctx, s.db, "SELECT id FROM folders WHERE trashed_at IS NOT NULL AND trashed_with IS NULL ORDER BY trashed_at DESC, id DESC LIMIT 500")
	if err != nil {
		return nil, err
	}
	out := make([]TrashedFolder, 0, len(ids))
	for _, id := range ids {
		f, err := s.trashedFolder(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// TrashedFolder returns one folder of the trash (administrators only).
func (s *Store) TrashedFolder(ctx context.Context, p access.Principal, id int64) (TrashedFolder, error) {
	if !p.Admin {
		return TrashedFolder{}, fmt.Errorf("documents: the trash: %w", access.ErrForbidden)
	}
	return s.trashedFolder(ctx, s.db, id)
}

func (s *Store) trashedFolder(ctx context.Context, q db.Querier, id int64) (TrashedFolder, error) {
	var t TrashedFolder
	var parent *int64
	if err := q.QueryRow(ctx, "SELECT id, parent_id, name, created_at, trashed_at FROM folders WHERE id = ? AND trashed_at IS NOT NULL AND trashed_with IS NULL", id).
		Scan(&t.ID, &parent, &t.Name, &t.CreatedAt, &t.TrashedAt); err != nil {
		return t, fmt.Errorf("documents: trashed folder %d: %w", id, db.NotFound(err))
	}
	var names []string
	for cur, n := parent, 0; cur != nil && n < 64; n++ {
		var name string
		var next *int64
		if err := q.QueryRow(ctx, "SELECT name, parent_id FROM folders WHERE id = ?", *cur).Scan(&name, &next); err != nil {
			return t, fmt.Errorf("documents: folder %d: %w", *cur, db.NotFound(err))
		}
		if n == 0 {
			t.ParentID = *cur
		}
		names = append([]string{name}, names...)
		cur = next
	}
	t.Path = strings.Join(names, " › ")
	if err := q.QueryRow(ctx, "SELECT (SELECT COUNT(*) FROM folders WHERE trashed_with = ?), (SELECT COUNT(*) FROM documents WHERE trashed_with = ?)", id, id).
		Scan(&t.Folders, &t.Documents); err != nil {
		return t, fmt.Errorf("documents: trashed folder %d: %w", id, err)
	}
	return t, nil
}
