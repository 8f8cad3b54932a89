package web

import (
	"net/http"
	"strconv"
	"time"

	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/valid"
)

// folderMove puts a folder under another ("parent"; 0: the top level). The
// store checks manage on the folder and edit on the destination.
func (s *Server) folderMove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	switch v := r.PostFormValue("parent"); v {
	case "":
		err = valid.One("parent", "documents.folder.move_choose_error")
	default:
		parent, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			parent = -1 // refused by the store as a folder nobody may see
		}
		err = s.docs.MoveFolder(r.Context(), s.actor(r), id, parent)
	}
	if ve, ok := formErrors(err); ok {
		p, err := s.documentsIndexData(r, id, false)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "documents_index", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "documents.flash.folder_moved", folderURL(id, false))
}

// folderDeletePage asks before a folder goes to the trash with what it holds.
type folderDeletePage struct {
	Page
	Folder    documents.Folder
	Crumbs    []documents.Folder
	Contents  documents.Contents
	TrashDays int
}

func (s *Server) folderDeleteData(r *http.Request, id int64) (folderDeletePage, error) {
	ctx := r.Context()
	f, _, err := s.docs.Folder(ctx, principal(r), id)
	if err != nil {
		return folderDeletePage{}, err
	}
	c, err := s.docs.FolderContents(ctx, principal(r), id)
	if err != nil {
		return folderDeletePage{}, err
	}
	p := folderDeletePage{Page: s.page(r, s.cat.T("documents.folder_delete.title", f.Name)), Folder: f, Contents: c, TrashDays: s.docs.TrashDays()}
	p.Crumbs, err = s.docs.Breadcrumb(ctx, principal(r), id)
	return p, err
}

// folderDeleteConfirm is the confirmation page (manage needed).
func (s *Server) folderDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.folderDeleteData(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "documents_folder_delete", p)
	return nil
}

// folderDelete sends the folder, its sub-folders and their documents to the
// trash, then shows its parent folder (or the document space).
func (s *Server) folderDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, _, err := s.docs.Folder(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	_, err = s.docs.TrashFolder(r.Context(), s.actor(r), id)
	if ve, ok := formErrors(err); ok {
		// Refused: the confirmation page again, with the reason.
		p, err := s.folderDeleteData(r, id)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "documents_folder_delete", &p, ve)
	}
	if err != nil {
		return err
	}
	back := "/documents"
	if f.ParentID != 0 {
		back = folderURL(f.ParentID, false)
	}
	return s.seeOther(w, r, "documents.flash.folder_trashed", back)
}

// documentTrashPage is the trash: folders and documents deleted on their
// own, each restorable or deletable for good by an administrator.
type documentTrashPage struct {
	Page
	Folders   []trashedFolderRow
	Docs      []trashedDocRow
	TrashDays int
}

type trashedFolderRow struct {
	documents.TrashedFolder
	PurgeOn time.Time // when the housekeeping deletes it for good
}

type trashedDocRow struct {
	documents.Document
	PurgeOn time.Time
}

func (s *Server) documentTrashData(r *http.Request) (documentTrashPage, error) {
	ctx := r.Context()
	p := documentTrashPage{Page: s.page(r, s.cat.T("documents.trash.title")), TrashDays: s.docs.TrashDays()}
	folders, err := s.docs.TrashedFolders(ctx, principal(r))
	if err != nil {
		return p, err
	}
	for _, f := range folders {
		p.Folders = append(p.Folders, trashedFolderRow{f, s.docs.PurgeOn(f.TrashedAt)})
	}
	docs, err := s.docs.Trashed(ctx, principal(r))
	if err != nil {
		return p, err
	}
	for _, d := range docs {
		row := trashedDocRow{Document: d}
		if d.TrashedAt != nil {
			row.PurgeOn = s.docs.PurgeOn(*d.TrashedAt)
		}
		p.Docs = append(p.Docs, row)
	}
	return p, nil
}

func (s *Server) documentTrash(w http.ResponseWriter, r *http.Request) error {
	p, err := s.documentTrashData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "documents_trash", p)
	return nil
}

// restoreDone ends a restore: back to the trash with a flash, or the trash
// page with the reason when the item's folder is itself in the trash (the
// store's TrashedParentError reads as the form error of that page).
func (s *Server) restoreDone(w http.ResponseWriter, r *http.Request, err error) error {
	if ve, ok := formErrors(err); ok {
		p, err := s.documentTrashData(r)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "documents_trash", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "documents.flash.restored", "/documents/corbeille")
}

func (s *Server) documentRestore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.restoreDone(w, r, s.docs.Restore(r.Context(), s.actor(r), id))
}

func (s *Server) folderRestore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.docs.RestoreFolder(r.Context(), s.actor(r), id)
	return s.restoreDone(w, r, err)
}

// purgePage asks before an item of the trash is deleted for good.
type purgePage struct {
	Page
	Name      string
	Where     string
	Action    string // form URL
	Documents int    // documents that go with a folder
	Folders   int
	IsFolder  bool
}

func (s *Server) purgeConfirm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.purgeData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "documents_purge", p)
	return nil
}

func (s *Server) purgeData(r *http.Request) (purgePage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return purgePage{}, err
	}
	ctx := r.Context()
	p := purgePage{Action: r.URL.Path}
	if r.PathValue("kind") == "dossiers" {
		f, err := s.docs.TrashedFolder(ctx, principal(r), id)
		if err != nil {
			return p, err
		}
		p.Name, p.Where, p.IsFolder, p.Folders, p.Documents = f.Name, f.Path, true, f.Folders, f.Documents
	} else if r.PathValue("kind") == "documents" {
		d, err := s.docs.TrashedDocument(ctx, principal(r), id)
		if err != nil {
			return p, err
		}
		p.Name, p.Where = d.Title, d.FolderName
	} else {
		return p, db.ErrNotFound
	}
	p.Page = s.page(r, s.cat.T("documents.purge.title", p.Name))
	return p, nil
}

// purge deletes one item of the trash for good (administrators).
func (s *Server) purge(w http.ResponseWriter, r *http.Request) error {
	p, err := s.purgeData(r)
	if err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	if p.IsFolder {
		_, err = s.docs.DeleteFolderForGood(r.Context(), s.actor(r), id)
	} else {
		_, err = s.docs.DeleteForGood(r.Context(), s.actor(r), id)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "documents.flash.purged", "/documents/corbeille")
}
