package calendar

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"syscall"
	"testing"
	"time"

	"portique/internal/access"
)

// benchWorld: 20 calendars, 2,000 events of which 300 recurring (weekly,
// twice a week, monthly by weekday and by day, yearly, daily for a week),
// spread over a year, and a member of a group that may see every calendar.
func benchWorld(b *testing.B) (*fixture, access.Principal) {
	f := newFixture(b)
	f.s.index = nil
	member := f.user("tout@sydrav.fr", "Tous")
	g := f.group("Tous")
	var cals []string
	for i := range 20 {
		id := f.calendar(fmt.Sprintf("Agenda %02d", i), access.Grant{GroupID: g, Level: access.View})
		cals = append(cals, strconv.FormatInt(id, 10))
	}
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, paris)
	freqs := []RecurrenceForm{
		{Freq: FreqWeekly, Weekdays: []string{"MO"}},
		{Freq: FreqWeekly, Weekdays: []string{"TU", "TH"}, End: EndCount, Count: "60"},
		{Freq: FreqDaily, End: EndCount, Count: "5"}, // a training week
		{Freq: FreqMonthly, MonthlyBy: "weekday", SetPos: "-1", Weekday: "FR"},
		{Freq: FreqMonthly, MonthlyBy: "day"},
		{Freq: FreqYearly},
	}
	for i := range 2000 {
		d := base.AddDate(0, 0, r.IntN(365))
		h := 8 + r.IntN(10)
		form := EventForm{CalendarID: cals[i%20], Title: fmt.Sprintf("Événement %d", i), Location: "Siège",
			StartDate: d.Format("2006-01-02"), StartTime: fmt.Sprintf("%02d:00", h), EndTime: fmt.Sprintf("%02d:30", h+1)}
		if i < 300 {
			form.StartDate = base.AddDate(0, 0, r.IntN(60)).Format("2006-01-02")
			form.Recurrence = freqs[i%len(freqs)]
		}
		if _, err := f.s.CreateEvent(f.ctx, as(admin), form); err != nil {
			b.Fatal(err)
		}
	}
	return f, member
}

// cpuTime is the process's user+system CPU time. Benchmarks report it per
// operation ("cpu-ms/op") next to wall time, which on a shared 2-core
// machine mostly measures the other processes.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkMonthView measures the data of a month grid (six weeks, Monday
// to Sunday) for a member who sees all 20 calendars.
func BenchmarkMonthView(b *testing.B) { benchMonthView(b, false) }

// BenchmarkMonthViewCold is BenchmarkMonthView with the parsed-rule cache
// emptied before every view: every rule is parsed again.
func BenchmarkMonthViewCold(b *testing.B) { benchMonthView(b, true) }

func benchMonthView(b *testing.B, cold bool) {
	f, member := benchWorld(b)
	from := time.Date(2026, 9, 28, 0, 0, 0, 0, paris)
	to := from.AddDate(0, 0, 42)
	n := 0
	b.ResetTimer()
	start := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		if cold {
			ForgetParsedRules()
		}
		occ, err := f.s.Occurrences(context.Background(), member, from, to, Filter{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(occ)
	}
	b.ReportMetric(float64(n), "occurrences")
}

// BenchmarkFeed measures the personal ICS feed of that member.
func BenchmarkFeed(b *testing.B) {
	f, member := benchWorld(b)
	f.now = time.Date(2026, 9, 1, 0, 0, 0, 0, paris)
	b.ResetTimer()
	start := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		if err := f.s.WriteFeed(context.Background(), io.Discard, member, FeedOptions{Name: "Agenda"}); err != nil {
			b.Fatal(err)
		}
	}
}
