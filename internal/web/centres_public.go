package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/centres"
)

// statusView is a centre's "open now" line, in words.
type statusView struct {
	Open   bool
	Text   string // "Ouvert maintenant — ferme à 18 h"
	Reason string // why it is closed today, when it is a holiday or a closure
}

// hourText writes an instant's wall-clock time the French way: 18 h, 9 h 30.
func (s *Server) hourText(t time.Time) string {
	t = t.In(s.cfg.Location())
	if t.Minute() == 0 {
		return s.cat.T("centres.hour", t.Hour())
	}
	return s.cat.T("centres.hour_minutes", t.Hour(), t.Minute())
}

// minutesText is hourText for minutes after midnight (24 h for 1440).
func (s *Server) minutesText(m int) string {
	if m%60 == 0 {
		return s.cat.T("centres.hour", m/60)
	}
	return s.cat.T("centres.hour_minutes", m/60, m%60)
}

// dayRef names the day of t from now: "" (today), demain, a weekday within
// the week, or "le 3 janvier".
func (s *Server) dayRef(t, now time.Time) string {
	loc := s.cfg.Location()
	t, now = t.In(loc), now.In(loc)
	y, m, d := now.Date()
	ty, tm, td := t.Date()
	days := int(time.Date(ty, tm, td, 12, 0, 0, 0, time.UTC).Sub(time.Date(y, m, d, 12, 0, 0, 0, time.UTC)).Hours() / 24)
	switch {
	case days <= 0:
		return ""
	case days == 1:
		return s.cat.T("centres.day.tomorrow")
	case days < 7:
		return s.centres.Words().Weekdays[(int(t.Weekday())+6)%7]
	}
	return s.cat.T("centres.day.date", dayNumber(td), FrenchMonth(tm))
}

func dayNumber(d int) string {
	if d == 1 {
		return "1er"
	}
	return strconv.Itoa(d)
}

// statusText puts a status in words.
func (s *Server) statusText(st centres.Status, now time.Time) statusView {
	v := statusView{Open: st.Open}
	switch {
	case st.Open && st.Until.IsZero():
		v.Text = s.cat.T("centres.status.open")
	case st.Open:
		if ref := s.dayRef(st.Until, now); ref != "" {
			v.Text = s.cat.T("centres.status.open_day", ref, s.hourText(st.Until))
		} else {
			v.Text = s.cat.T("centres.status.open_today", s.hourText(st.Until))
		}
	case st.Next.IsZero():
		v.Text = s.cat.T("centres.status.closed")
	default:
		if ref := s.dayRef(st.Next, now); ref != "" {
			v.Text = s.cat.T("centres.status.closed_day", ref, s.hourText(st.Next))
		} else {
			v.Text = s.cat.T("centres.status.closed_today", s.hourText(st.Next))
		}
	}
	if !st.Open && st.Today.Closed() {
		switch {
		case st.Today.Closure != nil && st.Today.Closure.Reason != "":
			v.Reason = s.cat.T("centres.status.closure_reason", st.Today.Closure.Reason)
		case st.Today.Closure != nil:
			v.Reason = s.cat.T("centres.status.closure")
		case st.Today.Holiday != "":
			v.Reason = s.cat.T("centres.status.holiday", st.Today.Holiday)
		}
	}
	return v
}

// centreView is a centre with its status now.
type centreView struct {
	centres.Centre
	Status statusView
}

// Tel is the centre's tel: link (html/template only lets through the URL
// schemes it knows, and tel: is not one of them).
func (c centreView) Tel() template.URL { return template.URL(c.PhoneURI()) } //nolint:gosec // digits and + only

// mapData says how to draw the map (nothing when no tile server is set).
type mapData struct {
	Tiles, Attribution string
}

// centresIndexData is the data of centres_index.html.
type centresIndexData struct {
	Page
	Centres []centreView
	Points  []centreView
	Map     mapData
	CanEdit bool
}

// status computes a centre's status now and limits the page cache to its
// next change.
func (s *Server) status(r *http.Request, c *centres.Centre, now time.Time) statusView {
	st := c.Hours.StatusAt(now, s.cfg.Location())
	cacheUntil(r, st.Change())
	return s.statusText(st, now)
}

