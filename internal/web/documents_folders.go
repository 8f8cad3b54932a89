package web

import (
	"errors"
	"net/http"
	"strconv"

	"portique/internal/access"
	"portique/internal/documents"
	"portique/internal/users"
)

// folderCreate creates a folder: under "parent" (manage needed there), or at
// the top level (administrators).
func (s *Server) folderCreate(w http.ResponseWriter, r *http.Request) error {
	parent, _ := strconv.ParseInt(r.PostFormValue("parent"), 10, 64)
	name := r.PostFormValue("name")
	id, err := s.docs.CreateFolder(r.Context(), principal(r), parent, name)
	var fe documents.FieldErrors
	if errors.As(err, &fe) {
		p, err := s.documentsIndexData(r, parent, false)
		if err != nil {
			return err
		}
		p.NewFolderName = name
		documentFieldErrors(&p.Page, fe)
		if p.Errors["name"] != "" {
			p.Errors["new_folder"] = p.Errors["name"]
			delete(p.Errors, "name")
		}
		s.render(w, r, http.StatusUnprocessableEntity, "documents_index", p)
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "folder.created", folderObject(id), name)
	s.flash(w, "documents.flash.folder_created")
	http.Redirect(w, r, folderURL(id, false), http.StatusSeeOther)
	return nil
}

func (s *Server) folderRename(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name := r.PostFormValue("name")
	err = s.docs.RenameFolder(r.Context(), principal(r), id, name)
	var fe documents.FieldErrors
	if errors.As(err, &fe) {
		p, err := s.documentsIndexData(r, id, false)
		if err != nil {
			return err
		}
		p.FolderName = name
		documentFieldErrors(&p.Page, fe)
		s.render(w, r, http.StatusUnprocessableEntity, "documents_index", p)
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "folder.renamed", folderObject(id), name)
	s.flash(w, "documents.flash.saved")
	http.Redirect(w, r, folderURL(id, false), http.StatusSeeOther)
	return nil
}

// folderGrantsPage lets a manager choose who sees and edits a folder.
type folderGrantsPage struct {
	Page
	Folder  documents.Folder
	Crumbs  []documents.Folder
	Own     bool
	Rows    []grantRow
	CanRoot bool // the folder is a root: inheriting means "administrators only"
}

type grantRow struct {
	Group users.Group
	Level string // none, view, edit, manage
}

func (s *Server) folderGrantsData(r *http.Request, id int64) (folderGrantsPage, error) {
	ctx := r.Context()
	f, lvl, err := s.docs.Folder(ctx, principal(r), id)
	if err != nil {
		return folderGrantsPage{}, err
	}
	if lvl < access.Manage {
		return folderGrantsPage{}, access.ErrForbidden
	}
	p := folderGrantsPage{Page: s.page(r, s.cat.T("documents.grants.title", f.Name)), Folder: f, CanRoot: f.ParentID == 0}
	if p.Crumbs, err = s.docs.Breadcrumb(ctx, principal(r), id); err != nil {
		return p, err
	}
	grants, own, err := access.Grants(ctx, s.db, access.Folder, id)
	if err != nil {
		return p, err
	}
	p.Own = own
	levels := map[int64]access.Level{}
	for _, g := range grants {
		levels[g.GroupID] = g.Level
	}
	groups, err := s.groups.List(ctx)
	if err != nil {
		return p, err
	}
	for _, g := range groups {
		p.Rows = append(p.Rows, grantRow{Group: g, Level: levels[g.ID].String()})
	}
	return p, nil
}

func (s *Server) folderGrants(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.folderGrantsData(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "documents_grants", p)
	return nil
}

// folderGrantsSave stores the folder's grants: "inherit" follows the parent
// folder; otherwise one level per group (level_<group id>).
func (s *Server) folderGrantsSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	inherit := r.PostFormValue("mode") == "inherit"
	var grants []access.Grant
	detail := "inherit"
	if !inherit {
		detail = ""
		groups, err := s.groups.List(r.Context())
		if err != nil {
			return err
		}
		for _, g := range groups {
			lvl := access.ParseLevel(r.PostFormValue("level_" + strconv.FormatInt(g.ID, 10)))
			if lvl > access.None {
				grants = append(grants, access.Grant{GroupID: g.ID, Level: lvl})
				detail += g.Name + "=" + lvl.String() + " "
			}
		}
		if grants == nil {
			grants = []access.Grant{}
		}
	}
	if err := s.docs.SetFolderGrants(r.Context(), principal(r), id, grants, inherit); err != nil {
		return err
	}
	s.audit(r, nil, "folder.grants", folderObject(id), detail)
	s.flash(w, "documents.flash.grants_saved")
	http.Redirect(w, r, folderURL(id, false), http.StatusSeeOther)
	return nil
}
