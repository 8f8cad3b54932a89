package web

import (
	"net/http"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/menu"
	"portique/internal/pages"
)

// menuPage is /admin/menu: the entries with their tools, the form that adds
// one, and (administrators) who may change the menu.
type menuPage struct {
	Page
	Rows    []menuRow
	Version int64
	Form    menuForm
	IsAdmin bool
	Grants  []grantRow
}

// menuForm is the entry form (adding, or changing entry ID) with what the
// person typed.
type menuForm struct {
	ID      int64
	In      menu.Input
	Kinds   []menu.EntryKind
	Areas   []menu.Area
	Pages   []menuPageChoice
	Parents []menuRow // top-level entries a new entry may go under
}

// menuRow is an entry of /admin/menu with what the list says of it.
type menuRow struct {
	ID            int64
	Label, Detail string
	First, Last   bool
	Children      []menuRow
}

// entryLabel is how the editors' list names an entry: its label, else its
// page's title (a page the editor may not see is named by its number only),
// else its area's name.
func (s *Server) entryLabel(e *menu.Entry) string {
	switch {
	case e.Label != "":
		return e.Label
	case e.Kind == menu.KindPage && e.PageTitle != "":
		return e.PageTitle
	case e.Kind == menu.KindPage:
		return s.cat.T("menu.admin.hidden_page", e.PageID)
	case e.Kind == menu.KindArea:
		if a, ok := menu.AreaByKey(e.Area); ok {
			return s.cat.T(a.LabelKey)
		}
	}
	return e.Area
}

// entryDetail says what an entry leads to.
func (s *Server) entryDetail(e *menu.Entry) string {
	switch e.Kind {
	case menu.KindArea:
		if a, ok := menu.AreaByKey(e.Area); ok {
			return s.cat.T("menu.detail.area", a.Path)
		}
	case menu.KindLink:
		return s.cat.T("menu.detail.link", e.URL)
	case menu.KindGroup:
		return s.cat.T("menu.detail.group")
	case menu.KindPage:
		if e.Subpages && len(e.Children) == 0 {
			return s.cat.T("menu.detail.page_subpages")
		}
	}
	return s.cat.T("menu.detail.page")
}

func (s *Server) menuRows(list []*menu.Entry) []menuRow {
	rows := make([]menuRow, 0, len(list))
	for i, e := range list {
		rows = append(rows, menuRow{ID: e.ID, Label: s.entryLabel(e), Detail: s.entryDetail(e),
			First: i == 0, Last: i == len(list)-1, Children: s.menuRows(e.Children)})
	}
	return rows
}

// menuPageChoice is a page the editor may put in the menu, indented by depth.
type menuPageChoice struct {
	ID     int64
	Title  string
	Path   string
	Indent string
}

func (s *Server) menuFormData(r *http.Request, top []*menu.Entry, in menu.Input) (menuForm, error) {
	f := menuForm{In: in, Kinds: menu.Kinds, Areas: menu.Areas}
	if in.Kind == "" {
		f.In.Kind = menu.KindPage
	}
	for _, e := range top {
		f.Parents = append(f.Parents, menuRow{ID: e.ID, Label: s.entryLabel(e)})
	}
	root, err := s.pages.SiteMap(r.Context(), principal(r))
	if err != nil {
		return f, err
	}
	var walk func(l *pages.Link, depth int)
	walk = func(l *pages.Link, depth int) {
		f.Pages = append(f.Pages, menuPageChoice{ID: l.ID, Title: l.Title, Path: l.Path, Indent: strings.Repeat("— ", depth)})
		for _, c := range l.Children {
			walk(c, depth+1)
		}
	}
	for _, c := range root.Children { // the home page is the logo's link
		walk(c, 0)
	}
	return f, nil
}

