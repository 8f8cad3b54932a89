package documents

import (
	"context"
	"errors"
	"fmt"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/valid"
)

// subtree returns a folder and all its descendants (live ones only when
// live is true: the walk then stops at a sub-folder in the trash, whose own
// contents left with it).
func subtree(ctx context.Context, q db.Querier, id int64, live bool) ([]int64, error) {
	cond := ""
	if live {
		cond = " WHERE f.trashed_at IS NULL"
	}
	ids, err := db.IDs(ctx, q, `WITH RECURSIVE sub(id) AS (
	SELECT CAST(? AS BIGINT)
	UNION
	SELECT f.id FROM folders f JOIN sub ON f.parent_id = sub.id`+cond+`
) SELECT id FROM sub`, id)
	if err != nil {
		return nil, fmt.Errorf("documents: sub-folders of %d: %w", id, err)
	}
	return ids, nil
}

// MoveFolder puts a folder, with its sub-folders and documents, under
// another folder (newParentID), or at the top level (0). a needs manage on
// the folder and edit on the destination; only administrators may move a
// folder to the top level (as only they create folders there). Moving a
// folder into itself or one of its sub-folders is refused.
//
// The folder keeps its own grants if it has some; otherwise it and the
// sub-folders that inherit take the grants of their new place. The search
// index needs no change: its entries refer to the documents' folders, whose
// grants and place in the tree the search query reads from the access tree.
// Refusals a user can fix are valid.Errors on "parent". A move to where the
// folder already is changes nothing and leaves no trace.
func (s *Store) MoveFolder(ctx context.Context, a access.Actor, id, newParentID int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := need(ctx, tx, a.Principal, id, access.Manage); err != nil {
			return err
		}
		f, err := s.folder(ctx, tx, id)
		if err != nil {
			return err
		}
		if newParentID == f.ParentID {
			return nil
		}
		if newParentID == 0 {
			if !a.Admin {
				return valid.One("parent", "documents.error.folder_root_admin")
			}
		} else if err := needLive(ctx, tx, a.Principal, newParentID, access.Edit); err != nil {
			if errors.Is(err, db.ErrNotFound) || errors.Is(err, access.ErrForbidden) {
				return valid.One("parent", "documents.error.folder_move_target")
			}
			return err
		}
		if taken, err := nameTaken(ctx, tx, newParentID, f.Name, id); err != nil {
			return err
		} else if taken {
			return valid.One("parent", "documents.error.folder_move_taken", f.Name)
		}
		if err := access.Move(ctx, tx, access.Folder, id, newParentID); err != nil {
			if errors.Is(err, access.ErrCycle) {
				return valid.One("parent", "documents.error.folder_cycle")
			}
			return err
		}
		var parent any
		if newParentID != 0 {
			parent = newParentID
		}
		if _, err := tx.Exec(ctx, "UPDATE folders SET parent_id = ? WHERE id = ?", parent, id); err != nil {
			return fmt.Errorf("documents: move folder %d: %w", id, err)
		}
		return s.record(ctx, tx, a, "folder.moved", folderObject(id), "from="+placeName(f.ParentID)+" to="+placeName(newParentID))
	})
}

// placeName names a folder's place in the audit trail: "folder:12", or
// "root" for the top level.
func placeName(parentID int64) string {
	if parentID == 0 {
		return "root"
	}
	return folderObject(parentID)
}

// MoveTargets returns the folders p could move a folder into: those p may
// edit, except the folder itself, its sub-folders and its current parent.
func (s *Store) MoveTargets(ctx context.Context, p access.Principal, f Folder) ([]Folder, error) {
	all, err := s.EditableFolders(ctx, p)
	if err != nil {
		return nil, err
	}
	sub, err := subtree(ctx, s.db, f.ID, true)
	if err != nil {
		return nil, err
	}
	skip := map[int64]bool{f.ParentID: true}
	for _, id := range sub {
		skip[id] = true
	}
	var out []Folder
	for _, x := range all {
		if !skip[x.ID] {
			out = append(out, x)
		}
	}
	return out, nil
}
