package web

import (
	"net/http"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/pages"
	"portique/internal/valid"
)

// pageFormData is the data of the small page forms (new sub-page,
// properties, move, delete).
type pageFormData struct {
	Page
	P       *pages.Page
	Form    pages.NewPage // new sub-page, properties
	Targets []*pages.Link // move: possible parents
	Parent  int64         // move: chosen parent
	Pos     string        // move: chosen position (1-based, empty: last)
	Subtree []*pages.Page // delete: what goes to the trash
}

// loadPage loads the page of the route for someone holding lvl on it.
func (s *Server) loadPage(r *http.Request, lvl access.Level) (*pages.Page, error) {
	id, err := pageID(r)
	if err != nil {
		return nil, err
	}
	p, err := s.pages.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	ok, err := s.pages.Can(r.Context(), principal(r), id, lvl)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, access.ErrForbidden
	}
	return p, nil
}

func (s *Server) renderPageForm(w http.ResponseWriter, r *http.Request, status int, tmpl, titleKey string, d pageFormData, errs valid.Errors) {
	d.Page = s.page(r, s.cat.T(titleKey, d.P.Title))
	if len(errs) > 0 {
		s.withErrors(&d.Page, errs)
	}
	s.render(w, r, status, tmpl, d)
}

// pageNew shows the form to add a sub-page.
func (s *Server) pageNew(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPage(r, access.Edit)
	if err != nil {
		return err
	}
	s.renderPageForm(w, r, http.StatusOK, "pages_new", "pages.new.title", pageFormData{P: p, Form: pages.NewPage{HideFromMenu: !p.IsHome()}}, nil)
	return nil
}

// pageCreate adds the sub-page (a draft) and opens it in edit mode.
func (s *Server) pageCreate(w http.ResponseWriter, r *http.Request) error {
	parent, err := s.loadPage(r, access.Edit)
	if err != nil {
		return err
	}
	id := parent.ID
	form := pages.NewPage{Title: r.FormValue("title"), Slug: r.FormValue("slug"), MenuTitle: r.FormValue("menu_title"),
		MetaDescription: r.FormValue("meta_description"), HideFromMenu: r.FormValue("in_menu") == ""}
	child, err := s.pages.Create(r.Context(), s.actor(r), id, form)
	if ve, ok := formErrors(err); ok {
		p, lerr := s.pages.Get(r.Context(), id)
		if lerr != nil {
			return lerr
		}
		s.renderPageForm(w, r, http.StatusUnprocessableEntity, "pages_new", "pages.new.title", pageFormData{P: p, Form: form}, ve)
		return nil
	}
	if err != nil {
		return err
	}
	s.flash(w, "pages.flash.created")
	http.Redirect(w, r, "/pages/"+strconv.FormatInt(child.ID, 10)+"/modifier", http.StatusSeeOther)
	return nil
}

// pageProps shows the address, menu title and description form.
func (s *Server) pageProps(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPage(r, access.Edit)
	if err != nil {
		return err
	}
	d := pageFormData{P: p, Form: pages.NewPage{Slug: p.Slug, MenuTitle: p.MenuTitle, MetaDescription: p.MetaDescription, HideFromMenu: !p.InMenu}}
	s.renderPageForm(w, r, http.StatusOK, "pages_props", "pages.props.title", d, nil)
	return nil
}

// pagePropsSave saves the properties; a new address keeps the old one as a redirect.
func (s *Server) pagePropsSave(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.loadPage(r, access.Edit)
	if err != nil {
		return err
	}
	id := cur.ID
	pr := pages.Props{Slug: r.FormValue("slug"), MenuTitle: r.FormValue("menu_title"), MetaDescription: r.FormValue("meta_description"),
		HideFromMenu: r.FormValue("in_menu") == ""}
	p, err := s.pages.UpdateProps(r.Context(), s.actor(r), id, pr)
	if ve, ok := formErrors(err); ok {
		d := pageFormData{P: cur, Form: pages.NewPage{Slug: pr.Slug, MenuTitle: pr.MenuTitle, MetaDescription: pr.MetaDescription, HideFromMenu: pr.HideFromMenu}}
		s.renderPageForm(w, r, http.StatusUnprocessableEntity, "pages_props", "pages.props.title", d, ve)
		return nil
	}
	if err != nil {
		return err
	}
	s.flash(w, "pages.flash.props")
	http.Redirect(w, r, p.Path, http.StatusSeeOther)
	return nil
}

