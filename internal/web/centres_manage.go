package web

import (
	"io"
	"net/http"
	"strconv"

	"portique/internal/access"
	"portique/internal/centres"
	"portique/internal/valid"
)

// centresManageData is the data of centres_manage.html.
type centresManageData struct {
	Page
	Centres   []centreView
	CanManage bool
}

// centreManage lists the centres for their editors (Edit on the directory).
func (s *Server) centreManage(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := s.centres.RequireEdit(r.Context(), p); err != nil {
		return err
	}
	list, err := s.centres.List(r.Context(), p)
	if err != nil {
		return err
	}
	lvl, err := s.centres.Level(r.Context(), p)
	if err != nil {
		return err
	}
	d := centresManageData{Page: s.page(r, s.cat.T("centres.manage.title")), CanManage: lvl >= access.Manage}
	d.Breadcrumb = []NavItem{{Label: s.cat.T("centres.title"), URL: "/decheteries"}, {Label: d.Title, Current: true}}
	now := s.now()
	for i := range list {
		d.Centres = append(d.Centres, centreView{Centre: list[i], Status: s.statusText(list[i].Hours.StatusAt(now, s.cfg.Location()), now)})
	}
	s.render(w, r, http.StatusOK, "centres_manage", &d)
	return nil
}

// itemGroup is one stream's items in the "accepted waste" field.
type itemGroup struct {
	Label string
	Items []centres.ItemRef
}

// centreFormData is the data of centres_form.html.
type centreFormData struct {
	Page
	Centre   *centres.Centre // nil on creation
	In       centres.Input
	Selected map[int64]bool
	Groups   []itemGroup
	Action   string
}

func (s *Server) centreForm(r *http.Request, c *centres.Centre, in centres.Input) (*centreFormData, error) {
	items, err := s.centres.ItemOptions(r.Context(), principal(r))
	if err != nil {
		return nil, err
	}
	_, streams, err := s.streamMap(r)
	if err != nil {
		return nil, err
	}
	d := &centreFormData{Centre: c, In: in, Selected: map[int64]bool{}, Action: "/decheteries/gestion"}
	for _, id := range in.ItemIDs {
		d.Selected[id] = true
	}
	for _, st := range streams {
		g := itemGroup{Label: st.Label}
		for _, it := range items {
			if it.Stream == st.Code {
				g.Items = append(g.Items, it)
			}
		}
		if len(g.Items) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	title := s.cat.T("centres.form.new")
	if c != nil {
		title = s.cat.T("centres.form.edit", c.Name)
		d.Action = "/decheteries/gestion/" + itoa64(c.ID) + "/modifier"
	}
	d.Page = s.page(r, title)
	d.Breadcrumb = []NavItem{{Label: s.cat.T("centres.title"), URL: "/decheteries"}, {Label: s.cat.T("centres.manage.title"), URL: "/decheteries/gestion"}, {Label: title, Current: true}}
	return d, nil
}

func (s *Server) centreNew(w http.ResponseWriter, r *http.Request) error {
	if err := s.centres.RequireEdit(r.Context(), principal(r)); err != nil {
		return err
	}
	d, err := s.centreForm(r, nil, centres.Input{Kind: centres.KindCentre, Hours: s.cat.T("centres.form.hours_example")})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "centres_form", d)
	return nil
}

// centreInput reads the centre form.
func centreInput(r *http.Request) centres.Input {
	f := r.PostFormValue
	in := centres.Input{Name: f("nom"), Slug: f("slug"), Kind: f("type"), Address: f("adresse"), Postcode: f("code_postal"),
		City: f("commune"), Latitude: f("latitude"), Longitude: f("longitude"), Phone: f("telephone"), Email: f("courriel"),
		AccessRules: f("acces"), Hours: f("horaires"), Closures: f("fermetures"), OpenOnHolidays: f("jours_feries") != "",
		Version: f("version")}
	for _, v := range r.PostForm["objets"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			in.ItemIDs = append(in.ItemIDs, id)
		}
	}
	return in
}

func (s *Server) centreCreate(w http.ResponseWriter, r *http.Request) error {
	in := centreInput(r)
	c, err := s.centres.Create(r.Context(), s.actor(r), in)
	if ve, ok := formErrors(err); ok {
		d, err := s.centreForm(r, nil, in)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "centres_form", d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "centres.flash.created", c.URL())
}

func (s *Server) centreEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principal(r)
	if err := s.centres.RequireEdit(r.Context(), p); err != nil {
		return err
	}
	c, err := s.centres.GetByID(r.Context(), p, id)
	if err != nil {
		return err
	}
	in := centres.Input{Name: c.Name, Slug: c.Slug, Kind: c.Kind, Address: c.Address, Postcode: c.Postcode, City: c.City,
		Phone: c.Phone, Email: c.Email, AccessRules: c.AccessRules, Hours: c.HoursText, Closures: c.ClosuresTxt,
		OpenOnHolidays: c.Hours.OpenOnHolidays, Version: c.Version()}
	if c.HasGeo {
		in.Latitude, in.Longitude = strconv.FormatFloat(c.Latitude, 'f', -1, 64), strconv.FormatFloat(c.Longitude, 'f', -1, 64)
	}
	for _, it := range c.Items {
		in.ItemIDs = append(in.ItemIDs, it.ID)
	}
	d, err := s.centreForm(r, c, in)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "centres_form", d)
	return nil
}

