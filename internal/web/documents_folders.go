package web

import (
	"net/http"
	"strconv"

	"portique/internal/access"
	"portique/internal/documents"
	"portique/internal/users"
	"portique/internal/valid"
)

// folderCreate creates a folder: under "parent" (manage needed there), or at
// the top level (administrators).
func (s *Server) folderCreate(w http.ResponseWriter, r *http.Request) error {
	parent, _ := strconv.ParseInt(r.PostFormValue("parent"), 10, 64)
	name := r.PostFormValue("name")
	id, err := s.docs.CreateFolder(r.Context(), s.actor(r), parent, name)
	if ve, ok := formErrors(err); ok {
		p, err := s.documentsIndexData(r, parent, false)
		if err != nil {
			return err
		}
		p.NewFolderName = name
		// On the listing, "name" is the rename field: the new folder's
		// name is "new_folder".
		errs := valid.Errors{}
		for f, m := range ve {
			if f == "name" {
				f = "new_folder"
			}
			errs[f] = m
		}
		return s.unprocessable(w, r, "documents_index", &p, errs)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "documents.flash.folder_created", folderURL(id, false))
}

func (s *Server) folderRename(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name := r.PostFormValue("name")
	err = s.docs.RenameFolder(r.Context(), s.actor(r), id, name)
	if ve, ok := formErrors(err); ok {
		p, err := s.documentsIndexData(r, id, false)
		if err != nil {
			return err
		}
		p.FolderName = name
		return s.unprocessable(w, r, "documents_index", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "documents.flash.saved", folderURL(id, false))
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
	f, _, err := s.docs.Folder(ctx, principal(r), id)
	if err != nil {
		return folderGrantsPage{}, err
	}
	grants, own, err := s.docs.FolderGrants(ctx, principal(r), id)
	if err != nil {
		return folderGrantsPage{}, err
	}
	p := folderGrantsPage{Page: s.page(r, s.cat.T("documents.grants.title", f.Name)), Folder: f, CanRoot: f.ParentID == 0, Own: own}
	if p.Crumbs, err = s.docs.Breadcrumb(ctx, principal(r), id); err != nil {
		return p, err
	}
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
	if !inherit {
		groups, err := s.groups.List(r.Context())
		if err != nil {
			return err
		}
		for _, g := range groups {
			lvl := access.ParseLevel(r.PostFormValue("level_" + strconv.FormatInt(g.ID, 10)))
			if lvl > access.None {
				grants = append(grants, access.Grant{GroupID: g.ID, Level: lvl})
			}
		}
		if grants == nil {
			grants = []access.Grant{}
		}
	}
	if err := s.docs.SetFolderGrants(r.Context(), s.actor(r), id, grants, inherit); err != nil {
		return err
	}
	return s.seeOther(w, r, "documents.flash.grants_saved", folderURL(id, false))
}