func (s *Server) menuPageData(r *http.Request, in menu.Input) (*menuPage, error) {
	pr := principal(r)
	top, v, err := s.menu.Entries(r.Context(), pr)
	if err != nil {
		return nil, err
	}
	d := &menuPage{Page: s.page(r, s.cat.T("menu.admin.title")), Rows: s.menuRows(top), Version: v, IsAdmin: pr.Admin}
	if d.Form, err = s.menuFormData(r, top, in); err != nil {
		return nil, err
	}
	if pr.Admin {
		grants, err := s.menu.Grants(r.Context(), pr)
		if err != nil {
			return nil, err
		}
		if d.Grants, err = s.grantRows(r, grants); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// grantRows lists every group with its level among grants.
func (s *Server) grantRows(r *http.Request, grants []access.Grant) ([]grantRow, error) {
	levels := map[int64]access.Level{}
	for _, g := range grants {
		levels[g.GroupID] = g.Level
	}
	groups, err := s.groups.List(r.Context())
	if err != nil {
		return nil, err
	}
	rows := make([]grantRow, 0, len(groups))
	for _, g := range groups {
		rows = append(rows, grantRow{Group: g, Level: levels[g.ID].String()})
	}
	return rows, nil
}

func (s *Server) menuAdmin(w http.ResponseWriter, r *http.Request) error {
	d, err := s.menuPageData(r, menu.Input{})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	s.render(w, r, http.StatusOK, "menu_admin", d)
	return nil
}

// menuInput reads the entry form.
func menuInput(r *http.Request) (menu.Input, int64) {
	v := r.PostFormValue
	in := menu.Input{Kind: menu.EntryKind(v("kind")), Area: v("area"), Label: v("label"), URL: v("url"), Subpages: v("subpages") == "1"}
	in.PageID, _ = strconv.ParseInt(v("page"), 10, 64)
	in.ParentID, _ = strconv.ParseInt(v("parent"), 10, 64)
	base, _ := strconv.ParseInt(v("version"), 10, 64)
	return in, base
}

func (s *Server) menuAdd(w http.ResponseWriter, r *http.Request) error {
	in, base := menuInput(r)
	_, err := s.menu.Add(r.Context(), s.actor(r), base, in)
	if ve, ok := formErrors(err); ok {
		d, err := s.menuPageData(r, in)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "menu_admin", d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "menu.flash.added", "/admin/menu")
}

// menuEntryPage is the form of one entry.
type menuEntryPage struct {
	Page
	Entry   *menu.Entry
	Label   string
	Version int64
	Form    menuForm
}

func (s *Server) menuEntryData(r *http.Request, id int64, in *menu.Input) (*menuEntryPage, error) {
	pr := principal(r)
	top, v, err := s.menu.Entries(r.Context(), pr)
	if err != nil {
		return nil, err
	}
	e, err := s.menu.Entry(r.Context(), pr, id)
	if err != nil {
		return nil, err
	}
	if in == nil {
		in = &menu.Input{ParentID: e.ParentID, Kind: e.Kind, PageID: e.PageID, Area: e.Area, Label: e.Label, URL: e.URL, Subpages: e.Subpages}
	}
	in.ParentID = e.ParentID
	for _, t := range top { // the page's title, when the editor may see it
		if t.ID == e.ID {
			e = t
		}
		for _, c := range t.Children {
			if c.ID == e.ID {
				e = c
			}
		}
	}
	d := &menuEntryPage{Page: s.page(r, s.cat.T("menu.entry.title")), Entry: e, Label: s.entryLabel(e), Version: v}
	d.Breadcrumb = []NavItem{{Label: s.cat.T("menu.admin.title"), URL: "/admin/menu"}, {Label: d.Title, Current: true}}
	if d.Form, err = s.menuFormData(r, top, *in); err != nil {
		return nil, err
	}
	d.Form.ID = id
	return d, nil
}

func (s *Server) menuEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.menuEntryData(r, id, nil)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	s.render(w, r, http.StatusOK, "menu_entry", d)
	return nil
}

func (s *Server) menuUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, base := menuInput(r)
	err = s.menu.Update(r.Context(), s.actor(r), base, id, in)
	if ve, ok := formErrors(err); ok {
		d, err := s.menuEntryData(r, id, &in)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "menu_entry", d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "menu.flash.saved", "/admin/menu")
}

func (s *Server) menuMove(w http.ResponseWriter, r *http.Request, up bool) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, base := menuInput(r)
	if err := s.menu.Move(r.Context(), s.actor(r), base, id, up); err != nil {
		return err
	}
	return s.seeOther(w, r, "menu.flash.moved", "/admin/menu#entree-"+strconv.FormatInt(id, 10))
}

func (s *Server) menuMoveUp(w http.ResponseWriter, r *http.Request) error {
	return s.menuMove(w, r, true)
}

func (s *Server) menuMoveDown(w http.ResponseWriter, r *http.Request) error {
	return s.menuMove(w, r, false)
}

func (s *Server) menuDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, base := menuInput(r)
	if err := s.menu.Delete(r.Context(), s.actor(r), base, id); err != nil {
		return err
	}
	return s.seeOther(w, r, "menu.flash.deleted", "/admin/menu")
}

// menuGrantsSave stores who may change the menu (administrators): one level
// per group (level_<group id>).
func (s *Server) menuGrantsSave(w http.ResponseWriter, r *http.Request) error {
	grants, err := s.grantsForm(r)
	if err != nil {
		return err
	}
	if err := s.menu.SetGrants(r.Context(), s.actor(r), grants); err != nil {
		return err
	}
	return s.seeOther(w, r, "menu.flash.grants", "/admin/menu")
}

// grantsForm reads a grants form: one level per group (level_<group id>),
// "none" left out.
func (s *Server) grantsForm(r *http.Request) ([]access.Grant, error) {
	groups, err := s.groups.List(r.Context())
	if err != nil {
		return nil, err
	}
	grants := []access.Grant{}
	for _, g := range groups {
		if lvl := access.ParseLevel(r.PostFormValue("level_" + strconv.FormatInt(g.ID, 10))); lvl > access.None {
			grants = append(grants, access.Grant{GroupID: g.ID, Level: lvl})
		}
	}
	return grants, nil
}
