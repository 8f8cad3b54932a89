package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/collecte"
	"portique/internal/db"
)

// The public side of the collection days: the lookup (/collecte), a
// commune's or sector's page (next collection of each stream, the month
// ahead), its printable yearly calendar and its subscription feeds.

// collecteDay is one day with its collections, ready for a template.
type collecteDay struct {
	Date     time.Time
	ISO      string
	Label    string // "mardi 10 mars"
	Relative string // "aujourd’hui", "demain", "dans 3 jours"
	Items    []collecteItem
}

// collecteItem is one collection of one stream on a day.
type collecteItem struct {
	Stream collecte.Stream
	Status string
	Note   string // already translated: why the day is unusual
}

// collecteStreamView is a stream as a commune's page shows it.
type collecteStreamView struct {
	collecte.Stream
	Rules   []string // what its schedules say ("Chaque mardi")
	Next    *collecteDay
	FeedURL string
}

type collectePlanPage struct {
	Page
	Commune   collecte.Commune
	Sector    collecte.Sector
	Heading   string
	Streams   []collecteStreamView
	Month     []collecteDay // the month ahead, days with a collection
	Cancelled []collecteDay // collections cancelled in the month ahead
	BySector  bool
	Empty     bool // not one collection is scheduled here
	PlanURL   string
	YearURL   string
	FeedAll   string       // absolute https URL of the all-streams feed
	WebcalAll template.URL // the same as webcal://, which phones subscribe to (built from the configured base URL)
	CanEdit   bool
	EditURL   string
}

type collecteYearPage struct {
	Page
	Commune collecte.Commune
	Sector  collecte.Sector
	Heading string
	Year    int
	Streams []collecteStreamView
	Months  []collecteMonth
	Notes   []collecteDay // unusual days of the year
	Empty   bool
	// WeekdayHeads are the month grids' column heads, Monday first.
	WeekdayHeads []collecteWeekday
	PlanURL      string
	PrevURL      string
	NextURL      string
}

type collecteWeekday struct{ Short, Full string }

// collecteMonth is one month grid of the yearly calendar.
type collecteMonth struct {
	ID    string
	Name  string
	Weeks [][]collecteCell
}

type collecteCell struct {
	Day     int // 0: a day of another month
	ISO     string
	Today   bool
	Holiday string
	Items   []collecteItem
}

type collecteIndexPage struct {
	Page
	Q        string
	Searched bool
	Results  []collecte.Commune
	Communes []collecte.Commune
	CanEdit  bool
}

// collecteCanEdit tells whether to show the management links (members
// only: a visitor never gets them, and their pages stay cacheable).
func (s *Server) collecteCanEdit(r *http.Request) (bool, error) {
	if currentUser(r) == nil {
		return false, nil
	}
	lvl, err := s.collecte.Level(r.Context(), principal(r))
	return lvl >= access.Edit, err
}

// collecteMidnight is when today ends in the site's zone: pages that say
// "next collection" are cached no longer.
func (s *Server) collecteMidnight() time.Time {
	y, m, d := s.collecte.Today().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, s.cfg.Location())
}

