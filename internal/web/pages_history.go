package web

import (
	"net/http"
	"strconv"

	"portique/internal/pages"
)

// pageHistoryData is the data of pages_history.html.
type pageHistoryData struct {
	Page
	P         *pages.Page
	Revisions []*pages.Revision
}

// pageHistory lists the publications of a page (and its pending draft).
func (s *Server) pageHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	p, err := s.pages.Get(r.Context(), id)
	if err != nil {
		return err
	}
	revs, err := s.pages.History(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_history", pageHistoryData{Page: s.page(r, s.cat.T("pages.history.title", p.Title)), P: p, Revisions: revs})
	return nil
}

// pageDiffData is the data of pages_diff.html.
type pageDiffData struct {
	Page
	P        *pages.Page
	From, To *pages.Revision
	Lines    []pages.DiffLine
}

// pageDiff compares two revisions (?de=ID&a=ID).
func (s *Server) pageDiff(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	p, err := s.pages.Get(r.Context(), id)
	if err != nil {
		return err
	}
	from, err1 := strconv.ParseInt(r.URL.Query().Get("de"), 10, 64)
	to, err2 := strconv.ParseInt(r.URL.Query().Get("a"), 10, 64)
	if err1 != nil || err2 != nil {
		return errBadRequest
	}
	if from > to {
		from, to = to, from
	}
	lines, a, b, err := s.pages.Diff(r.Context(), principal(r), id, from, to)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "pages_diff", pageDiffData{Page: s.page(r, s.cat.T("pages.diff.title", p.Title)), P: p, From: a, To: b, Lines: lines})
	return nil
}

// pageRestoreRevision publishes a copy of an old revision.
func (s *Server) pageRestoreRevision(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	rev, err := pathID(r, "rev")
	if err != nil {
		return err
	}
	p, err := s.pages.RestoreRevision(r.Context(), s.actor(r), id, rev, r.FormValue("note"))
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "pages.flash.revision_restored", p.Path)
}
