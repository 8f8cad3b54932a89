package collecte

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"portique/internal/access"
	"portique/internal/dbtest"
)

type jsFeed struct {
	Name   string `json:"name"`
	Events []struct {
		UID         string `json:"uid"`
		Summary     string `json:"summary"`
		Day         string `json:"day"`
		AllDay      bool   `json:"allDay"`
		End         string `json:"end"`
		Description string `json:"description"`
		Alarms      []struct {
			Action string `json:"action"`
			At     string `json:"at"`
			Text   string `json:"text"`
		} `json:"alarms"`
	} `json:"events"`
}

// parseWithICALJS runs Mozilla's ical.js on a feed.
func parseWithICALJS(t *testing.T, feed []byte) jsFeed {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		dbtest.SkipOrFail(t, "node is not installed: cannot check the feed with ical.js")
	}
	root, _ := filepath.Abs("../..")
	if _, err := os.Stat(filepath.Join(root, "node_modules", "ical.js")); err != nil {
		dbtest.SkipOrFail(t, "node_modules/ical.js missing: run npm ci at the repository root")
	}
	cmd := exec.Command(node, "testdata/icsalarms.mjs")
	cmd.Stdin = bytes.NewReader(feed)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, stderr.String())
	}
	var f jsFeed
	if err := json.Unmarshal(out, &f); err != nil {
		t.Fatalf("ical.js output: %v\n%s", err, out)
	}
	return f
}

// feedWorld: Mondays and Sundays around both DST changes of 2026, a moved
// holiday (Easter Monday), a cancelled one (Christmas is a Friday: the
// packaging round is cancelled) and a year boundary.
func feedWorld(t *testing.T) (*world, Plan) {
	w := newWorld(t)
	c := w.commune("Valence", "26362", "26000")
	nord := w.sector(c, "Nord")
	om := w.stream("Ordures ménagères", "OM")
	emb := w.stream("Emballages", "EMB")
	w.schedule(c, nord, om, "FREQ=WEEKLY;BYDAY=SU,MO", "2026-01-01")
	w.schedule(c, 0, emb, "FREQ=WEEKLY;BYDAY=FR", "2026-01-01")
	w.except(ExceptionInput{Day: "2026-04-06", Action: ActionMove, Replacement: "2026-04-07", Note: "Lundi de Pâques"})
	w.except(ExceptionInput{Day: "2026-12-25", Action: ActionCancel})
	p, err := w.s.PlanFor(w.ctx, access.Anonymous(), "valence", "nord", day("2026-03-20"), day("2027-01-10"))
	if err != nil {
		t.Fatal(err)
	}
	return w, p
}

func feedOptions() FeedOptions {
	return FeedOptions{
		Name:        "Collectes – Valence, Nord",
		Summary:     func(st Stream) string { return "Collecte : " + st.Name },
		Alarm:       func(st Stream) string { return "Sortir le bac : " + st.Name },
		Description: func(c Collection, st Stream) string { return st.Help + c.Note },
		Host:        "www.sydrav.example",
		URL:         "https://www.sydrav.example/collecte/valence/nord",
	}
}

// The feed, read back by golang-ical's own parser: all-day events with a
// DISPLAY alarm 5 hours before the day starts, stable UIDs, moves applied,
// the cancelled collection left out.
func TestFeedParsedByGolangICal(t *testing.T) {
	w, p := feedWorld(t)
	var buf bytes.Buffer
	if err := WriteICS(&buf, p, 0, w.clock.Now(), feedOptions()); err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("golang-ical cannot read the feed: %v\n%s", err, buf.String())
	}
	events := cal.Events()
	if len(events) == 0 {
		t.Fatal("no event")
	}
	days := map[string]bool{}
	for _, e := range events {
		start := e.GetProperty(ics.ComponentPropertyDtStart)
		if start == nil || len(start.ICalParameters["VALUE"]) == 0 || start.ICalParameters["VALUE"][0] != "DATE" {
			t.Fatalf("event %s: DTSTART %+v is not a DATE", e.Id(), start)
		}
		days[start.Value] = true
		al := e.Alarms()
		if len(al) != 1 {
			t.Fatalf("event %s: %d alarms", e.Id(), len(al))
		}
		if tr := al[0].GetProperty(ics.ComponentPropertyTrigger); tr == nil || tr.Value != "-PT5H" {
			t.Fatalf("trigger %+v", tr)
		}
		if a := al[0].GetProperty(ics.ComponentPropertyAction); a == nil || a.Value != "DISPLAY" {
			t.Fatalf("action %+v", a)
		}
		if !strings.HasSuffix(e.Id(), "@www.sydrav.example") {
			t.Fatalf("uid %s", e.Id())
		}
	}
	for d, want := range map[string]bool{"20260406": false, "20260407": true, "20261225": false, "20261218": true, "20270101": true, "20270103": true} {
		if days[d] != want {
			t.Errorf("collection on %s: %v, want %v", d, days[d], want)
		}
	}
	// UIDs are the same from one export to the next (phones update events
	// instead of doubling them).
	var again bytes.Buffer
	w.clock.Advance(time.Hour)
	WriteICS(&again, p, 0, w.clock.Now(), feedOptions()) //nolint:errcheck
	if uidLines(buf.String()) != uidLines(again.String()) || uidLines(buf.String()) == "" {
		t.Fatal("UIDs changed between exports")
	}
}

func uidLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\r\n") {
		if strings.HasPrefix(l, "UID:") {
			out = append(out, l)
		}
	}
	return strings.Join(out, ",")
}

// Mozilla's ical.js (what Thunderbird uses) sees the same days and rings
// each reminder at 19:00 the evening before, on both sides of the DST
// changes and across the new year.
func TestFeedAlarmsWithICALJS(t *testing.T) {
	w, p := feedWorld(t)
	var buf bytes.Buffer
	if err := WriteICS(&buf, p, 0, w.clock.Now(), feedOptions()); err != nil {
		t.Fatal(err)
	}
	f := parseWithICALJS(t, buf.Bytes())
	if f.Name != "Collectes – Valence, Nord" {
		t.Errorf("calendar name %q", f.Name)
	}
	var ours []string
	for _, c := range p.Collections {
		if !c.Cancelled() {
			ours = append(ours, FormatDay(c.Date)+" Collecte : "+p.Stream(c.StreamID).Name)
		}
	}
	var theirs []string
	for _, e := range f.Events {
		theirs = append(theirs, e.Day+" "+e.Summary)
		if !e.AllDay {
			t.Fatalf("%s is not an all-day event", e.Day)
		}
		d, err := time.Parse("2006-01-02", e.Day)
		if err != nil {
			t.Fatal(err)
		}
		if next, _ := time.Parse("2006-01-02", e.End); !next.Equal(d.AddDate(0, 0, 1)) {
			t.Errorf("%s ends %s", e.Day, e.End)
		}
		want := d.AddDate(0, 0, -1).Format("2006-01-02") + "T19:00:00"
		if len(e.Alarms) != 1 || e.Alarms[0].At != want || e.Alarms[0].Action != "DISPLAY" || !strings.HasPrefix(e.Alarms[0].Text, "Sortir le bac") {
			t.Errorf("%s: alarms %+v, want one at %s", e.Day, e.Alarms, want)
		}
	}
	slices.Sort(ours)
	slices.Sort(theirs)
	if !slices.Equal(ours, theirs) {
		t.Fatalf("ical.js and Portique disagree:\nical.js  %q\nportique %q", theirs, ours)
	}
	joined := strings.Join(theirs, "\n")
	for _, d := range []string{"2026-03-29 Collecte : Ordures", "2026-03-30 Collecte : Ordures", "2026-10-25 Collecte : Ordures", "2026-10-26 Collecte : Ordures",
		"2026-04-07 Collecte : Ordures", "2027-01-01 Collecte : Emballages"} {
		if !strings.Contains(joined, d) {
			t.Errorf("missing %q", d)
		}
	}
	if strings.Contains(joined, "2026-04-06 ") || strings.Contains(joined, "2026-12-25 ") {
		t.Error("a moved or cancelled collection is still on its old day")
	}
	// The one-stream feed holds that stream only.
	buf.Reset()
	WriteICS(&buf, p, p.Streams[1].ID, w.clock.Now(), feedOptions()) //nolint:errcheck
	for _, e := range parseWithICALJS(t, buf.Bytes()).Events {
		if !strings.HasSuffix(e.Summary, p.Streams[1].Name) {
			t.Fatalf("the %s feed holds %q", p.Streams[1].Name, e.Summary)
		}
	}
}
