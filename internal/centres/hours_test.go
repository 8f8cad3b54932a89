package centres_test

import (
	"strings"
	"testing"
	"time"

	"portique/internal/centres"
	"portique/internal/i18n"
)

func words(t testing.TB) *centres.Words {
	t.Helper()
	cat, err := i18n.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	return centres.WordsFrom(cat.T)
}

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return l
}()

const standard = `Été du 01/03 au 31/10
lundi au vendredi : 9h-12h, 14h-18h
samedi : 9h-18h
Hiver du 01/11 au 29/02
lundi au vendredi : 9h-12h, 14h-17h
samedi : 9h-17h`

func mustHours(t testing.TB, text, closures string, holidays bool) *centres.Hours {
	t.Helper()
	w := words(t)
	sch, errs := centres.ParseSchedule(text, w)
	if len(errs) > 0 {
		t.Fatalf("ParseSchedule: %+v", errs)
	}
	cl, errs := centres.ParseClosures(closures, w)
	if len(errs) > 0 {
		t.Fatalf("ParseClosures: %+v", errs)
	}
	return &centres.Hours{Schedule: sch, Closures: cl, OpenOnHolidays: holidays}
}

func TestParseSchedule(t *testing.T) {
	w := words(t)
	sch, errs := centres.ParseSchedule(standard, w)
	if len(errs) > 0 || len(sch.Seasons) != 2 {
		t.Fatalf("ParseSchedule = %+v, %+v", sch, errs)
	}
	if sch.Seasons[0].Name != "Été" || sch.Seasons[1].Name != "Hiver" {
		t.Fatalf("season names = %q, %q", sch.Seasons[0].Name, sch.Seasons[1].Name)
	}
	if got := centres.FormatRanges(sch.Seasons[0].Days[time.Tuesday]); got != "9h-12h, 14h-18h" {
		t.Fatalf("summer Tuesday = %q", got)
	}
	if sch.Seasons[0].Days[time.Sunday] != nil {
		t.Fatal("Sunday is open though no line names it")
	}
	// The canonical text reads back the same.
	again, errs := centres.ParseSchedule(sch.Format(w), w)
	if len(errs) > 0 || again.Format(w) != sch.Format(w) {
		t.Fatalf("round trip:\n%s\n---\n%s (%v)", sch.Format(w), again.Format(w), errs)
	}
	// The ways people write hours.
	for _, text := range []string{
		"LUNDI-VENDREDI : 09:00-12:00 / 14:00-18:00",
		"lun, mar, mer, jeu et ven : 9 h – 12 h et 14 h – 18 h",
		"Lundi au Vendredi 9h à 12h, 14h à 18h",
		"lundis au vendredis: 9h-12h;14h-18h",
	} {
		s, errs := centres.ParseSchedule(text, w)
		if len(errs) > 0 {
			t.Errorf("%q: %+v", text, errs)
			continue
		}
		for _, d := range []time.Weekday{time.Monday, time.Wednesday, time.Friday} {
			if got := centres.FormatRanges(s.Seasons[0].Days[d]); got != "9h-12h, 14h-18h" {
				t.Errorf("%q: %s = %q", text, d, got)
			}
		}
		if s.Seasons[0].Days[time.Saturday] != nil {
			t.Errorf("%q: Saturday open", text)
		}
	}
	// Errors name their line and what is wrong.
	for _, c := range []struct{ text, key string }{
		{"lundy : 9h-12h", "centres.hours.error.line"},
		{"lundi au vendrdi : 9h-12h", "centres.hours.error.day"},
		{"lundi : 9h-25h", "centres.hours.error.time"},
		{"lundi : 12h-9h", "centres.hours.error.order"},
		{"lundi : 9h-12h, 11h-14h", "centres.hours.error.overlap"},
		{"lundi : midi", "centres.hours.error.time"},
		{"lundi :", "centres.hours.error.no_hours"},
		{"lundi : 9h-12h\nlundi : 14h-18h", "centres.hours.error.day_twice"},
		{"Été du 31/02 au 01/03\nlundi : 9h-12h", "centres.hours.error.date"},
		{"Été du 01/03 au 31/10\nlundi : 9h-12h\nAutomne du 01/10 au 30/11\nlundi : 9h-12h", "centres.hours.error.season_overlap"},
	} {
		_, errs := centres.ParseSchedule(c.text, w)
		if len(errs) == 0 || errs[0].Key != c.key {
			t.Errorf("%q: errors %+v, want %s", c.text, errs, c.key)
		}
	}
}

