package web

import (
	"errors"
	"net/http"
	"strconv"

	"portique/internal/db"
	"portique/internal/users"
)

type adminGroupsPage struct {
	Page
	Groups []users.Group
	Name   string // the create form's field, kept on error
}

func (s *Server) adminGroupsPage(r *http.Request) (adminGroupsPage, error) {
	groups, err := s.groups.List(r.Context())
	return adminGroupsPage{Page: s.page(r, s.cat.T("accounts.admin.groups")), Groups: groups}, err
}

func (s *Server) adminGroups(w http.ResponseWriter, r *http.Request) error {
	p, err := s.adminGroupsPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_groups", &p)
	return nil
}

// groupURL is the admin page of a group.
func groupURL(id int64) string { return "/admin/groupes/" + strconv.FormatInt(id, 10) }

func (s *Server) adminGroupCreate(w http.ResponseWriter, r *http.Request) error {
	name := r.PostFormValue("name")
	id, err := s.groups.Create(r.Context(), s.actor(r), name)
	if ve, ok := formErrors(err); ok {
		p, err := s.adminGroupsPage(r)
		if err != nil {
			return err
		}
		p.Name = name
		return s.unprocessable(w, r, "admin_groups", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "accounts.flash.group_created", groupURL(id))
}

type adminGroupPage struct {
	Page
	Group      *users.Group
	Name       string
	Members    []users.User
	Candidates []users.User // accounts not in the group
}

func (s *Server) groupFromPath(r *http.Request) (*users.Group, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.groups.Get(r.Context(), id)
}

func (s *Server) adminGroupPage(r *http.Request, g *users.Group) (adminGroupPage, error) {
	p := adminGroupPage{Page: s.page(r, g.Name), Group: g, Name: g.Name}
	if g.Builtin {
		return p, nil
	}
	var err error
	if p.Members, err = s.groups.Members(r.Context(), g.ID); err != nil {
		return p, err
	}
	all, err := s.accounts.List(r.Context(), users.ListFilter{})
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
	s.render(w, r, http.StatusOK, "admin_group", &p)
	return nil
}

// adminGroupRename renames a group; the built-in ones are refused (400).
func (s *Server) adminGroupRename(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	name := r.PostFormValue("name")
	err = s.groups.Rename(r.Context(), s.actor(r), g.ID, name)
	if ve, ok := formErrors(err); ok {
		p, err := s.adminGroupPage(r, g)
		if err != nil {
			return err
		}
		p.Name = name
		return s.unprocessable(w, r, "admin_group", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "accounts.flash.group_saved", groupURL(g.ID))
}

// adminGroupAddMember puts the chosen account in the group {id}.
func (s *Server) adminGroupAddMember(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	uid, err := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	if err != nil {
		return errBadRequest
	}
	err = s.groups.AddMember(r.Context(), s.actor(r), g.ID, uid)
	if errors.Is(err, db.ErrNotFound) {
		return errBadRequest // the group exists: the account chosen does not
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "accounts.flash.member_added", groupURL(g.ID))
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
	if err := s.groups.RemoveMember(r.Context(), s.actor(r), g.ID, uid); err != nil {
		return err
	}
	return s.seeOther(w, r, "accounts.flash.member_removed", groupURL(g.ID))
}

func (s *Server) adminGroupDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	if g.Builtin {
		return users.ErrBuiltin
	}
	back := groupURL(g.ID)
	s.render(w, r, http.StatusOK, "admin_confirm", &confirmPage{
		Page:     s.page(r, s.cat.T("accounts.admin.group_delete")),
		Question: s.cat.T("accounts.admin.group_delete_question", g.Name, g.Members),
		Action:   back + "/supprimer", Cancel: back, Button: s.cat.T("accounts.admin.group_delete"),
	})
	return nil
}

// adminGroupDelete deletes a group; its members stay, its grants go. The
// built-in ones are refused (400).
func (s *Server) adminGroupDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.groups.Delete(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "accounts.flash.group_deleted", "/admin/groupes")
}
