package calendar

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// world is the permission matrix used by several tests: a private calendar
// for Élus (view) edited by Techniciens, and a public one.
type world struct {
	*fixture
	elu, tech, stagiaire, outsider, anon access.Principal
	private, public                      int64
	privEvent, pubEvent                  int64
}

func newWorld(t *testing.T) *world {
	f := newFixture(t)
	w := &world{fixture: f}
	w.elu = f.user("elu@sydrav.fr", "Élus")
	w.tech = f.user("tech@sydrav.fr", "Techniciens")
	w.stagiaire = f.user("stagiaire@sydrav.fr", "Stagiaires")
	w.outsider = f.user("autre@sydrav.fr")
	w.anon = access.Anonymous()
	w.private = f.calendar("Instances", access.Grant{GroupID: f.group("Élus"), Level: access.View}, access.Grant{GroupID: f.group("Techniciens"), Level: access.Edit})
	w.public = f.calendar("Animations grand public", access.Grant{GroupID: access.Everyone, Level: access.View}, access.Grant{GroupID: f.group("Techniciens"), Level: access.Edit})
	w.privEvent = f.event(w.tech, EventForm{CalendarID: strconv.FormatInt(w.private, 10), Title: "Comité syndical confidentiel",
		Description: "<p>Budget <script>alert(1)</script><b>primitif</b></p>", Location: "Salle du conseil",
		StartDate: "2026-03-12", StartTime: "18:00", EndTime: "20:00"})
	w.pubEvent = f.event(w.tech, EventForm{CalendarID: strconv.FormatInt(w.public, 10), Title: "Journée portes ouvertes",
		Location: "Centre de tri", StartDate: "2026-03-14", AllDay: true})
	return w
}

func ids(occ []Occurrence) []int64 {
	var out []int64
	for _, o := range occ {
		out = append(out, o.EventID)
	}
	return out
}

func TestPermissionMatrix(t *testing.T) {
	w := newWorld(t)
	from, to := day(2026, 3, 1), day(2026, 4, 1)
	cases := []struct {
		name        string
		p           access.Principal
		seesPrivate bool
	}{
		{"élu", w.elu, true},
		{"technicien", w.tech, true},
		{"administrateur", admin, true},
		{"stagiaire", w.stagiaire, false},
		{"membre sans groupe", w.outsider, false},
		{"anonyme", w.anon, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Grid and list data.
			got := ids(w.occurrences(c.p, from, to, Filter{}))
			if slices.Contains(got, w.privEvent) != c.seesPrivate {
				t.Fatalf("occurrences %v: private visible = %v, want %v", got, !c.seesPrivate, c.seesPrivate)
			}
			if !slices.Contains(got, w.pubEvent) {
				t.Fatalf("public event missing from %v", got)
			}
			// Even asking for the private calendar explicitly.
			if got := w.occurrences(c.p, from, to, Filter{CalendarIDs: []int64{w.private}}); (len(got) > 0) != c.seesPrivate {
				t.Fatalf("filter by private calendar: %v", ids(got))
			}
			// Central list.
			list, total, err := w.s.FindEvents(w.ctx, c.p, EventQuery{Text: "comité"})
			if err != nil {
				t.Fatal(err)
			}
			if (total == 1 && len(list) == 1) != c.seesPrivate {
				t.Fatalf("FindEvents total=%d list=%d", total, len(list))
			}
			// Event page (and popup).
			_, _, err = w.s.Event(w.ctx, c.p, w.privEvent)
			if c.seesPrivate && err != nil || !c.seesPrivate && !errors.Is(err, access.ErrForbidden) {
				t.Fatalf("Event: err = %v", err)
			}
			// One-event .ics.
			var buf bytes.Buffer
			err = w.s.WriteEventICS(w.ctx, &buf, c.p, w.privEvent, "")
			if c.seesPrivate == (err != nil) || !c.seesPrivate && strings.Contains(buf.String(), "confidentiel") {
				t.Fatalf("WriteEventICS: err = %v", err)
			}
			// Feed.
			buf.Reset()
			if err := w.s.WriteFeed(w.ctx, &buf, c.p, FeedOptions{}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), "confidentiel") != c.seesPrivate {
				t.Fatalf("feed shows private = %v", !c.seesPrivate)
			}
			// Upcoming block, for the private calendar and for all.
			up, err := w.s.Upcoming(w.ctx, c.p, w.private, 5)
			if err != nil {
				t.Fatal(err)
			}
			if (len(up) == 1) != c.seesPrivate {
				t.Fatalf("Upcoming(private) = %v", ids(up))
			}
			up, _ = w.s.Upcoming(w.ctx, c.p, 0, 5)
			if slices.Contains(ids(up), w.privEvent) != c.seesPrivate {
				t.Fatalf("Upcoming(all) = %v", ids(up))
			}
			// Calendars listed.
			cals, err := w.s.Calendars(w.ctx, c.p, access.View)
			if err != nil {
				t.Fatal(err)
			}
			if (len(cals) == 2) != c.seesPrivate {
				t.Fatalf("Calendars: %d", len(cals))
			}
		})
	}
	// The search document is guarded by the calendar's node.
	doc, _ := w.idx.Get(w.privEvent)
	if doc.ACLKind != access.Calendar || doc.ACLID != w.private || doc.URL != EventURL(w.privEvent) {
		t.Fatalf("search doc ACL = %+v", doc)
	}
	if !strings.Contains(doc.Body, "primitif") || strings.Contains(doc.Body, "<") || !strings.Contains(doc.Body, "Salle du conseil") {
		t.Fatalf("search body = %q", doc.Body)
	}
}

