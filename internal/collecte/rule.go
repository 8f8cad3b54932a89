package collecte

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"portique/internal/valid"
)

// Frequencies offered by the schedule form; anything else is written as an
// RFC 5545 rule (FreqCustom).
const (
	FreqWeekly   = "weekly"   // every week, on the chosen days
	FreqBiweekly = "biweekly" // every other week, counted from the start date's week
	FreqMonthly  = "monthly"  // the chosen days of the chosen weeks of each month
	FreqCustom   = "custom"   // a rule typed by the editor (FREQ=…;BYDAY=…)
)

// WeekdayCodes are the RFC 5545 day codes, Monday first.
var WeekdayCodes = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// Positions are the weeks of the month the form offers (-1: the last).
var Positions = []int{1, 2, 3, 4, -1}

var codeWeekday = map[string]rrule.Weekday{
	"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR, "SA": rrule.SA, "SU": rrule.SU,
}

// Bounds that keep every expansion cheap, whatever the editor typed.
const (
	maxInterval = 52
	maxCount    = 1000
	// ruleHorizon: a rule must give a collection within this many years of
	// its start (a rule that never matches is a typing error).
	ruleHorizon = 2
)

// RuleInput is the recurrence part of the schedule form, as typed.
type RuleInput struct {
	Freq      string
	Days      []string // day codes (weekly, biweekly, monthly)
	Positions []string // "1".."4", "-1" (monthly)
	Custom    string   // FreqCustom: an RRULE value
}

// rule returns the RRULE value the form describes, adding its errors to
// errs (fields "freq", "days", "positions", "custom").
func (in RuleInput) rule(errs valid.Errors) string {
	if in.Freq == FreqCustom {
		r, key := NormalizeRule(in.Custom)
		if key != "" {
			errs.Add("custom", key)
		}
		return r
	}
	var days []rrule.Weekday
	for _, c := range WeekdayCodes { // canonical order, no duplicates
		if slices.Contains(in.Days, c) {
			days = append(days, codeWeekday[c])
		}
	}
	for _, c := range in.Days {
		if _, ok := codeWeekday[c]; !ok {
			errs.Add("days", "collecte.error.choice")
		}
	}
	if len(days) == 0 {
		errs.Add("days", "collecte.error.days_required")
	}
	opt := rrule.ROption{Byweekday: days}
	switch in.Freq {
	case FreqWeekly:
		opt.Freq = rrule.WEEKLY
	case FreqBiweekly:
		opt.Freq, opt.Interval = rrule.WEEKLY, 2
	case FreqMonthly:
		opt.Freq = rrule.MONTHLY
		var pos []int
		for _, p := range Positions {
			if slices.Contains(in.Positions, strconv.Itoa(p)) {
				pos = append(pos, p)
			}
		}
		if len(pos) == 0 {
			errs.Add("positions", "collecte.error.positions_required")
		}
		opt.Byweekday = nil
		for _, p := range pos {
			for _, d := range days {
				opt.Byweekday = append(opt.Byweekday, d.Nth(p))
			}
		}
	default:
		errs.Add("freq", "collecte.error.freq_required")
		return ""
	}
	if len(errs) > 0 {
		return ""
	}
	return opt.RRuleString()
}

// NormalizeRule checks an RRULE value typed by an editor (with or without
// "RRULE:") and returns it in canonical form, or the catalogue key of what
// is wrong. Only the parts a collection schedule needs are accepted, so that
// no rule can make an expansion expensive: FREQ WEEKLY, MONTHLY or YEARLY,
// INTERVAL up to 52, COUNT up to 1000, UNTIL, BYDAY, BYMONTHDAY, BYMONTH,
// BYSETPOS.
func NormalizeRule(s string) (string, string) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "RRULE:")
	if s == "" {
		return "", "collecte.error.rule_required"
	}
	if len(s) > maxRuleLen {
		return "", "collecte.error.rule_invalid"
	}
	opt, err := rrule.StrToROption(s)
	if err != nil || opt == nil {
		return "", "collecte.error.rule_invalid"
	}
	switch opt.Freq {
	case rrule.WEEKLY, rrule.MONTHLY, rrule.YEARLY:
	default:
		return "", "collecte.error.rule_freq"
	}
	if len(opt.Byyearday)+len(opt.Byweekno)+len(opt.Byeaster)+len(opt.Byhour)+len(opt.Byminute)+len(opt.Bysecond) > 0 ||
		(opt.Freq == rrule.WEEKLY && len(opt.Bymonthday) > 0) {
		return "", "collecte.error.rule_parts"
	}
	if opt.Interval > maxInterval || opt.Count > maxCount || opt.Interval < 0 || opt.Count < 0 {
		return "", "collecte.error.rule_bounds"
	}
	for _, wd := range opt.Byweekday {
		if n := wd.N(); opt.Freq == rrule.WEEKLY && n != 0 || opt.Freq == rrule.MONTHLY && (n > 5 || n < -5) {
			return "", "collecte.error.rule_invalid"
		}
	}
	if _, err := rrule.NewRRule(*opt); err != nil { // the bounds of every part
		return "", "collecte.error.rule_invalid"
	}
	opt.Dtstart = time.Time{} // the start is the schedule's own field
	if !opt.Until.IsZero() {
		y, m, d := opt.Until.Date()
		opt.Until = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return opt.RRuleString(), ""
}

