package web

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/centres"
	"portique/internal/collecte"
	"portique/internal/db"
	"portique/internal/guide"
	"portique/internal/pages"
	"portique/internal/search"
	"portique/internal/valid"
)

// searchKinds are the kinds a searcher can filter on, in the order shown.
var searchKinds = []string{search.KindPage, search.KindDocument, search.KindEvent, acts.SearchKind, guide.SearchKind, centres.SearchKind, collecte.SearchKind}

// searchData is the data of pages_search.html.
type searchData struct {
	Page
	Q, From, To, Kind string
	Kinds             []string
	Searched          bool
	Unavailable       bool
	Total             int
	Hits              []documentHit // any kind; document hits carry their archive label and page link
	PageNum           int
	Prev, Next        string // URLs of the neighbouring result pages
	Suggestion        searchSuggestion
	Cut               bool // the query had more words or alternatives than searched
	MaxAlts           int
}

// searchSuggestion is the "Vouliez-vous dire" link of a search that found
// nothing (the search package only suggests what finds visible hits).
type searchSuggestion struct {
	Text string
	URL  string // the same search (filters kept) with the suggested words
}

// suggestionFor links the suggested words, keeping the request's filters
// and going back to the first page of results.
func suggestionFor(r *http.Request, text string) searchSuggestion {
	if text == "" {
		return searchSuggestion{}
	}
	v := r.URL.Query()
	v.Del("page")
	v.Set("q", text)
	return searchSuggestion{Text: text, URL: r.URL.Path + "?" + v.Encode()}
}

const searchPerPage = 20

// searchShow is the site search: /recherche?q=…&du=AAAA-MM-JJ&au=…&type=…
// Hits are only what the searcher may see (the index filters in SQL).
func (s *Server) searchShow(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := searchData{
		Q: strings.TrimSpace(q.Get("q")), From: q.Get("du"), To: q.Get("au"), Kind: q.Get("type"),
		Kinds: searchKinds, PageNum: 1,
	}
	d.Page = s.page(r, s.cat.T("pages.search.title"))
	cacheUntil(r, s.midnight()) // documents' archive labels move at midnight
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n <= 50 {
		d.PageNum = n
	}
	errs := valid.Errors{}
	loc := s.cfg.Location()
	var from, to time.Time
	if d.From != "" {
		t, err := time.ParseInLocation("2006-01-02", d.From, loc)
		if err != nil {
			errs.Add("du", "pages.error.date")
		}
		from = t
	}
	if d.To != "" {
		t, err := time.ParseInLocation("2006-01-02", d.To, loc)
		if err != nil {
			errs.Add("au", "pages.error.date")
		}
		to = t.Add(24*time.Hour - time.Nanosecond)
	}
	if len(errs) > 0 {
		return s.unprocessable(w, r, "pages_search", &d, errs)
	}
	if d.Q != "" {
		d.Searched = true
		if s.search == nil {
			d.Unavailable = true
		} else {
			sq := search.Query{Text: d.Q, From: from, To: to, Limit: searchPerPage, Offset: (d.PageNum - 1) * searchPerPage, Now: s.now()}
			for _, k := range searchKinds {
				if k == d.Kind {
					sq.Kinds = []string{k}
				}
			}
			res, err := s.search.Search(r.Context(), principal(r), sq)
			if err != nil {
				return err
			}
			d.Total = res.Total
			d.Suggestion = suggestionFor(r, res.Suggestion)
			d.Cut, d.MaxAlts = res.Cut, search.MaxAlternatives
			for i := range res.Hits {
				res.Hits[i].Snippet = pages.SanitizeSnippet(res.Hits[i].Snippet)
			}
			// Document hits: archive label and the page of the file, as on /documents/recherche.
			if d.Hits, err = s.documentHits(r.Context(), principal(r), res.Hits); err != nil {
				return err
			}
			link := func(n int) string {
				v := r.URL.Query()
				v.Set("page", strconv.Itoa(n))
				return "/recherche?" + v.Encode()
			}
			if d.PageNum > 1 {
				d.Prev = link(d.PageNum - 1)
			}
			if d.PageNum*searchPerPage < res.Total {
				d.Next = link(d.PageNum + 1)
			}
		}
	}
	d.Title = s.searchTitle(d.Title, d.Q, d.Searched, d.Total, d.PageNum)
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, r, http.StatusOK, "pages_search", d)
	return nil
}

// siteMapData is the data of pages_sitemap.html.
type siteMapData struct {
	Page
	Root        *pages.Link
	CanEditMenu bool // the viewer may compose the main menu (/admin/menu)
}

// siteMapShow is the plan du site: the tree of the pages the viewer may see.
func (s *Server) siteMapShow(w http.ResponseWriter, r *http.Request) error {
	root, err := s.pages.SiteMap(r.Context(), principal(r))
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	d := siteMapData{Page: s.page(r, s.cat.T("pages.sitemap.title")), Root: root}
	if p := principal(r); p.LoggedIn() {
		lvl, err := s.menu.Level(r.Context(), p)
		if err != nil {
			return err
		}
		d.CanEditMenu = lvl >= access.Edit
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, r, http.StatusOK, "pages_sitemap", d)
	return nil
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

// sitemapXML lists the public pages for search engines (never a private one,
// whoever asks).
func (s *Server) sitemapXML(w http.ResponseWriter, r *http.Request) error {
	list, err := s.pages.PublicPages(r.Context())
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(s.cfg.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	set := sitemapSet{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, p := range list {
		set.URLs = append(set.URLs, sitemapURL{Loc: base + p.Path, LastMod: p.Updated})
	}
	// The guide's items, the centres and the communes have a page each, for search
	// engines too (only when the area is public).
	visitor := access.Anonymous()
	if items, err := s.guide.List(r.Context(), visitor); err == nil {
		set.URLs = append(set.URLs, sitemapURL{Loc: base + "/ou-jeter"})
		for _, it := range items {
			set.URLs = append(set.URLs, sitemapURL{Loc: base + it.URL(), LastMod: it.UpdatedAt.Format("2006-01-02")})
		}
	} else if !errors.Is(err, access.ErrForbidden) {
		return err
	}
	if list, err := s.centres.List(r.Context(), visitor); err == nil {
		set.URLs = append(set.URLs, sitemapURL{Loc: base + "/decheteries"})
		for _, c := range list {
			set.URLs = append(set.URLs, sitemapURL{Loc: base + c.URL(), LastMod: c.UpdatedAt.Format("2006-01-02")})
		}
	} else if !errors.Is(err, access.ErrForbidden) {
		return err
	}
	if list, err := s.collecte.Communes(r.Context(), visitor); err == nil {
		set.URLs = append(set.URLs, sitemapURL{Loc: base + "/collecte"})
		for _, c := range list {
			set.URLs = append(set.URLs, sitemapURL{Loc: base + c.URL(), LastMod: c.UpdatedAt.Format("2006-01-02")})
		}
	} else if !errors.Is(err, access.ErrForbidden) {
		return err
	}
	// The legal pages every site has (site_legal.go).
	set.URLs = append(set.URLs, sitemapURL{Loc: base + "/mentions-legales"}, sitemapURL{Loc: base + "/accessibilite"})
	out, err := xml.MarshalIndent(set, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache") // a publication shows at once
	w.Write([]byte(xml.Header))                 //nolint:errcheck
	w.Write(out)                                //nolint:errcheck
	return nil
}