func TestEditRequiresEdit(t *testing.T) {
	w := newWorld(t)
	form := EventForm{CalendarID: strconv.FormatInt(w.private, 10), Title: "Intrusion", StartDate: "2026-03-20", StartTime: "10:00"}
	for name, p := range map[string]access.Principal{"élu (view only)": w.elu, "stagiaire": w.stagiaire, "anonyme": w.anon} {
		if _, err := w.s.CreateEvent(w.ctx, as(p), form); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%s: CreateEvent err = %v, want access.ErrForbidden", name, err)
		}
		if err := w.s.UpdateEvent(w.ctx, as(p), w.privEvent, form); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%s: UpdateEvent err = %v", name, err)
		}
		if err := w.s.DeleteEvent(w.ctx, as(p), w.privEvent); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%s: DeleteEvent err = %v", name, err)
		}
	}
	// A forged calendar id.
	forged := form
	forged.CalendarID = "999999"
	if _, err := w.s.CreateEvent(w.ctx, as(w.tech), forged); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("forged calendar: err = %v", err)
	}
	// Moving an event into a calendar one may only view.
	viewOnly := w.calendar("Formation des stagiaires", access.Grant{GroupID: w.group("Techniciens"), Level: access.View})
	move := form
	move.CalendarID = strconv.FormatInt(viewOnly, 10)
	if err := w.s.UpdateEvent(w.ctx, as(w.tech), w.privEvent, move); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("move to view-only calendar: err = %v", err)
	}
	// The editor can.
	if err := w.s.UpdateEvent(w.ctx, as(w.tech), w.privEvent, form); err != nil {
		t.Fatalf("editor update: %v", err)
	}
	e, _, err := w.s.Event(w.ctx, w.elu, w.privEvent)
	if err != nil || e.Title != "Intrusion" || e.Sequence != 1 {
		t.Fatalf("after update: %+v %v", e, err)
	}
	if err := w.s.DeleteEvent(w.ctx, as(w.tech), w.privEvent); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.s.Event(w.ctx, admin, w.privEvent); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("deleted: err = %v", err)
	}
	if _, ok := w.idx.Get(w.privEvent); ok {
		t.Fatal("deleted event still indexed")
	}
}

func TestDescriptionSanitised(t *testing.T) {
	w := newWorld(t)
	e, _, err := w.s.Event(w.ctx, w.elu, w.privEvent)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.Description, "script") || !strings.Contains(e.Description, "<b>primitif</b>") {
		t.Fatalf("description = %q", e.Description)
	}
}

