package web

import (
	"net/http"

	"portique/internal/guide"
	"portique/internal/valid"
)

// guideImportData is the data of guide_import.html: the upload form, then
// the preview of what the file would do (or its errors, line by line).
type guideImportData struct {
	Page
	Columns    []string
	Plan       *guide.Plan
	LineErrors []lineErrorView
	Data       string // the file, carried to the confirmation
}

func (s *Server) guideImportPage(r *http.Request) *guideImportData {
	d := &guideImportData{Page: s.page(r, s.cat.T("guide.import.title")), Columns: guide.Columns}
	d.Breadcrumb = []NavItem{{Label: s.cat.T("guide.title"), URL: "/ou-jeter"}, {Label: s.cat.T("guide.manage.title"), URL: "/ou-jeter/gestion"}, {Label: d.Title, Current: true}}
	return d
}

func (s *Server) guideImportForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.guide.RequireEdit(r.Context(), principal(r)); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "guide_import", s.guideImportPage(r))
	return nil
}

// guideImportPreview reads the uploaded file and shows what importing it
// would do; nothing is written.
func (s *Server) guideImportPreview(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := s.guide.RequireEdit(r.Context(), p); err != nil {
		return err
	}
	d := s.guideImportPage(r)
	data, err := readUpload(w, r)
	if ve, ok := formErrors(err); ok {
		return s.unprocessable(w, r, "guide_import", d, ve)
	}
	if err != nil {
		return err
	}
	pl, err := s.guide.PreviewImport(r.Context(), p, data)
	if err != nil {
		return err
	}
	d.Plan = pl
	if !pl.OK() {
		d.LineErrors = s.lineErrors(pl.Errors)
		return s.unprocessable(w, r, "guide_import", d, valid.One("fichier", "guide.import.error.has_errors", len(pl.Errors)))
	}
	d.Data = encodeUpload(data)
	s.render(w, r, http.StatusOK, "guide_import", d)
	return nil
}

// guideImportApply imports the previewed file, all lines or none.
func (s *Server) guideImportApply(w http.ResponseWriter, r *http.Request) error {
	data, err := readUpload(w, r)
	if err == nil {
		_, err = s.guide.Import(r.Context(), s.actor(r), data)
		if err == nil {
			return s.seeOther(w, r, "guide.flash.imported", "/ou-jeter/gestion")
		}
	}
	if ve, ok := formErrors(err); ok {
		d := s.guideImportPage(r)
		if pl, perr := s.guide.PreviewImport(r.Context(), principal(r), data); perr == nil && data != nil {
			d.Plan, d.LineErrors = pl, s.lineErrors(pl.Errors)
		}
		return s.unprocessable(w, r, "guide_import", d, ve)
	}
	return err
}

func (s *Server) guideRights(w http.ResponseWriter, r *http.Request) error {
	grants, err := s.guide.Grants(r.Context(), principal(r))
	if err != nil {
		return err
	}
	d, err := s.rightsPage(r, "guide", "/ou-jeter/gestion", "/ou-jeter/gestion/droits", grants)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "guide_rights", d)
	return nil
}

func (s *Server) guideRightsSave(w http.ResponseWriter, r *http.Request) error {
	grants, err := s.rightsInput(r)
	if err != nil {
		return err
	}
	if err := s.guide.SetGrants(r.Context(), s.actor(r), grants); err != nil {
		return err
	}
	return s.seeOther(w, r, "guide.flash.rights", "/ou-jeter/gestion")
}