func (s *Server) centreUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := centreInput(r)
	c, err := s.centres.Update(r.Context(), s.actor(r), id, in)
	if ve, ok := formErrors(err); ok {
		cur, err := s.centres.GetByID(r.Context(), principal(r), id)
		if err != nil {
			return err
		}
		d, err := s.centreForm(r, cur, in)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "centres_form", d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "centres.flash.saved", c.URL())
}

// centreDeleteData is the data of centres_delete.html.
type centreDeleteData struct {
	Page
	Centre *centres.Centre
}

func (s *Server) centreDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principal(r)
	if err := s.centres.RequireEdit(r.Context(), p); err != nil {
		return err
	}
	c, err := s.centres.GetByID(r.Context(), p, id)
	if err != nil {
		return err
	}
	d := centreDeleteData{Page: s.page(r, s.cat.T("centres.delete.title", c.Name)), Centre: c}
	s.render(w, r, http.StatusOK, "centres_delete", &d)
	return nil
}

func (s *Server) centreDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.centres.Delete(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "centres.flash.deleted", "/decheteries/gestion")
}

func (s *Server) centreExport(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := s.centres.RequireEdit(r.Context(), p); err != nil {
		return err
	}
	return s.csvDownload(w, "decheteries.csv", func(out io.Writer) error { return s.centres.Export(r.Context(), p, out) })
}

// centresImportData is the data of centres_import.html.
type centresImportData struct {
	Page
	Columns    []string
	Plan       *centres.Plan
	LineErrors []lineErrorView
	Data       string
}

func (s *Server) centreImportPage(r *http.Request) *centresImportData {
	d := &centresImportData{Page: s.page(r, s.cat.T("centres.import.title")), Columns: centres.Columns}
	d.Breadcrumb = []NavItem{{Label: s.cat.T("centres.title"), URL: "/decheteries"}, {Label: s.cat.T("centres.manage.title"), URL: "/decheteries/gestion"}, {Label: d.Title, Current: true}}
	return d
}

func (s *Server) centreImportForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.centres.RequireEdit(r.Context(), principal(r)); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "centres_import", s.centreImportPage(r))
	return nil
}

func (s *Server) centreImportPreview(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := s.centres.RequireEdit(r.Context(), p); err != nil {
		return err
	}
	d := s.centreImportPage(r)
	data, err := readUpload(w, r)
	if ve, ok := formErrors(err); ok {
		return s.unprocessable(w, r, "centres_import", d, ve)
	}
	if err != nil {
		return err
	}
	pl, err := s.centres.PreviewImport(r.Context(), p, data)
	if err != nil {
		return err
	}
	d.Plan = pl
	if !pl.OK() {
		d.LineErrors = s.lineErrors(pl.Errors)
		return s.unprocessable(w, r, "centres_import", d, valid.One("fichier", "guide.import.error.has_errors", len(pl.Errors)))
	}
	d.Data = encodeUpload(data)
	s.render(w, r, http.StatusOK, "centres_import", d)
	return nil
}

func (s *Server) centreImportApply(w http.ResponseWriter, r *http.Request) error {
	data, err := readUpload(w, r)
	if err == nil {
		_, err = s.centres.Import(r.Context(), s.actor(r), data)
		if err == nil {
			return s.seeOther(w, r, "centres.flash.imported", "/decheteries/gestion")
		}
	}
	if ve, ok := formErrors(err); ok {
		d := s.centreImportPage(r)
		if data != nil {
			if pl, perr := s.centres.PreviewImport(r.Context(), principal(r), data); perr == nil {
				d.Plan, d.LineErrors = pl, s.lineErrors(pl.Errors)
			}
		}
		return s.unprocessable(w, r, "centres_import", d, ve)
	}
	return err
}

func (s *Server) centreRights(w http.ResponseWriter, r *http.Request) error {
	grants, err := s.centres.Grants(r.Context(), principal(r))
	if err != nil {
		return err
	}
	d, err := s.rightsPage(r, "centres", "/decheteries/gestion", "/decheteries/gestion/droits", grants)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "guide_rights", d)
	return nil
}

func (s *Server) centreRightsSave(w http.ResponseWriter, r *http.Request) error {
	grants, err := s.rightsInput(r)
	if err != nil {
		return err
	}
	if err := s.centres.SetGrants(r.Context(), s.actor(r), grants); err != nil {
		return err
	}
	return s.seeOther(w, r, "centres.flash.rights", "/decheteries/gestion")
}
