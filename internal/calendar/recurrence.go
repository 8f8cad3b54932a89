package calendar

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teambition/rrule-go"

	"portique/internal/valid"
)

// Bounds that keep every expansion cheap, whatever was stored.
const (
	// MaxCount is the largest "N times" a series may have.
	MaxCount = 5000
	// MaxSeriesYears bounds "until" dates.
	MaxSeriesYears = 30
	// maxPerEvent caps the occurrences one event yields in one window.
	maxPerEvent = 1500
	// maxInterval is the largest "every N" the form accepts.
	maxInterval = 99
	// maxIterations caps the rule steps walked for one event in one window
	// (a daily series started 30 years ago is ~11,000 steps).
	maxIterations = 40000
)

// Frequencies offered by the form (stored as RFC 5545 FREQ values).
const (
	FreqNone    = ""
	FreqDaily   = "daily"
	FreqWeekly  = "weekly"
	FreqMonthly = "monthly"
	FreqYearly  = "yearly"
)

// Ends of a series offered by the form.
const (
	EndNever = "never"
	EndUntil = "until"
	EndCount = "count"
)

// WeekdayCodes are the RFC 5545 day codes, Monday first (weeks start on Monday).
var WeekdayCodes = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

var rruleWeekdays = map[string]rrule.Weekday{
	"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH,
	"FR": rrule.FR, "SA": rrule.SA, "SU": rrule.SU,
}

// weekdayCode maps a Go weekday to its RFC 5545 code.
func weekdayCode(d time.Weekday) string { return WeekdayCodes[(int(d)+6)%7] }

// RecurrenceForm is the recurrence part of the event form, as typed, so an
// invalid form can be shown again exactly.
type RecurrenceForm struct {
	Freq      string   // FreqNone, FreqDaily, FreqWeekly, FreqMonthly, FreqYearly
	Interval  string   // every N (empty: 1)
	Weekdays  []string // weekly: day codes (empty: the start's weekday)
	MonthlyBy string   // monthly: "day" (MonthDay) or "weekday" (SetPos + Weekday)
	MonthDay  string   // monthly by day, yearly: 1..31 (empty: the start's)
	Month     string   // yearly: 1..12 (empty: the start's)
	SetPos    string   // monthly by weekday: 1..4, or -1 for the last
	Weekday   string   // monthly by weekday: day code (empty: the start's)
	End       string   // EndNever, EndUntil, EndCount
	Until     string   // AAAA-MM-JJ, inclusive, in the calendar's zone
	Count     string
}

// Rule turns the form into an RRULE value (without DTSTART) for a series
// starting at start (local time in the calendar's zone). Bad input is
// valid.Errors keyed by form field: repetition, intervalle, jours, mensuel,
// jour_du_mois, mois, position, jour_semaine, fin_repetition, jusqu_au,
// occurrences.
func (f RecurrenceForm) Rule(start time.Time) (string, error) {
	errs := valid.Errors{}
	opt, err := f.options(start, errs)
	if err := errs.Err(); err != nil {
		return "", err
	}
	if err != nil || opt == nil {
		return "", err
	}
	return opt.RRuleString(), nil
}

