package web

import (
	"net/http"
	"net/url"

	"portique/internal/db"
)

// healthz answers 200 when the database answers, 503 otherwise.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Ping(r.Context()); err != nil {
		s.log.Error("healthz", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unreachable\n")) //nolint:errcheck
		return nil
	}
	w.Write([]byte("ok\n")) //nolint:errcheck
	return nil
}

// homePage is the data of the placeholder home page (the pages area
// replaces it with the page tree's root).
type homePage struct {
	Page
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "home", homePage{Page: s.page(r, s.cat.T("home.title"))})
	return nil
}

// sessionExtend pushes back the idle deadline of the session (RGAA 13.1)
// and returns to the page the person was on.
func (s *Server) sessionExtend(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.Extend(r.Context(), state(r).session.IDHash); err != nil {
		return err
	}
	back := "/"
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		back = safeReturn(ref.RequestURI())
	}
	return s.seeOther(w, r, "flash.session.extended", back)
}

// notFound answers the French 404 page.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return db.ErrNotFound
}