// centreIndex is /decheteries: every centre and point, open or closed now.
// The list is complete without JavaScript; the map is an enhancement.
func (s *Server) centreIndex(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	list, err := s.centres.List(r.Context(), p)
	if err != nil {
		return err
	}
	now := s.now()
	d := centresIndexData{Page: s.page(r, s.cat.T("centres.title")), Map: mapData{Tiles: s.cfg.MapTiles, Attribution: s.cfg.MapAttribution}}
	for i := range list {
		v := centreView{Centre: list[i], Status: s.status(r, &list[i], now)}
		if v.Kind == centres.KindPoint {
			d.Points = append(d.Points, v)
		} else {
			d.Centres = append(d.Centres, v)
		}
	}
	lvl, err := s.centres.Level(r.Context(), p)
	if err != nil {
		return err
	}
	d.CanEdit = lvl >= access.Edit
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, r, http.StatusOK, "centres_index", &d)
	return nil
}

// dayRow is one line of the hours tables.
type dayRow struct {
	Label  string // "lundi au vendredi", or a date
	Hours  string // "9 h – 12 h, 14 h – 18 h", or closed
	Note   string
	Closed bool
	Today  bool
}

// seasonView is a season's table.
type seasonView struct {
	Title   string
	Current bool
	Rows    []dayRow
}

// centreShowData is the data of centres_show.html.
type centreShowData struct {
	Page
	Centre   *centres.Centre
	Tel      template.URL
	Status   statusView
	Week     []dayRow
	Seasons  []seasonView
	Upcoming []dayRow
	Items    []streamRefs
	JSONLD   map[string]any
	Map      mapData
	CanEdit  bool
}

// streamRefs are the accepted items of one stream.
type streamRefs struct {
	Label string
	Items []centres.ItemRef
}

func (s *Server) rangesText(rs []centres.Range) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = s.cat.T("centres.range", s.minutesText(r.Open), s.minutesText(r.Close))
	}
	return strings.Join(parts, ", ")
}

func (s *Server) daysText(ds []time.Weekday) string {
	w := s.centres.Words()
	name := func(d time.Weekday) string { return w.Weekdays[(int(d)+6)%7] }
	switch len(ds) {
	case 1:
		return name(ds[0])
	case 2:
		return name(ds[0]) + " " + w.And + " " + name(ds[1])
	}
	return name(ds[0]) + " " + w.To + " " + name(ds[len(ds)-1])
}

func (s *Server) dayNote(d centres.DayInfo) string {
	switch {
	case d.Closure != nil && d.Closure.Reason != "":
		return s.cat.T("centres.note.closure_reason", d.Closure.Reason)
	case d.Closure != nil:
		return s.cat.T("centres.note.closure")
	case d.Holiday != "" && d.Closed():
		return s.cat.T("centres.note.holiday", d.Holiday)
	}
	return ""
}

// centreShow is a centre's page: open now, this week, the seasons, the
// coming closures, what it accepts, how to get in; with its hours in
// schema.org JSON-LD.
func (s *Server) centreShow(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	c, err := s.centres.Get(r.Context(), p, r.PathValue("slug"))
	if err != nil {
		return err
	}
	now := s.now()
	loc := s.cfg.Location()
	d := centreShowData{Page: s.page(r, c.Name), Centre: c, Status: s.status(r, c, now),
		Map: mapData{Tiles: s.cfg.MapTiles, Attribution: s.cfg.MapAttribution}}
	d.Breadcrumb = []NavItem{{Label: s.cat.T("site.home"), URL: "/"}, {Label: s.cat.T("centres.title"), URL: "/decheteries"}, {Label: c.Name, Current: true}}
	d.Tel = centreView{Centre: *c}.Tel()
	today := now.In(loc)
	for _, day := range c.Hours.Week(now, loc) {
		row := dayRow{Label: frenchDate(day.Date), Closed: day.Closed(), Note: s.dayNote(day)}
		row.Label = strings.TrimSuffix(row.Label, " "+strconv.Itoa(day.Date.Year()))
		row.Today = day.Date.YearDay() == today.YearDay() && day.Date.Year() == today.Year()
		if row.Closed {
			row.Hours = s.cat.T("centres.closed")
		} else {
			row.Hours = s.rangesText(day.Ranges)
		}
		d.Week = append(d.Week, row)
	}
	for _, se := range c.Hours.Schedule.Seasons {
		v := seasonView{Title: s.cat.T("centres.season.all_year")}
		if !se.AllYear() {
			from := s.cat.T("centres.day.date", dayNumber(se.From.Day), FrenchMonth(se.From.Month))
			to := s.cat.T("centres.day.date", dayNumber(se.To.Day), FrenchMonth(se.To.Month))
			v.Title = s.cat.T("centres.season.dates", se.Name, strings.TrimPrefix(from, "le "), strings.TrimPrefix(to, "le "))
			v.Current = se.Contains(today)
		}
		for _, g := range se.Groups() {
			v.Rows = append(v.Rows, dayRow{Label: s.daysText(g.Days), Hours: s.rangesText(g.Ranges)})
		}
		d.Seasons = append(d.Seasons, v)
	}
	for _, day := range c.Hours.Upcoming(now, loc, 60) {
		d.Upcoming = append(d.Upcoming, dayRow{Label: frenchDate(day.Date), Note: s.dayNote(day)})
	}
	_, list, err := s.streamMap(r)
	if err != nil {
		return err
	}
	for _, st := range list {
		g := streamRefs{Label: st.Label}
		for _, it := range c.Items {
			if it.Stream == st.Code {
				g.Items = append(g.Items, it)
			}
		}
		if len(g.Items) > 0 {
			d.Items = append(d.Items, g)
		}
	}
	d.JSONLD = s.centreJSONLD(r, c, now)
	lvl, err := s.centres.Level(r.Context(), p)
	if err != nil {
		return err
	}
	d.CanEdit = lvl >= access.Edit
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, r, http.StatusOK, "centres_show", &d)
	return nil
}

