package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/calendar"
	"portique/internal/dbtest"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCalendarMonthPage measures the whole month page (query,
// expansion, template, middleware) for a member who sees 20 calendars with
// 2,000 events, 300 of them recurring. cpu-ms/op is the process CPU time per
// page, less sensitive than wall time to other processes on the machine.
func BenchmarkCalendarMonthPage(b *testing.B) { benchCalendarMonthPage(b, false) }

// BenchmarkCalendarMonthPageCold is the same page with the calendar's
// parsed-rule cache emptied before every request.
func BenchmarkCalendarMonthPageCold(b *testing.B) { benchCalendarMonthPage(b, true) }

func benchCalendarMonthPage(b *testing.B, cold bool) {
	ctx := context.Background()
	d := dbtest.NewDB(b)
	srv := buildServer(b, testConfig(b), d, services.Options{NoSearch: true,
		Now: func() time.Time { return time.Date(2026, 10, 15, 9, 0, 0, 0, time.UTC) }})
	var g, uid int64
	if err := d.QueryRow(ctx, "INSERT INTO groups (name, created_at) VALUES ('Tous', ?) RETURNING id", time.Now().UTC()).Scan(&g); err != nil {
		b.Fatal(err)
	}
	if err := d.QueryRow(ctx, "INSERT INTO users (email, name, created_at) VALUES ('tout@sydrav.fr', 'Tout', ?) RETURNING id", time.Now().UTC()).Scan(&uid); err != nil {
		b.Fatal(err)
	}
	if _, err := d.Exec(ctx, "INSERT INTO memberships (user_id, group_id) VALUES (?, ?)", uid, g); err != nil {
		b.Fatal(err)
	}
	st := calendar.New(d, nil)
	var cals []string
	for i := range 20 {
		id, err := st.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: fmt.Sprintf("Agenda %02d", i), Colour: "#225588"}, []access.Grant{{GroupID: g, Level: access.View}})
		if err != nil {
			b.Fatal(err)
		}
		cals = append(cals, strconv.FormatInt(id, 10))
	}
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	freqs := []calendar.RecurrenceForm{
		{Freq: calendar.FreqWeekly, Weekdays: []string{"MO"}},
		{Freq: calendar.FreqWeekly, Weekdays: []string{"TU", "TH"}, End: calendar.EndCount, Count: "60"},
		{Freq: calendar.FreqDaily, End: calendar.EndCount, Count: "5"},
		{Freq: calendar.FreqMonthly, MonthlyBy: "weekday", SetPos: "-1", Weekday: "FR"},
		{Freq: calendar.FreqMonthly, MonthlyBy: "day"},
		{Freq: calendar.FreqYearly},
	}
	adm := access.Principal{Admin: true}
	for i := range 2000 {
		d := base.AddDate(0, 0, r.IntN(365))
		h := 8 + r.IntN(10)
		f := calendar.EventForm{CalendarID: cals[i%20], Title: fmt.Sprintf("Événement %d", i), Location: "Siège",
			StartDate: d.Format("2006-01-02"), StartTime: fmt.Sprintf("%02d:00", h), EndTime: fmt.Sprintf("%02d:30", h+1)}
		if i < 300 {
			f.StartDate = base.AddDate(0, 0, r.IntN(60)).Format("2006-01-02")
			f.Recurrence = freqs[i%len(freqs)]
		}
		if _, err := st.CreateEvent(ctx, access.Actor{Principal: adm}, f); err != nil {
			b.Fatal(err)
		}
	}
	token, err := srv.sessions.Create(ctx, uid, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	cookie := &http.Cookie{Name: srv.sessionCookieName(), Value: token}
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		if cold {
			calendar.ForgetParsedRules()
		}
		req := httptest.NewRequest(http.MethodGet, "/agenda?vue=mois&date=2026-10-15", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}
