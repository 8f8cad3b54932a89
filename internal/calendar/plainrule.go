package calendar

import (
	"time"

	"github.com/teambition/rrule-go"
)

// plainRule expands the rule shapes the event form writes (see
// RecurrenceForm.options) with date arithmetic alone: every N days; every N
// weeks on some weekdays; every N months on a day of the month or on the
// n-th (or last) weekday; every N years on a day of a month; each with an
// optional COUNT or UNTIL. rrule-go builds year-long masks and a new set of
// slices for every iterator, which made expansion the largest part of a
// month view; other rules (imported ones) still go through rrule-go.
// TestPlainRuleMatchesRRule holds both to the same occurrences.
//
// The semantics are rrule-go's: periods start at DTSTART's day, week
// (Monday-based), month or year and step by the interval; each candidate
// date gets DTSTART's wall-clock time in its zone (time.Date, so the same
// DST normalisation); candidates before DTSTART are skipped uncounted; the
// first one after UNTIL ends the series; COUNT counts what was yielded.
type plainRule struct {
	freq     rrule.Frequency
	interval int
	weekdays [7]bool      // WEEKLY, indexed by time.Weekday
	monthDay int          // MONTHLY by day, YEARLY
	month    time.Month   // YEARLY
	nth      int          // MONTHLY by weekday: 1..5, or -1..-5 from the end
	weekday  time.Weekday // MONTHLY by weekday
	count    int
	until    time.Time // zero: none
}

// plainRuleOf recognises a plain rule; start is DTSTART (local), which gives
// the defaults RFC 5545 takes from it.
func plainRuleOf(opt *rrule.ROption, start time.Time) (plainRule, bool) {
	if len(opt.Bysetpos)+len(opt.Byyearday)+len(opt.Byweekno)+len(opt.Byhour)+len(opt.Byminute)+
		len(opt.Bysecond)+len(opt.Byeaster) > 0 || opt.Wkst.Day() != 0 || opt.Count < 0 {
		return plainRule{}, false
	}
	r := plainRule{freq: opt.Freq, interval: max(opt.Interval, 1), count: opt.Count}
	if !opt.Until.IsZero() {
		r.until = opt.Until.Truncate(time.Second)
	}
	switch opt.Freq {
	case rrule.DAILY:
		if len(opt.Bymonth)+len(opt.Bymonthday)+len(opt.Byweekday) > 0 {
			return plainRule{}, false
		}
	case rrule.WEEKLY:
		if len(opt.Bymonth)+len(opt.Bymonthday) > 0 {
			return plainRule{}, false
		}
		if len(opt.Byweekday) == 0 {
			r.weekdays[start.Weekday()] = true
		}
		for _, w := range opt.Byweekday { // the position is ignored in weekly rules
			r.weekdays[time.Weekday((w.Day()+1)%7)] = true
		}
	case rrule.MONTHLY:
		switch {
		case len(opt.Bymonth) > 0:
			return plainRule{}, false
		case len(opt.Bymonthday) == 0 && len(opt.Byweekday) == 0:
			r.monthDay = start.Day()
		case len(opt.Bymonthday) == 1 && len(opt.Byweekday) == 0 && opt.Bymonthday[0] >= 1 && opt.Bymonthday[0] <= 31:
			r.monthDay = opt.Bymonthday[0]
		case len(opt.Bymonthday) == 0 && len(opt.Byweekday) == 1 && opt.Byweekday[0].N() != 0 &&
			opt.Byweekday[0].N() >= -5 && opt.Byweekday[0].N() <= 5:
			r.nth = opt.Byweekday[0].N()
			r.weekday = time.Weekday((opt.Byweekday[0].Day() + 1) % 7)
		default:
			return plainRule{}, false
		}
	case rrule.YEARLY:
		if len(opt.Byweekday) > 0 || len(opt.Bymonth) > 1 || len(opt.Bymonthday) > 1 {
			return plainRule{}, false
		}
		r.month, r.monthDay = start.Month(), start.Day()
		if len(opt.Bymonth) == 1 {
			r.month = time.Month(opt.Bymonth[0])
		}
		if len(opt.Bymonthday) == 1 {
			if len(opt.Bymonth) == 0 { // that day of every month
				return plainRule{}, false
			}
			r.monthDay = opt.Bymonthday[0]
		}
		if r.month < 1 || r.month > 12 || r.monthDay < 1 || r.monthDay > 31 {
			return plainRule{}, false
		}
	default:
		return plainRule{}, false
	}
	return r, true
}

// plainIter walks a plainRule period by period.
type plainIter struct {
	r       plainRule
	start   time.Time // DTSTART, local, to the second
	until   time.Time // the rule's, or rrule-go's default (DTSTART + 292 years)
	loc     *time.Location
	h, m, s int
	period  int   // index of the next period to fill
	origin  int64 // day number (days since 1970-01-01) of period 0: DTSTART's day, or its week's Monday
	y0, m0  int   // DTSTART's year and month (month 1..12)
	days    [7]int64
	n, i    int // days[i:n] are the candidates left in the current period
	yielded int
	done    bool
}