var schemaDays = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// centreJSONLD describes a centre for search engines (schema.org
// RecyclingCenter): address, position, phone, regular hours by season with
// the dates of their current or next occurrence, and the coming closed days
// (holidays, closures) as special hours opening and closing at 00:00.
func (s *Server) centreJSONLD(r *http.Request, c *centres.Centre, now time.Time) map[string]any {
	loc := s.cfg.Location()
	today := now.In(loc)
	out := map[string]any{
		"@context": "https://schema.org",
		"@type":    "RecyclingCenter",
		"name":     c.Name,
		"url":      strings.TrimSuffix(s.cfg.BaseURL, "/") + c.URL(),
	}
	if c.Address != "" || c.City != "" {
		out["address"] = map[string]any{"@type": "PostalAddress", "streetAddress": c.Address, "postalCode": c.Postcode,
			"addressLocality": c.City, "addressCountry": "FR"}
	}
	if c.HasGeo {
		out["geo"] = map[string]any{"@type": "GeoCoordinates", "latitude": c.Latitude, "longitude": c.Longitude}
	}
	if c.Phone != "" {
		out["telephone"] = c.Phone
	}
	if c.Email != "" {
		out["email"] = c.Email
	}
	var specs []map[string]any
	for _, se := range c.Hours.Schedule.Seasons {
		var from, through string
		if !se.AllYear() {
			f, t := seasonDates(se, today)
			from, through = f.Format(time.DateOnly), t.Format(time.DateOnly)
		}
		for _, g := range se.Groups() {
			days := make([]string, len(g.Days))
			for i, d := range g.Days {
				days[i] = "https://schema.org/" + schemaDays[d]
			}
			for _, rg := range g.Ranges {
				spec := map[string]any{"@type": "OpeningHoursSpecification", "dayOfWeek": days,
					"opens": clockText(rg.Open), "closes": clockText(rg.Close)}
				if from != "" {
					spec["validFrom"], spec["validThrough"] = from, through
				}
				specs = append(specs, spec)
			}
		}
	}
	if len(specs) > 0 {
		out["openingHoursSpecification"] = specs
	}
	var special []map[string]any
	for _, day := range c.Hours.Upcoming(now, loc, 90) {
		date := day.Date.Format(time.DateOnly)
		special = append(special, map[string]any{"@type": "OpeningHoursSpecification", "validFrom": date, "validThrough": date,
			"opens": "00:00", "closes": "00:00"})
	}
	if len(special) > 0 {
		out["specialOpeningHoursSpecification"] = special
	}
	return out
}

// seasonDates returns the first and last day of the season's occurrence
// that contains today, or of its next one.
func seasonDates(se centres.Season, today time.Time) (time.Time, time.Time) {
	y := today.Year()
	mk := func(y int, md centres.MonthDay) time.Time {
		t := time.Date(y, md.Month, md.Day, 0, 0, 0, 0, time.UTC)
		if t.Month() != md.Month { // 29/02 of a common year: the 28th
			t = time.Date(y, md.Month+1, 0, 0, 0, 0, 0, time.UTC)
		}
		return t
	}
	day := time.Date(y, today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	for _, start := range []int{y - 1, y, y + 1} {
		from := mk(start, se.From)
		to := mk(start, se.To)
		if to.Before(from) {
			to = mk(start+1, se.To)
		}
		if !day.After(to) {
			return from, to
		}
	}
	return mk(y+1, se.From), mk(y+1, se.To)
}

// clockText is schema.org's hh:mm (24:00 is written 23:59, which schema.org
// readers understand as the end of the day).
func clockText(m int) string {
	if m >= 1440 {
		return "23:59"
	}
	return time.Date(2000, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("15:04")
}