// compile builds the rule of a schedule, from start (civil date), bounded
// by end when set.
func compile(rule string, start, end time.Time) (*rrule.RRule, error) {
	opt, err := rrule.StrToROption(rule)
	if err != nil {
		return nil, err
	}
	opt.Dtstart = start
	if !end.IsZero() && (opt.Until.IsZero() || end.Before(opt.Until)) {
		opt.Until = end
	}
	return rrule.NewRRule(*opt)
}

// dates returns the dates of a schedule in [from, to).
func (sc Schedule) dates(from, to time.Time) []time.Time {
	r, err := compile(sc.Rule, sc.Start, sc.End)
	if err != nil {
		return nil // validated on write: only a hand-edited database gets here
	}
	out := r.Between(from, to, true)
	if n := len(out); n > 0 && !out[n-1].Before(to) {
		out = out[:n-1]
	}
	return out
}

// RuleSummary is what a rule means, for the French sentence the web layer
// writes ("Chaque mardi", "Un jeudi sur deux", "Le 1er et le 3e mercredi du
// mois"); FreqCustom when the rule is not one of the form's shapes.
type RuleSummary struct {
	Freq      string
	Days      []time.Weekday
	Positions []int
	Rule      string // the RRULE value (always set)
}

// Summarize reads a stored rule.
func Summarize(rule string) RuleSummary {
	sum := RuleSummary{Freq: FreqCustom, Rule: rule}
	opt, err := rrule.StrToROption(rule)
	if err != nil || opt.Count != 0 || !opt.Until.IsZero() || len(opt.Bymonth)+len(opt.Bymonthday)+len(opt.Bysetpos) > 0 || len(opt.Byweekday) == 0 {
		return sum
	}
	interval := opt.Interval
	if interval == 0 {
		interval = 1
	}
	days := map[time.Weekday]bool{}
	pos := map[int]bool{}
	for _, wd := range opt.Byweekday {
		days[goWeekday(wd)] = true
		pos[wd.N()] = true
	}
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		if days[d] {
			sum.Days = append(sum.Days, d)
		}
	}
	switch {
	case opt.Freq == rrule.WEEKLY && !pos[0] || opt.Freq == rrule.WEEKLY && len(pos) != 1:
		return RuleSummary{Freq: FreqCustom, Rule: rule}
	case opt.Freq == rrule.WEEKLY && interval == 1:
		sum.Freq = FreqWeekly
	case opt.Freq == rrule.WEEKLY && interval == 2:
		sum.Freq = FreqBiweekly
	case opt.Freq == rrule.MONTHLY && interval == 1 && !pos[0] && len(days)*len(pos) == len(opt.Byweekday):
		sum.Freq = FreqMonthly
		for _, p := range Positions {
			if pos[p] {
				sum.Positions = append(sum.Positions, p)
			}
		}
		if len(sum.Positions) != len(pos) { // a position the form does not offer (5th)
			return RuleSummary{Freq: FreqCustom, Rule: rule}
		}
	default:
		return RuleSummary{Freq: FreqCustom, Rule: rule}
	}
	return sum
}

// InputFromRule fills the form from a stored rule.
func InputFromRule(rule string) RuleInput {
	sum := Summarize(rule)
	in := RuleInput{Freq: sum.Freq}
	if sum.Freq == FreqCustom {
		in.Custom = rule
		return in
	}
	for _, d := range sum.Days {
		in.Days = append(in.Days, WeekdayCodes[(int(d)+6)%7])
	}
	for _, p := range sum.Positions {
		in.Positions = append(in.Positions, strconv.Itoa(p))
	}
	return in
}

func goWeekday(wd rrule.Weekday) time.Weekday { return time.Weekday((wd.Day() + 1) % 7) }
