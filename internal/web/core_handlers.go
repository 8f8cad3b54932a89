package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

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
// A script asking for JSON (Accept: application/json) gets the new idle
// end and the texts to show instead, so the page is not reloaded (no
// unsaved text lost, no focus moved).
func (s *Server) sessionExtend(w http.ResponseWriter, r *http.Request) error {
	ses := state(r).session
	if err := s.sessions.Extend(r.Context(), ses.IDHash); err != nil {
		return err
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		end := s.now().UTC().Add(s.sessions.Idle)
		final := !end.Before(ses.ExpiresAt)
		if final {
			end = ses.ExpiresAt
		}
		loc := s.cfg.Location()
		hm := end.In(loc).Format("15:04")
		out := map[string]any{
			"idle_end": end.UTC().Format(time.RFC3339),
			"final":    final,
			"message":  s.cat.T("site.session.extended_until", hm),
			"ends":     s.cat.T("site.session.ends", hm),
			"warning":  s.cat.T("site.session.warning", hm),
		}
		if final {
			out["message"] = s.cat.T("site.session.final", hm)
			out["ends"] = out["message"]
			out["warning"] = out["message"]
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		return json.NewEncoder(w).Encode(out)
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