// TestStatus computes "open now" with a fake clock around the cases that
// go wrong: DST changes, holidays, season boundaries, closures, midnight.
func TestStatus(t *testing.T) {
	std := mustHours(t, standard, "du 28/12/2026 au 02/01/2027 : travaux\n14/08/2026 : inventaire", false)
	allDay := mustHours(t, "lundi au dimanche : 0h-24h", "", true)
	night := mustHours(t, "vendredi : 18h-24h\nsamedi : 0h-2h, 9h-12h", "", true)
	holidayOpen := mustHours(t, "lundi au samedi : 8h30-18h30", "25/12/2026", true)
	type want struct {
		open bool
		at   string // Until when open, Next when closed, "Europe/Paris" wall clock; "" for none
	}
	cases := []struct {
		name string
		h    *centres.Hours
		now  string // Europe/Paris wall clock
		want want
	}{
		{"summer weekday morning", std, "2026-06-03 10:00", want{true, "2026-06-03 12:00"}},
		{"lunch break", std, "2026-06-03 12:30", want{false, "2026-06-03 14:00"}},
		{"closing instant", std, "2026-06-03 18:00", want{false, "2026-06-04 09:00"}},
		{"a minute before closing", std, "2026-06-03 17:59", want{true, "2026-06-03 18:00"}},
		{"saturday evening to monday", std, "2026-06-06 18:30", want{false, "2026-06-08 09:00"}},
		{"winter closes at 17h", std, "2026-12-01 16:30", want{true, "2026-12-01 17:00"}},
		{"last day of summer", std, "2026-10-31 17:30", want{true, "2026-10-31 18:00"}},
		{"first day of winter (a Sunday, All Saints)", std, "2026-11-01 10:00", want{false, "2026-11-02 09:00"}},
		{"29 February in winter", std, "2028-02-29 10:00", want{true, "2028-02-29 12:00"}},
		// DST: clocks go forward on Sunday 29 March 2026 at 2h, back on
		// Sunday 25 October 2026 at 3h.
		{"saturday before spring DST", std, "2026-03-28 17:30", want{true, "2026-03-28 18:00"}},
		{"sunday of spring DST", std, "2026-03-29 03:30", want{false, "2026-03-30 09:00"}},
		{"sunday of autumn DST", std, "2026-10-25 02:30", want{false, "2026-10-26 09:00"}},
		{"24h centre across spring DST", allDay, "2026-03-29 01:30", want{true, ""}},
		// Holidays: closed by default, computed (Easter Monday 2027 is 29 March).
		{"Christmas", std, "2026-12-25 10:00", want{false, "2026-12-26 09:00"}},
		{"14 July", std, "2026-07-14 10:00", want{false, "2026-07-15 09:00"}},
		{"Easter Monday 2027", std, "2027-03-29 10:00", want{false, "2027-03-30 09:00"}},
		{"Ascension 2027 (6 May)", std, "2027-05-05 17:00", want{true, "2027-05-05 18:00"}},
		{"Ascension 2027 next opening", std, "2027-05-05 19:00", want{false, "2027-05-07 09:00"}},
		{"open on holidays", holidayOpen, "2026-07-14 10:00", want{true, "2026-07-14 18:30"}},
		{"closure on a holiday-open centre", holidayOpen, "2026-12-25 10:00", want{false, "2026-12-26 08:30"}},
		// Exceptional closures.
		{"during works", std, "2026-12-30 10:00", want{false, "2027-01-04 09:00"}},
		{"inventory day", std, "2026-08-14 10:00", want{false, "2026-08-17 09:00"}},
		// Midnight.
		{"opening across midnight", night, "2026-06-05 23:30", want{true, "2026-06-06 02:00"}},
		{"after the night opening", night, "2026-06-06 03:00", want{false, "2026-06-06 09:00"}},
		{"at midnight exactly", night, "2026-06-06 00:00", want{true, "2026-06-06 02:00"}},
		{"just before midnight, closed day", std, "2026-06-03 23:59", want{false, "2026-06-04 09:00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now, err := time.ParseInLocation("2006-01-02 15:04", c.now, paris)
			if err != nil {
				t.Fatal(err)
			}
			st := c.h.StatusAt(now.UTC(), paris)
			got := st.Next
			if st.Open {
				got = st.Until
			}
			gotS := ""
			if !got.IsZero() && got.Sub(now) < 300*24*time.Hour {
				gotS = got.In(paris).Format("2006-01-02 15:04")
			}
			if st.Open != c.want.open || gotS != c.want.at {
				t.Fatalf("at %s: open=%v %s, want open=%v %s", c.now, st.Open, gotS, c.want.open, c.want.at)
			}
			if !got.IsZero() && !st.Change().Equal(got) {
				t.Fatalf("Change() = %v, want %v", st.Change(), got)
			}
		})
	}
	// The instants are right in UTC too: 9h in Paris is 7h UTC in summer
	// time and 8h UTC in winter time, either side of the change.
	st := std.StatusAt(time.Date(2026, 3, 28, 18, 0, 0, 0, time.UTC), paris) // Saturday 19h CET
	if want := time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC); !st.Next.Equal(want) {
		t.Fatalf("next opening after spring DST = %v, want %v", st.Next.UTC(), want)
	}
	st = std.StatusAt(time.Date(2026, 10, 24, 17, 0, 0, 0, time.UTC), paris) // Saturday 19h CEST
	if want := time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC); !st.Next.Equal(want) {
		t.Fatalf("next opening after autumn DST = %v, want %v", st.Next.UTC(), want)
	}
	// A centre that never opens.
	none := mustHours(t, "", "", false)
	if st := none.StatusAt(time.Now(), paris); st.Open || !st.Next.IsZero() {
		t.Fatalf("empty schedule: %+v", st)
	}
	if d := std.Day(2026, 12, 25, paris); d.Holiday == "" || !d.Closed() {
		t.Fatalf("Christmas day = %+v", d)
	}
	if up := std.Upcoming(time.Date(2026, 12, 20, 12, 0, 0, 0, paris), paris, 20); len(up) == 0 || up[0].Date.Day() != 25 {
		t.Fatalf("upcoming closures = %+v", up)
	}
}

