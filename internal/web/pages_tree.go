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
	News    *newsForm     // properties: publication window, news fields (news_props.go)
	Targets []*pages.Link // move: possible parents
	Parent  int64         // move: chosen parent
	Pos     string        // move: chosen position (1-based, empty: last)
	Subtree []*pages.Page // delete: what goes to the trash
}

// loadPage loads the page of the route for someone holding lvl on it (the
// forms, and the forms shown again).
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

// pageForm prepares the data of a small page form for page p.
func (s *Server) pageForm(r *http.Request, titleKey string, d pageFormData) *pageFormData {
	d.Page = s.page(r, s.cat.T(titleKey, d.P.Title))
	return &d
}

// pageFormAgain shows a small page form again with its messages (422),
// for someone holding lvl on the page.
func (s *Server) pageFormAgain(w http.ResponseWriter, r *http.Request, lvl access.Level, tmpl, titleKey string, d pageFormData, errs valid.Errors) error {
	p, err := s.loadPage(r, lvl)
	if err != nil {
		return err
	}
	d.P = p
	return s.unprocessable(w, r, tmpl, s.pageForm(r, titleKey, d), errs)
}

// pageNew shows the form to add a sub-page.
func (s *Server) pageNew(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPage(r, access.Edit)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_new", s.pageForm(r, "pages.new.title", pageFormData{P: p, Form: pages.NewPage{HideFromMenu: !p.IsHome()}}))
	return nil
}

// pageCreate adds the sub-page (a draft) and opens it in edit mode.
func (s *Server) pageCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	form := pages.NewPage{Title: r.FormValue("title"), Slug: r.FormValue("slug"), MenuTitle: r.FormValue("menu_title"),
		MetaDescription: r.FormValue("meta_description"), HideFromMenu: r.FormValue("in_menu") == ""}
	child, err := s.pages.Create(r.Context(), s.actor(r), id, form)
	if ve, ok := formErrors(err); ok {
		return s.pageFormAgain(w, r, access.Edit, "pages_new", "pages.new.title", pageFormData{Form: form}, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "pages.flash.created", "/pages/"+strconv.FormatInt(child.ID, 10)+"/modifier")
}

// pageProps shows the address, menu title and description form.
func (s *Server) pageProps(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPage(r, access.Edit)
	if err != nil {
		return err
	}
	d := pageFormData{P: p, Form: pages.NewPage{Slug: p.Slug, MenuTitle: p.MenuTitle, MetaDescription: p.MetaDescription, HideFromMenu: !p.InMenu}}
	if d.News, err = s.newsFormOf(r, p, nil); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_props", s.pageForm(r, "pages.props.title", d))
	return nil
}

// pagePropsSave saves the properties; a new address keeps the old one as a redirect.
func (s *Server) pagePropsSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	upload, err := s.readNewsProps(w, r)
	if err != nil {
		return err
	}
	pr := pages.Props{Slug: r.FormValue("slug"), MenuTitle: r.FormValue("menu_title"), MetaDescription: r.FormValue("meta_description"),
		HideFromMenu: r.FormValue("in_menu") == ""}
	// A picture refused (type, size) is reported before anything is written.
	var p *pages.Page
	if err = s.newsPropsOf(r, &pr, upload); err == nil {
		p, err = s.pages.UpdateProps(r.Context(), s.actor(r), id, pr)
	}
	if ve, ok := formErrors(err); ok {
		d := pageFormData{Form: pages.NewPage{Slug: pr.Slug, MenuTitle: pr.MenuTitle, MetaDescription: pr.MetaDescription, HideFromMenu: pr.HideFromMenu}}
		return s.pagePropsAgain(w, r, d, pr, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "pages.flash.props", p.Path)
}

// pageMoveForm lets a manager choose a new parent and a position.
func (s *Server) pageMoveForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPage(r, access.Manage)
	if err != nil {
		return err
	}
	if p.IsHome() {
		return pages.ErrHomeProtected
	}
	d, err := s.moveData(r, p, p.ParentID, "")
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_move", d)
	return nil
}

// moveData is the move form of p with the parent and position chosen.
func (s *Server) moveData(r *http.Request, p *pages.Page, parent int64, pos string) (*pageFormData, error) {
	targets, err := s.pages.Targets(r.Context(), principal(r), p.ID)
	if err != nil {
		return nil, err
	}
	return s.pageForm(r, "pages.move.title", pageFormData{P: p, Targets: targets, Parent: parent, Pos: pos}), nil
}

