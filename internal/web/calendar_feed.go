package web

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/db"
)

// writeICS sends a feed. Feeds are never cached by shared caches: the
// personal one is secret, and both change when events do.
func writeICS(w http.ResponseWriter, body []byte, filename string) error {
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="`+filename+`"`)
	h.Set("Cache-Control", "private, max-age=300")
	_, err := w.Write(body)
	return err
}

// calendarFeed serves /agenda/flux/{token}.ics: the calendars the token's
// owner may see now. An unknown or revoked token, or a disabled account,
// gets 404 (never a hint of what exists).
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) error {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		return db.ErrNotFound
	}
	st := s.calendar
	p, err := st.FeedPrincipal(r.Context(), token)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := st.WriteFeed(r.Context(), &buf, p, calendar.FeedOptions{Name: s.siteName(r.Context()), BaseURL: s.cfg.BaseURL}); err != nil {
		return err
	}
	return writeICS(w, buf.Bytes(), "agenda.ics")
}

// calendarPublicFeed serves the public calendars (those granted to
// "Tout le monde") to anyone.
func (s *Server) calendarPublicFeed(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := s.calendar.WriteFeed(r.Context(), &buf, access.Anonymous(),
		calendar.FeedOptions{Name: s.siteName(r.Context()) + " – " + s.cat.T("calendar.public_feed"), BaseURL: s.cfg.BaseURL}); err != nil {
		return err
	}
	return writeICS(w, buf.Bytes(), "agenda-public.ics")
}

// CalendarSubscription is the data of the partial
// templates/partials/calendar_subscription.html shown in /mon-compte.
type CalendarSubscription struct {
	Active        bool
	Since         time.Time
	CSRF          string
	PublicFeedURL string
	FeedURL       string // only right after creation: the secret is shown once
}

// calendarSubscription builds the partial's data for the logged-in account.
func (s *Server) calendarSubscription(r *http.Request) (CalendarSubscription, error) {
	sub := CalendarSubscription{CSRF: state(r).token(), PublicFeedURL: s.cfg.BaseURL + "/agenda/public.ics"}
	u := currentUser(r)
	if u == nil {
		return sub, nil
	}
	active, since, err := s.calendar.FeedTokenInfo(r.Context(), u.ID)
	sub.Active, sub.Since = active, since
	return sub, err
}

type calendarFeedPage struct {
	Page
	Sub CalendarSubscription
}

// calendarFeedTokenNew creates (or replaces) the account's feed link and
// shows it once, with the instructions.
func (s *Server) calendarFeedTokenNew(w http.ResponseWriter, r *http.Request) error {
	token, err := s.calendar.NewFeedToken(r.Context(), s.actor(r))
	if err != nil {
		return err
	}
	sub, err := s.calendarSubscription(r)
	if err != nil {
		return err
	}
	sub.FeedURL = s.cfg.BaseURL + "/agenda/flux/" + token + ".ics"
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "calendar_feed", calendarFeedPage{Page: s.page(r, s.cat.T("calendar.sub.title")), Sub: sub})
	return nil
}

// calendarFeedTokenRevoke kills the account's feed link at once.
func (s *Server) calendarFeedTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := s.calendar.RevokeFeedToken(r.Context(), s.actor(r)); err != nil {
		return err
	}
	return s.seeOther(w, r, "calendar.flash.feed_revoked", "/mon-compte")
}
