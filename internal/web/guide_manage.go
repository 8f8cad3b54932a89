package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"portique/internal/access"
	"portique/internal/guide"
	"portique/internal/valid"
)

// guideManageData is the data of guide_manage.html: every item with its
// tools, and the import/export and rights tools.
type guideManageData struct {
	Page
	Items     []guide.Item
	Streams   map[string]guide.Stream
	CanManage bool
}

// guideManage lists the items for their editors (Edit on the guide).
func (s *Server) guideManage(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := s.guide.RequireEdit(r.Context(), p); err != nil {
		return err
	}
	items, err := s.guide.List(r.Context(), p)
	if err != nil {
		return err
	}
	streams, _, err := s.streamMap(r)
	if err != nil {
		return err
	}
	lvl, err := s.guide.Level(r.Context(), p)
	if err != nil {
		return err
	}
	d := guideManageData{Page: s.page(r, s.cat.T("guide.manage.title")), Items: items, Streams: streams, CanManage: lvl >= access.Manage}
	d.Breadcrumb = []NavItem{{Label: s.cat.T("guide.title"), URL: "/ou-jeter"}, {Label: d.Title, Current: true}}
	s.render(w, r, http.StatusOK, "guide_manage", &d)
	return nil
}

// guideFormData is the data of guide_form.html (creation and edition).
type guideFormData struct {
	Page
	Item    *guide.Item // nil on creation
	In      guide.Input
	Streams []guide.Stream
	Action  string
}

func (s *Server) guideForm(r *http.Request, it *guide.Item, in guide.Input) (*guideFormData, error) {
	_, list, err := s.streamMap(r)
	if err != nil {
		return nil, err
	}
	d := &guideFormData{Item: it, In: in, Streams: list, Action: "/ou-jeter/gestion"}
	title := s.cat.T("guide.form.new")
	if it != nil {
		title = s.cat.T("guide.form.edit", it.Name)
		d.Action = "/ou-jeter/gestion/" + itoa64(it.ID) + "/modifier"
	}
	d.Page = s.page(r, title)
	d.Breadcrumb = []NavItem{{Label: s.cat.T("guide.title"), URL: "/ou-jeter"}, {Label: s.cat.T("guide.manage.title"), URL: "/ou-jeter/gestion"}, {Label: title, Current: true}}
	return d, nil
}

func (s *Server) guideNew(w http.ResponseWriter, r *http.Request) error {
	if err := s.guide.RequireEdit(r.Context(), principal(r)); err != nil {
		return err
	}
	d, err := s.guideForm(r, nil, guide.Input{Stream: r.URL.Query().Get("filiere")})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "guide_form", d)
	return nil
}

// guideInput reads the item form (multipart, for the picture).
func (s *Server) guideInput(w http.ResponseWriter, r *http.Request) (guide.Input, error) {
	r.Body = http.MaxBytesReader(w, r.Body, guide.MaxImageBytes+(1<<20))
	if err := r.ParseMultipartForm(2 << 20); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return guide.Input{}, valid.One("image", "guide.error.image_large", guide.MaxImageBytes>>20)
		}
		return guide.Input{}, errBadRequest
	}
	f := r.PostFormValue
	in := guide.Input{Name: f("nom"), Slug: f("slug"), Synonyms: f("synonymes"), Stream: f("filiere"),
		Instructions: f("consignes"), ImageAlt: f("image_alt"), RemoveImage: f("supprimer_image") != "", Version: f("version")}
	if file, hdr, err := r.FormFile("image"); err == nil {
		defer file.Close()
		if hdr.Size > 0 {
			b, err := io.ReadAll(io.LimitReader(file, guide.MaxImageBytes+1))
			if err != nil {
				return in, err
			}
			in.Image = b
		}
	}
	return in, nil
}

func (s *Server) guideCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.guideInput(w, r)
	if err == nil {
		var it *guide.Item
		it, err = s.guide.Create(r.Context(), s.actor(r), in)
		if err == nil {
			return s.seeOther(w, r, "guide.flash.created", it.URL())
		}
	}
	if ve, ok := formErrors(err); ok {
		in.Image = nil
		d, err := s.guideForm(r, nil, in)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "guide_form", d, ve)
	}
	return err
}

func (s *Server) guideEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principal(r)
	if err := s.guide.RequireEdit(r.Context(), p); err != nil {
		return err
	}
	it, err := s.guide.GetByID(r.Context(), p, id)
	if err != nil {
		return err
	}
	d, err := s.guideForm(r, it, guide.Input{Name: it.Name, Slug: it.Slug, Synonyms: strings.Join(it.Synonyms, ", "),
		Stream: it.Stream, Instructions: it.Instructions, ImageAlt: it.ImageAlt, Version: it.Version()})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "guide_form", d)
	return nil
}

func (s *Server) guideUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.guideInput(w, r)
	if err == nil {
		var it *guide.Item
		it, err = s.guide.Update(r.Context(), s.actor(r), id, in)
		if err == nil {
			return s.seeOther(w, r, "guide.flash.saved", it.URL())
		}
	}
	if ve, ok := formErrors(err); ok {
		cur, err := s.guide.GetByID(r.Context(), principal(r), id)
		if err != nil {
			return err
		}
		in.Image = nil
		d, err := s.guideForm(r, cur, in)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "guide_form", d, ve)
	}
	return err
}

// guideDeleteData is the data of guide_delete.html.
type guideDeleteData struct {
	Page
	Item *guide.Item
}

func (s *Server) guideDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principal(r)
	if err := s.guide.RequireEdit(r.Context(), p); err != nil {
		return err
	}
	it, err := s.guide.GetByID(r.Context(), p, id)
	if err != nil {
		return err
	}
	d := guideDeleteData{Page: s.page(r, s.cat.T("guide.delete.title", it.Name)), Item: it}
	s.render(w, r, http.StatusOK, "guide_delete", &d)
	return nil
}

func (s *Server) guideDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.guide.Delete(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "guide.flash.deleted", "/ou-jeter/gestion")
}

// guideExport downloads the guide as CSV (what import reads back).
func (s *Server) guideExport(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := s.guide.RequireEdit(r.Context(), p); err != nil {
		return err
	}
	return s.csvDownload(w, "ou-jeter.csv", func(out io.Writer) error { return s.guide.Export(r.Context(), p, out) })
}
