package calendar

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// randomPlainRule draws a rule of the shapes the form writes (and a few
// more that plainRuleOf accepts), with its bounds.
func randomPlainRule(r *rand.Rand) string {
	days := []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
	var parts []string
	switch r.IntN(4) {
	case 0:
		parts = append(parts, "FREQ=DAILY")
	case 1:
		parts = append(parts, "FREQ=WEEKLY")
		if r.IntN(5) > 0 {
			var by []string
			for _, d := range days {
				if r.IntN(3) == 0 {
					by = append(by, d)
				}
			}
			if len(by) > 0 {
				parts = append(parts, "BYDAY="+strings.Join(by, ","))
			}
		}
	case 2:
		parts = append(parts, "FREQ=MONTHLY")
		switch r.IntN(3) {
		case 0:
			parts = append(parts, fmt.Sprintf("BYMONTHDAY=%d", 1+r.IntN(31)))
		case 1:
			n := []int{1, 2, 3, 4, 5, -1, -2, -5}[r.IntN(8)]
			parts = append(parts, fmt.Sprintf("BYDAY=%d%s", n, days[r.IntN(7)]))
		}
	default:
		parts = append(parts, "FREQ=YEARLY")
		switch r.IntN(3) {
		case 0:
			parts = append(parts, fmt.Sprintf("BYMONTH=%d;BYMONTHDAY=%d", 1+r.IntN(12), []int{1, 15, 28, 29, 30, 31}[r.IntN(6)]))
		case 1:
			parts = append(parts, fmt.Sprintf("BYMONTH=%d", 1+r.IntN(12)))
		}
	}
	if r.IntN(2) == 0 {
		parts = append(parts, fmt.Sprintf("INTERVAL=%d", 1+r.IntN(5)))
	}
	switch r.IntN(3) {
	case 0:
		parts = append(parts, fmt.Sprintf("COUNT=%d", 1+r.IntN(80)))
	case 1:
		until := time.Date(2024+r.IntN(6), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), 0, 0, 0, time.UTC)
		parts = append(parts, "UNTIL="+until.Format("20060102T150405Z"))
	}
	return strings.Join(parts, ";")
}

// TestPlainRuleMatchesRRule holds the date-arithmetic expansion of plain
// rules to rrule-go's: the same occurrences from the start (counts, ends,
// 29 February, 31st of months, 5th weekdays, DST gaps and overlaps in
// several zones), and the same occurrences in windows, where the plain
// engine skips ahead.
func TestPlainRuleMatchesRRule(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	// Not America/Santiago: see TestPlainRuleAcrossMidnightDSTChange.
	zones := []*time.Location{paris, mustLoc("America/New_York"), mustLoc("Australia/Lord_Howe"), mustLoc("Asia/Jerusalem"), time.UTC}
	plainSeen := 0
	for i := range 4000 {
		loc := zones[i%len(zones)]
		rule := randomPlainRule(r)
		var start time.Time
		if i%3 == 0 { // around a DST change: wall times in the gap or the overlap
			trans := transitions(loc, 2024+r.IntN(3))
			if len(trans) > 0 {
				tr := trans[r.IntN(len(trans))]
				start = tr.at.Add(time.Duration(r.IntN(5)-2) * 30 * time.Minute).In(loc)
			}
		}
		if start.IsZero() {
			start = time.Date(2023+r.IntN(3), time.Month(1+r.IntN(12)), 1+r.IntN(31), r.IntN(24), 15*r.IntN(4), 0, 0, loc)
		}
		end := start.Add(time.Duration(1+r.IntN(50)) * time.Hour)
		ser, err := newSeries(start, end, rule, loc)
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		if !ser.isPlain {
			t.Fatalf("%s is not recognised as plain", rule)
		}
		plainSeen++
		rr, err := ser.rrule()
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		walk := func(next func() (time.Time, bool), n int) []time.Time {
			var out []time.Time
			for range n {
				o, ok := next()
				if !ok {
					break
				}
				out = append(out, o)
			}
			return out
		}
		got, want := walk(ser.iterator(), 400), walk(rr.Iterator(), 400)
		same := func(a, b time.Time) bool { return a.Equal(b) && a.Location() == b.Location() }
		if !slices.EqualFunc(got, want, same) {
			for k := range min(len(got), len(want)) {
				if !same(got[k], want[k]) {
					t.Logf("first difference at %d: plain %v, rrule-go %v", k, got[k], want[k])
					break
				}
			}
			t.Fatalf("%s from %v (%s): plain %d occurrences %v…, rrule-go %d %v…", rule, start, loc, len(got), head(got), len(want), head(want))
		}
		from := start.AddDate(0, 0, r.IntN(1500)-30)
		to := from.AddDate(0, 0, 1+r.IntN(60))
		fast := ser.between(from, to, maxPerEvent)
		var slow []time.Time
		next := rr.Iterator()
		for {
			o, ok := next()
			if !ok || !o.Before(to) {
				break
			}
			if ser.endFor(o).After(from) {
				slow = append(slow, o)
			}
		}
		if !slices.EqualFunc(fast, slow, same) {
			t.Fatalf("%s from %v (%s) in [%v, %v): plain %v, rrule-go %v", rule, start, loc, from, to, fast, slow)
		}
	}
	if plainSeen < 4000 {
		t.Fatalf("only %d plain rules", plainSeen)
	}
}

