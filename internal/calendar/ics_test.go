package calendar

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/dbtest"
)

// icsWorld adds series with exceptions and attributes to the matrix world.
func icsWorld(t *testing.T) (*world, int64) {
	w := newWorld(t)
	if _, err := w.s.CreateAttribute(w.ctx, access.System(), Attribute{Key: "instance", Label: "Instance", Type: AttrChoice, Choices: []string{"Comité syndical", "Bureau"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.CreateAttribute(w.ctx, access.System(), Attribute{Key: "salle", Label: "Salle", Type: AttrText}); err != nil {
		t.Fatal(err)
	}
	cal := strconv.FormatInt(w.private, 10)
	// Weekly on Monday 18:00 across the October DST change, one cancelled, one moved.
	weekly := w.event(w.tech, EventForm{CalendarID: cal, Title: "Réunion technique, hebdo; ordre du jour", StartDate: "2026-10-05", StartTime: "18:00", EndTime: "19:00",
		Location: "Siège", Recurrence: RecurrenceForm{Freq: FreqWeekly, Weekdays: []string{"MO"}, End: EndCount, Count: "8"},
		Attributes: map[string]string{"salle": "Salle 2, 1er étage"}})
	if err := w.s.CancelOccurrence(w.ctx, as(w.tech), weekly, time.Date(2026, 10, 19, 18, 0, 0, 0, paris)); err != nil {
		t.Fatal(err)
	}
	if err := w.s.ChangeOccurrence(w.ctx, as(w.tech), weekly, time.Date(2026, 11, 2, 18, 0, 0, 0, paris),
		OccurrenceChange{StartDate: "2026-11-03", StartTime: "09:30", EndTime: "11:00", Location: "Centre de tri"}); err != nil {
		t.Fatal(err)
	}
	// Monthly comité on the last Friday, endless.
	w.event(w.tech, EventForm{CalendarID: cal, Title: "Comité syndical", StartDate: "2026-09-25", StartTime: "18:30", EndTime: "20:30",
		Recurrence:  RecurrenceForm{Freq: FreqMonthly, MonthlyBy: "weekday", SetPos: "-1", Weekday: "FR"},
		Attributes:  map[string]string{"instance": "Comité syndical"},
		Description: "<p>Ordre du jour :</p><ul><li>budget</li></ul>"})
	// All-day public event over two days.
	w.event(w.tech, EventForm{CalendarID: strconv.FormatInt(w.public, 10), Title: "Collecte des sapins", StartDate: "2026-10-30", EndDate: "2026-10-31", AllDay: true})
	return w, weekly
}

func TestFeedStructure(t *testing.T) {
	w, _ := icsWorld(t)
	w.now = time.Date(2026, 10, 1, 9, 0, 0, 0, paris)
	var buf bytes.Buffer
	if err := w.s.WriteFeed(w.ctx, &buf, w.elu, FeedOptions{Name: "Agenda SYDRAV", BaseURL: "https://www.sydrav.fr"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:Europe/Paris", "BEGIN:DAYLIGHT", "BEGIN:STANDARD",
		"TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
		"DTSTART;TZID=Europe/Paris:20261005T180000", "RRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=8;BYDAY=MO",
		"EXDATE;TZID=Europe/Paris:20261019T180000", "RECURRENCE-ID;TZID=Europe/Paris:20261102T180000",
		"DTSTART;TZID=Europe/Paris:20261103T093000", "BYDAY=-1FR", "X-PORTIQUE-SALLE;VALUE=TEXT:Salle 2\\, 1er étage",
		"X-PORTIQUE-INSTANCE;VALUE=TEXT:Comité syndical", "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "DTSTART;VALUE=DATE:20261030",
		"DTEND;VALUE=DATE:20261101", "SUMMARY:Réunion technique\\, hebdo\\; ordre du jour", "URL:https://www.sydrav.fr/agenda/evenements/",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("feed lacks %q", want)
		}
	}
	if strings.Contains(out, "DTSTART:2026") {
		t.Error("a timed DTSTART without TZID (UTC-converted)")
	}
	if t.Failed() {
		t.Log(out)
	}
	// UIDs are stable from one export to the next.
	var again bytes.Buffer
	w.s.WriteFeed(w.ctx, &again, w.elu, FeedOptions{Name: "Agenda SYDRAV", BaseURL: "https://www.sydrav.fr"})
	if uids(out) == "" || uids(out) != uids(again.String()) {
		t.Fatal("UIDs changed between exports")
	}
}

func uids(ics string) string {
	var out []string
	for _, l := range strings.Split(ics, "\r\n") {
		if strings.HasPrefix(l, "UID:") {
			out = append(out, l)
		}
	}
	return strings.Join(out, ",")
}

type jsOccurrence struct {
	UID      string            `json:"uid"`
	Summary  string            `json:"summary"`
	Location string            `json:"location"`
	Start    int64             `json:"start"`
	End      int64             `json:"end"`
	Local    string            `json:"local"`
	AllDay   bool              `json:"allDay"`
	X        map[string]string `json:"x"`
}

// parseWithICALJS runs the independent parser on a feed.
func parseWithICALJS(t *testing.T, feed []byte, from, to time.Time) []jsOccurrence {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		dbtest.SkipOrFail(t, "node is not installed: cannot check the feed with ical.js")
	}
	root, _ := filepath.Abs("../..")
	if _, err := os.Stat(filepath.Join(root, "node_modules", "ical.js")); err != nil {
		dbtest.SkipOrFail(t, "node_modules/ical.js missing: run npm ci at the repository root")
	}
	cmd := exec.Command(node, "testdata/icalparse.mjs", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	cmd.Stdin = bytes.NewReader(feed)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, stderr.String())
	}
	var occ []jsOccurrence
	if err := json.Unmarshal(out, &occ); err != nil {
		t.Fatalf("ical.js output: %v\n%s", err, out)
	}
	return occ
}

func TestFeedParsedByICALJS(t *testing.T) {
	w, weekly := icsWorld(t)
	w.now = time.Date(2026, 9, 1, 9, 0, 0, 0, paris)
	var buf bytes.Buffer
	if err := w.s.WriteFeed(w.ctx, &buf, w.elu, FeedOptions{Name: "Agenda"}); err != nil {
		t.Fatal(err)
	}
	from, to := day(2026, 10, 1), day(2027, 1, 1)
	js := parseWithICALJS(t, buf.Bytes(), from, to)
	ours := w.occurrences(w.elu, from, to, Filter{})
	var got, want []string
	for _, o := range js {
		if o.AllDay {
			got = append(got, o.Local+" "+o.Summary)
		} else {
			got = append(got, time.Unix(o.Start, 0).In(paris).Format("2006-01-02 15:04")+"-"+time.Unix(o.End, 0).In(paris).Format("15:04")+" "+o.Summary+" @"+o.Location)
		}
	}
	for _, o := range ours {
		if o.Start.Before(from) {
			continue
		}
		if o.AllDay {
			want = append(want, o.Start.In(paris).Format("2006-01-02")+" "+o.Title)
		} else {
			want = append(want, o.Start.In(paris).Format("2006-01-02 15:04")+"-"+o.End.In(paris).Format("15:04")+" "+o.Title+" @"+o.Location)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("ical.js and Portique disagree:\nical.js  %q\nportique %q", got, want)
	}
	// Spot checks independent of our own expansion: 18:00 Paris on both sides
	// of the DST change, the cancelled Monday absent, the moved one present.
	joined := strings.Join(got, "\n")
	for _, s := range []string{"2026-10-12 18:00-19:00 Réunion technique", "2026-10-26 18:00-19:00 Réunion technique",
		"2026-11-03 09:30-11:00 Réunion technique", "2026-11-23 18:00-19:00 Réunion technique", "2026-10-30 18:30-20:30 Comité syndical", "2026-10-30 Collecte des sapins"} {
		if !strings.Contains(joined, s) {
			t.Errorf("missing %q", s)
		}
	}
	if strings.Contains(joined, "2026-10-19 18:00") || strings.Contains(joined, "2026-11-02 18:00") {
		t.Error("cancelled or moved occurrence still at its original time")
	}
	for _, o := range js {
		if strings.HasPrefix(o.Summary, "Réunion") && o.X["x-portique-salle"] != "Salle 2, 1er étage" {
			t.Errorf("attribute not exported: %+v", o.X)
		}
	}
	e, _, _ := w.s.Event(w.ctx, w.elu, weekly)
	if len(e.Overrides) != 2 {
		t.Fatalf("overrides: %d", len(e.Overrides))
	}
}

func TestPublicFeedAndOneEvent(t *testing.T) {
	w, weekly := icsWorld(t)
	var buf bytes.Buffer
	if err := w.s.WriteFeed(w.ctx, &buf, w.anon, FeedOptions{Name: "Agenda public"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "Réunion") || strings.Contains(buf.String(), "Comité") || !strings.Contains(buf.String(), "Collecte des sapins") {
		t.Fatalf("public feed:\n%s", buf.String())
	}
	buf.Reset()
	if err := w.s.WriteEventICS(w.ctx, &buf, w.elu, weekly, ""); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "BEGIN:VEVENT"); n != 2 { // the series and its moved occurrence
		t.Fatalf("one-event file has %d VEVENTs", n)
	}
	js := parseWithICALJS(t, buf.Bytes(), day(2026, 10, 1), day(2027, 1, 1))
	if len(js) != 7 { // 8 minus the cancelled one
		t.Fatalf("ical.js sees %d occurrences", len(js))
	}
}
