package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"portique/internal/db"
	"portique/internal/documents"
)

// folderMove puts a folder under another ("parent"; 0: the top level). The
// store checks manage on the folder and edit on the destination.
func (s *Server) folderMove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var parent int64
	switch v := r.PostFormValue("parent"); v {
	case "":
		err = documents.FieldErrors{"parent": s.cat.T("documents.folder.move_choose_error")}
	default:
		if parent, err = strconv.ParseInt(v, 10, 64); err != nil {
			parent = -1 // refused by the store as a folder nobody may see
		}
		err = s.docs.MoveFolder(r.Context(), principal(r), id, parent)
	}
	var fe documents.FieldErrors
	if errors.As(err, &fe) {
		p, err := s.documentsIndexData(r, id, false)
		if err != nil {
			return err
		}
		documentFieldErrors(&p.Page, fe)
		s.render(w, r, http.StatusUnprocessableEntity, "documents_index", p)
		return nil
	}
	if err != nil {
		return err
	}
	dest := "racine"
	if parent != 0 {
		dest = folderObject(parent)
	}
	s.audit(r, nil, "folder.moved", folderObject(id), dest)
	s.flash(w, "documents.flash.folder_moved")
	http.Redirect(w, r, folderURL(id, false), http.StatusSeeOther)
	return nil
}

// folderDeletePage asks before a folder goes to the trash with what it holds.
type folderDeletePage struct {
	Page
	Folder    documents.Folder
	Crumbs    []documents.Folder
	Contents  documents.Contents
	TrashDays int
	Problem   string // why it cannot be deleted (422)
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
	c, err := s.docs.TrashFolder(r.Context(), principal(r), id)
	var fe documents.FieldErrors
	if errors.As(err, &fe) {
		// Refused: the confirmation page again, with the reason.
		p, err := s.folderDeleteData(r, id)
		if err != nil {
			return err
		}
		p.Problem = fe["folder"]
		s.render(w, r, http.StatusUnprocessableEntity, "documents_folder_delete", p)
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "folder.trashed", folderObject(id), fmt.Sprintf("%s (%d sous-dossier(s), %d document(s))", f.Name, c.Folders, c.Documents))
	s.flash(w, "documents.flash.folder_trashed")
	back := "/documents"
	if f.ParentID != 0 {
		back = folderURL(f.ParentID, false)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// documentTrashPage is the trash: folders and documents deleted on their
// own, each restorable or deletable for good by an administrator.
type documentTrashPage struct {
	Page
	Folders   []trashedFolderRow
	Docs      []trashedDocRow
	TrashDays int
	Problem   string // why a restore was refused (422)
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

// restored ends a restore: back to the trash with a flash, or the trash
// page with the reason when the item's folder is itself in the trash.
func (s *Server) restored(w http.ResponseWriter, r *http.Request, err error, action, object, detail string) error {
	var tp *documents.TrashedParentError
	if errors.As(err, &tp) {
		p, err := s.documentTrashData(r)
		if err != nil {
			return err
		}
		p.Problem = s.cat.T("documents.trash.parent_trashed", tp.Folder)
		s.render(w, r, http.StatusUnprocessableEntity, "documents_trash", p)
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, action, object, detail)
	s.flash(w, "documents.flash.restored")
	http.Redirect(w, r, "/documents/corbeille", http.StatusSeeOther)
	return nil
}

func (s *Server) documentRestore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.docs.Restore(r.Context(), principal(r), id)
	return s.restored(w, r, err, "document.restored", documentObject(id), "")
}

func (s *Server) folderRestore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name, err := s.docs.RestoreFolder(r.Context(), principal(r), id)
	return s.restored(w, r, err, "folder.restored", folderObject(id), name)
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
	var pg documents.Purged
	if p.IsFolder {
		pg, err = s.docs.DeleteFolderForGood(r.Context(), principal(r), id)
	} else {
		pg, err = s.docs.DeleteForGood(r.Context(), principal(r), id)
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, pg.Kind+".purged", pg.Kind+":"+strconv.FormatInt(pg.ID, 10),
		fmt.Sprintf("%s (%d document(s), %d fichier(s) effacé(s))", pg.Name, pg.Documents, pg.Files))
	s.flash(w, "documents.flash.purged")
	http.Redirect(w, r, "/documents/corbeille", http.StatusSeeOther)
	return nil
}
