package web

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/pages"
	"portique/internal/valid"
)

// editBlock is one block of the edit form.
type editBlock struct {
	Index int
	pages.Block
	Image *imageView // preview of the chosen image
	// Live is the block as the page shows it (the in-place editor's view;
	// empty when it shows nothing yet, e.g. no folder chosen).
	Live []blockView
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
	// Added is the index of the block just added (the in-place editor
	// opens it), -1 when none.
	Added     int
	EditorJS  string
	EditorCSS string
	// EditorTexts are the editor scripts' words (editorTexts).
	EditorTexts map[string]string
	Icons       []iconChoice  // tiles blocks: the bundled icons
	Paths       []*pages.Link // pages the editor may see, offered for tiles' and buttons' links
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
	p, rev, err := s.pages.EditStart(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	data, err := s.editData(r, p, editInput{base: rev.ID, title: rev.Title, blocks: rev.Blocks, added: -1})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_edit", data)
	return nil
}

// editInput is what the edit form shows: what was saved, or what the
// person sent when the form comes back.
type editInput struct {
	base   int64
	title  string
	note   string
	blocks []pages.Block
	added  int // index of a block just added, or -1
}

func (s *Server) editData(r *http.Request, p *pages.Page, in editInput) (*pageEditData, error) {
	imgs, err := s.pages.PageImages(r.Context(), principal(r), p.ID)
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
		Base:      in.base,
		PageTitle: in.title,
		Note:      in.note,
		Images:    imgs,
		Kinds:     pages.BlockKinds,
		ImageMax:  s.pages.ImageMax,
		Added:     in.added,
	}
	d.BodyClass = "editing"
	for i, b := range in.blocks {
		if b.Type == pages.BlockContact && b.Contact == nil {
			b.Contact = s.contactDefaults() // a block just added: an example to adapt
		}
		eb := editBlock{Index: i, Block: b}
		if img, ok := byID[b.ImageID]; ok && pages.ShowsImage(b.Type) {
			eb.Image = imageViewOf(img, b.Alt)
		}
		if eb.Live, err = s.liveView(r, p, b); err != nil {
			return nil, err
		}
		d.Blocks = append(d.Blocks, eb)
	}
	// Folders and calendars the editor may see, for documents and events blocks.
	folders, err := s.docs.Tree(r.Context(), principal(r), false)
	if err != nil {
		return nil, err
	}
	for _, f := range folders {
		d.Folders = append(d.Folders, choice{ID: f.ID, Label: strings.Repeat("— ", f.Depth) + f.Name})
	}
	cals, err := s.calendar.Calendars(r.Context(), principal(r), access.View)
	if err != nil {
		return nil, err
	}
	for _, c := range cals {
		d.Calendars = append(d.Calendars, choice{ID: c.ID, Label: c.Name})
	}
	d.Icons = s.iconChoices()
	if root, err := s.pages.SiteMap(r.Context(), principal(r)); err == nil {
		d.Paths = flattenLinks(nil, root)
	} else if !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	if s.static.exists("dist/editor.js") {
		d.EditorJS = s.static.url("dist/editor.js")
		d.EditorCSS = s.static.url("dist/editor.css")
		d.EditorTexts = s.editorTexts()
	}
	return d, nil
}

// liveView renders one block of the edit form as the page shows it. A
// block that refers to nothing (yet) or to something the editor may not see
// has an empty view: the form's fields say what is wrong.
func (s *Server) liveView(r *http.Request, p *pages.Page, b pages.Block) ([]blockView, error) {
	if b.Type == pages.BlockContact || b.Type == pages.BlockSearch {
		// Its view is a form: it cannot sit inside the edit form.
		return nil, nil
	}
	v, err := s.blockViews(r, p, []pages.Block{b})
	if errors.Is(err, db.ErrNotFound) || errors.Is(err, access.ErrForbidden) {
		return nil, nil
	}
	return v, err
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
		b := pages.Block{
			Type:       typ,
			HTML:       r.FormValue(key("html")),
			ImageID:    num("image_id"),
			Alt:        r.FormValue(key("alt")),
			Caption:    r.FormValue(key("caption")),
			Decorative: r.FormValue(key("decorative")) == "1",
			FolderID:   num("folder_id"),
			CalendarID: num("calendar_id"),
			Limit:      int(num("limit")),
			Title:      r.FormValue(key("title")),
			Lead:       r.FormValue(key("lead")),
			LinkLabel:  r.FormValue(key("link_label")),
			LinkURL:    r.FormValue(key("link_url")),
		}
		if typ == pages.BlockTiles {
			b.Tiles = parseTiles(r, key)
		}
		if typ == pages.BlockContact {
			b.Contact = contactConfigForm(r, key)
		}
		out = append(out, b)
	}
	return out
}