func head(ts []time.Time) []time.Time { return ts[:min(len(ts), 4)] }

// TestOtherRulesUseRRule: rules outside the plain shapes are still
// expanded, by rrule-go.
func TestOtherRulesUseRRule(t *testing.T) {
	start := time.Date(2026, 1, 5, 10, 0, 0, 0, paris)
	for _, rule := range []string{"FREQ=MONTHLY;BYDAY=MO,TU", "FREQ=YEARLY;BYMONTHDAY=1", "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR",
		"FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SU,MO", "FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO"} {
		ser, err := newSeries(start, start.Add(time.Hour), rule, paris)
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		if ser.isPlain {
			t.Fatalf("%s taken as plain", rule)
		}
		if n := len(ser.between(start, start.AddDate(1, 0, 0), maxPerEvent)); n == 0 {
			t.Fatalf("%s: no occurrence", rule)
		}
	}
}

// TestPlainRuleAcrossMidnightDSTChange: where clocks jump at midnight
// (Santiago, 7 September 2025, 00:00 → 01:00), rrule-go's day arithmetic
// on local midnights yields 6 September twice and loses the 7th; the plain
// engine gives each day once. This is the one known difference, and only
// in zones that change at midnight.
func TestPlainRuleAcrossMidnightDSTChange(t *testing.T) {
	loc := mustLoc("America/Santiago")
	start := time.Date(2025, 9, 3, 23, 30, 0, 0, loc)
	ser, err := newSeries(start, start.Add(time.Hour), "FREQ=DAILY", loc)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range ser.between(start, start.AddDate(0, 0, 7), 100) {
		got = append(got, o.Format("01-02 15:04"))
	}
	want := []string{"09-03 23:30", "09-04 23:30", "09-05 23:30", "09-06 23:30", "09-07 23:30", "09-08 23:30", "09-09 23:30"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestPlainRuleWithoutDates: a rule that matches no date (30 February,
// only reachable by import) ends, as with rrule-go, without an occurrence.
func TestPlainRuleWithoutDates(t *testing.T) {
	start := time.Date(2026, 1, 30, 10, 0, 0, 0, paris)
	ser, err := newSeries(start, start.Add(time.Hour), "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", paris)
	if err != nil || !ser.isPlain {
		t.Fatalf("%v plain=%v", err, ser != nil && ser.isPlain)
	}
	if _, _, err := ser.bounds(); err == nil {
		t.Fatal("a rule without dates was accepted")
	}
	if got := ser.between(start, start.AddDate(100, 0, 0), 10); len(got) != 0 {
		t.Fatalf("occurrences %v", got)
	}
}

// FuzzPlainRuleMatchesRRule: any stored rule that plainRuleOf takes must
// expand as rrule-go expands it (Paris, where clocks change at night).
func FuzzPlainRuleMatchesRRule(f *testing.F) {
	for _, s := range []string{"FREQ=WEEKLY;BYDAY=2MO,TU", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=7", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;INTERVAL=3",
		"FREQ=DAILY;UNTIL=20270101T000000Z", "FREQ=MONTHLY;BYMONTHDAY=31;INTERVAL=2", "FREQ=YEARLY;BYMONTH=10", "FREQ=WEEKLY;WKST=MO;INTERVAL=3"} {
		f.Add(s, int64(1767261600), uint16(90))
	}
	f.Fuzz(func(t *testing.T, rule string, startUnix int64, hours uint16) {
		if startUnix < 0 || startUnix > 4102444800 { // 1970..2100
			return
		}
		start := time.Unix(startUnix, 0).In(paris)
		ser, err := newSeries(start, start.Add(time.Duration(hours)*time.Hour), rule, paris)
		if err != nil || !ser.isPlain {
			return
		}
		rr, err := ser.rrule()
		if err != nil {
			return // rrule-go refuses what plainRuleOf took: nothing to compare
		}
		next, want := ser.iterator(), rr.Iterator()
		for i := range 200 {
			a, okA := next()
			b, okB := want()
			if okA != okB || okA && !a.Equal(b) {
				t.Fatalf("%s from %v, occurrence %d: plain %v %v, rrule-go %v %v", rule, start, i, a, okA, b, okB)
			}
			if !okA {
				break
			}
		}
	})
}
