package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/pages"
	"portique/internal/users"
)

// blockView is a block ready for the page template.
type blockView struct {
	Type    string
	HTML    template.HTML // text (sanitised when saved), or what a renderer drew
	Image   *imageView
	Caption string
	Links   []*pages.Link        // child pages
	Docs    []documents.Document // documents block: newest documents of the folder the viewer may see
	Folders []documents.Folder   // documents block: its sub-folders the viewer may see, when it holds no document
	Events  []occView            // events block: next occurrences the viewer may see
	More    string               // documents and events blocks: link to the whole folder or agenda
	// Calendar is the embedded calendar block's month (calendar_blocks.go).
	Calendar *calendarBlockView
	// Contact is a contact form (contact_form.go).
	Contact *contactView
	News    []newsCard // latest-news block (news_show.go)
	Hero    *heroView  // hero block (home_blocks.go)
	Tiles   []tileView // quick-access tiles block
	// Heading is the visible heading of an events or news block.
	Heading string
	// Anchor is a prefix of ids unique in the page (search block).
	Anchor string
	// Label names the block's landmark, distinct from the other blocks'
	// of the page (blockLabels).
	Label string
}

// imageView is an <img> with its responsive variants (the "picture"
// partial draws it): Srcset the JPEG/PNG sizes, WebP the same sizes in
// WebP for the browsers that read it.
type imageView struct {
	Src, Srcset, WebP, Alt string
	Width, Height          int
	// Eager: the first picture of the page, likely in view at once, is not
	// loaded lazily (blockViews marks it).
	Eager bool
}

// pageShowData is the data of pages_show.html.
type pageShowData struct {
	Page
	P         *pages.Page
	Rev       *pages.Revision
	Blocks    []blockView
	Draft     bool // showing the pending draft (editor preview)
	HasDraft  bool // a draft is pending (for editors)
	CanEdit   bool
	CanManage bool
	Meta      string
	// CalendarCSS: an embedded calendar needs the calendar's stylesheets.
	CalendarCSS bool
	// BlocksHTML is Blocks drawn by the page-blocks partial.
	BlocksHTML template.HTML
	// Contact: the page holds a contact form (its scripts; never cached,
	// the form carries the visitor's tokens).
	Contact *contactView
	// News (news_show.go): the list of a news index, the header of a news
	// item, Open Graph, the feeds' links, the schedule notice for editors.
	NewsList     *newsListView
	NewsHead     *newsHead
	OG           *openGraph
	Feeds        bool
	ScheduleNote string
}

// pageShow serves the page tree: "/" and "/{slug}/{slug}…". Visitors see the
// published revision; editors see the draft of a page never published, or
// any pending draft with ?apercu.
func (s *Server) pageShow(w http.ResponseWriter, r *http.Request) error {
	path := r.URL.Path
	if clean := pages.CleanPath(path); clean != path {
		http.Redirect(w, r, clean, http.StatusMovedPermanently)
		return nil
	}
	return s.showPage(w, r, path, http.StatusOK)
}