// applyOp performs a structure change asked by a button of the form
// ("add", "up:2", "down:0", "remove:3"); it reports whether op was one.
// "add" inserts before the block at addAt (the in-place editor's "add a
// block here"), at the end when addAt is out of range.
func applyOp(op, addType string, addAt int, blocks []pages.Block) ([]pages.Block, bool) {
	if op == "add" {
		for _, k := range pages.BlockKinds {
			if k == addType && len(blocks) < pages.MaxBlocks {
				if addAt < 0 || addAt > len(blocks) {
					addAt = len(blocks)
				}
				return slices.Insert(blocks, addAt, pages.Block{Type: k}), true
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

// smallForm is the largest edit form read before the right to edit is
// checked: a form of text blocks. A bigger body (pictures) is read only
// for someone who may edit the page.
const smallForm = 1 << 20

// pageSave handles every button of the edit form: block structure changes
// show the form again (nothing saved yet), "save" stores a draft, "publish"
// stores and publishes it, pictures included, in one transaction
// (pages.Store.Save). A stale save shows the form again with the user's
// text and the other version side by side (409); invalid input, with its
// messages (422). Pictures sent with a form shown again are kept.
func (s *Server) pageSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), s.actor(r)
	// Nobody who may not edit the page makes the server read or decode
	// pictures: the right is checked before a big body is read, and
	// before a picture is decoded.
	checked := r.ContentLength < 0 || r.ContentLength > smallForm
	if checked {
		if _, err := s.loadPage(r, access.Edit); err != nil {
			return err
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.pages.ImageMax+(4<<20))
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return fmt.Errorf("%w: %w", errTooLarge, err)
		}
		defer r.MultipartForm.RemoveAll() //nolint:errcheck
	}
	base, _ := strconv.ParseInt(r.FormValue("base"), 10, 64)
	op := r.FormValue("op")
	e := pages.Edit{Base: base, Title: r.FormValue("title"), Note: r.FormValue("note"), Blocks: parseBlocks(r), Publish: op == "publish"}
	files := imageFiles(r, e.Blocks)
	if len(files) > 0 && !checked {
		if _, err := s.loadPage(r, access.Edit); err != nil {
			return err
		}
	}
	errs, err := s.readImages(&e, files)
	if err != nil {
		return err
	}
	status := http.StatusUnprocessableEntity
	var theirs *pages.Revision
	if _, ok := applyOp(op, "", -1, slices.Clone(e.Blocks)); ok {
		status = http.StatusOK
	} else if len(errs) == 0 {
		// Calendars and folders of the blocks: the editor may only show
		// those they may see (their stores decide).
		cals, folders := pages.Refs(e.Blocks)
		if e.UnseenCalendars, err = s.calendar.UnseenRefs(ctx, a.Principal, cals); err != nil {
			return err
		}
		if e.UnseenFolders, err = s.docs.UnseenRefs(ctx, a.Principal, folders); err != nil {
			return err
		}
		p, _, err := s.pages.Save(ctx, a, id, e)
		var stale *pages.StaleError
		switch ve, invalid := formErrors(err); {
		case err == nil && e.Publish:
			return s.seeOther(w, r, "pages.flash.published", p.Path)
		case err == nil:
			return s.seeOther(w, r, "pages.flash.saved", p.Path+"?apercu")
		case errors.As(err, &stale):
			status, theirs, e.Base = http.StatusConflict, &stale.Theirs, stale.Theirs.ID
		case invalid:
			errs = ve
		default:
			return err
		}
	}
	// The form comes back: the pictures sent are kept.
	if err := s.pages.KeepImages(ctx, a, id, &e); err != nil {
		ve, ok := formErrors(err)
		if !ok {
			return err
		}
		errs.Merge(ve)
	}
	added := -1
	if status == http.StatusOK {
		at, err := strconv.Atoi(r.FormValue("add_at"))
		if err != nil {
			at = -1
		}
		n := len(e.Blocks)
		e.Blocks, _ = applyOp(op, r.FormValue("add_type"), at, e.Blocks)
		if len(e.Blocks) > n {
			added = at
			if at < 0 || at > n {
				added = n
			}
		}
	}
	return s.renderEdit(w, r, status, editInput{base: e.Base, title: e.Title, note: e.Note, blocks: e.Blocks, added: added}, errs, theirs)
}

// imageFiles are the pictures attached to the image blocks of the form.
func imageFiles(r *http.Request, blocks []pages.Block) map[int]*multipart.FileHeader {
	out := map[int]*multipart.FileHeader{}
	for i, b := range blocks {
		if fh := formFile(r, fmt.Sprintf("blocks.%d.file", i)); fh != nil && pages.ShowsImage(b.Type) {
			out[i] = fh
		}
	}
	return out
}

// readImages reads the pictures of the form into e.Uploads; those refused
// are field errors of their block.
func (s *Server) readImages(e *pages.Edit, files map[int]*multipart.FileHeader) (valid.Errors, error) {
	errs := valid.Errors{}
	e.Uploads = map[int]*pages.Upload{}
	for i, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		alt := e.Blocks[i].Alt
		if e.Blocks[i].Decorative && strings.TrimSpace(alt) == "" {
			// A decorative picture has no alternative; the library still
			// names it, by its file name.
			alt = fh.Filename
		}
		u, err := s.pages.ReadImage(fh.Filename, alt, f)
		f.Close()
		if ve, ok := formErrors(err); ok {
			for k, v := range ve {
				errs.Add(fmt.Sprintf("blocks.%d.%s", i, k), v.Key, v.Args...)
			}
		} else if err != nil {
			return nil, err
		} else {
			e.Uploads[i] = u
		}
	}
	return errs, nil
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

// renderEdit shows the edit form again with what the person sent: after a
// structure change (200), a stale save with the other version (409), or
// invalid input with its messages (422). It loads the page for someone
// who may edit it.
func (s *Server) renderEdit(w http.ResponseWriter, r *http.Request, status int, in editInput, errs valid.Errors, theirs *pages.Revision) error {
	p, err := s.loadPage(r, access.Edit)
	if err != nil {
		return err
	}
	d, err := s.editData(r, p, in)
	if err != nil {
		return err
	}
	if theirs != nil {
		d.Theirs = theirs
		if d.TheirsBlocks, err = s.blockViews(r, p, theirs.Blocks); err != nil {
			return err
		}
	}
	if status == http.StatusUnprocessableEntity {
		return s.unprocessable(w, r, "pages_edit", d, errs)
	}
	s.withErrors(&d.Page, errs)
	s.render(w, r, status, "pages_edit", d)
	return nil
}

// pagePublish publishes the pending draft (the toolbar's "Publier"). A
// draft newer than the one shown is a refusal (pages.ErrStale).
func (s *Server) pagePublish(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	draft, _ := strconv.ParseInt(r.FormValue("draft"), 10, 64)
	p, err := s.pages.Publish(r.Context(), s.actor(r), id, draft, r.FormValue("note"))
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "pages.flash.published", p.Path)
}

// pageCancel drops the pending draft.
func (s *Server) pageCancel(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	draft, _ := strconv.ParseInt(r.FormValue("draft"), 10, 64)
	if err := s.pages.Cancel(r.Context(), s.actor(r), id, draft); err != nil {
		return err
	}
	p, err := s.pages.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "pages.flash.cancelled", p.Path)
}

// pageUnpublish takes the page back to draft (the toolbar's "Dépublier"):
// visitors no longer see it, its content waits as the draft. A publication
// newer than the one shown is a refusal (pages.ErrStale).
func (s *Server) pageUnpublish(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	published, _ := strconv.ParseInt(r.FormValue("published"), 10, 64)
	p, err := s.pages.Unpublish(r.Context(), s.actor(r), id, published)
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "pages.flash.unpublished", p.Path)
}
