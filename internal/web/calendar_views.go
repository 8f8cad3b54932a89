package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/calendar"
)

// Views of /agenda.
const (
	viewMonth = "mois"
	viewWeek  = "semaine"
	viewDay   = "jour"
	viewList  = "liste"
)

// occView is an occurrence ready for a template (event page, page blocks).
type occView struct {
	calendar.Occurrence
	URL       string // event page, with the occurrence when it is part of a series
	TimeLabel string // "18:00 – 20:00", or "" for all-day events
}

// occView prepares an occurrence for display.
func (s *Server) occView(o calendar.Occurrence, loc *time.Location) occView {
	v := occView{Occurrence: o}
	v.URL, v.TimeLabel = occLinks(o, loc)
	return v
}

// dayCell is one day of a grid or list. Its occurrences come as ready <li>
// lists, built in Go (see writeOccItem): a month holds hundreds of
// occurrences and html/template's per-value escaping was most of the page's
// time.
type dayCell struct {
	Date       time.Time
	Label      string // "lundi 2 mars"
	ISO        string
	InMonth    bool
	Today      bool
	N          int           // occurrences on the day
	ItemsHTML  template.HTML // all-day first, then timed
	AllDayHTML template.HTML
	ByHourHTML map[int]template.HTML
}

// timeGrid draws the rows of the week and day time grids, all day then
// each hour, in Go like the items (writeOccItem): sixteen rows of cells
// through html/template were most of a day page's drawing.
func (s *Server) timeGrid(days []dayCell, hours []int) template.HTML {
	var b strings.Builder
	row := func(label string, of func(d *dayCell) template.HTML) {
		b.WriteString(`<tr><th scope="row">`)
		b.WriteString(escapeLikeTemplate(label))
		b.WriteString("</th>")
		for i := range days {
			b.WriteString("<td>")
			if h := of(&days[i]); h != "" {
				b.WriteString(`<ul class="cal-events">`)
				b.WriteString(string(h))
				b.WriteString("</ul>")
			}
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	row(s.cat.T("calendar.all_day"), func(d *dayCell) template.HTML { return d.AllDayHTML })
	for _, h := range hours {
		row(fmt.Sprintf("%02d:00", h), func(d *dayCell) template.HTML { return d.ByHourHTML[h] })
	}
	return template.HTML(b.String()) //nolint:gosec // labels escaped here, items by writeOccItem
}

// monthGrid draws the weeks of a month grid (the rows of its tbody) in Go,
// like its items: forty-two cells through html/template were two thirds of
// a month page's drawing. dayURL is a day's address, its date appended
// (the template escaped it the same way in its attribute).
func (s *Server) monthGrid(weeks [][]dayCell, dayURL string) template.HTML {
	var b strings.Builder
	today := escapeLikeTemplate(s.cat.T("calendar.today"))
	for _, week := range weeks {
		b.WriteString("<tr>")
		for i := range week {
			d := &week[i]
			b.WriteString("\n    <td class=\"")
			if !d.InMonth {
				b.WriteString("cal-out")
			}
			if d.Today {
				b.WriteString(" cal-today")
			}
			b.WriteString(`"><span class="cal-daynum">`)
			if d.Today {
				b.WriteString(`<span class="sr-only">` + today + " : </span>")
			}
			b.WriteString(`<a href="` + escapeLikeTemplate(dayURL+d.ISO) + `">` + strconv.Itoa(d.Date.Day()))
			b.WriteString(`<span class="sr-only"> – ` + escapeLikeTemplate(d.Label) + "</span></a></span>\n    ")
			if d.ItemsHTML != "" {
				b.WriteString(`<ul class="cal-events">` + string(d.ItemsHTML) + "</ul>")
			}
			b.WriteString("</td>")
		}
		b.WriteString("\n  </tr>")
	}
	return template.HTML(b.String()) //nolint:gosec // texts escaped here, items by writeOccItem
}

// calendarToolbar draws the agenda's toolbar (the period's links, the
// views, the new event button) in Go like the grids: through html/template
// its two dozen actions were a good part of an agenda miss. The addresses
// come from url.Values.Encode, so escaping them for the attribute is all
// html/template's URL filter would do.
func (s *Server) calendarToolbar(page *calendarViewPage) template.HTML {
	var b strings.Builder
	t := func(key string) string { return escapeLikeTemplate(s.cat.T(key)) }
	b.WriteString(`<nav class="cal-toolbar" aria-label="` + t("calendar.nav") + `">` + "\n")
	b.WriteString(`  <p class="cal-period"><a href="` + escapeLikeTemplate(page.PrevURL) + `" rel="prev">` + t("calendar.prev") + `</a> <a href="` +
		escapeLikeTemplate(page.TodayURL) + `">` + t("calendar.today") + `</a> <a href="` + escapeLikeTemplate(page.NextURL) + `" rel="next">` + t("calendar.next") + "</a></p>\n")
	b.WriteString(`  <ul class="cal-views">` + "\n    ")
	for _, v := range page.Views {
		b.WriteString(`<li><a href="` + escapeLikeTemplate(page.ViewURLs[v]) + `"`)
		if v == page.View {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteString(">" + t("calendar.view."+v) + "</a></li>")
	}
	b.WriteString("\n  </ul>\n  ")
	if page.CanCreate {
		b.WriteString(`<p><a class="button" href="/agenda/evenements/nouveau?date=` + page.Date.Format("2006-01-02") + `">` + t("calendar.new_event") + "</a></p>")
	}
	b.WriteString("\n</nav>")
	return template.HTML(b.String()) //nolint:gosec // texts and addresses escaped here
}

// listDays draws the list view's days that have events, in Go like the
// grids (the items are drawn already): through html/template they were
// most of a list page's drawing.
func listDays(days []dayCell) template.HTML {
	var b strings.Builder
	for i := range days {
		d := &days[i]
		id := escapeLikeTemplate("d-" + d.ISO)
		b.WriteString(`<section class="cal-listday" aria-labelledby="` + id + `"><h3 id="` + id + `">`)
		b.WriteString(escapeLikeTemplate(d.Label) + " " + strconv.Itoa(d.Date.Year()) + "</h3>\n")
		b.WriteString(`<ul class="cal-events">` + string(d.ItemsHTML) + "</ul></section>\n")
	}
	return template.HTML(b.String()) //nolint:gosec // texts escaped here, items by writeOccItem
}

// calendarViewPage is the data of /agenda.
type calendarViewPage struct {
	Page
	View        string
	Date        time.Time
	Heading     string
	PrevURL     string
	NextURL     string
	TodayURL    string
	ViewURLs    map[string]string
	Calendars   []calendar.CalendarInfo
	Selected    map[int64]bool
	ChoiceAttrs []calendar.Attribute
	AttrID      int64
	AttrValue   string
	WeekDays    []string
	Weeks       template.HTML // the month grid's rows (monthGrid)
	Days        []dayCell
	Hours       []int
	Grid        template.HTML // the time grid's rows (week and day views)
	List        template.HTML // the list view's days (listDays)
	Toolbar     template.HTML // calendarToolbar
	CanCreate   bool
	Empty       bool
	Views       []string
}

func parseViewDate(s string, loc *time.Location, now time.Time) time.Time {
	if d, err := time.ParseInLocation("2006-01-02", s, loc); err == nil && d.Year() > 1900 && d.Year() < 2200 {
		return d
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// mondayOf returns the Monday of t's week (weeks start on Monday).
func mondayOf(t time.Time) time.Time {
	return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
}

func (s *Server) calendarView(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	loc := s.cfg.Location()
	q := r.URL.Query()
	view := q.Get("vue")
	if !slices.Contains([]string{viewMonth, viewWeek, viewDay, viewList}, view) {
		view = viewMonth
	}
	now := s.now()
	cacheUntil(r, s.midnight()) // "today" moves at midnight
	date := parseViewDate(q.Get("date"), loc, now)
	st := s.calendar
	cals, err := st.Calendars(ctx, p, access.View)
	if err != nil {
		return err
	}
	page := calendarViewPage{
		Page: s.page(r, s.cat.T("calendar.title")), View: view, Date: date, Calendars: cals,
		Selected: map[int64]bool{}, Views: []string{viewMonth, viewWeek, viewDay, viewList}, Hours: []int{7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21},
	}
	page.WeekDays = frenchWeekDays()
	var flt calendar.Filter
	for _, v := range q["agenda"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			flt.CalendarIDs = append(flt.CalendarIDs, id)
			page.Selected[id] = true
		}
	}
	for _, c := range cals {
		if c.CanEdit() {
			page.CanCreate = true
		}
	}
	attrs, err := st.Attributes(ctx)
	if err != nil {
		return err
	}
	// The filter offers only the attributes of calendars the visitor sees
	// (an attribute limited to internal calendars is not listed publicly).
	seen := make([]int64, len(cals))
	for i, c := range cals {
		seen[i] = c.ID
	}
	for _, a := range attrs {
		if a.Type == calendar.AttrChoice && a.AppliesToAny(seen) {
			page.ChoiceAttrs = append(page.ChoiceAttrs, a)
		}
	}
	if idText, val, ok := strings.Cut(q.Get("filtre"), "|"); ok && val != "" {
		if id, err := strconv.ParseInt(idText, 10, 64); err == nil {
			flt.AttrID, flt.AttrValue = id, val
			page.AttrID, page.AttrValue = id, val
		}
	}

	// The window of the view.
	var from, to, prev, next time.Time
	switch view {
	case viewMonth:
		var first time.Time
		first, from, to = monthWindow(date, loc)
		prev, next = first.AddDate(0, -1, 0), first.AddDate(0, 1, 0)
		page.Heading = monthHeading(first)
	case viewWeek:
		from = mondayOf(date)
		to = from.AddDate(0, 0, 7)
		prev, next = from.AddDate(0, 0, -7), from.AddDate(0, 0, 7)
		end := to.AddDate(0, 0, -1)
		page.Heading = s.cat.T("calendar.week_of", s.dayMonth(from), s.dayMonth(end)+" "+strconv.Itoa(end.Year()))
	case viewDay:
		from, to = date, date.AddDate(0, 0, 1)
		prev, next = date.AddDate(0, 0, -1), to
		page.Heading = frenchDate(date)
	case viewList:
		from, to = date, date.AddDate(0, 0, 60)
		prev, next = date.AddDate(0, 0, -60), to
		page.Heading = s.cat.T("calendar.list_from", frenchDate(date))
	}
	today := parseViewDate("", loc, now)
	if view == viewMonth {
		// Every day of a month shows the same grid: it is kept by the
		// month, the viewer's groups, the filter and today, while the
		// content does not change (db.Memo).
		key := fmt.Sprintf("%s/%v/%d/%s/%d/%d", p.Key(), flt.CalendarIDs, flt.AttrID, flt.AttrValue, from.Unix(), today.Unix())
		m, err := s.months.Get(ctx, s.db, key, func() (monthDrawn, error) {
			occ, err := st.Occurrences(ctx, p, from, to, flt)
			if err != nil {
				return monthDrawn{}, err
			}
			days := s.dayCells(occ, from, to, date.Month(), today, loc, false, page.Hours)
			return monthDrawn{weeks: s.monthGrid(weeksOf(days), "/agenda?vue=jour&date="), empty: len(occ) == 0}, nil
		})
		if err != nil {
			return err
		}
		page.Weeks, page.Empty = m.weeks, m.empty
	} else {
		occ, err := st.Occurrences(ctx, p, from, to, flt)
		if err != nil {
			return err
		}
		page.Empty = len(occ) == 0
		timeGrid := view == viewWeek || view == viewDay
		days := s.dayCells(occ, from, to, date.Month(), today, loc, timeGrid, page.Hours)
		if view == viewList {
			for _, d := range days {
				if d.N > 0 {
					page.Days = append(page.Days, d)
				}
			}
			page.List = listDays(page.Days)
		} else {
			page.Days = days
			page.Grid = s.timeGrid(days, page.Hours)
		}
	}
	link := func(v string, d time.Time) string {
		u := url.Values{}
		u.Set("vue", v)
		u.Set("date", d.Format("2006-01-02"))
		for _, id := range flt.CalendarIDs {
			u.Add("agenda", strconv.FormatInt(id, 10))
		}
		if flt.AttrID != 0 {
			u.Set("filtre", strconv.FormatInt(flt.AttrID, 10)+"|"+flt.AttrValue)
		}
		return "/agenda?" + u.Encode()
	}
	page.PrevURL, page.NextURL, page.TodayURL = link(view, prev), link(view, next), link(view, today)
	page.ViewURLs = map[string]string{}
	for _, v := range []string{viewMonth, viewWeek, viewDay, viewList} {
		page.ViewURLs[v] = link(v, date)
	}
	page.Toolbar = s.calendarToolbar(&page)
	// Each view and period has its own title (RGAA 8.6).
	page.Title = s.cat.T("calendar.title_view", page.Heading, s.cat.T("calendar.view."+view))
	s.render(w, r, http.StatusOK, "calendar_view", page)
	return nil
}

// monthDrawn is a month grid drawn, and whether it holds no event.
type monthDrawn struct {
	weeks template.HTML
	empty bool
}

// dayMonth is a day and its month, the first of the month written as the
// catalogue says (calendar.first_day).
func (s *Server) dayMonth(t time.Time) string {
	d := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		d = s.cat.T("calendar.first_day")
	}
	return d + " " + FrenchMonth(t.Month())
}

// occLinks are the parts of an occurrence's <li> that do not depend on
// the day: its link and its time label ("18:00 – 20:00", "" for all-day
// events).
func occLinks(o calendar.Occurrence, loc *time.Location) (url, timeLabel string) {
	url = calendar.EventURL(o.EventID)
	if o.Recurring {
		url += "?occurrence=" + strconv.FormatInt(o.OriginalStart.Unix(), 10)
	}
	if !o.AllDay {
		timeLabel = o.Start.In(loc).Format("15:04") + " – " + o.End.In(loc).Format("15:04")
	}
	return url, timeLabel
}

// writeOccItem writes one occurrence of a grid or list as an <li>; every
// value in it is escaped here. continues: it started on an earlier day.
func (s *Server) writeOccItem(b *strings.Builder, o *calendar.Occurrence, url, timeLabel string, continues bool) {
	b.WriteString(`<li class="cal-occ cal-`)
	b.WriteString(strconv.FormatInt(o.CalendarID, 10))
	if o.Changed {
		b.WriteString(" cal-changed")
	}
	b.WriteString(`"><a href="`)
	b.WriteString(html.EscapeString(url))
	b.WriteString(`" data-popup>`)
	if timeLabel != "" {
		b.WriteString(`<span class="cal-time">`)
		b.WriteString(html.EscapeString(timeLabel))
		b.WriteString(`</span> `)
	}
	b.WriteString(html.EscapeString(o.Title))
	// The calendar's name is shown, not only its colour (RGAA 3.1).
	b.WriteString(`</a> <span class="cal-name">(`)
	b.WriteString(html.EscapeString(o.CalendarName))
	if continues {
		b.WriteString(", ")
		b.WriteString(html.EscapeString(s.cat.T("calendar.continues")))
	}
	b.WriteString(")</span></li>")
}

// calendarColours serves the calendars' colours as CSS classes (the content
// security policy forbids inline styles). Only calendars the viewer may see
// are listed.
func (s *Server) calendarColours(w http.ResponseWriter, r *http.Request) error {
	cals, err := s.calendar.Calendars(r.Context(), principal(r), access.View)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, c := range cals {
		fmt.Fprintf(&b, ".cal-%d{--cal:%s}\n", c.ID, c.Colour)
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, err = w.Write([]byte(b.String()))
	return err
}

// frenchWeekDays are the column headings of a grid, Monday first.
func frenchWeekDays() []string {
	out := make([]string, 0, 7)
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		out = append(out, FrenchWeekday(d))
	}
	return out
}

// monthWindow gives the first day of date's month and the window of its
// grid: whole weeks, Monday to Sunday, covering the month.
func monthWindow(date time.Time, loc *time.Location) (first, from, to time.Time) {
	first = time.Date(date.Year(), date.Month(), 1, 0, 0, 0, 0, loc)
	from = mondayOf(first)
	to = mondayOf(first.AddDate(0, 1, -1)).AddDate(0, 0, 7)
	return first, from, to
}

// monthHeading is "mars 2026".
func monthHeading(first time.Time) string {
	return FrenchMonth(first.Month()) + " " + strconv.Itoa(first.Year())
}

// weeksOf cuts a month grid's days into weeks.
func weeksOf(days []dayCell) [][]dayCell {
	var weeks [][]dayCell
	for i := 0; i < len(days); i += 7 {
		weeks = append(weeks, days[i:min(i+7, len(days))])
	}
	return weeks
}

// hourSpan is the first and last hour rows of a time grid (hours, in
// order) that a timed occurrence within one day covers: from the row of its
// start to the row of its last minute, clamped to the grid.
func hourSpan(start, end time.Time, hours []int) (first, last int) {
	lo, hi := hours[0], hours[len(hours)-1]
	first = min(max(start.Hour(), lo), hi)
	last = end.Hour()
	if end.Minute() == 0 && end.Second() == 0 && end.After(start) {
		last-- // ends on the hour: that row is not covered
	}
	if end.YearDay() != start.YearDay() {
		last = hi // ends at midnight
	}
	return first, min(max(last, first), hi)
}

// dayCells builds the days of [from, to) and places each occurrence in
// every day it covers (all-day, continued and multi-day ones apart; by hour
// for the time grids), as each day's ready <li> lists.
func (s *Server) dayCells(occ []calendar.Occurrence, from, to time.Time, month time.Month, today time.Time, loc *time.Location, timeGrid bool, hours []int) []dayCell {
	var days []dayCell
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		days = append(days, dayCell{Date: d, Label: FrenchWeekday(d.Weekday()) + " " + s.dayMonth(d), ISO: d.Format("2006-01-02"),
			InMonth: d.Month() == month, Today: d.Equal(today)})
	}
	// bounds[i] is the start of days[i]; bounds[len(days)] the window's end.
	bounds := make([]time.Time, len(days)+1)
	for i, d := range days {
		bounds[i] = d.Date
	}
	bounds[len(days)] = to
	// Where each occurrence goes: its day and slot (0 all-day, continued
	// or multi-day; 1 timed, or 1+hour in the time grids). Occurrences come
	// sorted, so a stable sort by day and slot keeps each list in order and
	// the items are then written in one buffer, each list a slice of it.
	type placement struct {
		day, slot, occ int
		continues      bool
	}
	var places []placement
	for k := range occ {
		o := &occ[k]
		first := sort.Search(len(days), func(i int) bool { return bounds[i+1].After(o.Start) })
		for i := first; i < len(days) && bounds[i].Before(o.End); i++ {
			continues := o.Start.Before(bounds[i])
			days[i].N++
			slot := 1
			switch {
			case o.AllDay || continues || o.End.After(bounds[i+1]):
				slot = 0
			case timeGrid:
				// Every hour row the event covers, from its start to its end
				// (the rows after the first say "suite").
				first, last := hourSpan(o.Start.In(loc), o.End.In(loc), hours)
				for h := first; h <= last; h++ {
					places = append(places, placement{day: i, slot: 1 + h, occ: k, continues: h > first})
				}
				continue
			}
			places = append(places, placement{day: i, slot: slot, occ: k, continues: continues})
		}
	}
	slices.SortStableFunc(places, func(a, b placement) int {
		if a.day != b.day {
			return a.day - b.day
		}
		return a.slot - b.slot
	})
	var b strings.Builder
	b.Grow(len(places) * 200)
	type span struct{ day, slot, from, to int }
	var spans []span
	for _, pl := range places {
		// A day's list in the month grid and the list view: all its slots.
		if n := len(spans); n == 0 || spans[n-1].day != pl.day || (timeGrid && spans[n-1].slot != pl.slot) {
			spans = append(spans, span{day: pl.day, slot: pl.slot, from: b.Len()})
		}
		o := &occ[pl.occ]
		url, timeLabel := occLinks(*o, loc)
		s.writeOccItem(&b, o, url, timeLabel, pl.continues)
		spans[len(spans)-1].to = b.Len()
	}
	items := b.String()
	for _, sp := range spans {
		d := &days[sp.day]
		html := template.HTML(items[sp.from:sp.to]) //nolint:gosec // items escaped by writeOccItem
		switch {
		case !timeGrid:
			d.ItemsHTML = html
		case sp.slot == 0:
			d.AllDayHTML = html
		default:
			if d.ByHourHTML == nil {
				d.ByHourHTML = map[int]template.HTML{}
			}
			d.ByHourHTML[sp.slot-1] = html
		}
	}
	if timeGrid {
		for i := range days {
			if days[i].ByHourHTML == nil {
				days[i].ByHourHTML = map[int]template.HTML{}
			}
		}
	}
	return days
}