// pageMoveForm lets a manager choose a new parent and a position.
func (s *Server) pageMoveForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPage(r, access.Manage)
	if err != nil {
		return err
	}
	if p.IsHome() {
		s.renderError(w, r, http.StatusConflict, "pages.error.home_protected")
		return nil
	}
	return s.renderMove(w, r, http.StatusOK, p, p.ParentID, "", nil)
}

func (s *Server) renderMove(w http.ResponseWriter, r *http.Request, status int, p *pages.Page, parent int64, pos string, errs valid.Errors) error {
	targets, err := s.pages.Targets(r.Context(), s.actor(r), p.ID)
	if err != nil {
		return err
	}
	s.renderPageForm(w, r, status, "pages_move", "pages.move.title", pageFormData{P: p, Targets: targets, Parent: parent, Pos: pos}, errs)
	return nil
}

// pageMove moves (or reorders) the page.
func (s *Server) pageMove(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.loadPage(r, access.Manage)
	if err != nil {
		return err
	}
	id := cur.ID
	parent, _ := strconv.ParseInt(r.FormValue("parent"), 10, 64)
	posText := strings.TrimSpace(r.FormValue("position"))
	pos := -1
	if posText != "" {
		n, err := strconv.Atoi(posText)
		if err != nil || n < 1 {
			p, lerr := s.pages.Get(r.Context(), id)
			if lerr != nil {
				return lerr
			}
			return s.renderMove(w, r, http.StatusUnprocessableEntity, p, parent, posText, valid.One("position", "pages.error.position"))
		}
		pos = n - 1
	}
	err = s.pages.Move(r.Context(), s.actor(r), id, parent, pos)
	if ve, ok := formErrors(err); ok {
		p, lerr := s.pages.Get(r.Context(), id)
		if lerr != nil {
			return lerr
		}
		if _, has := ve["slug"]; has {
			ve = valid.Errors{"parent": ve["slug"]}
		}
		return s.renderMove(w, r, http.StatusUnprocessableEntity, p, parent, posText, ve)
	}
	if err != nil {
		return err
	}
	p, err := s.pages.Get(r.Context(), id)
	if err != nil {
		return err
	}
	s.flash(w, "pages.flash.moved")
	http.Redirect(w, r, p.Path, http.StatusSeeOther)
	return nil
}

// pageDeleteForm lists what will go to the trash and asks to confirm.
func (s *Server) pageDeleteForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPage(r, access.Manage)
	if err != nil {
		return err
	}
	if p.IsHome() {
		s.renderError(w, r, http.StatusConflict, "pages.error.home_protected")
		return nil
	}
	sub, err := s.pages.Subtree(r.Context(), p.ID)
	if err != nil {
		return err
	}
	s.renderPageForm(w, r, http.StatusOK, "pages_delete", "pages.delete.title", pageFormData{P: p, Subtree: sub}, nil)
	return nil
}

// pageDelete moves the page and its sub-pages to the trash.
func (s *Server) pageDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	p, err := s.pages.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if _, err := s.pages.Trash(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	parent, err := s.pages.Get(r.Context(), p.ParentID)
	if err != nil {
		return err
	}
	s.flash(w, "pages.flash.trashed")
	http.Redirect(w, r, parent.Path, http.StatusSeeOther)
	return nil
}

// rightsRow is one group of the access form with its level.
type rightsRow struct {
	Group pages.GroupOption
	Level string // none, view, edit, manage
}

// pageRightsData is the data of pages_rights.html.
type pageRightsData struct {
	Page
	P       *pages.Page
	Own     bool
	Rows    []rightsRow
	Levels  []string
	Inherit bool
}