// showPage draws the page at path with status (a contact form sent with
// errors shows its page again with 422).
func (s *Server) showPage(w http.ResponseWriter, r *http.Request, path string, status int) error {
	p := principal(r)
	preview := r.URL.Query().Has("apercu")
	// Members: a page view is the same for everyone with the same groups
	// until the content changes; only the person's own bits are redrawn.
	var viewKey string
	var version int64
	if p.LoggedIn() && !preview && status == http.StatusOK {
		var err error
		if version, err = s.contentVersion(r.Context()); err != nil {
			return err
		}
		viewKey = memberViewKey(r, p)
		if c := s.pageCache.view(viewKey, version, s.now()); c != nil {
			return s.serveView(w, r, c)
		}
	}
	v, err := s.pages.Show(r.Context(), p, path, preview)
	if err != nil {
		// Slugs are lower case: /Le-Syndicat (typed or printed) finds /le-syndicat.
		if low := strings.ToLower(path); errors.Is(err, db.ErrNotFound) && low != path {
			if _, _, lerr := s.pages.Resolve(r.Context(), low); lerr == nil {
				http.Redirect(w, r, low, http.StatusMovedPermanently)
				return nil
			}
		}
		if path == "/" && errors.Is(err, db.ErrNotFound) {
			if _, herr := s.pages.Home(r.Context()); errors.Is(herr, db.ErrNotFound) {
				// An empty site: administrators are offered to start the
				// tree, everyone else sees the placeholder home page.
				if p.Admin {
					s.render(w, r, http.StatusOK, "pages_empty", s.page(r, s.cat.T("pages.empty.title")))
					return nil
				}
				return s.home(w, r)
			}
		}
		return err
	}
	if v.Redirect != "" {
		target := v.Redirect
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return nil
	}
	data := pageShowData{
		Page:      s.page(r, v.Rev.Title),
		P:         v.Page,
		Rev:       v.Rev,
		Draft:     v.Draft,
		HasDraft:  v.Page.DraftRev != 0,
		CanEdit:   v.Level >= access.Edit,
		CanManage: v.Level >= access.Manage,
		Meta:      v.Page.MetaDescription,
	}
	if v.Page.IsHome() {
		data.Title = ""
	}
	if data.Breadcrumb, err = s.breadcrumb(r, v.Page, v.Rev.Title); err != nil {
		return err
	}
	if data.Blocks, err = s.blockViews(r, v.Page, v.Rev.Blocks); err != nil {
		return err
	}
	data.Banner = s.pageBanner(r, v.Page, data.Blocks)
	for _, b := range data.Blocks {
		if b.Calendar != nil {
			data.CalendarCSS = true
		}
		if b.Contact != nil {
			data.Contact = b.Contact
		}
	}
	// The blocks are drawn once here: the members' view cache then keeps
	// them as HTML, and a cached view only draws the person's own bits.
	if data.BlocksHTML, err = s.partialHTML("page-blocks", data.Blocks); err != nil {
		return err
	}
	if err := s.addNewsView(r, &data); err != nil {
		return err
	}
	if data.CanEdit {
		data.BodyClass = "can-edit"
	}
	if viewKey != "" && !data.Draft && data.Contact == nil {
		return s.serveView(w, r, s.pageCache.storeView(viewKey, version, s.now(), s.scheduleLimit(r), data))
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	if data.Contact != nil {
		w.Header().Set("Cache-Control", "no-store")
	}
	s.render(w, r, status, "pages_show", data)
	return nil
}

// serveView answers with a member's page view: drawn once with holes for
// everyone with the same groups (holes.go), each request fills in the
// person's own bits. A request with a flash message to show, or without a
// session (a test's principal), has its page drawn whole.
func (s *Server) serveView(w http.ResponseWriter, r *http.Request, c *cachedView) error {
	w.Header().Set("Cache-Control", "private, no-cache")
	st, u := state(r), currentUser(r)
	if _, err := r.Cookie(flashCookie); err == nil || st.session == nil || u == nil {
		s.render(w, r, http.StatusOK, "pages_show", c.with(s.pageWithNav(r, c.data.Title, c.data.Nav)))
		return nil
	}
	final := 0
	if !st.session.IdleEnd.Before(st.session.ExpiresAt) {
		final = 1
	}
	drawn := c.drawn[final].Load()
	if drawn == nil {
		// The page as anyone of these groups sees it, every bit of the
		// person a mark: even the account's id is not there to leak.
		pg := s.pageWithNav(r, c.data.Title, c.data.Nav)
		pg.User = &users.User{Name: s.marks.mark(holeName), Admin: u.Admin}
		pg.Principal.UserID = 0
		pg.CSRF = s.marks.mark(holeCSRF)
		pg.SessionIdleISO, pg.SessionIdleHHMM = s.marks.mark(holeIdleISO), s.marks.mark(holeIdleHHMM)
		buf, err := s.execute(http.StatusOK, "pages_show", c.with(pg))
		if err != nil {
			return err
		}
		drawn, err = s.marks.split(buf.Bytes())
		putRenderBuffer(buf)
		if err != nil {
			return err
		}
		c.drawn[final].Store(drawn)
	}
	iso, hhmm := s.idleEnd(st.session)
	vals := [holeCount]string{
		holeCSRF:     escapeLikeTemplate(st.token()),
		holeName:     escapeLikeTemplate(u.Name),
		holeIdleISO:  escapeLikeTemplate(iso),
		holeIdleHHMM: escapeLikeTemplate(hhmm),
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	drawn.fill(buf, &vals)
	writeHTML(w, r, http.StatusOK, buf)
	return nil
}

// with is the view's data with the request's page (the view's own title,
// menu, breadcrumb, body class and banner kept).
func (c *cachedView) with(pg Page) *pageShowData {
	d := c.data
	v := c.data.Page
	d.Page = pg
	d.Title, d.Nav, d.Breadcrumb, d.BodyClass, d.Banner = v.Title, v.Nav, v.Breadcrumb, v.BodyClass, v.Banner
	return &d
}

// pageCreateHome creates the home page of an empty site (administrators)
// and opens it in edit mode.
func (s *Server) pageCreateHome(w http.ResponseWriter, r *http.Request) error {
	home, err := s.pages.CreateHome(r.Context(), s.actor(r), s.cat.T("site.home"))
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "", "/pages/"+strconv.FormatInt(home.ID, 10)+"/modifier")
}

// breadcrumb builds the trail to a page (its visible ancestors, then itself).
func (s *Server) breadcrumb(r *http.Request, p *pages.Page, title string) ([]NavItem, error) {
	if p.IsHome() {
		return nil, nil
	}
	links, err := s.pages.Breadcrumb(r.Context(), principal(r), p)
	if err != nil {
		return nil, err
	}
	items := make([]NavItem, 0, len(links)+1)
	for _, l := range links {
		label := l.Title
		if l.Path == "/" {
			label = s.cat.T("site.home")
		}
		items = append(items, NavItem{Label: label, URL: l.Path})
	}
	return append(items, NavItem{Label: title, URL: p.Path, Current: true}), nil
}

// blockViews prepares blocks for display.
func (s *Server) blockViews(r *http.Request, p *pages.Page, blocks []pages.Block) ([]blockView, error) {
	out := make([]blockView, 0, len(blocks))
	for i, b := range blocks {
		v := blockView{Type: b.Type}
		switch b.Type {
		case pages.BlockText:
			v.HTML = richTextView(pages.SanitizeHTML(b.HTML)) // sanitised on save; again here as defence in depth
		case pages.BlockImage:
			img, err := s.pages.GetImage(r.Context(), principal(r), b.ImageID)
			if err != nil {
				if errors.Is(err, db.ErrNotFound) {
					continue
				}
				return nil, err
			}
			v.Image = imageViewOf(img, b.Alt)
			if b.Decorative {
				v.Image.Alt = "" // an explicit choice of the editor (RGAA 1.2)
			}
			v.Caption = b.Caption
		case pages.BlockChildren:
			links, err := s.pages.Children(r.Context(), principal(r), p.ID)
			if err != nil {
				return nil, err
			}
			v.Links = links
		case pages.BlockDocuments:
			// A folder the viewer may not see gives an empty list: the
			// page reveals nothing about it.
			v.More = "/documents/dossiers/" + strconv.FormatInt(b.FolderID, 10)
			docs, err := s.docs.ListForBlock(r.Context(), principal(r), b.FolderID, 10)
			if err != nil {
				return nil, err
			}
			v.Docs = docs
			if len(docs) > 0 && docs[0].FolderID == b.FolderID {
				v.Label = s.cat.T("pages.block.documents_label", docs[0].FolderName)
			}
			if len(docs) == 0 {
				// A folder of folders: its sub-folders, rather than "no document".
				if v.Folders, err = s.docs.SubFolders(r.Context(), principal(r), b.FolderID); err != nil {
					return nil, err
				}
			}
		case pages.BlockHero, pages.BlockTiles, pages.BlockSearch:
			v.Anchor = fmt.Sprintf("blk%d", i)
			if ok, err := s.homeBlockView(r, b, &v); err != nil {
				return nil, err
			} else if !ok {
				continue
			}
		case pages.BlockEvents:
			v.Heading = b.Title
			v.More = "/agenda"
			occ, err := s.calendar.Upcoming(r.Context(), principal(r), b.CalendarID, b.Limit)
			if err != nil {
				return nil, err
			}
			loc := s.cfg.Location()
			for _, o := range occ {
				v.Events = append(v.Events, s.occView(o, loc))
			}
		case pages.BlockNews:
			v.Heading = b.Title
			v.More = newsPath
			news, err := s.latestNews(r, b.Limit)
			if err != nil {
				return nil, err
			}
			v.News = news
			if v.HTML, err = s.newsCardsHTML(news); err != nil {
				return nil, err
			}
		case pages.BlockCalendar:
			cb, err := s.calendarBlock(r, b.CalendarID, i)
			if err != nil {
				return nil, err
			}
			if cb == nil {
				continue // a calendar the viewer may not see: nothing at all
			}
			// Drawn here, once: the grid is the costliest part of a page,
			// and the members' view cache then keeps it as HTML.
			if v.HTML, err = s.partialHTML("cal-block", cb); err != nil {
				return nil, err
			}
			v.Calendar = cb // the page then loads the calendar's stylesheets
		case pages.BlockContact:
			if v.Contact = s.contactFormView(r, p, i, b.Contact); v.Contact == nil {
				continue
			}
		default:
			continue
		}
		out = append(out, v)
	}
	s.blockLabels(out)
	markFirstPicture(out)
	return out, nil
}

// markFirstPicture loads the page's first picture at once (it is likely in
// view when the page opens, the largest thing painted); the others load
// lazily, when the reader scrolls near them.
func markFirstPicture(blocks []blockView) {
	for i := range blocks {
		if blocks[i].Image != nil {
			blocks[i].Image.Eager = true
			return
		}
	}
}

func imageViewOf(img *pages.Image, alt string) *imageView {
	v := &imageView{Alt: alt, Src: fmt.Sprintf("/medias/%d/%d", img.ID, pages.ImageWidths[1])}
	// Every kept size up to the first that holds the picture unreduced
	// (its real width): a 1200 px photo is 480w, 960w and 1200w.
	var set, webp []string
	for _, w := range pages.ImageWidths {
		set = append(set, fmt.Sprintf("/medias/%d/%d %dw", img.ID, w, min(w, img.Width)))
		webp = append(webp, fmt.Sprintf("/medias/%d/%d.webp %dw", img.ID, w, min(w, img.Width)))
		if w >= img.Width {
			break
		}
	}
	v.Srcset, v.WebP = strings.Join(set, ", "), strings.Join(webp, ", ")
	// Intrinsic size of the largest variant kept, to reserve the space.
	maxW := pages.ImageWidths[len(pages.ImageWidths)-1]
	v.Width, v.Height = img.Width, img.Height
	if v.Width > maxW {
		v.Height = img.Height * maxW / img.Width
		v.Width = maxW
	}
	return v
}

// pageImage serves an image variant to whoever may view its page:
// /medias/{id}/{width} in JPEG or PNG, /medias/{id}/{width}.webp in WebP.
func (s *Server) pageImage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	size, webp := strings.CutSuffix(r.PathValue("size"), ".webp")
	width, err := strconv.Atoi(size)
	if err != nil {
		return db.ErrNotFound
	}
	variant := s.pages.ImageVariant
	if webp {
		variant = s.pages.ImageWebP
	}
	v, err := variant(r.Context(), principal(r), id, width)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", v.ETag())
	h.Set("Cache-Control", "private, max-age=3600")
	if r.Header.Get("If-None-Match") == v.ETag() {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", v.MediaType)
	h.Set("Content-Length", strconv.Itoa(len(v.Data)))
	h.Set("Content-Disposition", "inline")
	if r.Method != http.MethodHead {
		w.Write(v.Data) //nolint:errcheck // the client went away
	}
	return nil
}

// pageID reads the {id} of a /pages/{id}/… route.
func pageID(r *http.Request) (int64, error) { return pathID(r, "id") }