func TestExceptionsAndSplit(t *testing.T) {
	w := newWorld(t)
	cal := strconv.FormatInt(w.private, 10)
	weekly := EventForm{CalendarID: cal, Title: "Réunion technique", Location: "Salle A", StartDate: "2026-03-02", StartTime: "18:00", EndTime: "19:00",
		Recurrence: RecurrenceForm{Freq: FreqWeekly, Weekdays: []string{"MO"}, End: EndCount, Count: "10"}}
	id := w.event(w.tech, weekly)
	mar16 := time.Date(2026, 3, 16, 18, 0, 0, 0, paris)
	mar23 := time.Date(2026, 3, 23, 18, 0, 0, 0, paris)
	// Cancel one, move another (to Tuesday, another room).
	if err := w.s.CancelOccurrence(w.ctx, as(w.tech), id, mar16); err != nil {
		t.Fatal(err)
	}
	if err := w.s.ChangeOccurrence(w.ctx, as(w.tech), id, mar23, OccurrenceChange{StartDate: "2026-03-24", StartTime: "09:00", EndTime: "10:30", Location: "Salle B"}); err != nil {
		t.Fatal(err)
	}
	// Not an occurrence; not allowed.
	if err := w.s.CancelOccurrence(w.ctx, as(w.tech), id, mar16.Add(time.Hour)); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("cancel a non-occurrence: %v", err)
	}
	if err := w.s.CancelOccurrence(w.ctx, as(w.elu), id, mar23); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("viewer cancels: %v", err)
	}
	got := localTimes(w.occurrences(w.elu, day(2026, 3, 1), day(2026, 4, 1), Filter{CalendarIDs: []int64{w.private}}))
	want := []string{"2026-03-02 18:00–19:00", "2026-03-09 18:00–19:00", "2026-03-12 18:00–20:00", "2026-03-24 09:00–10:30", "2026-03-30 18:00–19:00"}
	if !slices.Equal(got, want) {
		t.Fatalf("after exceptions:\n got %q\nwant %q", got, want)
	}
	occ := w.occurrences(w.elu, day(2026, 3, 24), day(2026, 3, 25), Filter{})
	if len(occ) != 1 || occ[0].Location != "Salle B" || !occ[0].Changed || !occ[0].OriginalStart.Equal(mar23) {
		t.Fatalf("moved occurrence = %+v", occ)
	}
	// A window that holds only the moved occurrence's new time, not its original one.
	if occ := w.occurrences(w.elu, time.Date(2026, 3, 24, 0, 0, 0, 0, paris), time.Date(2026, 3, 24, 23, 0, 0, 0, paris), Filter{}); len(occ) != 1 {
		t.Fatalf("moved-in occurrence missing: %v", localTimes(occ))
	}

	// "This and the following": from 6 April, 17:30 in Salle C.
	apr6 := time.Date(2026, 4, 6, 18, 0, 0, 0, paris)
	next := weekly
	next.StartDate, next.StartTime, next.EndTime, next.Location = "2026-04-06", "17:30", "18:30", "Salle C"
	newID, err := w.s.SplitSeries(w.ctx, as(w.tech), id, apr6, next)
	if err != nil {
		t.Fatal(err)
	}
	if newID == id {
		t.Fatal("split did not create a new series")
	}
	all := w.occurrences(w.elu, day(2026, 3, 1), day(2026, 7, 1), Filter{CalendarIDs: []int64{w.private}})
	var old, nw []string
	for _, o := range all {
		switch o.EventID {
		case id:
			old = append(old, o.Start.In(paris).Format("01-02 15:04"))
		case newID:
			nw = append(nw, o.Start.In(paris).Format("01-02 15:04")+" "+o.Location)
		}
	}
	// 10 occurrences in all: 5 before the split (one cancelled), 5 after.
	if !slices.Equal(old, []string{"03-02 18:00", "03-09 18:00", "03-24 09:00", "03-30 18:00"}) {
		t.Fatalf("old series = %q", old)
	}
	if !slices.Equal(nw, []string{"04-06 17:30 Salle C", "04-13 17:30 Salle C", "04-20 17:30 Salle C", "04-27 17:30 Salle C", "05-04 17:30 Salle C"}) {
		t.Fatalf("new series = %q", nw)
	}
	// Restoring the cancelled occurrence brings it back.
	if err := w.s.RestoreOccurrence(w.ctx, as(w.tech), id, mar16); err != nil {
		t.Fatal(err)
	}
	if n := len(w.occurrences(w.elu, day(2026, 3, 16), day(2026, 3, 17), Filter{})); n != 1 {
		t.Fatalf("restored occurrence: %d", n)
	}
}