// pageRights shows who may view, edit and manage the page.
func (s *Server) pageRights(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPage(r, access.Manage)
	if err != nil {
		return err
	}
	id := p.ID
	grants, own, err := s.pages.Grants(r.Context(), s.actor(r), id)
	if err != nil {
		return err
	}
	levels := map[int64]access.Level{}
	for _, g := range grants {
		levels[g.GroupID] = g.Level
	}
	return s.renderRights(w, r, http.StatusOK, p, own, levels, nil)
}

func (s *Server) renderRights(w http.ResponseWriter, r *http.Request, status int, p *pages.Page, own bool, levels map[int64]access.Level, errs valid.Errors) error {
	groups, err := s.pages.Groups(r.Context())
	if err != nil {
		return err
	}
	d := pageRightsData{Page: s.page(r, s.cat.T("pages.rights.title", p.Title)), P: p, Own: own, Inherit: !own,
		Levels: []string{"none", "view", "edit", "manage"}}
	for _, g := range groups {
		d.Rows = append(d.Rows, rightsRow{Group: g, Level: levels[g.ID].String()})
	}
	if len(errs) > 0 {
		s.withErrors(&d.Page, errs)
	}
	s.render(w, r, status, "pages_rights", d)
	return nil
}

// pageRightsSave stores the grants (or inheritance) of the page.
func (s *Server) pageRightsSave(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPage(r, access.Manage)
	if err != nil {
		return err
	}
	id := p.ID
	inherit := r.FormValue("mode") == "inherit"
	groups, err := s.pages.Groups(r.Context())
	if err != nil {
		return err
	}
	levels := map[int64]access.Level{}
	var grants []access.Grant
	for _, g := range groups {
		lvl := access.ParseLevel(r.FormValue("group." + strconv.FormatInt(g.ID, 10)))
		if lvl > access.None {
			levels[g.ID] = lvl
			grants = append(grants, access.Grant{GroupID: g.ID, Level: lvl})
		}
	}
	err = s.pages.SetGrants(r.Context(), s.actor(r), id, inherit, grants)
	if ve, ok := formErrors(err); ok {
		return s.renderRights(w, r, http.StatusUnprocessableEntity, p, !inherit, levels, ve)
	}
	if err != nil {
		return err
	}
	s.flash(w, "pages.flash.rights")
	// The editor may have removed their own access: go where they still may.
	if ok, _ := s.pages.Can(r.Context(), principal(r), id, access.View); !ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, p.Path, http.StatusSeeOther)
	return nil
}

// trashData is the data of pages_trash.html.
type trashData struct {
	Page
	Entries []pages.TrashEntry
}

// trashShow lists the trash (administrators).
func (s *Server) trashShow(w http.ResponseWriter, r *http.Request) error {
	list, err := s.pages.TrashList(r.Context(), s.actor(r))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_trash", trashData{Page: s.page(r, s.cat.T("pages.trash.title")), Entries: list})
	return nil
}

func (s *Server) trashRestore(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	err = s.pages.Restore(r.Context(), s.actor(r), id)
	if ve, ok := formErrors(err); ok {
		list, lerr := s.pages.TrashList(r.Context(), s.actor(r))
		if lerr != nil {
			return lerr
		}
		d := trashData{Page: s.page(r, s.cat.T("pages.trash.title")), Entries: list}
		s.withErrors(&d.Page, ve)
		s.render(w, r, http.StatusUnprocessableEntity, "pages_trash", d)
		return nil
	}
	if err != nil {
		return err
	}
	s.flash(w, "pages.flash.restored")
	http.Redirect(w, r, "/admin/corbeille", http.StatusSeeOther)
	return nil
}

func (s *Server) trashPurge(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	if _, err := s.pages.Purge(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	s.flash(w, "pages.flash.purged")
	http.Redirect(w, r, "/admin/corbeille", http.StatusSeeOther)
	return nil
}

func (s *Server) trashEmpty(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.pages.EmptyTrash(r.Context(), s.actor(r)); err != nil {
		return err
	}
	s.flash(w, "pages.flash.emptied")
	http.Redirect(w, r, "/admin/corbeille", http.StatusSeeOther)
	return nil
}