// dayNumber is the date of t (its own zone) as days since 1970-01-01.
func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// iter returns the rule's occurrences in order. When look is not zero and
// the rule has no COUNT, the walk starts at the period holding look (a date
// in the series' zone) rather than at DTSTART: no occurrence on or after
// look is lost, and earlier ones may be left out.
func (r *plainRule) iter(start time.Time, look time.Time) plainIter {
	start = start.Truncate(time.Second)
	it := plainIter{r: *r, start: start, loc: start.Location(), until: r.until}
	if it.until.IsZero() {
		it.until = start.Add(time.Duration(1<<63 - 1))
	}
	it.h, it.m, it.s = start.Clock()
	it.origin = dayNumber(start)
	y, mo, _ := start.Date()
	it.y0, it.m0 = y, int(mo)
	if r.freq == rrule.WEEKLY {
		it.origin -= int64((int(start.Weekday()) + 6) % 7)
	}
	if r.count > 0 || look.IsZero() || !look.After(dateOf(start)) {
		return it
	}
	switch r.freq {
	case rrule.DAILY:
		it.period = int((dayNumber(look) - it.origin) / int64(r.interval))
	case rrule.WEEKLY:
		it.period = int((dayNumber(look) - it.origin) / int64(7*r.interval))
	case rrule.MONTHLY:
		it.period = ((look.Year()-it.y0)*12 + int(look.Month()) - it.m0) / r.interval
	case rrule.YEARLY:
		it.period = (look.Year() - it.y0) / r.interval
	}
	it.period = max(it.period, 0)
	return it
}

// fill puts the candidate dates of the next period in it.days.
func (it *plainIter) fill() {
	r := it.r
	k := int64(it.period) * int64(r.interval)
	it.period++
	it.i, it.n = 0, 0
	switch r.freq {
	case rrule.DAILY:
		it.days[0], it.n = it.origin+k, 1
	case rrule.WEEKLY:
		monday := it.origin + 7*k
		for off := range 7 {
			if r.weekdays[(off+1)%7] {
				it.days[it.n] = monday + int64(off)
				it.n++
			}
		}
	case rrule.MONTHLY:
		mi := it.y0*12 + it.m0 - 1 + int(k)
		y, m := mi/12, time.Month(mi%12+1)
		if d := monthDate(y, m, r.monthDay, r.nth, r.weekday); d > 0 {
			it.days[0], it.n = dayNumberOf(y, m, d), 1
		}
	case rrule.YEARLY:
		y := it.y0 + int(k)
		if r.monthDay <= daysIn(r.month, y) {
			it.days[0], it.n = dayNumberOf(y, r.month, r.monthDay), 1
		}
	}
}

// periodYear is the year in which the next period starts (rrule-go stops
// past 9999).
func (it *plainIter) periodYear() int {
	k := int64(it.period) * int64(it.r.interval)
	switch it.r.freq {
	case rrule.DAILY:
		return time.Unix((it.origin+k)*86400, 0).UTC().Year()
	case rrule.WEEKLY:
		return time.Unix((it.origin+7*k)*86400, 0).UTC().Year()
	case rrule.MONTHLY:
		return (it.y0*12 + it.m0 - 1 + int(k)) / 12
	default:
		return it.y0 + int(k)
	}
}

// monthDate is the day of month of a monthly rule in month m of year y (by
// day, or the nth weekday), or 0 when that month has none.
func monthDate(y int, m time.Month, monthDay, nth int, wd time.Weekday) int {
	last := daysIn(m, y)
	if nth == 0 {
		if monthDay > last {
			return 0
		}
		return monthDay
	}
	var d int
	if nth > 0 {
		first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Weekday()
		d = 1 + (int(wd)-int(first)+7)%7 + 7*(nth-1)
	} else {
		lastWd := time.Date(y, m, last, 0, 0, 0, 0, time.UTC).Weekday()
		d = last - (int(lastWd)-int(wd)+7)%7 + 7*(nth+1)
	}
	if d < 1 || d > last {
		return 0
	}
	return d
}

func dayNumberOf(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// next yields the next occurrence (local); ok is false at the end of the
// series, past year 9999 or after maxIterations periods without one.
func (it *plainIter) next() (time.Time, bool) {
	empty := 0
	for !it.done {
		if it.i == it.n {
			if empty >= maxIterations || it.periodYear() > 9999 {
				break
			}
			it.fill()
			empty++
			continue
		}
		y, m, d := time.Unix(it.days[it.i]*86400, 0).UTC().Date()
		it.i++
		if y > 9999 {
			break
		}
		t := time.Date(y, m, d, it.h, it.m, it.s, 0, it.loc)
		if t.After(it.until) {
			break
		}
		if t.Before(it.start) {
			continue
		}
		it.yielded++
		if it.r.count > 0 && it.yielded >= it.r.count {
			it.done = true
		}
		return t, true
	}
	it.done = true
	return time.Time{}, false
}
