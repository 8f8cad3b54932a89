package web

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/pages"
	"portique/internal/valid"
)

// editBlock is one block of the edit form.
type editBlock struct {
	Index int
	pages.Block
	Image *imageView // preview of the chosen image
}

// Num is the block's position counted from 1, for labels.
func (b editBlock) Num() int { return b.Index + 1 }

// Key returns the form name of one of the block's fields ("blocks.2.alt").
func (b editBlock) Key(field string) string { return fmt.Sprintf("blocks.%d.%s", b.Index, field) }

// pageEditData is the data of pages_edit.html.
type pageEditData struct {
	Page
	P         *pages.Page
	Base      int64
	PageTitle string
	Blocks    []editBlock
	Images    []pages.Image
	Kinds     []string
	Note      string
	Folders   []choice // documents blocks: folders the editor may see
	Calendars []choice // events and calendar blocks: calendars the editor may see
	// Theirs is the other editor's version after a refused (stale) save.
	Theirs       *pages.Revision
	TheirsBlocks []blockView
	ImageMax     int64 // largest image accepted, in bytes
	EditorJS     string
	EditorCSS    string
}

// choice is an option of a select.
type choice struct {
	ID    int64
	Label string
}

// pageEdit shows the page in edit mode: its blocks as form fields in place.
func (s *Server) pageEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	p, rev, err := s.pages.EditStart(r.Context(), s.actor(r), id)
	if err != nil {
		return err
	}
	data, err := s.editData(r, p, rev.ID, rev.Title, rev.Blocks)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_edit", data)
	return nil
}

func (s *Server) editData(r *http.Request, p *pages.Page, base int64, title string, blocks []pages.Block) (*pageEditData, error) {
	imgs, err := s.pages.PageImages(r.Context(), s.actor(r), p.ID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*pages.Image{}
	for i := range imgs {
		byID[imgs[i].ID] = &imgs[i]
	}
	d := &pageEditData{
		Page:      s.page(r, s.cat.T("pages.edit.title", p.Title)),
		P:         p,
		Base:      base,
		PageTitle: title,
		Images:    imgs,
		Kinds:     pages.BlockKinds,
		ImageMax:  s.pages.ImageMax,
	}
	d.BodyClass = "editing"
	for i, b := range blocks {
		eb := editBlock{Index: i, Block: b}
		if img, ok := byID[b.ImageID]; ok && b.Type == pages.BlockImage {
			eb.Image = imageViewOf(img, b.Alt)
		}
		d.Blocks = append(d.Blocks, eb)
	}
	// Folders and calendars the editor may see, for documents and events blocks.
	if s.docs != nil {
		folders, err := s.docs.Tree(r.Context(), principal(r), false)
		if err != nil {
			return nil, err
		}
		for _, f := range folders {
			d.Folders = append(d.Folders, choice{ID: f.ID, Label: strings.Repeat("— ", f.Depth) + f.Name})
		}
	}
	cals, err := s.calendar.Calendars(r.Context(), principal(r), access.View)
	if err != nil {
		return nil, err
	}
	for _, c := range cals {
		d.Calendars = append(d.Calendars, choice{ID: c.ID, Label: c.Name})
	}
	if s.static.exists("dist/editor.js") {
		d.EditorJS = s.static.url("dist/editor.js")
		d.EditorCSS = s.static.url("dist/editor.css")
	}
	return d, nil
}

// parseBlocks reads blocks.N.* fields, N from 0 while a type is present.
func parseBlocks(r *http.Request) []pages.Block {
	var out []pages.Block
	for i := 0; i <= pages.MaxBlocks; i++ {
		key := func(f string) string { return fmt.Sprintf("blocks.%d.%s", i, f) }
		typ := r.FormValue(key("type"))
		if typ == "" {
			break
		}
		num := func(f string) int64 {
			n, _ := strconv.ParseInt(strings.TrimSpace(r.FormValue(key(f))), 10, 64)
			return n
		}
		out = append(out, pages.Block{
			Type:       typ,
			HTML:       r.FormValue(key("html")),
			ImageID:    num("image_id"),
			Alt:        r.FormValue(key("alt")),
			Caption:    r.FormValue(key("caption")),
			FolderID:   num("folder_id"),
			CalendarID: num("calendar_id"),
			Limit:      int(num("limit")),
		})
	}
	return out
}

// applyOp performs a structure change asked by a button of the form
// ("add", "up:2", "down:0", "remove:3"); it reports whether op was one.
func applyOp(op, addType string, blocks []pages.Block) ([]pages.Block, bool) {
	if op == "add" {
		for _, k := range pages.BlockKinds {
			if k == addType && len(blocks) < pages.MaxBlocks {
				return append(blocks, pages.Block{Type: k}), true
			}
		}
		return blocks, true
	}
	verb, arg, ok := strings.Cut(op, ":")
	if !ok {
		return blocks, false
	}
	i, err := strconv.Atoi(arg)
	if err != nil || i < 0 || i >= len(blocks) {
		return blocks, true
	}
	switch verb {
	case "up":
		if i > 0 {
			blocks[i-1], blocks[i] = blocks[i], blocks[i-1]
		}
	case "down":
		if i < len(blocks)-1 {
			blocks[i+1], blocks[i] = blocks[i], blocks[i+1]
		}
	case "remove":
		blocks = append(blocks[:i], blocks[i+1:]...)
	default:
		return blocks, false
	}
	return blocks, true
}

// pageSave handles every button of the edit form: block structure changes
// re-render the form (nothing saved yet), "save" stores a draft, "publish"
// stores and publishes. Images attached to image blocks are uploaded first.
// A stale save re-renders the form with the user's text and the other
// version side by side (409); invalid input re-renders with messages (422).
func (s *Server) pageSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := s.actor(r)
	// Check the right before reading a byte of the body.
	p, _, err := s.pages.EditStart(ctx, a, id)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.pages.ImageMax+(4<<20))
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return fmt.Errorf("%w: %w", errTooLarge, err)
		}
		defer r.MultipartForm.RemoveAll() //nolint:errcheck
	}
	base, _ := strconv.ParseInt(r.FormValue("base"), 10, 64)
	title := r.FormValue("title")
	note := r.FormValue("note")
	blocks := parseBlocks(r)
	errs := valid.Errors{}

	// Uploads attached to image blocks.
	if r.MultipartForm != nil {
		for i := range blocks {
			fh := formFile(r, fmt.Sprintf("blocks.%d.file", i))
			if fh == nil || blocks[i].Type != pages.BlockImage {
				continue
			}
			f, err := fh.Open()
			if err != nil {
				return err
			}
			img, err := s.pages.UploadImage(ctx, a, id, fh.Filename, blocks[i].Alt, f)
			f.Close()
			if ve, ok := formErrors(err); ok {
				for k, v := range ve {
					errs.Add(fmt.Sprintf("blocks.%d.%s", i, k), v.Key, v.Args...)
				}
				continue
			} else if err != nil {
				return err
			}
			blocks[i].ImageID = img.ID
		}
	}

	op := r.FormValue("op")
	if nb, ok := applyOp(op, r.FormValue("add_type"), blocks); ok {
		return s.renderEdit(w, r, http.StatusOK, p, base, title, nb, note, errs, nil)
	}
	// Calendars of events and calendar blocks: only those the editor may
	// see (a forged id is refused with the other messages of the form).
	calErrs, err := s.blockCalendarErrors(r, blocks)
	if err != nil {
		return err
	}
	if len(calErrs) > 0 {
		if _, nerr := pages.Normalize(blocks); nerr != nil {
			if ve, ok := formErrors(nerr); ok {
				errs.Merge(ve)
			}
		}
		errs.Merge(calErrs)
	}
	if len(errs) > 0 {
		return s.renderEdit(w, r, http.StatusUnprocessableEntity, p, base, title, blocks, note, errs, nil)
	}
	rev, err := s.pages.SaveDraft(ctx, a, id, base, title, blocks)
	var stale *pages.StaleError
	switch {
	case errors.As(err, &stale):
		return s.renderEdit(w, r, http.StatusConflict, p, stale.Theirs.ID, title, blocks, note, nil, &stale.Theirs)
	case err != nil:
		if ve, ok := formErrors(err); ok {
			return s.renderEdit(w, r, http.StatusUnprocessableEntity, p, base, title, blocks, note, ve, nil)
		}
		return err
	}
	if op == "publish" {
		if _, err := s.pages.Publish(ctx, a, id, rev.ID, note); err != nil {
			if ve, ok := formErrors(err); ok {
				return s.renderEdit(w, r, http.StatusUnprocessableEntity, p, rev.ID, title, blocks, note, ve, nil)
			}
			return err
		}
		s.flash(w, "pages.flash.published")
		http.Redirect(w, r, p.Path, http.StatusSeeOther)
		return nil
	}
	s.flash(w, "pages.flash.saved")
	http.Redirect(w, r, p.Path+"?apercu", http.StatusSeeOther)
	return nil
}