func TestSplitEndlessSeriesWithException(t *testing.T) {
	w := newWorld(t)
	form := EventForm{CalendarID: strconv.FormatInt(w.private, 10), Title: "Permanence", StartDate: "2026-10-05", StartTime: "18:00", EndTime: "19:00",
		Recurrence: RecurrenceForm{Freq: FreqWeekly, Weekdays: []string{"MO"}}}
	id := w.event(w.tech, form)
	nov9 := time.Date(2026, 11, 9, 18, 0, 0, 0, paris)
	if err := w.s.CancelOccurrence(w.ctx, as(w.tech), id, nov9); err != nil {
		t.Fatal(err)
	}
	next := form
	next.StartDate, next.Title = "2026-11-02", "Permanence élargie"
	newID, err := w.s.SplitSeries(w.ctx, as(w.tech), id, time.Date(2026, 11, 2, 18, 0, 0, 0, paris), next)
	if err != nil {
		t.Fatal(err)
	}
	got := localTimes(w.occurrences(w.elu, day(2026, 10, 20), day(2026, 11, 24), Filter{CalendarIDs: []int64{w.private}}))
	want := []string{"2026-10-26 18:00–19:00", "2026-11-02 18:00–19:00", "2026-11-16 18:00–19:00", "2026-11-23 18:00–19:00"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q want %q", got, want)
	}
	e, _, _ := w.s.Event(w.ctx, w.elu, newID)
	if len(e.Overrides) != 1 || !e.Overrides[0].Cancelled {
		t.Fatalf("cancellation did not follow the split: %+v", e.Overrides)
	}
	old, _, _ := w.s.Event(w.ctx, w.elu, id)
	if old.SeriesEnd == nil || !strings.Contains(old.RRule, "UNTIL=") {
		t.Fatalf("old series not cut: %q end=%v", old.RRule, old.SeriesEnd)
	}
}

func TestValidationThroughStore(t *testing.T) {
	w := newWorld(t)
	_, err := w.s.CreateEvent(w.ctx, as(w.tech), EventForm{CalendarID: strconv.FormatInt(w.private, 10), Title: "Impossible",
		StartDate: "2026-03-02", StartTime: "10:00", Recurrence: RecurrenceForm{Freq: FreqYearly, Month: "2", MonthDay: "30"}})
	ve := wantKey(t, err, "jour_du_mois", "calendar.error.rec_no_such_day.2")
	if m := ve["jour_du_mois"]; !strings.Contains(fr.T(m.Key, m.Args...), "30 février") {
		t.Fatalf("Feb 30: %v", err)
	}
	// Rules with no date at all, though each part is valid.
	_, err = w.s.CreateEvent(w.ctx, as(w.tech), EventForm{CalendarID: strconv.FormatInt(w.private, 10), Title: "Jamais",
		StartDate: "2029-03-01", StartTime: "10:00", Recurrence: RecurrenceForm{Freq: FreqYearly, Interval: "4", Month: "2", MonthDay: "29"}})
	wantKey(t, err, "repetition", "calendar.error.rec_no_date")
	// Ten years of daily events are accepted.
	id, err := w.s.CreateEvent(w.ctx, as(w.tech), EventForm{CalendarID: strconv.FormatInt(w.private, 10), Title: "Relevé quotidien",
		StartDate: "2026-01-01", StartTime: "06:00", EndTime: "06:15", Recurrence: RecurrenceForm{Freq: FreqDaily, End: EndUntil, Until: "2035-12-31"}})
	if err != nil {
		t.Fatal(err)
	}
	occ := w.occurrences(w.elu, day(2035, 12, 1), day(2036, 1, 1), Filter{CalendarIDs: []int64{w.private}})
	if len(occ) != 31 || occ[0].EventID != id {
		t.Fatalf("December 2035: %d occurrences", len(occ))
	}
}