func (s *Server) collecteIndex(w http.ResponseWriter, r *http.Request) error {
	p := collecteIndexPage{Page: s.page(r, s.cat.T("collecte.title")), Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	ctx := r.Context()
	var err error
	if p.Q != "" {
		p.Searched = true
		if p.Results, err = s.collecte.Lookup(ctx, principal(r), p.Q); err != nil {
			return err
		}
		if len(p.Results) == 1 {
			http.Redirect(w, r, p.Results[0].URL(), http.StatusSeeOther)
			return nil
		}
	}
	if p.Communes, err = s.collecte.Communes(ctx, principal(r)); err != nil {
		return err
	}
	if p.CanEdit, err = s.collecteCanEdit(r); err != nil {
		return err
	}
	p.Breadcrumb = []NavItem{{Label: s.cat.T("site.home"), URL: "/"}, {Label: s.cat.T("collecte.title"), URL: "/collecte", Current: true}}
	s.render(w, r, http.StatusOK, "collecte_index", &p)
	return nil
}

// collecteCommunesJSON is the list the autocomplete filters in the
// browser: name, postcodes, page and the words it matches.
func (s *Server) collecteCommunesJSON(w http.ResponseWriter, r *http.Request) error {
	list, err := s.collecte.Communes(r.Context(), principal(r))
	if err != nil {
		return err
	}
	type item struct {
		Name      string `json:"n"`
		Postcodes string `json:"p"`
		URL       string `json:"u"`
		Key       string `json:"k"`
	}
	out := make([]item, 0, len(list))
	for _, c := range list {
		out = append(out, item{c.Name, c.PostcodeList(), c.URL(), collecte.LookupKey(c)})
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write(b)
	return err
}

// collecteColours is the stylesheet of the streams' colours (the site's
// CSP allows no inline style).
func (s *Server) collecteColours(w http.ResponseWriter, r *http.Request) error {
	sts, err := s.collecte.Streams(r.Context(), principal(r))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	for _, st := range sts {
		if !cssColour.MatchString(st.Colour) { // checked on save; never trust a stylesheet to the database alone
			continue
		}
		fmt.Fprintf(&b, ".cl-s%d{background:%s;border-color:%s;color:#fff}\n", st.ID, st.Colour, st.Colour)
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write(b.Bytes())
	return err
}

var cssColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// collecteShow serves /collecte/{commune}[/{secteur}] and what hangs below:
// calendrier[/{année}] and {flux}.ics (collectes.ics: every stream).
func (s *Server) collecteShow(w http.ResponseWriter, r *http.Request) error {
	parts := strings.Split(strings.Trim(r.PathValue("path"), "/"), "/")
	if len(parts) == 0 || parts[0] == "" || len(parts) > 4 {
		return db.ErrNotFound
	}
	commune, rest := parts[0], parts[1:]
	sector := ""
	if len(rest) > 0 && rest[0] != "calendrier" && !strings.HasSuffix(rest[0], ".ics") {
		sector, rest = rest[0], rest[1:]
	}
	switch {
	case len(rest) == 0:
		return s.collectePlan(w, r, commune, sector)
	case rest[0] == "calendrier" && len(rest) <= 2:
		year := s.collecte.Today().Year()
		if len(rest) == 2 {
			y, err := strconv.Atoi(rest[1])
			if err != nil || y < year-1 || y > year+2 {
				return db.ErrNotFound
			}
			year = y
		}
		return s.collecteYear(w, r, commune, sector, year)
	case len(rest) == 1 && strings.HasSuffix(rest[0], ".ics"):
		return s.collecteFeed(w, r, commune, sector, strings.TrimSuffix(rest[0], ".ics"))
	}
	return db.ErrNotFound
}

// planURL is the public path of a commune or sector.
func planURL(c collecte.Commune, x collecte.Sector) string {
	if x.ID != 0 {
		return c.URL() + "/" + x.Slug
	}
	return c.URL()
}

func (s *Server) planHeading(c collecte.Commune, x collecte.Sector) string {
	if x.ID != 0 {
		return s.cat.T("collecte.plan.heading_sector", c.Name, x.Name)
	}
	return s.cat.T("collecte.plan.heading", c.Name)
}

func (s *Server) planBreadcrumb(c collecte.Commune, x collecte.Sector, last string) []NavItem {
	b := []NavItem{{Label: s.cat.T("site.home"), URL: "/"}, {Label: s.cat.T("collecte.title"), URL: "/collecte"}, {Label: c.Name, URL: c.URL()}}
	if x.ID != 0 {
		b = append(b, NavItem{Label: x.Name, URL: planURL(c, x)})
	}
	if last != "" {
		b = append(b, NavItem{Label: last})
	}
	b[len(b)-1].Current = true
	return b
}

func (s *Server) collectePlan(w http.ResponseWriter, r *http.Request, communeSlug, sectorSlug string) error {
	today := s.collecte.Today()
	plan, err := s.collecte.PlanFor(r.Context(), principal(r), communeSlug, sectorSlug, today, today.AddDate(0, 0, 366))
	if err != nil {
		return err
	}
	p := collectePlanPage{Commune: plan.Commune, Sector: plan.Sector, BySector: plan.BySector, Empty: len(plan.Schedules) == 0 && !plan.BySector}
	p.Heading = s.planHeading(plan.Commune, plan.Sector)
	p.Page = s.page(r, p.Heading)
	p.Breadcrumb = s.planBreadcrumb(plan.Commune, plan.Sector, "")
	p.PlanURL = planURL(plan.Commune, plan.Sector)
	p.YearURL = p.PlanURL + "/calendrier"
	p.FeedAll = s.cfg.BaseURL + p.PlanURL + "/collectes.ics"
	p.WebcalAll = template.URL(webcal(p.FeedAll)) //nolint:gosec // the site's own base URL and a slug path
	p.Streams = s.streamViews(plan, today, p.PlanURL)
	end := today.AddDate(0, 0, 31)
	for _, d := range s.collecteDays(plan, today, end, today) {
		var kept, gone []collecteItem
		for _, it := range d.Items {
			if it.Status == collecte.StatusCancelled {
				gone = append(gone, it)
			} else {
				kept = append(kept, it)
			}
		}
		if len(kept) > 0 {
			dd := d
			dd.Items = kept
			p.Month = append(p.Month, dd)
		}
		if len(gone) > 0 {
			dd := d
			dd.Items = gone
			p.Cancelled = append(p.Cancelled, dd)
		}
	}
	if p.CanEdit, err = s.collecteCanEdit(r); err != nil {
		return err
	}
	p.EditURL = "/collecte/gestion/communes/" + strconv.FormatInt(plan.Commune.ID, 10)
	cacheUntil(r, s.collecteMidnight())
	s.render(w, r, http.StatusOK, "collecte_plan", &p)
	return nil
}

// streamViews gives each stream of the plan its rules, next collection and
// feed.
func (s *Server) streamViews(plan collecte.Plan, today time.Time, base string) []collecteStreamView {
	out := make([]collecteStreamView, 0, len(plan.Streams))
	for _, st := range plan.Streams {
		v := collecteStreamView{Stream: st, FeedURL: base + "/" + st.Slug + ".ics"}
		for _, sc := range plan.Schedules {
			if sc.StreamID == st.ID {
				v.Rules = append(v.Rules, s.ruleText(sc))
			}
		}
		if c, ok := plan.Next(st.ID, today); ok {
			d := s.collecteDay(c.Date, today)
			d.Items = []collecteItem{s.collecteItem(c, st, today)}
			v.Next = &d
		}
		out = append(out, v)
	}
	return out
}

// collecteDays groups the plan's collections in [from, to) by day.
func (s *Server) collecteDays(plan collecte.Plan, from, to, today time.Time) []collecteDay {
	var out []collecteDay
	for _, c := range plan.Between(from, to) {
		if len(out) == 0 || !out[len(out)-1].Date.Equal(c.Date) {
			out = append(out, s.collecteDay(c.Date, today))
		}
		last := &out[len(out)-1]
		last.Items = append(last.Items, s.collecteItem(c, plan.Stream(c.StreamID), today))
	}
	return out
}

func (s *Server) collecteDay(d, today time.Time) collecteDay {
	out := collecteDay{Date: d, ISO: collecte.FormatDay(d), Label: s.dayLabel(d, false)}
	switch n := int(d.Sub(today).Hours() / 24); {
	case n == 0:
		out.Relative = s.cat.T("collecte.relative.today")
	case n == 1:
		out.Relative = s.cat.T("collecte.relative.tomorrow")
	case n > 1:
		out.Relative = s.cat.T("collecte.relative.in_days", n)
	}
	return out
}

func (s *Server) collecteItem(c collecte.Collection, st collecte.Stream, today time.Time) collecteItem {
	if c.Pending() && c.Date.Before(today) {
		// A holiday gone by without a decision: nothing is left to confirm.
		c.Status = collecte.StatusKept
	}
	it := collecteItem{Stream: st, Status: c.Status}
	switch c.Status {
	case collecte.StatusMoved:
		if c.Holiday != "" {
			it.Note = s.cat.T("collecte.note.moved_holiday", s.dayLabel(c.Original, false), c.Holiday)
		} else {
			it.Note = s.cat.T("collecte.note.moved", s.dayLabel(c.Original, false))
		}
	case collecte.StatusCancelled:
		if c.Holiday != "" {
			it.Note = s.cat.T("collecte.note.cancelled_holiday", c.Holiday)
		} else {
			it.Note = s.cat.T("collecte.note.cancelled")
		}
	case collecte.StatusPending:
		it.Note = s.cat.T("collecte.note.pending", c.Holiday)
	case collecte.StatusKept:
		if c.Date.Before(today) {
			it.Note = s.cat.T("collecte.note.holiday", c.Holiday)
		} else {
			it.Note = s.cat.T("collecte.note.kept", c.Holiday)
		}
	}
	if c.Note != "" {
		if it.Note != "" {
			it.Note += " "
		}
		it.Note += c.Note
	}
	return it
}

// dayLabel writes a civil date the French way: "mardi 10 mars" (with the
// year when asked).
func (s *Server) dayLabel(d time.Time, year bool) string {
	day := strconv.Itoa(d.Day())
	if d.Day() == 1 {
		day = s.cat.T("date.first_day")
	}
	out := s.cat.Weekday(d.Weekday()) + " " + day + " " + s.cat.Month(d.Month())
	if year {
		out += " " + strconv.Itoa(d.Year())
	}
	return out
}

// ruleText is what a schedule says, in French, with its end when it has
// one.
func (s *Server) ruleText(sc collecte.Schedule) string {
	sum := collecte.Summarize(sc.Rule)
	and := " " + s.cat.T("collecte.rule.and") + " "
	var days []string
	for _, d := range sum.Days {
		days = append(days, s.cat.Weekday(d))
	}
	var out string
	switch sum.Freq {
	case collecte.FreqWeekly:
		out = s.cat.T("collecte.rule.weekly", joinAnd(days, and))
	case collecte.FreqBiweekly:
		out = s.cat.T("collecte.rule.biweekly", joinAnd(days, and))
	case collecte.FreqMonthly:
		var pos []string
		for _, p := range sum.Positions {
			pos = append(pos, s.cat.T("collecte.position."+strconv.Itoa(p)))
		}
		out = s.cat.T("collecte.rule.monthly", joinAnd(pos, and), joinAnd(days, and))
	default:
		out = s.cat.T("collecte.rule.custom", sum.Rule)
	}
	if !sc.End.IsZero() {
		out += " " + s.cat.T("collecte.rule.until", s.dayLabel(sc.End, true))
	}
	if sc.Note != "" {
		out += " — " + sc.Note
	}
	return out
}

func joinAnd(items []string, and string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}

func webcal(u string) string {
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		return "webcal://" + rest
	}
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		return "webcal://" + rest
	}
	return u
}

func (s *Server) collecteYear(w http.ResponseWriter, r *http.Request, communeSlug, sectorSlug string, year int) error {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	plan, err := s.collecte.PlanFor(r.Context(), principal(r), communeSlug, sectorSlug, from, to)
	if err != nil {
		return err
	}
	today := s.collecte.Today()
	p := collecteYearPage{Commune: plan.Commune, Sector: plan.Sector, Year: year, Empty: len(plan.Schedules) == 0}
	p.Heading = s.cat.T("collecte.year.heading", year, s.planHeading(plan.Commune, plan.Sector))
	p.Page = s.page(r, p.Heading)
	p.Breadcrumb = s.planBreadcrumb(plan.Commune, plan.Sector, s.cat.T("collecte.year.crumb", year))
	p.PlanURL = planURL(plan.Commune, plan.Sector)
	p.Streams = s.streamViews(plan, today, p.PlanURL)
	for i := 1; i <= 7; i++ {
		full := s.cat.Weekday(time.Weekday(i % 7))
		p.WeekdayHeads = append(p.WeekdayHeads, collecteWeekday{Short: full[:3] + ".", Full: full})
	}
	thisYear := today.Year()
	if year > thisYear-1 {
		p.PrevURL = p.PlanURL + "/calendrier/" + strconv.Itoa(year-1)
	}
	if year < thisYear+2 {
		p.NextURL = p.PlanURL + "/calendrier/" + strconv.Itoa(year+1)
	}
	byDay := map[time.Time][]collecteItem{}
	for _, d := range s.collecteDays(plan, from, to, today) {
		for _, it := range d.Items {
			if it.Status != collecte.StatusCancelled {
				byDay[d.Date] = append(byDay[d.Date], it)
			}
			if it.Status != collecte.StatusRegular {
				if n := len(p.Notes); n == 0 || !p.Notes[n-1].Date.Equal(d.Date) {
					p.Notes = append(p.Notes, collecteDay{Date: d.Date, ISO: d.ISO, Label: d.Label})
				}
				p.Notes[len(p.Notes)-1].Items = append(p.Notes[len(p.Notes)-1].Items, it)
			}
		}
	}
	for m := time.January; m <= time.December; m++ {
		first := time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)
		month := collecteMonth{ID: fmt.Sprintf("m%02d", int(m)), Name: s.cat.Month(m) + " " + strconv.Itoa(year)}
		lead := (int(first.Weekday()) + 6) % 7 // Monday first
		var week []collecteCell
		for i := 0; i < lead; i++ {
			week = append(week, collecteCell{})
		}
		for d := first; d.Month() == m; d = d.AddDate(0, 0, 1) {
			week = append(week, collecteCell{Day: d.Day(), ISO: collecte.FormatDay(d), Today: d.Equal(today), Holiday: collecte.HolidayName(d), Items: byDay[d]})
			if len(week) == 7 {
				month.Weeks = append(month.Weeks, week)
				week = nil
			}
		}
		if len(week) > 0 {
			for len(week) < 7 {
				week = append(week, collecteCell{})
			}
			month.Weeks = append(month.Weeks, week)
		}
		p.Months = append(p.Months, month)
	}
	cacheUntil(r, s.collecteMidnight())
	s.render(w, r, http.StatusOK, "collecte_year", &p)
	return nil
}