func (f RecurrenceForm) options(start time.Time, errs valid.Errors) (*rrule.ROption, error) {
	var opt rrule.ROption
	switch f.Freq {
	case FreqNone:
		return nil, nil
	case FreqDaily:
		opt.Freq = rrule.DAILY
	case FreqWeekly:
		opt.Freq = rrule.WEEKLY
	case FreqMonthly:
		opt.Freq = rrule.MONTHLY
	case FreqYearly:
		opt.Freq = rrule.YEARLY
	default:
		errs.Add("repetition", "calendar.error.rec_frequency")
		return nil, nil
	}
	opt.Interval = 1
	if s := strings.TrimSpace(f.Interval); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxInterval {
			errs.Add("intervalle", "calendar.error.rec_interval", 1, maxInterval)
		} else {
			opt.Interval = n
		}
	}
	switch opt.Freq {
	case rrule.WEEKLY:
		days := f.Weekdays
		if len(days) == 0 {
			days = []string{weekdayCode(start.Weekday())}
		}
		for _, code := range WeekdayCodes { // canonical order, no duplicates
			if slices.Contains(days, code) {
				opt.Byweekday = append(opt.Byweekday, rruleWeekdays[code])
			}
		}
		for _, d := range days {
			if _, ok := rruleWeekdays[d]; !ok {
				errs.Add("jours", "calendar.error.rec_weekdays")
			}
		}
	case rrule.MONTHLY:
		switch f.MonthlyBy {
		case "", "day":
			day, ok := intField(f.MonthDay, start.Day(), 1, 31)
			if !ok {
				errs.Add("jour_du_mois", "calendar.error.rec_monthday", 1, 31)
			}
			opt.Bymonthday = []int{day}
		case "weekday":
			pos, ok := intField(f.SetPos, nthOfMonth(start), -1, 4)
			if !ok || pos == 0 {
				errs.Add("position", "calendar.error.rec_position")
				pos = 1
			}
			code := f.Weekday
			if code == "" {
				code = weekdayCode(start.Weekday())
			}
			wd, ok := rruleWeekdays[code]
			if !ok {
				errs.Add("jour_semaine", "calendar.error.rec_weekday")
				wd = rrule.MO
			}
			opt.Byweekday = []rrule.Weekday{wd.Nth(pos)}
		default:
			errs.Add("mensuel", "calendar.error.rec_monthly")
		}
	case rrule.YEARLY:
		month, okM := intField(f.Month, int(start.Month()), 1, 12)
		if !okM {
			errs.Add("mois", "calendar.error.rec_month", 1, 12)
		}
		day, okD := intField(f.MonthDay, start.Day(), 1, 31)
		if !okD {
			errs.Add("jour_du_mois", "calendar.error.rec_monthday", 1, 31)
		}
		// 2024: a leap year, so 29 February is allowed. Only February, April,
		// June, September and November lack a day: the catalogue has
		// calendar.error.rec_no_such_day.{2,4,6,9,11}.
		if okM && okD && day > daysIn(time.Month(month), 2024) {
			errs.Add("jour_du_mois", "calendar.error.rec_no_such_day."+strconv.Itoa(month), day)
		}
		opt.Bymonth = []int{month}
		opt.Bymonthday = []int{day}
	}
	switch f.End {
	case "", EndNever:
	case EndUntil:
		d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(f.Until), start.Location())
		switch {
		case err != nil:
			errs.Add("jusqu_au", "calendar.error.rec_until")
		case d.Before(dateOf(start)):
			errs.Add("jusqu_au", "calendar.error.rec_until_before_start")
		case d.After(start.AddDate(MaxSeriesYears, 0, 0)):
			errs.Add("jusqu_au", "calendar.error.rec_until_too_far", MaxSeriesYears)
		default:
			// Inclusive date: the last second of that day, in UTC as RFC 5545
			// requires when DTSTART has a TZID.
			opt.Until = d.AddDate(0, 0, 1).Add(-time.Second).UTC()
		}
	case EndCount:
		n, err := strconv.Atoi(strings.TrimSpace(f.Count))
		if err != nil || n < 1 || n > MaxCount {
			errs.Add("occurrences", "calendar.error.rec_count", 1, MaxCount)
		} else {
			opt.Count = n
		}
	default:
		errs.Add("fin_repetition", "calendar.error.rec_end")
	}
	return &opt, nil
}

// RecurrenceFromRule is the inverse of RecurrenceForm.Rule, to fill the edit
// form of a stored series. Rules the form cannot express return an error.
func RecurrenceFromRule(rule string, loc *time.Location) (RecurrenceForm, error) {
	if rule == "" {
		return RecurrenceForm{End: EndNever}, nil
	}
	opt, err := parseRule(rule, loc)
	if err != nil {
		return RecurrenceForm{}, err
	}
	f := RecurrenceForm{End: EndNever}
	if opt.Interval > 1 {
		f.Interval = strconv.Itoa(opt.Interval)
	}
	switch opt.Freq {
	case rrule.DAILY:
		f.Freq = FreqDaily
	case rrule.WEEKLY:
		f.Freq = FreqWeekly
		for _, w := range opt.Byweekday {
			f.Weekdays = append(f.Weekdays, WeekdayCodes[w.Day()])
		}
	case rrule.MONTHLY:
		f.Freq = FreqMonthly
		switch {
		case len(opt.Byweekday) == 1 && opt.Byweekday[0].N() != 0:
			f.MonthlyBy = "weekday"
			f.SetPos = strconv.Itoa(opt.Byweekday[0].N())
			f.Weekday = WeekdayCodes[opt.Byweekday[0].Day()]
		case len(opt.Bymonthday) == 1:
			f.MonthlyBy = "day"
			f.MonthDay = strconv.Itoa(opt.Bymonthday[0])
		default:
			f.MonthlyBy = "day"
		}
	case rrule.YEARLY:
		f.Freq = FreqYearly
		if len(opt.Bymonth) == 1 {
			f.Month = strconv.Itoa(opt.Bymonth[0])
		}
		if len(opt.Bymonthday) == 1 {
			f.MonthDay = strconv.Itoa(opt.Bymonthday[0])
		}
	default:
		return RecurrenceForm{}, fmt.Errorf("calendar: unsupported frequency %v", opt.Freq)
	}
	switch {
	case opt.Count > 0:
		f.End, f.Count = EndCount, strconv.Itoa(opt.Count)
	case !opt.Until.IsZero():
		f.End, f.Until = EndUntil, opt.Until.In(loc).Format("2006-01-02")
	}
	return f, nil
}

