package web

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"

	"portique/internal/calendar"
	"portique/internal/pages"
)

// CalendarUpcoming is the data of the partial
// templates/partials/calendar_upcoming.html.
type CalendarUpcoming struct {
	CalendarID int64 // 0: every calendar the viewer may see
	Name       string
	Items      []calendar.Occurrence
}

// The pages' "upcoming events of calendar X" block. A calendar the viewer
// may not see draws nothing at all (not even its name).
func init() {
	blockRenderers[pages.BlockEvents] = func(s *Server, r *http.Request, b pages.Block) (template.HTML, error) {
		return s.calendarUpcomingHTML(r, b.CalendarID, b.Limit)
	}
}

// calendarUpcomingHTML draws the next n occurrences of a calendar (0: all
// the viewer may see) with the calendar_upcoming partial.
func (s *Server) calendarUpcomingHTML(r *http.Request, calendarID int64, n int) (template.HTML, error) {
	st := s.calendarStore()
	p := principal(r)
	data := CalendarUpcoming{CalendarID: calendarID}
	if calendarID != 0 {
		c, err := st.Calendar(r.Context(), p, calendarID)
		if errors.Is(err, calendar.ErrForbidden) || errors.Is(err, calendar.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		data.Name = c.Name
	}
	items, err := st.Upcoming(r.Context(), p, calendarID, n)
	if err != nil {
		return "", err
	}
	data.Items = items
	s.tmpl.mu.RLock()
	t := s.tmpl.pages["calendar_view"]
	s.tmpl.mu.RUnlock()
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "calendar_upcoming", data); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil //nolint:gosec // produced by html/template
}
