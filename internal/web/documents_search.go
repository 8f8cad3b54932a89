package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"portique/internal/documents"
	"portique/internal/search"
	"portique/internal/valid"
)

type documentSearchPage struct {
	Page
	Q, Du, Au   string
	FolderID    int64
	Tree        []documents.Folder
	Searched    bool
	Unavailable bool
	Hits        []documentHit
	Total       int
	PrevURL     string
	NextURL     string
	Suggestion  searchSuggestion
}

// documentHit is a search hit with its archive label and a link to the page
// of the PDF where the words are.
type documentHit struct {
	search.Hit
	Archived bool
	File     *documents.Document // its format and size (nil: not visible any more)
	Snippet  template.HTML       // escaped by the search engine, <mark> only
	OpenURL  string
}

// documentSearch searches inside the documents the visitor may download;
// the index filters by the access model inside its query, so hits, counts
// and snippets never reveal anything else.
func (s *Server) documentSearch(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	pr := principal(r)
	q := r.URL.Query()
	p := documentSearchPage{Q: strings.TrimSpace(q.Get("q")), Du: q.Get("du"), Au: q.Get("au")}
	p.Page = s.page(r, s.cat.T("documents.search.title"))
	p.FolderID, _ = strconv.ParseInt(q.Get("dossier"), 10, 64)
	var err error
	if p.Tree, err = s.docs.Tree(ctx, pr, false); err != nil {
		return err
	}
	errs := valid.Errors{}
	sq := search.Query{Text: p.Q, Kinds: []string{search.KindDocument}, FolderID: p.FolderID, Limit: searchPerPage}
	for _, f := range []struct {
		field, value string
		dst          *time.Time
	}{{"du", p.Du, &sq.From}, {"au", p.Au, &sq.To}} {
		if strings.TrimSpace(f.value) == "" {
			continue
		}
		d, err := documents.ParseDate(f.field, f.value)
		if ve, ok := formErrors(err); ok {
			errs.Merge(ve)
			continue
		}
		*f.dst, _ = time.Parse(time.DateOnly, d)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	sq.Offset = (page - 1) * searchPerPage
	switch {
	case p.Q == "" && len(errs) == 0 && (p.Du != "" || p.Au != ""):
		// A period without words lists the documents published in it,
		// current and archived, newest first (from the documents store:
		// the index needs words).
		if err := s.documentsInPeriod(r, &p, sq, page); err != nil {
			return err
		}
	case p.Q == "" || len(errs) > 0:
	case s.search == nil:
		p.Unavailable = true
	default:
		p.Searched = true
		res, err := s.search.Search(ctx, pr, sq)
		if err != nil {
			return err
		}
		p.Total = res.Total
		p.Suggestion = suggestionFor(r, res.Suggestion)
		ids := make([]int64, 0, len(res.Hits))
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		// One query gives the archive label and the format and size shown
		// beside each link to the file (RGAA 13.3).
		files, err := s.docs.Files(ctx, pr, ids)
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			dh := documentHit{Hit: h, Snippet: template.HTML(h.Snippet), OpenURL: h.URL} //nolint:gosec // the engine escapes snippets
			if f := files[h.ID]; f != nil {
				dh.Archived, dh.File = f.Archived, f
			}
			if h.Part > 0 {
				dh.OpenURL = documentURL(h.ID) + "/telecharger?inline=1#page=" + strconv.Itoa(h.Part)
			}
			p.Hits = append(p.Hits, dh)
		}
		if page > 1 {
			p.PrevURL = withQuery(r.URL.Path, q, "page", strconv.Itoa(page-1))
		}
		if sq.Offset+len(res.Hits) < res.Total {
			p.NextURL = withQuery(r.URL.Path, q, "page", strconv.Itoa(page+1))
		}
	}
	p.Title = s.searchTitle(p.Title, p.Q, p.Searched, p.Total, page)
	if len(errs) > 0 {
		return s.unprocessable(w, r, "documents_search", &p, errs)
	}
	s.render(w, r, http.StatusOK, "documents_search", p)
	return nil
}

// documentsInPeriod fills p with the documents published between sq.From
// and sq.To that the visitor may see.
func (s *Server) documentsInPeriod(r *http.Request, p *documentSearchPage, sq search.Query, page int) error {
	lq := documents.ListQuery{FolderID: p.FolderID, AnyAge: true, Limit: searchPerPage, Offset: sq.Offset}
	if !sq.From.IsZero() {
		lq.From = sq.From.Format(time.DateOnly)
	}
	if !sq.To.IsZero() {
		lq.To = sq.To.Format(time.DateOnly)
	}
	docs, total, err := s.docs.List(r.Context(), principal(r), lq)
	if err != nil {
		return err
	}
	p.Searched, p.Total = true, total
	for _, d := range docs {
		p.Hits = append(p.Hits, documentHit{Archived: d.Archived, OpenURL: documentURL(d.ID), Hit: search.Hit{
			Kind: search.KindDocument, ID: d.ID, Title: d.Title, URL: documentURL(d.ID), Date: d.Published(), FolderID: d.FolderID, Extra: d.FolderName}})
	}
	q := r.URL.Query()
	if page > 1 {
		p.PrevURL = withQuery(r.URL.Path, q, "page", strconv.Itoa(page-1))
	}
	if sq.Offset+len(docs) < total {
		p.NextURL = withQuery(r.URL.Path, q, "page", strconv.Itoa(page+1))
	}
	return nil
}