// parseRule parses a stored RRULE value and refuses what Portique never
// writes (sub-daily frequencies, huge counts), so no stored or imported rule
// can make an expansion expensive. The result is shared (cached): callers
// copy it before changing anything.
func parseRule(rule string, loc *time.Location) (*rrule.ROption, error) {
	key := ruleKey{loc.String(), rule}
	if v, ok := ruleCache.Load(key); ok {
		return v.(*rrule.ROption), nil
	}
	opt, err := parseRuleUncached(rule, loc)
	if err != nil {
		return nil, err
	}
	if ruleCacheSize.Add(1) > 10000 {
		ruleCache.Clear()
		ruleCacheSize.Store(0)
	}
	ruleCache.Store(key, opt)
	return opt, nil
}

type ruleKey struct{ zone, rule string }

// ruleCache keeps parsed rules: every view parses the same few hundred
// series again.
var (
	ruleCache     sync.Map
	ruleCacheSize atomic.Int64
)

// ForgetParsedRules empties the cache of parsed rules, so that benchmarks
// can measure a view that finds nothing cached (after a restart, or with
// more distinct rules than the cache holds).
func ForgetParsedRules() {
	ruleCache.Clear()
	ruleCacheSize.Store(0)
}

func parseRuleUncached(rule string, loc *time.Location) (*rrule.ROption, error) {
	if strings.ContainsAny(rule, "\n\r") || len(rule) > 500 {
		return nil, errors.New("calendar: malformed RRULE")
	}
	opt, err := rrule.StrToROptionInLocation(strings.TrimPrefix(rule, "RRULE:"), loc)
	if err != nil {
		return nil, fmt.Errorf("calendar: RRULE: %w", err)
	}
	if opt.Freq > rrule.DAILY {
		return nil, errors.New("calendar: RRULE: sub-daily frequency")
	}
	if opt.Count < 0 || opt.Count > MaxCount || opt.Interval < 0 || opt.Interval > 999 {
		return nil, errors.New("calendar: RRULE: out of bounds")
	}
	if !opt.Dtstart.IsZero() {
		return nil, errors.New("calendar: RRULE: DTSTART is stored apart")
	}
	return opt, nil
}

// series expands one event. Occurrences keep the wall-clock time of the
// first one in the calendar's zone (18:00 Paris stays 18:00 across DST) and
// its length in days and clock time.
type series struct {
	opt      *rrule.ROption // the parsed rule, without DTSTART (shared: read only)
	rule     *rrule.RRule   // rrule-go's expansion of it
	start    time.Time      // local
	end      time.Time      // local
	loc      *time.Location
	spanDays int
}

func newSeries(start, end time.Time, rule string, loc *time.Location) (*series, error) {
	s := &series{}
	if err := s.init(start, end, rule, loc); err != nil {
		return nil, err
	}
	return s, nil
}

// init is newSeries for a series held by the caller (expansion keeps it on
// the stack).
func (s *series) init(start, end time.Time, rule string, loc *time.Location) error {
	*s = series{start: start.In(loc), end: end.In(loc), loc: loc}
	s.spanDays = daysBetween(dateOf(s.start), dateOf(s.end))
	if rule == "" {
		return nil
	}
	opt, err := parseRule(rule, loc)
	if err != nil {
		return err
	}
	s.opt = opt
	_, err = s.rrule()
	return err
}

// single reports whether the event has no rule.
func (s *series) single() bool { return s.opt == nil }

// rrule returns rrule-go's expansion of the rule (built once).
func (s *series) rrule() (*rrule.RRule, error) {
	if s.rule == nil {
		opt := *s.opt
		opt.Dtstart = s.start
		r, err := rrule.NewRRule(opt)
		if err != nil {
			return nil, fmt.Errorf("calendar: RRULE: %w", err)
		}
		s.rule = r
	}
	return s.rule, nil
}

// endFor gives the end of the occurrence that starts at occ (local).
func (s *series) endFor(occ time.Time) time.Time {
	occ = occ.In(s.loc)
	h, m, sec := s.end.Clock()
	y, mo, d := occ.Date()
	return time.Date(y, mo, d+s.spanDays, h, m, sec, 0, s.loc)
}

// between returns the original starts (in the calendar's zone) of the
// occurrences overlapping [from, to), at most limit of them.
func (s *series) between(from, to time.Time, limit int) []time.Time {
	return s.appendBetween(nil, from, to, limit)
}

