package centres

import (
	"sync"
	"time"

	"github.com/rickar/cal/v2/fr"
)

// Opening days are computed, never stored: a day's hours come from the
// season that contains it, unless it is a French public holiday (from
// rickar/cal's fr package, so Easter Monday, Ascension and Whit Monday move
// with Easter without anyone typing them) and the centre is closed on
// holidays, or an exceptional closure covers it. Times are wall-clock times
// of the site's zone, turned into instants day by day with time.Date, so
// 18h stays 18h on either side of a DST change and a day of 23 or 25 hours
// is handled by the zone database.

// Hours is what "open now" is computed from.
type Hours struct {
	Schedule       Schedule
	Closures       []Closure
	OpenOnHolidays bool
}

// DayInfo is one calendar day of a centre.
type DayInfo struct {
	Date    time.Time // midnight, in the site's zone
	Ranges  []Range   // nil: closed
	Holiday string    // the public holiday's name, when it is one
	Closure *Closure  // the exceptional closure covering it
}

// Closed reports whether the centre does not open that day.
func (d DayInfo) Closed() bool { return len(d.Ranges) == 0 }

var holidayCache sync.Map // year → map[monthDay]name

// Holiday returns the name of the French public holiday on that day, or "".
func Holiday(y int, m time.Month, d int) string {
	v, ok := holidayCache.Load(y)
	if !ok {
		days := map[int]string{}
		for _, h := range fr.Holidays {
			actual, _ := h.Calc(y)
			if !actual.IsZero() {
				days[int(actual.Month())*100+actual.Day()] = h.Name
			}
		}
		v, _ = holidayCache.LoadOrStore(y, days)
	}
	return v.(map[int]string)[int(m)*100+d]
}

// Day returns the hours of one calendar day (y, m, d) in loc.
func (h *Hours) Day(y int, m time.Month, d int, loc *time.Location) DayInfo {
	date := time.Date(y, m, d, 0, 0, 0, 0, loc)
	y, m, d = date.Date()
	info := DayInfo{Date: date, Holiday: Holiday(y, m, d)}
	civil := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for i := range h.Closures {
		if c := &h.Closures[i]; !civil.Before(c.From) && !civil.After(c.To) {
			info.Closure = c
			return info
		}
	}
	if info.Holiday != "" && !h.OpenOnHolidays {
		return info
	}
	for i := range h.Schedule.Seasons {
		if se := &h.Schedule.Seasons[i]; se.contains(m, d) {
			info.Ranges = se.Days[date.Weekday()]
			return info
		}
	}
	return info
}

// at is the instant of minutes after midnight of a day in loc (1440: the
// next midnight).
func at(day time.Time, min int, loc *time.Location) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, min/60, min%60, 0, 0, loc)
}

// horizon is how far ahead the next opening is looked for.
const horizon = 400

// Status is whether a centre is open at an instant, and until when.
type Status struct {
	Open bool
	// Until is when it closes (Open; zero when it stays open for more than
	// a week), Next when it opens next (not Open; zero when it does not
	// within the horizon).
	Until, Next time.Time
	// Today is the day of the instant (its holiday or closure explain a
	// closed day).
	Today DayInfo
}

// Change is the next instant the status changes (zero: not within the
// horizon): a page saying "open now" must not be kept past it.
func (s Status) Change() time.Time {
	if s.Open {
		return s.Until
	}
	return s.Next
}

// StatusAt computes the status at now, in loc. Openings that follow each
// other without a gap (until 24h, then from 0h the next day) count as one.
func (h *Hours) StatusAt(now time.Time, loc *time.Location) Status {
	now = now.In(loc)
	y, m, d := now.Date()
	st := Status{Today: h.Day(y, m, d, loc)}
	for i := 0; i < horizon; i++ {
		day := st.Today
		if i > 0 {
			day = h.Day(y, m, d+i, loc)
		}
		for _, r := range day.Ranges {
			open, close := at(day.Date, r.Open, loc), at(day.Date, r.Close, loc)
			switch {
			case !close.After(now):
				continue
			case !st.Open && open.After(now):
				st.Next = open
				return st
			case !st.Open:
				st.Open, st.Until = true, close
			case open.Equal(st.Until):
				st.Until = close
			default:
				return st
			}
		}
		if st.Open && !st.Until.Equal(at(day.Date, 1440, loc)) {
			return st
		}
		if st.Open && i == openAhead {
			// Open around the clock for a week: "open now", no closing time.
			st.Until = time.Time{}
			return st
		}
	}
	return st
}

// openAhead is how many days an uninterrupted opening is followed before
// it is called "open" without a closing time.
const openAhead = 7

// Week returns the days from the Monday of the week of now, for the
// "this week" table.
func (h *Hours) Week(now time.Time, loc *time.Location) []DayInfo {
	now = now.In(loc)
	y, m, d := now.Date()
	back := (int(now.Weekday()) + 6) % 7
	out := make([]DayInfo, 7)
	for i := range out {
		out[i] = h.Day(y, m, d-back+i, loc)
	}
	return out
}

// Upcoming lists the closed days of the coming days (holidays, exceptional
// closures) on which the centre would otherwise open, within days.
func (h *Hours) Upcoming(now time.Time, loc *time.Location, days int) []DayInfo {
	now = now.In(loc)
	y, m, d := now.Date()
	var out []DayInfo
	regular := Hours{Schedule: h.Schedule, OpenOnHolidays: true}
	for i := 0; i < days; i++ {
		day := h.Day(y, m, d+i, loc)
		if day.Closed() && (day.Holiday != "" || day.Closure != nil) {
			if len(regular.Day(y, m, d+i, loc).Ranges) > 0 {
				out = append(out, day)
			}
		}
	}
	return out
}
