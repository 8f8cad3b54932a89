package calendar

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"portique/internal/i18n"
	"portique/internal/valid"
)

// expandForm validates a form in Paris and expands it over [from, to).
func expandForm(t *testing.T, f EventForm, from, to time.Time) []string {
	t.Helper()
	f.CalendarID = "1"
	v, err := f.validate(paris, nil)
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	ser, err := newSeries(v.start, v.end, v.rule, paris)
	if err != nil {
		t.Fatalf("series %q: %v", v.rule, err)
	}
	first, _, err := ser.bounds()
	if err != nil {
		t.Fatalf("bounds: %v", err)
	}
	if !first.Equal(v.start) {
		ser, _ = newSeries(first, ser.endFor(first), v.rule, paris)
	}
	var out []string
	for _, s := range ser.between(from, to, 100) {
		out = append(out, s.In(paris).Format("2006-01-02 15:04 MST")+"→"+ser.endFor(s).In(paris).Format("15:04"))
	}
	return out
}

func TestRecurrenceExpansion(t *testing.T) {
	cases := []struct {
		name     string
		form     EventForm
		from, to time.Time
		want     []string
	}{
		{
			name: "weekly Monday 18:00 across the March DST change",
			form: EventForm{Title: "Réunion technique", StartDate: "2026-03-16", StartTime: "18:00", EndTime: "19:30",
				Recurrence: RecurrenceForm{Freq: FreqWeekly, Weekdays: []string{"MO"}}},
			from: day(2026, 3, 1), to: day(2026, 4, 7),
			want: []string{"2026-03-16 18:00 CET→19:30", "2026-03-23 18:00 CET→19:30", "2026-03-30 18:00 CEST→19:30", "2026-04-06 18:00 CEST→19:30"},
		},
		{
			name: "weekly Monday 18:00 across the October DST change into November",
			form: EventForm{Title: "Réunion technique", StartDate: "2026-10-12", StartTime: "18:00", EndTime: "19:00",
				Recurrence: RecurrenceForm{Freq: FreqWeekly, Weekdays: []string{"MO"}}},
			from: day(2026, 10, 1), to: day(2026, 11, 10),
			want: []string{"2026-10-12 18:00 CEST→19:00", "2026-10-19 18:00 CEST→19:00", "2026-10-26 18:00 CET→19:00", "2026-11-02 18:00 CET→19:00", "2026-11-09 18:00 CET→19:00"},
		},
		{
			name: "daily through the night of the spring change keeps 09:00",
			form: EventForm{Title: "Permanence", StartDate: "2026-03-28", StartTime: "09:00", EndTime: "10:00",
				Recurrence: RecurrenceForm{Freq: FreqDaily, End: EndCount, Count: "3"}},
			from: day(2026, 3, 1), to: day(2026, 4, 30),
			want: []string{"2026-03-28 09:00 CET→10:00", "2026-03-29 09:00 CEST→10:00", "2026-03-30 09:00 CEST→10:00"},
		},
		{
			name: "weekly Tuesday and Thursday every 2 weeks until a date (inclusive)",
			form: EventForm{Title: "Tournée", StartDate: "2026-01-06", StartTime: "08:00", EndTime: "12:00",
				Recurrence: RecurrenceForm{Freq: FreqWeekly, Interval: "2", Weekdays: []string{"TH", "TU"}, End: EndUntil, Until: "2026-02-03"}},
			from: day(2026, 1, 1), to: day(2026, 3, 1),
			want: []string{"2026-01-06 08:00 CET→12:00", "2026-01-08 08:00 CET→12:00", "2026-01-20 08:00 CET→12:00", "2026-01-22 08:00 CET→12:00", "2026-02-03 08:00 CET→12:00"},
		},
		{
			name: "monthly on the 2nd Tuesday",
			form: EventForm{Title: "Bureau", StartDate: "2026-01-13", StartTime: "14:00", EndTime: "16:00",
				Recurrence: RecurrenceForm{Freq: FreqMonthly, MonthlyBy: "weekday", SetPos: "2", Weekday: "TU", End: EndCount, Count: "4"}},
			from: day(2026, 1, 1), to: day(2026, 12, 31),
			want: []string{"2026-01-13 14:00 CET→16:00", "2026-02-10 14:00 CET→16:00", "2026-03-10 14:00 CET→16:00", "2026-04-14 14:00 CEST→16:00"},
		},
		{
			name: "monthly on the last Friday, typed on a day that does not match",
			form: EventForm{Title: "Comité syndical", StartDate: "2026-01-05", StartTime: "18:00", EndTime: "20:00",
				Recurrence: RecurrenceForm{Freq: FreqMonthly, MonthlyBy: "weekday", SetPos: "-1", Weekday: "FR", End: EndCount, Count: "3"}},
			from: day(2026, 1, 1), to: day(2026, 12, 31),
			want: []string{"2026-01-30 18:00 CET→20:00", "2026-02-27 18:00 CET→20:00", "2026-03-27 18:00 CET→20:00"},
		},
		{
			name: "monthly by day 31 skips short months",
			form: EventForm{Title: "Clôture", StartDate: "2026-01-31", StartTime: "10:00", EndTime: "11:00",
				Recurrence: RecurrenceForm{Freq: FreqMonthly, MonthlyBy: "day", End: EndCount, Count: "3"}},
			from: day(2026, 1, 1), to: day(2026, 12, 31),
			want: []string{"2026-01-31 10:00 CET→11:00", "2026-03-31 10:00 CEST→11:00", "2026-05-31 10:00 CEST→11:00"},
		},
		{
			name: "yearly all-day on 29 February falls on leap years",
			form: EventForm{Title: "Bissextile", StartDate: "2028-02-29", AllDay: true,
				Recurrence: RecurrenceForm{Freq: FreqYearly}},
			from: day(2028, 1, 1), to: day(2036, 12, 31),
			want: []string{"2028-02-29 00:00 CET→00:00", "2032-02-29 00:00 CET→00:00", "2036-02-29 00:00 CET→00:00"},
		},
		{
			name: "endless daily series is bounded by the window",
			form: EventForm{Title: "Astreinte", StartDate: "2020-01-01", StartTime: "07:00", EndTime: "07:30",
				Recurrence: RecurrenceForm{Freq: FreqDaily}},
			from: day(2026, 6, 1), to: day(2026, 6, 4),
			want: []string{"2026-06-01 07:00 CEST→07:30", "2026-06-02 07:00 CEST→07:30", "2026-06-03 07:00 CEST→07:30"},
		},
		{
			name: "an occurrence that started before the window but overlaps it is kept",
			form: EventForm{Title: "Salon", StartDate: "2026-05-30", EndDate: "2026-06-02", AllDay: true},
			from: day(2026, 6, 1), to: day(2026, 7, 1),
			want: []string{"2026-05-30 00:00 CEST→00:00"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := expandForm(t, c.form, c.from, c.to)
			if !slices.Equal(got, c.want) {
				t.Fatalf("occurrences:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestTenYearsDailyIsBounded(t *testing.T) {
	f := EventForm{CalendarID: "1", Title: "Relevé", StartDate: "2026-01-01", StartTime: "06:00", EndTime: "06:15",
		Recurrence: RecurrenceForm{Freq: FreqDaily, End: EndUntil, Until: "2035-12-31"}}
	v, err := f.validate(paris, nil)
	if err != nil {
		t.Fatal(err)
	}
	ser, _ := newSeries(v.start, v.end, v.rule, paris)
	_, last, err := ser.bounds()
	if err != nil || last == nil {
		t.Fatalf("bounds: %v %v", last, err)
	}
	if got := last.In(paris).Format("2006-01-02 15:04"); got != "2035-12-31 06:15" {
		t.Fatalf("series end = %s", got)
	}
	got := ser.between(day(2031, 7, 1), day(2031, 8, 1), maxPerEvent)
	if len(got) != 31 {
		t.Fatalf("July 2031 has %d occurrences, want 31", len(got))
	}
	// A window of the whole series is cut by the per-event cap.
	if n := len(ser.between(day(2026, 1, 1), day(2036, 1, 1), maxPerEvent)); n != maxPerEvent {
		t.Fatalf("uncapped expansion: %d", n)
	}
}

func TestRecurrenceValidation(t *testing.T) {
	base := EventForm{CalendarID: "1", Title: "Réunion", StartDate: "2026-03-02", StartTime: "18:00", EndTime: "19:00"}
	cases := []struct {
		name  string
		edit  func(*EventForm)
		field string
		key   string // the catalogue key of the field's error
		want  string // part of its French text
	}{
		{"end before start", func(f *EventForm) { f.EndTime = "17:00" }, "fin_heure", "calendar.error.end_before_start", "après le début"},
		{"end date before start date", func(f *EventForm) { f.EndDate = "2026-03-01" }, "fin_heure", "calendar.error.end_before_start", "après le début"},
		{"all-day end before start", func(f *EventForm) { f.AllDay = true; f.EndDate = "2026-03-01" }, "fin_date", "calendar.error.end_day_before_start", "jour du début"},
		{"bad start date", func(f *EventForm) { f.StartDate = "02/03/2026" }, "debut_date", "calendar.error.start_date", "AAAA-MM-JJ"},
		{"bad time", func(f *EventForm) { f.StartTime = "25:00" }, "debut_heure", "calendar.error.start_time", "HH:MM"},
		{"missing title", func(f *EventForm) { f.Title = "  " }, "titre", "calendar.error.title_required", "titre"},
		{"30 February yearly", func(f *EventForm) {
			f.Recurrence = RecurrenceForm{Freq: FreqYearly, Month: "2", MonthDay: "30"}
		}, "jour_du_mois", "calendar.error.rec_no_such_day.2", "30 février n’existe pas"},
		{"31 April yearly", func(f *EventForm) {
			f.Recurrence = RecurrenceForm{Freq: FreqYearly, Month: "4", MonthDay: "31"}
		}, "jour_du_mois", "calendar.error.rec_no_such_day.4", "31 avril"},
		{"unknown frequency", func(f *EventForm) { f.Recurrence.Freq = "hourly" }, "repetition", "calendar.error.rec_frequency", "fréquence"},
		{"interval zero", func(f *EventForm) { f.Recurrence = RecurrenceForm{Freq: FreqDaily, Interval: "0"} }, "intervalle", "calendar.error.rec_interval", "entre 1 et 99"},
		{"count too large", func(f *EventForm) {
			f.Recurrence = RecurrenceForm{Freq: FreqDaily, End: EndCount, Count: "100000"}
		}, "occurrences", "calendar.error.rec_count", "entre 1 et 5000"},
		{"until before start", func(f *EventForm) {
			f.Recurrence = RecurrenceForm{Freq: FreqDaily, End: EndUntil, Until: "2026-01-01"}
		}, "jusqu_au", "calendar.error.rec_until_before_start", "jour du début ou après"},
		{"until too far", func(f *EventForm) {
			f.Recurrence = RecurrenceForm{Freq: FreqDaily, End: EndUntil, Until: "2099-01-01"}
		}, "jusqu_au", "calendar.error.rec_until_too_far", "30 ans"},
		{"bad weekday", func(f *EventForm) { f.Recurrence = RecurrenceForm{Freq: FreqWeekly, Weekdays: []string{"XX"}} }, "jours", "calendar.error.rec_weekdays", "jours"},
		{"bad monthly position", func(f *EventForm) {
			f.Recurrence = RecurrenceForm{Freq: FreqMonthly, MonthlyBy: "weekday", SetPos: "7"}
		}, "position", "calendar.error.rec_position", "dernier"},
		{"bad document list", func(f *EventForm) { f.Documents = "12, abc" }, "documents", "calendar.error.documents", "numéros"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := base
			c.edit(&f)
			_, err := f.validate(paris, nil)
			ve := wantKey(t, err, c.field, c.key)
			if msg := fr.T(ve[c.field].Key, ve[c.field].Args...); !strings.Contains(msg, c.want) {
				t.Fatalf("field %s = %q (all: %v), want it to mention %q", c.field, msg, ve, c.want)
			}
		})
	}
}

func TestAttributeValidation(t *testing.T) {
	attrs := []Attribute{
		{ID: 1, Key: "instance", Label: "Instance", Type: AttrChoice, Choices: []string{"Comité syndical", "Bureau"}},
		{ID: 2, Key: "quorum", Label: "Quorum requis", Type: AttrNumber},
		{ID: 3, Key: "visio", Label: "Lien de visioconférence", Type: AttrLink},
		{ID: 4, Key: "date-limite", Label: "Date limite", Type: AttrDate},
		{ID: 5, Key: "public", Label: "Ouvert au public", Type: AttrBool},
	}
	f := EventForm{CalendarID: "1", Title: "Comité", StartDate: "2026-03-02", StartTime: "18:00", Attributes: map[string]string{
		"instance": "Conseil", "quorum": "douze", "visio": "javascript:alert(1)", "date-limite": "demain", "public": "peut-être",
	}}
	_, err := f.validate(paris, attrs)
	var ve valid.Errors
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	for k, want := range map[string]string{"attr_instance": "calendar.error.attr_choice", "attr_quorum": "calendar.error.attr_number",
		"attr_visio": "calendar.error.attr_link", "attr_date-limite": "calendar.error.attr_date", "attr_public": "calendar.error.attr_bool"} {
		if ve.Key(k) != want {
			t.Errorf("error for %s = %v, want %s (all: %v)", k, ve[k], want, ve)
		}
	}
	// The message names the attribute.
	if msg := fr.T(ve["attr_quorum"].Key, ve["attr_quorum"].Args...); !strings.Contains(msg, "« Quorum requis »") {
		t.Errorf("attr_quorum message %q", msg)
	}
	f.Attributes = map[string]string{"instance": "Bureau", "quorum": "12,5", "visio": "https://visio.example.org/abc", "date-limite": "2026-02-20", "public": "on"}
	v, err := f.validate(paris, attrs)
	if err != nil {
		t.Fatal(err)
	}
	if v.attrs[1] != "Bureau" || v.attrs[2] != "12.5" || v.attrs[5] != "oui" {
		t.Fatalf("normalised values = %v", v.attrs)
	}
}

func TestRecurrenceRoundTrip(t *testing.T) {
	start := time.Date(2026, 1, 13, 14, 0, 0, 0, paris)
	forms := []RecurrenceForm{
		{Freq: FreqDaily, Interval: "3", End: EndCount, Count: "10"},
		{Freq: FreqWeekly, Weekdays: []string{"MO", "WE"}, End: EndUntil, Until: "2026-06-30"},
		{Freq: FreqMonthly, MonthlyBy: "weekday", SetPos: "2", Weekday: "TU", End: EndNever},
		{Freq: FreqMonthly, MonthlyBy: "day", MonthDay: "13", End: EndNever},
		{Freq: FreqYearly, Month: "1", MonthDay: "13", End: EndNever},
	}
	for _, f := range forms {
		rule, err := f.Rule(start)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		back, err := RecurrenceFromRule(rule, paris)
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		again, err := back.Rule(start)
		if err != nil || again != rule {
			t.Fatalf("round trip %s → %+v → %s (%v)", rule, back, again, err)
		}
	}
}

func FuzzRecurrenceFromRule(f *testing.F) {
	for _, s := range []string{"FREQ=WEEKLY;BYDAY=MO", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
		"FREQ=DAILY;UNTIL=20261231T225959Z", "FREQ=SECONDLY", "FREQ=DAILY;COUNT=99999999", "RRULE:FREQ=DAILY\nDTSTART:20260101T000000Z", "FREQ=;", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rule string) {
		form, err := RecurrenceFromRule(rule, paris)
		if err != nil {
			return
		}
		// Whatever the form holds, turning it back into a rule must not panic
		// and a rule it accepts must expand within bounds.
		start := time.Date(2026, 1, 13, 14, 0, 0, 0, paris)
		r, err := form.Rule(start)
		if err != nil || r == "" {
			return
		}
		ser, err := newSeries(start, start.Add(time.Hour), r, paris)
		if err != nil {
			t.Fatalf("rule %q from the form does not parse: %v", r, err)
		}
		if n := len(ser.between(start, start.AddDate(2, 0, 0), maxPerEvent)); n > maxPerEvent {
			t.Fatalf("%d occurrences", n)
		}
	})
}

// FuzzEventForm validates forms of any content (web reads them from the
// request, see web's parseEventForm): whatever is typed, validation gives
// valid.Errors or values whose series parses and stays bounded.
func FuzzEventForm(f *testing.F) {
	// title, start date, start time, end date, end time, all day, frequency,
	// interval, weekdays (comma-separated), monthly by, day of month, month,
	// position, weekday, end, until, count.
	f.Add("Réunion", "2026-03-02", "18:00", "", "19:00", false, "weekly", "", "MO", "", "", "", "", "", "count", "", "5")
	f.Add("X", "2026-02-28", "", "", "", true, "yearly", "", "", "", "30", "2", "", "", "", "", "")
	f.Add("X", "2026-01-31", "10:00", "", "", false, "monthly", "", "", "weekday", "", "", "-1", "FR", "", "", "")
	f.Add("X", "9999-99-99", "99:99", "", "", false, "daily", "-1", "", "", "", "", "", "", "until", "x", "")
	f.Fuzz(func(t *testing.T, title, startDate, startTime, endDate, endTime string, allDay bool,
		freq, interval, weekdays, monthlyBy, monthDay, month, setPos, weekday, end, until, count string) {
		form := EventForm{CalendarID: "1", Title: title, StartDate: startDate, StartTime: startTime, EndDate: endDate, EndTime: endTime, AllDay: allDay,
			Recurrence: RecurrenceForm{Freq: freq, Interval: interval, MonthlyBy: monthlyBy, MonthDay: monthDay, Month: month,
				SetPos: setPos, Weekday: weekday, End: end, Until: until, Count: count}}
		if weekdays != "" {
			form.Recurrence.Weekdays = strings.Split(weekdays, ",")
		}
		val, err := form.validate(paris, nil)
		if err != nil {
			var ve valid.Errors
			if !errors.As(err, &ve) {
				t.Fatalf("non-validation error %v", err)
			}
			for field, m := range ve {
				if msg := fr.T(m.Key, m.Args...); i18n.Missing(msg) || strings.Contains(msg, "%!") {
					t.Fatalf("field %s: message %q for %v", field, msg, m)
				}
			}
			return
		}
		if !val.end.After(val.start) {
			t.Fatalf("accepted end %v not after start %v", val.end, val.start)
		}
		ser, err := newSeries(val.start, val.end, val.rule, paris)
		if err != nil {
			t.Fatalf("accepted rule %q does not parse: %v", val.rule, err)
		}
		if _, _, err := ser.bounds(); err != nil {
			var ve valid.Errors
			if !errors.As(err, &ve) {
				t.Fatalf("bounds: %v", err)
			}
		}
	})
}

// TestFastForwardMatchesFullWalk checks that skipping ahead in long series
// yields exactly what walking them from their first occurrence yields.
func TestFastForwardMatchesFullWalk(t *testing.T) {
	rules := []string{
		"FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20291231T225959Z",
		"FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=2TU",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;INTERVAL=3;BYMONTH=10;BYMONTHDAY=31", "FREQ=DAILY",
	}
	starts := []time.Time{time.Date(2020, 1, 31, 18, 0, 0, 0, paris), time.Date(2021, 3, 28, 1, 30, 0, 0, paris), time.Date(2019, 10, 27, 23, 0, 0, 0, paris)}
	windows := [][2]time.Time{{day(2026, 3, 1), day(2026, 4, 15)}, {day(2026, 10, 20), day(2026, 11, 5)}, {day(2028, 2, 1), day(2028, 3, 5)}, {day(2019, 1, 1), day(2021, 1, 1)}}
	for _, r := range rules {
		for _, st := range starts {
			ser, err := newSeries(st, st.Add(26*time.Hour), r, paris)
			if err != nil {
				t.Fatalf("%s: %v", r, err)
			}
			for _, w := range windows {
				fast := ser.between(w[0], w[1], 5000)
				var slow []time.Time
				rr, err := ser.rrule()
				if err != nil {
					t.Fatal(err)
				}
				next := rr.Iterator()
				for {
					o, ok := next()
					if !ok || !o.Before(w[1]) {
						break
					}
					if ser.endFor(o).After(w[0]) {
						slow = append(slow, o)
					}
				}
				if !slices.EqualFunc(fast, slow, time.Time.Equal) {
					t.Fatalf("%s from %v in %v: fast %d occurrences, full walk %d", r, st, w, len(fast), len(slow))
				}
			}
		}
	}
}

// TestErrorKeysInCatalogue checks that every catalogue key the package's
// validation uses has its French text.
func TestErrorKeysInCatalogue(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keyRe := regexp.MustCompile(`"(calendar\.error\.[a-z_.0-9]+)"`)
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(src), -1) {
			keys := []string{m[1]}
			if strings.HasSuffix(m[1], ".") { // a key completed by a month number
				keys = nil
				for _, month := range []string{"2", "4", "6", "9", "11"} {
					keys = append(keys, m[1]+month)
				}
			}
			for _, k := range keys {
				n++
				if !fr.Has(k) {
					t.Errorf("%s: key %s is not in the catalogue", name, k)
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d keys found: the scan is broken", n)
	}
}