// appendBetween is between appending to out.
func (s *series) appendBetween(out []time.Time, from, to time.Time, limit int) []time.Time {
	if s.single() {
		if s.start.Before(to) && s.end.After(from) {
			out = append(out, s.start)
		}
		return out
	}
	next := s.iterFrom(from)
	for i, n := 0, 0; i < maxIterations && n < limit; i++ {
		t, ok := next()
		if !ok || !t.Before(to) {
			break
		}
		if s.endFor(t).After(from) {
			out = append(out, t)
			n++
		}
	}
	return out
}

// look is where a walk towards from may start: the day of from in the
// series' zone, less the occurrences' length and two days.
func (s *series) look(from time.Time) time.Time {
	return dateOf(from.In(s.loc)).AddDate(0, 0, -(s.spanDays + 2))
}

// iterator walks the series from its first occurrence.
func (s *series) iterator() rrule.Next {
	return s.rule.Iterator()
}

// iterFrom returns an iterator over the same occurrences as the rule, but
// starting shortly before from: for rules without COUNT, moving DTSTART
// forward by whole periods (days, weeks, months or years times the interval)
// leaves the later occurrences unchanged, and saves walking a long series
// from its beginning. Rules that take a default from DTSTART's day are
// walked from the start.
func (s *series) iterFrom(from time.Time) rrule.Next {
	look := s.look(from)
	opt := s.rule.OrigOptions
	if opt.Count > 0 || !look.After(s.start) {
		return s.rule.Iterator()
	}
	interval := max(opt.Interval, 1)
	h, m, sec := s.start.Clock()
	var ds time.Time
	switch {
	case opt.Freq == rrule.DAILY:
		k := daysBetween(dateOf(s.start), look) / interval
		ds = s.start.AddDate(0, 0, k*interval)
	case opt.Freq == rrule.WEEKLY && len(opt.Byweekday) > 0:
		k := daysBetween(dateOf(s.start), look) / (7 * interval)
		ds = s.start.AddDate(0, 0, 7*k*interval)
	case opt.Freq == rrule.MONTHLY && (len(opt.Bymonthday) > 0 || len(opt.Byweekday) > 0):
		months := (look.Year()-s.start.Year())*12 + int(look.Month()) - int(s.start.Month())
		k := months / interval
		ds = time.Date(s.start.Year(), s.start.Month()+time.Month(k*interval), 1, h, m, sec, 0, s.loc)
	case opt.Freq == rrule.YEARLY && len(opt.Bymonth) > 0 && (len(opt.Bymonthday) > 0 || len(opt.Byweekday) > 0):
		k := (look.Year() - s.start.Year()) / interval
		ds = time.Date(s.start.Year()+k*interval, 1, 1, h, m, sec, 0, s.loc)
	default:
		return s.rule.Iterator()
	}
	if !ds.After(s.start) {
		return s.rule.Iterator()
	}
	opt.Dtstart = ds
	r, err := rrule.NewRRule(opt)
	if err != nil {
		return s.rule.Iterator()
	}
	return r.Iterator()
}

// bounds returns the first occurrence's start (the rule's, which may differ
// from the typed start when that day does not match the rule) and the end of
// the last occurrence (nil for an endless series). A rule without any
// occurrence is a validation error.
func (s *series) bounds() (time.Time, *time.Time, error) {
	if s.single() {
		e := s.end
		return s.start, &e, nil
	}
	next := s.iterator()
	first, ok := next()
	if !ok {
		return time.Time{}, nil, valid.One("repetition", "calendar.error.rec_no_date")
	}
	if s.opt.Count == 0 && s.opt.Until.IsZero() {
		return first, nil, nil
	}
	last := first
	for i := 0; i < MaxCount*2; i++ {
		t, ok := next()
		if !ok {
			break
		}
		last = t
	}
	e := s.endFor(last)
	return first, &e, nil
}

// countBefore counts the occurrences that start before t.
func (s *series) countBefore(t time.Time) int {
	if s.single() {
		return 0
	}
	n := 0
	next := s.iterator()
	for i := 0; i < maxIterations; i++ {
		o, ok := next()
		if !ok || !o.Before(t) {
			break
		}
		n++
	}
	return n
}

// isOccurrence reports whether t (any zone) is an original start of the series.
func (s *series) isOccurrence(t time.Time) bool {
	if s.single() {
		return t.Equal(s.start)
	}
	for _, o := range s.between(t, t.Add(time.Second), 2) {
		if o.Equal(t) {
			return true
		}
	}
	return false
}

func intField(s string, def, lo, hi int) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return def, false
	}
	return n, true
}

// nthOfMonth gives the position of t's weekday in its month: 1..4, or -1
// when it is the last one of the month (a 5th one always is).
func nthOfMonth(t time.Time) int {
	if t.Day()+7 > daysIn(t.Month(), t.Year()) {
		return -1
	}
	return (t.Day()-1)/7 + 1
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// daysBetween counts calendar days from a to b (dates at midnight, same zone).
func daysBetween(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}
