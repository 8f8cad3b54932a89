package web

import (
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/pages"
	"portique/internal/valid"
)

// newsForm is the part of the properties form that news adds: the
// publication window of every page, the news-index switch of an ordinary
// page, and a news item's teaser, category and picture.
type newsForm struct {
	PublishAt, UnpublishAt string // datetime-local values, site's zone
	NewsIndex              bool
	IsNews                 bool
	Teaser                 string
	CategoryID             int64
	ImageAlt               string
	Image                  *imageView // the current picture
	Kept                   *imageView // a picture sent with a refused form, kept
	KeepID                 int64
	Categories             []pages.Category
	ImageMax               int64
}

// newsFormOf fills the form from the page, or from what was sent (pr).
func (s *Server) newsFormOf(r *http.Request, p *pages.Page, pr *pages.Props) (*newsForm, error) {
	loc := s.cfg.Location()
	f := &newsForm{
		PublishAt: pages.FormatLocal(p.PublishAt, loc), UnpublishAt: pages.FormatLocal(p.UnpublishAt, loc),
		NewsIndex: p.IsNewsIndex(), IsNews: p.IsNews(), Teaser: p.Teaser, CategoryID: p.CategoryID, ImageAlt: p.ImageAlt,
		ImageMax: s.pages.ImageMax,
	}
	if pr != nil {
		f.PublishAt, f.UnpublishAt, f.NewsIndex = pr.Schedule.PublishAt, pr.Schedule.UnpublishAt, pr.NewsIndex
		f.Teaser, f.CategoryID, f.ImageAlt = pr.News.Teaser, pr.News.CategoryID, pr.News.ImageAlt
	}
	if p.IsNews() {
		cats, err := s.pages.Categories(r.Context())
		if err != nil {
			return nil, err
		}
		f.Categories = cats
		if p.ImageID != 0 && (pr == nil || !pr.News.RemoveImage) {
			if img, err := s.pages.GetImage(r.Context(), principal(r), p.ImageID); err == nil {
				f.Image = imageViewOf(img, p.ImageAlt)
			}
		}
	}
	return f, nil
}

// readNewsProps reads a properties form sent with a picture (multipart):
// the right to edit the page is checked before a byte of it is read. It
// returns the picture's file, if any.
func (s *Server) readNewsProps(w http.ResponseWriter, r *http.Request) (*multipart.FileHeader, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return nil, nil
	}
	if _, err := s.loadPage(r, access.Edit); err != nil {
		return nil, err
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.pages.ImageMax+(1<<20))
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return nil, fmt.Errorf("%w: %w", errTooLarge, err)
	}
	return formFile(r, "image"), nil
}

// newsPropsOf completes pr with the schedule and news fields of the form,
// and reads the picture sent (refused: a field error on "image" or
// "image_alt").
func (s *Server) newsPropsOf(r *http.Request, pr *pages.Props, fh *multipart.FileHeader) error {
	pr.Loc = s.cfg.Location()
	pr.Schedule = pages.Schedule{PublishAt: r.FormValue("publish_at"), UnpublishAt: r.FormValue("unpublish_at")}
	pr.NewsIndex = r.FormValue("news_index") != ""
	cat, _ := strconv.ParseInt(strings.TrimSpace(r.FormValue("category")), 10, 64)
	if r.FormValue("category") != "" && cat <= 0 {
		cat = -1 // a forged value is refused by the store like an unknown id
	}
	keep, _ := strconv.ParseInt(r.FormValue("image_keep"), 10, 64)
	pr.News = pages.NewsProps{Teaser: r.FormValue("teaser"), CategoryID: cat, ImageAlt: r.FormValue("image_alt"),
		RemoveImage: r.FormValue("image_remove") != "", KeepImageID: max(keep, 0)}
	if fh == nil {
		return nil
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	// The picture is checked here; its text (required) by the store, so a
	// good picture sent without it is kept for the form shown again.
	alt := pr.News.ImageAlt
	if strings.TrimSpace(alt) == "" {
		alt = fh.Filename + " "
	}
	u, err := s.pages.ReadImage(fh.Filename, alt, f)
	if ve, ok := formErrors(err); ok {
		out := valid.Errors{}
		for k, m := range ve {
			if k == "alt" {
				k = "image_alt"
			} else {
				k = "image"
			}
			out[k] = m
		}
		return out
	}
	if err != nil {
		return err
	}
	u.Alt = strings.TrimSpace(pr.News.ImageAlt)
	pr.News.Image = u
	return nil
}

// pagePropsAgain shows the properties form again with its messages (422)
// and what was sent.
func (s *Server) pagePropsAgain(w http.ResponseWriter, r *http.Request, d pageFormData, pr pages.Props, errs valid.Errors) error {
	p, err := s.loadPage(r, access.Edit)
	if err != nil {
		return err
	}
	d.P = p
	if d.News, err = s.newsFormOf(r, p, &pr); err != nil {
		return err
	}
	// A good picture sent with a refused form is kept (stored in the page,
	// not shown until the form is saved).
	keep := pr.News.KeepImageID
	if pr.News.Image != nil {
		img, err := s.pages.KeepNewsImage(r.Context(), s.actor(r), p.ID, pr.News.Image)
		if err != nil {
			return err
		}
		keep = img.ID
	}
	if keep != 0 {
		if img, err := s.pages.GetImage(r.Context(), principal(r), keep); err == nil && img.PageID == p.ID {
			d.News.KeepID, d.News.Kept = img.ID, imageViewOf(img, "")
		}
	}
	return s.unprocessable(w, r, "pages_props", s.pageForm(r, "pages.props.title", d), errs)
}

// newsCategoriesData is the data of news_categories.html.
type newsCategoriesData struct {
	Page
	P          *pages.Page
	Categories []pages.Category
	Name       string
}

// newsCategories lists the categories of news and offers to add one
// (Manage on the news index).
func (s *Server) newsCategories(w http.ResponseWriter, r *http.Request) error {
	d, err := s.newsCategoriesData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "news_categories", d)
	return nil
}

func (s *Server) newsCategoriesData(r *http.Request) (*newsCategoriesData, error) {
	p, err := s.loadPage(r, access.Manage)
	if err != nil {
		return nil, err
	}
	if !p.IsNewsIndex() {
		return nil, db.ErrNotFound
	}
	cats, err := s.pages.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	return &newsCategoriesData{Page: s.page(r, s.cat.T("news.categories.title")), P: p, Categories: cats}, nil
}

// newsCategoryAdd adds a category.
func (s *Server) newsCategoryAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	name := r.PostFormValue("name")
	_, err = s.pages.AddCategory(r.Context(), s.actor(r), id, name)
	if ve, ok := formErrors(err); ok {
		d, err := s.newsCategoriesData(r)
		if err != nil {
			return err
		}
		d.Name = name
		return s.unprocessable(w, r, "news_categories", d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "news.flash.category_added", "/pages/"+strconv.FormatInt(id, 10)+"/categories")
}
