package web

import (
	"errors"
	"net/http"
	"strconv"

	"portique/internal/db"
	"portique/internal/users"
	"portique/internal/valid"
)

type adminGroupsPage struct {
	Page
	Groups []users.Group
	Name   string // the create form's field, kept on error
}

func (s *Server) adminGroupsPage(r *http.Request) (adminGroupsPage, error) {
	groups, err := users.ListGroups(r.Context(), s.db)
	return adminGroupsPage{Page: s.page(r, s.cat.T("accounts.admin.groups")), Groups: groups}, err
}

func (s *Server) adminGroups(w http.ResponseWriter, r *http.Request) error {
	p, err := s.adminGroupsPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_groups", p)
	return nil
}

func (s *Server) adminGroupCreate(w http.ResponseWriter, r *http.Request) error {
	name := r.PostFormValue("name")
	id, err := users.CreateGroup(r.Context(), s.db, name, s.now())
	var verrs valid.Errors
	if errors.As(err, &verrs) {
		p, err := s.adminGroupsPage(r)
		if err != nil {
			return err
		}
		p.Name = name
		s.withErrors(&p.Page, verrs)
		s.render(w, r, http.StatusUnprocessableEntity, "admin_groups", p)
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "group.created", groupObject(id), name)
	s.flash(w, "accounts.flash.group_created")
	http.Redirect(w, r, "/admin/groupes/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

type adminGroupPage struct {
	Page
	Group      *users.Group
	Name       string
	Members    []users.User
	Candidates []users.User // accounts not in the group
}

func (s *Server) groupFromPath(r *http.Request) (*users.Group, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, db.ErrNotFound
	}
	return users.GetGroup(r.Context(), s.db, id)
}

func (s *Server) adminGroupPage(r *http.Request, g *users.Group) (adminGroupPage, error) {
	p := adminGroupPage{Page: s.page(r, g.Name), Group: g, Name: g.Name}
	if g.Builtin {
		return p, nil
	}
	var err error
	if p.Members, err = users.Members(r.Context(), s.db, g.ID); err != nil {
		return p, err
	}
	all, err := users.List(r.Context(), s.db, users.ListFilter{})
	if err != nil {
		return p, err
	}
	in := map[int64]bool{}
	for _, m := range p.Members {
		in[m.ID] = true
	}
	for _, u := range all {
		if !in[u.ID] {
			p.Candidates = append(p.Candidates, u)
		}
	}
	return p, nil
}

func (s *Server) adminGroupEdit(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	p, err := s.adminGroupPage(r, g)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_group", p)
	return nil
}

func (s *Server) adminGroupRename(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	name := r.PostFormValue("name")
	err = users.RenameGroup(r.Context(), s.db, g.ID, name)
	var verrs valid.Errors
	switch {
	case errors.As(err, &verrs):
		p, err := s.adminGroupPage(r, g)
		if err != nil {
			return err
		}
		p.Name = name
		s.withErrors(&p.Page, verrs)
		s.render(w, r, http.StatusUnprocessableEntity, "admin_group", p)
		return nil
	case errors.Is(err, users.ErrBuiltin):
		return errBadRequest
	case err != nil:
		return err
	}
	s.audit(r, nil, "group.renamed", groupObject(g.ID), g.Name+" → "+name)
	s.flash(w, "accounts.flash.group_saved")
	http.Redirect(w, r, "/admin/groupes/"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) adminGroupAddMember(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	uid, err := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	if err != nil {
		return errBadRequest
	}
	err = users.AddMember(r.Context(), s.db, g.ID, uid)
	switch {
	case errors.Is(err, users.ErrBuiltin), errors.Is(err, db.ErrNotFound):
		return errBadRequest
	case err != nil:
		return err
	}
	s.audit(r, nil, "membership.added", groupObject(g.ID), userObject(uid))
	s.flash(w, "accounts.flash.member_added")
	http.Redirect(w, r, "/admin/groupes/"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) adminGroupRemoveMember(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	uid, err := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	if err != nil {
		return errBadRequest
	}
	if err := users.RemoveMember(r.Context(), s.db, g.ID, uid); err != nil {
		return err
	}
	s.audit(r, nil, "membership.removed", groupObject(g.ID), userObject(uid))
	s.flash(w, "accounts.flash.member_removed")
	http.Redirect(w, r, "/admin/groupes/"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) adminGroupDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	if g.Builtin {
		return errBadRequest
	}
	back := "/admin/groupes/" + strconv.FormatInt(g.ID, 10)
	s.render(w, r, http.StatusOK, "admin_confirm", confirmPage{
		Page:     s.page(r, s.cat.T("accounts.admin.group_delete")),
		Question: s.cat.T("accounts.admin.group_delete_question", g.Name, g.Members),
		Action:   back + "/supprimer", Cancel: back, Button: s.cat.T("accounts.admin.group_delete"),
	})
	return nil
}

// adminGroupDelete deletes a group; its members stay, its grants go.
func (s *Server) adminGroupDelete(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	err = users.DeleteGroup(r.Context(), s.db, g.ID)
	if errors.Is(err, users.ErrBuiltin) {
		return errBadRequest
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "group.deleted", groupObject(g.ID), g.Name)
	s.flash(w, "accounts.flash.group_deleted")
	http.Redirect(w, r, "/admin/groupes", http.StatusSeeOther)
	return nil
}
