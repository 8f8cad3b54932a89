package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"portique/internal/db"
	"portique/internal/pages"
)

// News on the public site: a news index (/actualites) is a page that lists
// its news sub-pages below its own blocks; a news item is a page shown with
// its date, category, picture and teaser above its blocks. Both are served
// by pageShow, so they share the page cache, the members' view cache and
// the access rule.

// newsCard is a news item in a list (the index, the latest-news block).
type newsCard struct {
	Title, URL, Teaser, Category string
	Date                         time.Time
	Image                        *imageView
}

// cardKey is everything a news card shows: its drawing is kept by it
// (htmlMemo), html/template spent ≈ 30 µs on each card of a list.
type cardKey struct {
	Title, URL, Teaser, Category string
	Date                         int64
	Image                        imageView
	HasImage                     bool
}

// newsCardsHTML draws a list of news cards.
func (s *Server) newsCardsHTML(cards []newsCard) (template.HTML, error) {
	var b strings.Builder
	b.WriteString(`<ul class="news-cards">`)
	for i := range cards {
		c := &cards[i]
		k := cardKey{Title: c.Title, URL: c.URL, Teaser: c.Teaser, Category: c.Category, Date: c.Date.UnixNano()}
		if c.Image != nil {
			k.Image, k.HasImage = *c.Image, true
		}
		h, err := s.cards.draw(s, k, "news-card", c)
		if err != nil {
			return "", err
		}
		b.WriteString(string(h))
	}
	b.WriteString("</ul>")
	return template.HTML(b.String()), nil //nolint:gosec // drawn by html/template
}

// newsHead is what a news item shows above its blocks.
type newsHead struct {
	Date        time.Time
	Category    string
	CategoryURL string
	Teaser      string
	Image       *imageView
}

// newsCategoryLink is a choice of the category filter.
type newsCategoryLink struct {
	Name, URL string
	Current   bool
}

// newsListView is the list part of a news index.
type newsListView struct {
	Items      []newsCard
	Cards      template.HTML // Items drawn (newsCardsHTML)
	Categories []newsCategoryLink
	AllURL     string
	Category   string // the chosen category's name ("" for all)
	PageNum    int
	Pages      int
	Total      int
	PrevURL    string
	NextURL    string
}

// openGraph is the Open Graph description of a page.
type openGraph struct {
	Type, Title, Description, URL, Image, ImageAlt string
}

func (s *Server) newsCard(n pages.NewsItem) newsCard {
	c := newsCard{Title: n.Title, URL: n.Path, Teaser: n.Teaser, Category: n.Category, Date: n.Date()}
	if n.ImageID != 0 && n.ImageWidth > 0 {
		c.Image = imageViewOf(&pages.Image{ID: n.ImageID, Width: n.ImageWidth, Height: n.ImageHeight}, n.ImageAlt)
	}
	return c
}

