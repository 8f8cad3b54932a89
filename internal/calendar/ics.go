package calendar

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"portique/internal/access"
)

// FeedOptions describes an iCalendar export.
type FeedOptions struct {
	Name    string // X-WR-CALNAME
	BaseURL string // absolute site URL, for event links ("" leaves them out)
	// Since leaves out events that ended before it (zero: one year ago), so
	// feeds stay small; series that go on are always kept.
	Since time.Time
}

// RefreshInterval is how often subscribed clients are asked to refresh.
const RefreshInterval = "PT1H"

const icsLocal = "20060102T150405"

// WriteFeed writes, as RFC 5545, every event p may see: a member's personal
// feed (p from FeedPrincipal) or the public feed (access.Anonymous()). The
// events are selected with the same SQL filter as the views.
func (s *Store) WriteFeed(ctx context.Context, w io.Writer, p access.Principal, opt FeedOptions) error {
	since := opt.Since
	if since.IsZero() {
		since = s.Now().AddDate(-1, 0, 0)
	}
	acl, args := visibleCalendars(p, "e.calendar_id")
	where := acl + " AND e.series_end > ?"
	args = append(args, since.UTC())
	cals, err := s.calendarsByID(ctx)
	if err != nil {
		return err
	}
	rows, err := s.db.Query(ctx, `SELECT e.id, e.uid, e.calendar_id, e.title, e.description, e.location, `+timeCol(s.db, "e.starts_at")+`, `+timeCol(s.db, "e.ends_at")+`,
		e.all_day, e.rrule, e.sequence, `+timeCol(s.db, "e.updated_at")+` FROM events e WHERE `+where, args...) // sorted below
	if err != nil {
		return fmt.Errorf("calendar: feed: %w", err)
	}
	var events []*Event
	for rows.Next() {
		e := &Event{}
		if err := rows.Scan(&e.ID, &e.UID, &e.CalendarID, &e.Title, &e.Description, &e.Location, (*sqlTime)(&e.Start), (*sqlTime)(&e.End),
			&e.AllDay, &e.RRule, &e.Sequence, (*sqlTime)(&e.UpdatedAt)); err != nil {
			rows.Close()
			return err
		}
		c := cals[e.CalendarID]
		e.CalendarName, e.TimeZone = c.Name, c.TimeZone
		events = append(events, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortFunc(events, func(a, b *Event) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	byID := make(map[int64]int, len(events))
	for i, e := range events {
		byID[e.ID] = i
	}
	// Exceptions and attribute values of the selected events, in two queries.
	rows, err = s.db.Query(ctx, `SELECT o.event_id, o.original_start, o.cancelled, o.starts_at, o.ends_at, o.title, o.location, o.description
		FROM event_overrides o JOIN events e ON e.id = o.event_id WHERE `+where+" ORDER BY o.original_start", args...)
	if err != nil {
		return fmt.Errorf("calendar: feed exceptions: %w", err)
	}
	for rows.Next() {
		o, eid, err := scanOverride(rows, true)
		if err != nil {
			rows.Close()
			return err
		}
		if i, ok := byID[eid]; ok {
			events[i].Overrides = append(events[i].Overrides, o)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.db.Query(ctx, `SELECT v.event_id, a.id, a.key, a.label, a.type, v.value
		FROM event_attribute_values v JOIN event_attributes a ON a.id = v.attribute_id JOIN events e ON e.id = v.event_id
		WHERE `+where+" ORDER BY a.position, a.id", args...)
	if err != nil {
		return fmt.Errorf("calendar: feed attributes: %w", err)
	}
	for rows.Next() {
		var eid int64
		var v AttributeValue
		if err := rows.Scan(&eid, &v.ID, &v.Key, &v.Label, &v.Type, &v.Value); err != nil {
			rows.Close()
			return err
		}
		if i, ok := byID[eid]; ok {
			events[i].Attributes = append(events[i].Attributes, v)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return writeICS(w, events, opt, s.Now())
}

// WriteEventICS writes one event (with its exceptions) as a .ics file, if p
// may see it.
func (s *Store) WriteEventICS(ctx context.Context, w io.Writer, p access.Principal, id int64, baseURL string) error {
	e, _, err := s.Event(ctx, p, id)
	if err != nil {
		return err
	}
	return writeICS(w, []*Event{&e}, FeedOptions{Name: e.Title, BaseURL: baseURL}, s.Now())
}

func writeICS(w io.Writer, events []*Event, opt FeedOptions, now time.Time) error {
	cal := ics.NewCalendarFor("Portique")
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	if opt.Name != "" {
		cal.SetName(opt.Name)
		cal.SetXWRCalName(opt.Name)
	}
	cal.SetRefreshInterval(RefreshInterval)
	cal.SetXPublishedTTL(RefreshInterval)
	zones := map[string]bool{}
	var zoneNames []string
	for _, e := range events {
		if !zones[e.TimeZone] {
			zones[e.TimeZone] = true
			zoneNames = append(zoneNames, e.TimeZone)
		}
	}
	sort.Strings(zoneNames)
	for _, z := range zoneNames {
		addTimezone(cal, z, now)
	}
	for _, e := range events {
		addEvent(cal, e, opt)
	}
	return cal.SerializeTo(w, ics.WithNewLineWindows) // RFC 5545 lines end with CRLF
}

// icsTime sets a DATE-TIME with TZID (or a DATE for all-day events).
func icsTime(c *ics.ComponentBase, prop ics.ComponentProperty, t time.Time, loc *time.Location, allDay bool) {
	lt := t.In(loc)
	if allDay {
		c.SetProperty(prop, lt.Format("20060102"), ics.WithValue(string(ics.ValueDataTypeDate)))
		return
	}
	c.SetProperty(prop, lt.Format(icsLocal), ics.WithTZID(loc.String()))
}

func cleanText(s string) string { return strings.ReplaceAll(s, "\r", "") }

func addEvent(cal *ics.Calendar, e *Event, opt FeedOptions) {
	loc := loadLocation(e.TimeZone)
	var ser *series
	if len(e.Overrides) > 0 {
		var err error
		if ser, err = newSeries(e.Start, e.End, e.RRule, loc); err != nil {
			return
		}
	}
	base := func(v *ics.VEvent, title, location, description string) {
		v.SetDtStampTime(e.UpdatedAt)
		v.SetModifiedAt(e.UpdatedAt)
		v.SetSequence(e.Sequence)
		v.SetSummary(cleanText(title))
		if location != "" {
			v.SetLocation(cleanText(location))
		}
		if d := PlainText(description); d != "" {
			v.SetDescription(cleanText(d))
		}
		v.AddCategory(cleanText(e.CalendarName))
		if opt.BaseURL != "" {
			v.SetURL(opt.BaseURL + EventURL(e.ID))
		}
		for _, a := range e.Attributes {
			// VALUE=TEXT is the RFC default for X- properties; saying so makes
			// parsers that treat unknown properties as opaque unescape it.
			v.SetProperty(ics.ComponentProperty("X-PORTIQUE-"+strings.ToUpper(a.Key)), cleanText(a.Value), ics.WithValue(string(ics.ValueDataTypeText)))
		}
	}
	v := cal.AddEvent(e.UID)
	base(v, e.Title, e.Location, e.Description)
	icsTime(&v.ComponentBase, ics.ComponentPropertyDtStart, e.Start, loc, e.AllDay)
	icsTime(&v.ComponentBase, ics.ComponentPropertyDtEnd, e.End, loc, e.AllDay)
	if e.RRule == "" {
		return
	}
	v.AddRrule(e.RRule)
	var ex []string
	for _, o := range e.Overrides {
		if !o.Cancelled {
			continue
		}
		if e.AllDay {
			ex = append(ex, o.OriginalStart.In(loc).Format("20060102"))
		} else {
			ex = append(ex, o.OriginalStart.In(loc).Format(icsLocal))
		}
	}
	if len(ex) > 0 {
		if e.AllDay {
			v.AddExdate(strings.Join(ex, ","), ics.WithValue(string(ics.ValueDataTypeDate)))
		} else {
			v.AddExdate(strings.Join(ex, ","), ics.WithTZID(loc.String()))
		}
	}
	for _, o := range e.Overrides {
		if o.Cancelled {
			continue
		}
		title, location, desc := e.Title, e.Location, e.Description
		if o.Title != nil {
			title = *o.Title
		}
		if o.Location != nil {
			location = *o.Location
		}
		if o.Description != nil {
			desc = *o.Description
		}
		start, end := o.OriginalStart, ser.endFor(o.OriginalStart)
		if o.Start != nil && o.End != nil {
			start, end = *o.Start, *o.End
		}
		x := cal.AddEvent(e.UID)
		base(x, title, location, desc)
		icsTime(&x.ComponentBase, ics.ComponentPropertyRecurrenceId, o.OriginalStart, loc, e.AllDay)
		icsTime(&x.ComponentBase, ics.ComponentPropertyDtStart, start, loc, e.AllDay)
		icsTime(&x.ComponentBase, ics.ComponentPropertyDtEnd, end, loc, e.AllDay)
	}
}

// addTimezone writes a VTIMEZONE for an IANA zone, derived from Go's zone
// data: the offset changes of the current year become yearly rules ("last
// Sunday of March"), which is how every zone in use today is defined.
func addTimezone(cal *ics.Calendar, name string, now time.Time) {
	loc := loadLocation(name)
	tz := cal.AddTimezone(loc.String())
	year := now.In(loc).Year()
	trans := transitions(loc, year)
	if len(trans) == 0 {
		t := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
		abbr, off := t.Zone()
		st := tz.AddStandard()
		st.SetProperty(ics.ComponentPropertyDtStart, "19700101T000000")
		st.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(off))
		st.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(off))
		st.SetProperty(ics.ComponentProperty(ics.PropertyTzname), abbr)
		return
	}
	for _, tr := range trans {
		local := tr.at.In(time.FixedZone("", tr.from)) // wall time just before the change
		n := nthOfMonth(local)
		rule := fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", int(local.Month()), n, weekdayCode(local.Weekday()))
		// DTSTART: the same rule's date in 1970, so DTSTART is an occurrence.
		d := nthWeekday(1970, local.Month(), local.Weekday(), n)
		dt := time.Date(1970, local.Month(), d, local.Hour(), local.Minute(), local.Second(), 0, time.UTC).Format(icsLocal)
		var c *ics.ComponentBase
		if tr.dst {
			dl := &ics.Daylight{ComponentBase: ics.ComponentBase{}}
			tz.Components = append(tz.Components, dl)
			c = &dl.ComponentBase
		} else {
			st := tz.AddStandard()
			c = &st.ComponentBase
		}
		c.SetProperty(ics.ComponentPropertyDtStart, dt)
		c.AddRrule(rule)
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(tr.from))
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(tr.to))
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzname), tr.abbr)
	}
}

type transition struct {
	at       time.Time
	from, to int
	abbr     string
	dst      bool
}

// transitions finds the offset changes of loc during year.
func transitions(loc *time.Location, year int) []transition {
	var out []transition
	t := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	_, prev := t.Zone()
	for d := 0; d < 366; d++ {
		next := t.Add(24 * time.Hour)
		if next.Year() > year {
			break
		}
		if _, off := next.Zone(); off != prev {
			// Narrow down to the minute.
			lo, hi := t, next
			for hi.Sub(lo) > time.Minute {
				mid := lo.Add(hi.Sub(lo) / 2)
				if _, o := mid.Zone(); o == prev {
					lo = mid
				} else {
					hi = mid
				}
			}
			at := hi.Truncate(time.Minute)
			abbr, off := at.Zone()
			out = append(out, transition{at: at, from: prev, to: off, abbr: abbr, dst: at.IsDST()})
			prev = off
		}
		t = next
	}
	return out
}

func nthWeekday(year int, m time.Month, wd time.Weekday, n int) int {
	if n < 0 {
		last := time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC)
		return last.Day() - (int(last.Weekday())-int(wd)+7)%7
	}
	first := time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)
	return 1 + (int(wd)-int(first.Weekday())+7)%7 + 7*(n-1)
}

func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d%02d", sign, sec/3600, (sec%3600)/60)
}