func TestParseClosures(t *testing.T) {
	w := words(t)
	cl, errs := centres.ParseClosures("du 28/12/2026 au 02/01/2027 : travaux\n14/08/2026: inventaire\n\n", w)
	if len(errs) > 0 || len(cl) != 2 || cl[0].Reason != "inventaire" || cl[1].To.Day() != 2 {
		t.Fatalf("ParseClosures = %+v, %+v", cl, errs)
	}
	if got := centres.FormatClosures(cl, w); !strings.Contains(got, "du 28/12/2026 au 02/01/2027 : travaux") {
		t.Fatalf("FormatClosures = %q", got)
	}
	for _, c := range []struct{ text, key string }{
		{"demain", "centres.closures.error.line"},
		{"31/02/2026", "centres.closures.error.date"},
		{"du 05/01/2027 au 02/01/2027", "centres.closures.error.order"},
		{"du 01/01/2026 au 01/01/2028", "centres.closures.error.long"},
	} {
		if _, errs := centres.ParseClosures(c.text, w); len(errs) == 0 || errs[0].Key != c.key {
			t.Errorf("%q: %+v, want %s", c.text, errs, c.key)
		}
	}
}

// FuzzParseSchedule: any text either parses into a schedule whose
// canonical text reads back the same, or gives line errors with a key.
func FuzzParseSchedule(f *testing.F) {
	w := words(f)
	for _, s := range []string{standard, "lundi au dimanche : 0h-24h", "lun-ven 9h-12h", "Été du 01/03 au 31/10\nlundi : fermé",
		"samedi au lundi : 8h30-18h30", "toute l’année\nmardi et jeudi : 14h-17h", "::", "du 01/01 au", "lundi : 9h-12h et 13h-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sch, errs := centres.ParseSchedule(text, w)
		for _, e := range errs {
			if e.Key == "" {
				t.Fatalf("error without key: %+v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		out := sch.Format(w)
		again, errs := centres.ParseSchedule(out, w)
		if len(errs) > 0 || again.Format(w) != out {
			t.Fatalf("canonical text does not read back:\n%q\n%q\n%+v", out, again.Format(w), errs)
		}
		h := centres.Hours{Schedule: sch}
		st := h.StatusAt(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), paris)
		if st.Open && !st.Until.IsZero() && !st.Until.After(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)) {
			t.Fatalf("open until a past instant: %+v", st)
		}
	})
}

// FuzzParseClosures: any text gives closures in order or keyed errors.
func FuzzParseClosures(f *testing.F) {
	w := words(f)
	for _, s := range []string{"24/12/2026 : inventaire", "du 28/12/2026 au 02/01/2027 : travaux", "31/02/2026", "1/1/2026-2/1/2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cl, errs := centres.ParseClosures(text, w)
		for _, e := range errs {
			if e.Key == "" {
				t.Fatalf("error without key: %+v", e)
			}
		}
		for i, c := range cl {
			if c.To.Before(c.From) || (i > 0 && c.From.Before(cl[i-1].From)) {
				t.Fatalf("closures out of order: %+v", cl)
			}
		}
	})
}
