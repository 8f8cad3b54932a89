package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/db"
	"portique/internal/pages"
	"portique/internal/valid"
)

// calendarBlockView is the pages' embedded calendar block: the current
// month of one calendar, drawn by the same grid as /agenda?vue=mois.
type calendarBlockView struct {
	ID        int64
	Name      string
	HeadingID string // names the grid (aria-labelledby); unique in the page
	Heading   string // "mars 2026"
	WeekDays  []string
	Weeks     [][]dayCell
	DayURL    string // a day of this calendar in /agenda, its date appended
	More      string // the whole calendar in /agenda
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
		Weeks:     weeksOf(days),
		DayURL:    "/agenda?vue=jour&agenda=" + id + "&date=",
		More:      "/agenda?agenda=" + id,
		Empty:     len(occ) == 0,
	}, nil
}

// blockCalendarErrors checks the calendar of every events or embedded
// calendar block of an edit form: it must be one the editor may see (the
// calendars the form's picker offers). An unknown or forged id gets a
// field error; an empty one is left to pages.Normalize ("choose one").
func (s *Server) blockCalendarErrors(r *http.Request, blocks []pages.Block) (valid.Errors, error) {
	errs := valid.Errors{}
	var visible map[int64]bool
	for i, b := range blocks {
		if (b.Type != pages.BlockEvents && b.Type != pages.BlockCalendar) || b.CalendarID <= 0 {
			continue
		}
		if visible == nil {
			cals, err := s.calendar.Calendars(r.Context(), principal(r), access.View)
			if err != nil {
				return nil, err
			}
			visible = make(map[int64]bool, len(cals))
			for _, c := range cals {
				visible[c.ID] = true
			}
		}
		if !visible[b.CalendarID] {
			errs.Add(fmt.Sprintf("blocks.%d.calendar", i), "pages.error.calendar_unknown")
		}
	}
	return errs, nil
}