// newsIndexURL is the address of the list with a category and a page.
func newsIndexURL(path, category string, page int) string {
	q := url.Values{}
	if category != "" {
		q.Set("categorie", category)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// newsList builds the list of a news index for the request's page and
// category (?page=, ?categorie=). An unknown category or a page past the
// last is "not found".
func (s *Server) newsList(r *http.Request, index *pages.Page) (*newsListView, error) {
	q := r.URL.Query()
	v := &newsListView{PageNum: 1, AllURL: index.Path}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		v.PageNum = n
	}
	cats, err := s.pages.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	slug := q.Get("categorie")
	var catID int64
	for _, c := range cats {
		cur := c.Slug == slug
		if cur {
			catID, v.Category = c.ID, c.Name
		}
		v.Categories = append(v.Categories, newsCategoryLink{Name: c.Name, URL: newsIndexURL(index.Path, c.Slug, 1), Current: cur})
	}
	if slug != "" && catID == 0 {
		return nil, db.ErrNotFound
	}
	items, total, err := s.pages.News(r.Context(), principal(r), pages.NewsQuery{IndexID: index.ID, CategoryID: catID,
		Limit: pages.DefaultNewsList, Offset: (v.PageNum - 1) * pages.DefaultNewsList})
	if err != nil {
		return nil, err
	}
	v.Total = total
	v.Pages = max(1, (total+pages.DefaultNewsList-1)/pages.DefaultNewsList)
	if v.PageNum > v.Pages {
		return nil, db.ErrNotFound
	}
	for _, n := range items {
		v.Items = append(v.Items, s.newsCard(n))
	}
	if v.Cards, err = s.newsCardsHTML(v.Items); err != nil {
		return nil, err
	}
	if v.PageNum > 1 {
		v.PrevURL = newsIndexURL(index.Path, slug, v.PageNum-1)
	}
	if v.PageNum < v.Pages {
		v.NextURL = newsIndexURL(index.Path, slug, v.PageNum+1)
	}
	return v, nil
}

// newsHeadOf is the header of a news item.
func (s *Server) newsHeadOf(r *http.Request, p *pages.Page) (*newsHead, error) {
	h := &newsHead{Date: p.PublishAt, Teaser: p.Teaser}
	if h.Date.IsZero() {
		h.Date = p.PublishedAt
	}
	if p.CategoryID != 0 {
		c, err := s.pages.Category(r.Context(), p.CategoryID)
		if err != nil {
			return nil, err
		}
		h.Category = c.Name
		if parent, err := s.pages.Get(r.Context(), p.ParentID); err == nil {
			h.CategoryURL = newsIndexURL(parent.Path, c.Slug, 1)
		}
	}
	if p.ImageID != 0 {
		img, err := s.pages.GetImage(r.Context(), principal(r), p.ImageID)
		if err == nil {
			h.Image = imageViewOf(img, p.ImageAlt)
		}
	}
	return h, nil
}

// addNewsView completes a page view with what its kind shows: the list of
// a news index, the header of a news item, the description (the teaser
// when none is set), the Open Graph tags and the feeds' links.
func (s *Server) addNewsView(r *http.Request, d *pageShowData) error {
	p := d.P
	var err error
	switch {
	case p.IsNewsIndex():
		if d.NewsList, err = s.newsList(r, p); err != nil {
			return err
		}
	case p.IsNews():
		if d.NewsHead, err = s.newsHeadOf(r, p); err != nil {
			return err
		}
	}
	if d.Meta == "" {
		d.Meta = p.Teaser
	}
	og := &openGraph{Type: "website", Title: d.Rev.Title, Description: d.Meta, URL: s.absURL(r, p.Path)}
	if p.IsHome() {
		og.Title = s.siteName(r.Context())
	}
	if d.NewsHead != nil {
		og.Type = "article"
		if d.NewsHead.Image != nil {
			og.Image = s.absURL(r, d.NewsHead.Image.Src)
			og.ImageAlt = d.NewsHead.Image.Alt
		}
	}
	d.OG = og
	// Every page advertises the public feeds when the site has a news index.
	if _, err := s.pages.NewsIndex(r.Context(), newsPath); err == nil {
		d.Feeds = true
	}
	if d.CanEdit && p.Scheduled(s.now()) {
		loc := s.cfg.Location()
		switch {
		case !p.PublishAt.IsZero() && s.now().Before(p.PublishAt):
			d.ScheduleNote = s.cat.T("news.schedule.future", s.cat.DateTime(p.PublishAt.In(loc)))
		default:
			d.ScheduleNote = s.cat.T("news.schedule.past", s.cat.DateTime(p.UnpublishAt.In(loc)))
		}
	}
	return nil
}

// newsPath is the address of the news index (and of its feeds).
const newsPath = "/actualites"

// latestNews is the latest-news block: the newest items p may see.
func (s *Server) latestNews(r *http.Request, limit int) ([]newsCard, error) {
	items, _, err := s.pages.News(r.Context(), principal(r), pages.NewsQuery{Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]newsCard, 0, len(items))
	for _, n := range items {
		out = append(out, s.newsCard(n))
	}
	return out, nil
}

// visitorCacheLimit is when the visitors' caches must drop a page rendered
// now: the next scheduled publication or unpublication, to the minute.
//
// The answer is kept under the content version it was read at
// (pages.LiveUntil).
func (s *Server) scheduleLimit(r *http.Request) time.Time {
	now := s.now()
	t, err := s.pages.LiveUntil(r.Context(), now)
	if err != nil {
		return now // no cache rather than a stale page
	}
	return t
}
