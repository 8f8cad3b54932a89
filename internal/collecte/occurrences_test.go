package collecte

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
)

func wantLines(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("collections:\n got  %q\n want %q", got, want)
	}
}

// A public holiday on a collection day is "to decide" until the editor
// decides once for the day; a commune's or a stream's own decision wins
// over the one for everybody.
func TestHolidayMovesCollection(t *testing.T) {
	w := newWorld(t)
	valence := w.commune("Valence", "26362", "26000")
	bourg := w.commune("Bourg-lès-Valence", "26058", "26500")
	om := w.stream("Ordures ménagères", "OM")
	emb := w.stream("Emballages", "EMB")
	w.schedule(valence, 0, om, "FREQ=WEEKLY;BYDAY=TU", "2026-01-01")
	w.schedule(valence, 0, emb, "FREQ=WEEKLY;BYDAY=TU", "2026-01-01")
	w.schedule(bourg, 0, om, "FREQ=WEEKLY;BYDAY=TU", "2026-01-01")

	// 14 July 2026 is a Tuesday: nobody has decided yet.
	wantLines(t, w.plan("valence", "", "2026-07-13", "2026-07-20"), []string{"2026-07-14 OM pending", "2026-07-14 EMB pending"})

	// Once for every collection of the day: moved to Wednesday.
	global := w.except(ExceptionInput{Day: "2026-07-14", Action: ActionMove, Replacement: "2026-07-15", Note: "Report au lendemain"})
	wantLines(t, w.plan("valence", "", "2026-07-13", "2026-07-20"), []string{"2026-07-15 OM moved", "2026-07-15 EMB moved"})
	wantLines(t, w.plan("bourg-les-valence", "", "2026-07-13", "2026-07-20"), []string{"2026-07-15 OM moved"})
	p, _ := w.s.PlanFor(w.ctx, access.Anonymous(), "valence", "", day("2026-07-13"), day("2026-07-20"))
	if c := p.Collections[0]; !c.Original.Equal(day("2026-07-14")) || c.Holiday != "Fête Nationale" || c.Note != "Report au lendemain" {
		t.Fatalf("moved collection %+v", c)
	}

	// Posting the same decision again changes nothing (one per day and scope).
	if again := w.except(ExceptionInput{Day: "14/07/2026", Action: ActionMove, Replacement: "2026-07-15", Note: "Report au lendemain"}); again != global {
		t.Fatalf("the same decision made a second exception (%d, %d)", global, again)
	}

	// Bourg keeps its collection; in Valence the packaging round is cancelled.
	w.except(ExceptionInput{Day: "2026-07-14", CommuneID: strconv.FormatInt(bourg, 10), Action: ActionKeep})
	w.except(ExceptionInput{Day: "2026-07-14", StreamID: strconv.FormatInt(emb, 10), Action: ActionCancel})
	wantLines(t, w.plan("valence", "", "2026-07-13", "2026-07-20"), []string{"2026-07-14 EMB cancelled", "2026-07-15 OM moved"})
	wantLines(t, w.plan("bourg-les-valence", "", "2026-07-13", "2026-07-20"), []string{"2026-07-14 OM kept"})

	// A move into the window from outside it is seen, and out of it gone.
	w.except(ExceptionInput{Day: "2026-07-21", Action: ActionMove, Replacement: "2026-07-18"})
	wantLines(t, w.plan("bourg-les-valence", "", "2026-07-15", "2026-07-20"), []string{"2026-07-18 OM moved"})
	wantLines(t, w.plan("bourg-les-valence", "", "2026-07-19", "2026-07-25"), nil)

	// Removing the decision makes the holiday "to decide" again.
	if err := w.s.DeleteException(w.ctx, w.editor, global); err != nil {
		t.Fatal(err)
	}
	wantLines(t, w.plan("valence", "", "2026-07-13", "2026-07-20"), []string{"2026-07-14 OM pending", "2026-07-14 EMB cancelled", "2026-07-18 OM moved", "2026-07-18 EMB moved"})

	// The editors' list of holidays says which are decided.
	cases, err := w.s.HolidayCases(w.ctx, w.editor.Principal, day("2026-07-01"), day("2026-08-01"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 || cases[0].Communes != 2 || cases[0].Decided() || len(cases[0].Exceptions) != 2 {
		t.Fatalf("holiday cases %+v", cases)
	}
}

// Bad decisions get a clear error and nothing is written.
func TestExceptionValidation(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		in         ExceptionInput
		field, key string
	}{
		{ExceptionInput{Action: ActionCancel}, "day", "collecte.error.date_required"},
		{ExceptionInput{Day: "31/02/2026", Action: ActionCancel}, "day", "collecte.error.date_invalid"},
		{ExceptionInput{Day: "2026-07-14"}, "action", "collecte.error.action_required"},
		{ExceptionInput{Day: "2026-07-14", Action: ActionMove}, "replacement", "collecte.error.replacement_required"},
		{ExceptionInput{Day: "2026-07-14", Action: ActionMove, Replacement: "2026-07-14"}, "replacement", "collecte.error.replacement_same"},
		{ExceptionInput{Day: "2026-07-14", Action: ActionMove, Replacement: "2026-09-14"}, "replacement", "collecte.error.replacement_far"},
		{ExceptionInput{Day: "2026-07-14", Action: ActionCancel, StreamID: "999"}, "exception_stream", "collecte.error.choice"},
		{ExceptionInput{Day: "2026-07-14", Action: ActionCancel, CommuneID: "abc"}, "exception_commune", "collecte.error.choice"},
	} {
		_, err := w.s.SetException(w.ctx, w.editor, tc.in)
		wantField(t, err, tc.field, tc.key)
	}
	list, err := w.s.Exceptions(w.ctx, access.Anonymous(), day("2026-01-01"), day("2027-01-01"))
	if err != nil || len(list) != 0 {
		t.Fatalf("exceptions after refused forms: %v %v", list, err)
	}
}

// Collections are civil dates: a DST change moves none of them, and
// "today" is the date in Paris, not in UTC.
func TestDSTAndToday(t *testing.T) {
	w := newWorld(t)
	c := w.commune("Valence", "26362", "26000")
	om := w.stream("Ordures ménagères", "OM")
	w.schedule(c, 0, om, "FREQ=WEEKLY;BYDAY=SU,MO", "2026-03-01")
	wantLines(t, w.plan("valence", "", "2026-03-28", "2026-04-01"), []string{"2026-03-29 OM", "2026-03-30 OM"})
	wantLines(t, w.plan("valence", "", "2026-10-24", "2026-10-27"), []string{"2026-10-25 OM", "2026-10-26 OM"})
	for utc, want := range map[string]string{
		"2026-03-28T23:30:00Z": "2026-03-29", // 00:30 in Paris, still winter time
		"2026-03-29T01:30:00Z": "2026-03-29", // 03:30, summer time
		"2026-03-29T21:59:00Z": "2026-03-29", // 23:59 summer time
		"2026-03-29T22:00:00Z": "2026-03-30",
		"2026-10-24T22:30:00Z": "2026-10-25", // 00:30 summer time
		"2026-10-25T22:59:00Z": "2026-10-25", // 23:59 winter time
		"2026-10-25T23:00:00Z": "2026-10-26",
		"2026-12-31T23:00:00Z": "2027-01-01",
	} {
		at, _ := time.Parse(time.RFC3339, utc)
		w.clock.Set(at)
		if got := FormatDay(w.s.Today()); got != want {
			t.Errorf("at %s today is %s, want %s", utc, got, want)
		}
	}
}

// Rules run on across the end of the year: every other week keeps its
// 14-day rhythm through a 53-week year, monthly positions restart in
// January, a holiday move crosses into the new year, and an end date stops
// a schedule.
func TestYearBoundary(t *testing.T) {
	w := newWorld(t)
	c := w.commune("Valence", "26362", "26000")
	emb := w.stream("Emballages", "EMB")
	glass := w.stream("Verre", "V")
	om := w.stream("Ordures ménagères", "OM")
	w.schedule(c, 0, emb, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "2026-12-21")
	w.schedule(c, 0, glass, "FREQ=MONTHLY;BYDAY=+1FR,-1FR", "2026-01-01")
	if _, err := w.s.CreateSchedule(w.ctx, w.editor, ScheduleInput{CommuneID: c, StreamID: strconv.FormatInt(om, 10),
		Rule: RuleInput{Freq: FreqWeekly, Days: []string{"TH"}}, Start: "2026-01-01", End: "2027-01-07"}); err != nil {
		t.Fatal(err)
	}
	// 1 January 2027 is a Friday (and the first Friday of January).
	w.except(ExceptionInput{Day: "2027-01-01", Action: ActionMove, Replacement: "2027-01-02"})
	w.except(ExceptionInput{Day: "2026-12-25", Action: ActionCancel})
	wantLines(t, w.plan("valence", "", "2026-12-20", "2027-01-20"), []string{
		"2026-12-21 EMB", "2026-12-24 OM", "2026-12-25 V cancelled", "2026-12-31 OM", "2027-01-02 V moved",
		"2027-01-04 EMB", "2027-01-07 OM", "2027-01-18 EMB",
	})
	// The move is seen from a window that holds only the new year.
	wantLines(t, w.plan("valence", "", "2027-01-02", "2027-01-03"), []string{"2027-01-02 V moved"})
}

// A sector sees the commune's own schedules and its own; the commune's page
// says some streams go by sector; one stream twice on a day is one
// collection.
func TestSectors(t *testing.T) {
	w := newWorld(t)
	c := w.commune("Valence", "26362", "26000")
	nord := w.sector(c, "Nord")
	sud := w.sector(c, "Sud")
	om := w.stream("Ordures ménagères", "OM")
	glass := w.stream("Verre", "V")
	w.schedule(c, 0, glass, "FREQ=MONTHLY;BYDAY=+1TU", "2026-01-01")
	w.schedule(c, nord, om, "FREQ=WEEKLY;BYDAY=MO", "2026-01-01")
	w.schedule(c, nord, om, "FREQ=WEEKLY;BYDAY=MO,TH", "2026-01-01") // overlaps on Mondays
	w.schedule(c, sud, om, "FREQ=WEEKLY;BYDAY=WE", "2026-01-01")
	wantLines(t, w.plan("valence", "nord", "2026-06-01", "2026-06-08"), []string{"2026-06-01 OM", "2026-06-02 V", "2026-06-04 OM"})
	wantLines(t, w.plan("valence", "sud", "2026-06-01", "2026-06-08"), []string{"2026-06-02 V", "2026-06-03 OM"})
	p, err := w.s.PlanFor(w.ctx, access.Anonymous(), "valence", "", day("2026-06-01"), day("2026-06-08"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.BySector || len(p.Streams) != 1 || p.Streams[0].Code != "V" {
		t.Fatalf("commune plan: by sector %v, streams %+v", p.BySector, p.Streams)
	}
	if _, err := w.s.PlanFor(w.ctx, access.Anonymous(), "valence", "est", day("2026-06-01"), day("2026-06-08")); err == nil {
		t.Fatal("an unknown sector gave a plan")
	}
	if next, ok := p.Next(glass, day("2026-06-03")); ok {
		t.Fatalf("next after the window: %+v", next)
	}
	// Deleting a sector deletes its schedules.
	if err := w.s.DeleteSector(w.ctx, w.editor, sud); err != nil {
		t.Fatal(err)
	}
	all, _ := w.s.Schedules(w.ctx, access.Anonymous(), c)
	if len(all) != 3 {
		t.Fatalf("%d schedules after deleting a sector, want 3", len(all))
	}
}

// A commune without any schedule has an empty plan, not an error.
func TestCommuneWithoutCollection(t *testing.T) {
	w := newWorld(t)
	w.commune("Barbières", "26023", "26300")
	w.stream("Ordures ménagères", "OM")
	p, err := w.s.PlanFor(w.ctx, access.Anonymous(), "barbieres", "", day("2026-01-01"), day("2027-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Streams) != 0 || len(p.Collections) != 0 || p.BySector {
		t.Fatalf("plan of a commune without collection: %+v", p)
	}
	list, _ := w.s.Communes(w.ctx, access.Anonymous())
	if len(list) != 1 || list[0].Schedules != 0 {
		t.Fatalf("communes %+v", list)
	}
}

func TestScheduleValidation(t *testing.T) {
	w := newWorld(t)
	c := w.commune("Valence", "26362", "26000")
	other := w.commune("Bourg-lès-Valence", "26058", "26500")
	foreign := w.sector(other, "Nord")
	om := strconv.FormatInt(w.stream("Ordures ménagères", "OM"), 10)
	weekly := RuleInput{Freq: FreqWeekly, Days: []string{"MO"}}
	for _, tc := range []struct {
		in         ScheduleInput
		field, key string
	}{
		{ScheduleInput{CommuneID: c, Rule: weekly, Start: "2026-01-01"}, "stream", "collecte.error.stream_required"},
		{ScheduleInput{CommuneID: c, StreamID: "999", Rule: weekly, Start: "2026-01-01"}, "stream", "collecte.error.choice"},
		{ScheduleInput{CommuneID: c, StreamID: om, SectorID: strconv.FormatInt(foreign, 10), Rule: weekly, Start: "2026-01-01"}, "sector", "collecte.error.choice"},
		{ScheduleInput{CommuneID: c, StreamID: om, Rule: weekly}, "start", "collecte.error.date_required"},
		{ScheduleInput{CommuneID: c, StreamID: om, Rule: weekly, Start: "2026-01-01", End: "2025-12-01"}, "end", "collecte.error.end_before_start"},
		{ScheduleInput{CommuneID: c, StreamID: om, Rule: RuleInput{Freq: FreqWeekly}, Start: "2026-01-01"}, "days", "collecte.error.days_required"},
		{ScheduleInput{CommuneID: c, StreamID: om, Rule: RuleInput{Freq: FreqCustom, Custom: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, Start: "2026-01-01"}, "custom", "collecte.error.rule_no_date"},
		{ScheduleInput{CommuneID: c, StreamID: om, Rule: weekly, Start: "2026-01-01", Note: strings.Repeat("x", 201)}, "note", "collecte.error.too_long"},
	} {
		_, err := w.s.CreateSchedule(w.ctx, w.editor, tc.in)
		wantField(t, err, tc.field, tc.key)
	}
	if _, err := w.s.CreateSchedule(w.ctx, w.editor, ScheduleInput{CommuneID: 9999, StreamID: om, Rule: weekly, Start: "2026-01-01"}); err == nil {
		t.Fatal("a schedule for no commune")
	}
	if all, _ := w.s.Schedules(w.ctx, access.Anonymous(), c); len(all) != 0 {
		t.Fatalf("refused forms wrote %d schedules", len(all))
	}
}
