package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/db"
)

// calendarBlockView is the pages' embedded calendar block: the current
// month of one calendar, drawn by the same grid as /agenda?vue=mois.
type calendarBlockView struct {
	ID        int64
	Name      string
	HeadingID string // names the grid (aria-labelledby); unique in the page
	Heading   string // "mars 2026"
	WeekDays  []string
	Weeks     template.HTML // the grid's rows (monthGrid)
	More      string        // the whole calendar in /agenda
	Empty     bool
}

// calendarBlock prepares the embedded calendar block number index of a
// page. A calendar the viewer may not see (or that no longer exists) gives
// nil: the page draws nothing that reveals it, not even its name.
func (s *Server) calendarBlock(r *http.Request, calendarID int64, index int) (*calendarBlockView, error) {
	ctx := r.Context()
	p := principal(r)
	st := s.calendar
	c, err := st.Calendar(ctx, p, calendarID)
	if errors.Is(err, access.ErrForbidden) || errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	loc := s.cfg.Location()
	today := parseViewDate("", loc, s.now())
	first, from, to := monthWindow(today, loc)
	occ, err := st.Occurrences(ctx, p, from, to, calendar.Filter{CalendarIDs: []int64{c.ID}})
	if err != nil {
		return nil, err
	}
	id := strconv.FormatInt(c.ID, 10)
	days := s.dayCells(occ, from, to, first.Month(), today, loc, false, nil)
	return &calendarBlockView{
		ID:        c.ID,
		Name:      c.Name,
		HeadingID: fmt.Sprintf("cal-bloc-%d", index+1),
		Heading:   monthHeading(first),
		WeekDays:  frenchWeekDays(),
		Weeks:     s.monthGrid(weeksOf(days), "/agenda?vue=jour&agenda="+id+"&date="),
		More:      "/agenda?agenda=" + id,
		Empty:     len(occ) == 0,
	}, nil
}