func formFile(r *http.Request, name string) *multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	fhs := r.MultipartForm.File[name]
	if len(fhs) == 0 || fhs[0].Size == 0 {
		return nil
	}
	return fhs[0]
}

func (s *Server) renderEdit(w http.ResponseWriter, r *http.Request, status int, p *pages.Page, base int64, title string,
	blocks []pages.Block, note string, errs valid.Errors, theirs *pages.Revision) error {
	d, err := s.editData(r, p, base, title, blocks)
	if err != nil {
		return err
	}
	d.Note = note
	if len(errs) > 0 {
		s.withErrors(&d.Page, errs)
	}
	if theirs != nil {
		d.Theirs = theirs
		if d.TheirsBlocks, err = s.blockViews(r, p, theirs.Blocks); err != nil {
			return err
		}
	}
	s.render(w, r, status, "pages_edit", d)
	return nil
}

// pagePublish publishes the pending draft (the toolbar's "Publier").
func (s *Server) pagePublish(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	draft, _ := strconv.ParseInt(r.FormValue("draft"), 10, 64)
	p, err := s.pages.Publish(r.Context(), s.actor(r), id, draft, r.FormValue("note"))
	var stale *pages.StaleError
	if errors.As(err, &stale) {
		s.renderError(w, r, http.StatusConflict, "pages.error.stale_publish")
		return nil
	}
	if err != nil {
		if _, ok := formErrors(err); ok {
			s.renderError(w, r, http.StatusUnprocessableEntity, "pages.error.note_long")
			return nil
		}
		return err
	}
	s.flash(w, "pages.flash.published")
	http.Redirect(w, r, p.Path, http.StatusSeeOther)
	return nil
}

// pageCancel drops the pending draft.
func (s *Server) pageCancel(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	draft, _ := strconv.ParseInt(r.FormValue("draft"), 10, 64)
	if err := s.pages.Cancel(r.Context(), s.actor(r), id, draft); err != nil {
		var stale *pages.StaleError
		if errors.As(err, &stale) {
			s.renderError(w, r, http.StatusConflict, "pages.error.stale_publish")
			return nil
		}
		return err
	}
	p, err := s.pages.Get(r.Context(), id)
	if err != nil {
		return err
	}
	s.flash(w, "pages.flash.cancelled")
	http.Redirect(w, r, p.Path, http.StatusSeeOther)
	return nil
}