// moveAgain shows the move form again with its messages (422).
func (s *Server) moveAgain(w http.ResponseWriter, r *http.Request, parent int64, pos string, errs valid.Errors) error {
	p, err := s.loadPage(r, access.Manage)
	if err != nil {
		return err
	}
	d, err := s.moveData(r, p, parent, pos)
	if err != nil {
		return err
	}
	return s.unprocessable(w, r, "pages_move", d, errs)
}

// pageMove moves (or reorders) the page.
func (s *Server) pageMove(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	parent, _ := strconv.ParseInt(r.FormValue("parent"), 10, 64)
	posText := strings.TrimSpace(r.FormValue("position"))
	pos := -1
	if posText != "" {
		n, err := strconv.Atoi(posText)
		if err != nil || n < 1 {
			return s.moveAgain(w, r, parent, posText, valid.One("position", "pages.error.position"))
		}
		pos = n - 1
	}
	err = s.pages.Move(r.Context(), s.actor(r), id, parent, pos)
	if ve, ok := formErrors(err); ok {
		// The move form has no address field: a clash is the parent's.
		if _, has := ve["slug"]; has {
			ve = valid.Errors{"parent": ve["slug"]}
		}
		return s.moveAgain(w, r, parent, posText, ve)
	}
	if err != nil {
		return err
	}
	p, err := s.pages.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "pages.flash.moved", p.Path)
}

// pageDeleteForm lists what will go to the trash and asks to confirm.
func (s *Server) pageDeleteForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPage(r, access.Manage)
	if err != nil {
		return err
	}
	if p.IsHome() {
		return pages.ErrHomeProtected
	}
	sub, err := s.pages.Subtree(r.Context(), p.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_delete", s.pageForm(r, "pages.delete.title", pageFormData{P: p, Subtree: sub}))
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
	return s.seeOther(w, r, "pages.flash.trashed", parent.Path)
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
	grants, own, err := s.pages.Grants(r.Context(), principal(r), p.ID)
	if err != nil {
		return err
	}
	levels := map[int64]access.Level{}
	for _, g := range grants {
		levels[g.GroupID] = g.Level
	}
	d, err := s.rightsData(r, p, own, levels)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_rights", d)
	return nil
}

func (s *Server) rightsData(r *http.Request, p *pages.Page, own bool, levels map[int64]access.Level) (*pageRightsData, error) {
	groups, err := s.pages.Groups(r.Context())
	if err != nil {
		return nil, err
	}
	d := &pageRightsData{Page: s.page(r, s.cat.T("pages.rights.title", p.Title)), P: p, Own: own, Inherit: !own,
		Levels: []string{"none", "view", "edit", "manage"}}
	for _, g := range groups {
		d.Rows = append(d.Rows, rightsRow{Group: g, Level: levels[g.ID].String()})
	}
	return d, nil
}

// pageRightsSave stores the grants (or inheritance) of the page.
func (s *Server) pageRightsSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
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
		p, err := s.loadPage(r, access.Manage)
		if err != nil {
			return err
		}
		d, err := s.rightsData(r, p, !inherit, levels)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "pages_rights", d, ve)
	}
	if err != nil {
		return err
	}
	// The editor may have removed their own access: go where they still may.
	p, err := s.pages.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if ok, _ := s.pages.Can(r.Context(), principal(r), id, access.View); !ok {
		return s.seeOther(w, r, "pages.flash.rights", "/")
	}
	return s.seeOther(w, r, "pages.flash.rights", p.Path)
}

// trashData is the data of pages_trash.html.
type trashData struct {
	Page
	Entries []pages.TrashEntry
}

func (s *Server) trashData(r *http.Request) (*trashData, error) {
	list, err := s.pages.TrashList(r.Context(), principal(r))
	if err != nil {
		return nil, err
	}
	return &trashData{Page: s.page(r, s.cat.T("pages.trash.title")), Entries: list}, nil
}

// trashShow lists the trash (administrators).
func (s *Server) trashShow(w http.ResponseWriter, r *http.Request) error {
	d, err := s.trashData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_trash", d)
	return nil
}

func (s *Server) trashRestore(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	err = s.pages.Restore(r.Context(), s.actor(r), id)
	if ve, ok := formErrors(err); ok {
		d, err := s.trashData(r)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "pages_trash", d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "pages.flash.restored", "/admin/corbeille")
}

func (s *Server) trashPurge(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	if _, err := s.pages.Purge(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "pages.flash.purged", "/admin/corbeille")
}

func (s *Server) trashEmpty(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.pages.EmptyTrash(r.Context(), s.actor(r)); err != nil {
		return err
	}
	return s.seeOther(w, r, "pages.flash.emptied", "/admin/corbeille")
}