func TestAttributeFilterAndFeedToken(t *testing.T) {
	w := newWorld(t)
	instance, err := w.s.CreateAttribute(w.ctx, access.System(), Attribute{Key: "instance", Label: "Instance", Type: AttrChoice, Choices: []string{"Comité syndical", "Bureau"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.CreateAttribute(w.ctx, access.System(), Attribute{Key: "instance", Label: "Doublon", Type: AttrText}); err == nil {
		t.Fatal("duplicate key accepted")
	} else {
		wantKey(t, err, "cle", "calendar.error.attr_key_taken")
	}
	if _, err := w.s.CreateAttribute(w.ctx, access.System(), Attribute{Key: "Bad Key", Label: "", Type: "colour"}); err == nil {
		t.Fatal("bad attribute accepted")
	}
	cal := strconv.FormatInt(w.private, 10)
	bureau := w.event(w.tech, EventForm{CalendarID: cal, Title: "Bureau", StartDate: "2026-03-10", StartTime: "14:00",
		Attributes: map[string]string{"instance": "Bureau"}})
	got := ids(w.occurrences(w.elu, day(2026, 3, 1), day(2026, 4, 1), Filter{AttrID: instance, AttrValue: "Bureau"}))
	if !slices.Equal(got, []int64{bureau}) {
		t.Fatalf("filter by instance = %v", got)
	}
	// Feed tokens.
	token, err := w.s.NewFeedToken(w.ctx, as(w.elu))
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.s.FeedPrincipal(w.ctx, token)
	if err != nil || p.UserID != w.elu.UserID || !slices.Contains(p.Groups, w.group("Élus")) {
		t.Fatalf("FeedPrincipal = %+v, %v", p, err)
	}
	var stored string
	w.d.QueryRow(w.ctx, "SELECT token_hash FROM calendar_feed_tokens WHERE user_id = ?", w.elu.UserID).Scan(&stored)
	if stored == token || stored == "" {
		t.Fatal("token stored in clear")
	}
	// A new token revokes the old.
	token2, _ := w.s.NewFeedToken(w.ctx, as(w.elu))
	if _, err := w.s.FeedPrincipal(w.ctx, token); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("old token still works: %v", err)
	}
	// Disabled account: the feed stops.
	w.d.Exec(w.ctx, "UPDATE users SET disabled = TRUE WHERE id = ?", w.elu.UserID)
	if _, err := w.s.FeedPrincipal(w.ctx, token2); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("disabled account's feed: %v", err)
	}
	w.d.Exec(w.ctx, "UPDATE users SET disabled = FALSE WHERE id = ?", w.elu.UserID)
	if _, err := w.s.FeedPrincipal(w.ctx, token2); err != nil {
		t.Fatal(err)
	}
	if err := w.s.RevokeFeedToken(w.ctx, as(w.elu)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.FeedPrincipal(w.ctx, token2); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("revoked token: %v", err)
	}
	if _, err := w.s.FeedPrincipal(w.ctx, ""); !errors.Is(err, db.ErrNotFound) {
		t.Fatal("empty token accepted")
	}
}

func TestCalendarValidation(t *testing.T) {
	f := newFixture(t)
	_, err := f.s.CreateCalendar(f.ctx, access.System(), Calendar{Name: "", Colour: "red", TimeZone: "Mars/Olympus"}, nil)
	wantKey(t, err, "nom", "calendar.error.name_required")
	wantKey(t, err, "couleur", "calendar.error.colour")
	wantKey(t, err, "fuseau", "calendar.error.timezone")
}