// collecteFeed serves {flux}.ics (collectes.ics: every stream): a year of
// collections from a month ago.
func (s *Server) collecteFeed(w http.ResponseWriter, r *http.Request, communeSlug, sectorSlug, file string) error {
	today := s.collecte.Today()
	plan, err := s.collecte.PlanFor(r.Context(), principal(r), communeSlug, sectorSlug, today.AddDate(0, -1, 0), today.AddDate(1, 0, 0))
	if err != nil {
		return err
	}
	var streamID int64
	name := s.planHeading(plan.Commune, plan.Sector)
	if file != "collectes" {
		found := false
		for _, st := range plan.Streams {
			if st.Slug == file {
				streamID, found = st.ID, true
				name = s.cat.T("collecte.feed.name_stream", st.Name, name)
			}
		}
		if !found {
			return db.ErrNotFound
		}
	}
	host := ""
	if u, err := url.Parse(s.cfg.BaseURL); err == nil {
		host = u.Hostname()
	}
	pageURL := s.cfg.BaseURL + planURL(plan.Commune, plan.Sector)
	opt := collecte.FeedOptions{
		Name:    name,
		Host:    host,
		URL:     pageURL,
		Summary: func(st collecte.Stream) string { return s.cat.T("collecte.feed.summary", st.Name) },
		Alarm:   func(st collecte.Stream) string { return s.cat.T("collecte.feed.alarm", st.Name) },
		Description: func(c collecte.Collection, st collecte.Stream) string {
			var parts []string
			if it := s.collecteItem(c, st, today); it.Note != "" {
				parts = append(parts, it.Note)
			}
			if st.Help != "" {
				parts = append(parts, st.Help)
			}
			return strings.Join(parts, "\n")
		},
	}
	var buf bytes.Buffer
	if err := collecte.WriteICS(&buf, plan, streamID, s.now(), opt); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="`+plan.Commune.Slug+"-"+file+`.ics"`)
	h.Set("Cache-Control", "public, max-age=3600")
	cacheUntil(r, s.collecteMidnight())
	_, err = w.Write(buf.Bytes())
	return err
}
