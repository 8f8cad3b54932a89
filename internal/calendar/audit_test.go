package calendar

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/valid"
)

// entries returns the audit entries whose action starts with prefix.
func (f *fixture) entries(prefix string) []audit.Entry {
	f.t.Helper()
	es, _, err := audit.Find(f.ctx, f.d, audit.Filter{Action: prefix, Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

// wantEntry checks that exactly one entry has the action and the object,
// and returns it.
func (f *fixture) wantEntry(action, object string) audit.Entry {
	f.t.Helper()
	var found []audit.Entry
	for _, e := range f.entries(action) {
		if e.Action == action && e.Object == object {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		f.t.Fatalf("%s on %s: %d entries, want exactly 1: %+v", action, object, len(found), found)
	}
	return found[0]
}

// Every calendar change writes exactly one audit entry, naming who made it,
// from where, and its details as data.
func TestMutationsAreAudited(t *testing.T) {
	w := newWorld(t)
	tech := as(w.tech)
	sys := access.System()
	cal := strconv.FormatInt(w.private, 10)

	e := w.wantEntry("calendar.created", audit.Object("calendar", w.private))
	if want := "Instances grants=" + strconv.FormatInt(w.group("Élus"), 10) + ":view," + strconv.FormatInt(w.group("Techniciens"), 10) + ":edit"; e.Detail != want {
		t.Errorf("calendar.created detail %q, want %q", e.Detail, want)
	}
	c, err := w.s.Calendar(w.ctx, admin, w.private)
	if err != nil {
		t.Fatal(err)
	}
	c.Name = "Instances statutaires"
	if err := w.s.UpdateCalendar(w.ctx, sys, c.Calendar, []access.Grant{{GroupID: w.group("Élus"), Level: access.Edit}}); err != nil {
		t.Fatal(err)
	}
	if e := w.wantEntry("calendar.updated", audit.Object("calendar", w.private)); e.Detail != "Instances statutaires grants="+strconv.FormatInt(w.group("Élus"), 10)+":edit" {
		t.Errorf("calendar.updated detail %q", e.Detail)
	}

	id := w.event(w.tech, EventForm{CalendarID: strconv.FormatInt(w.public, 10), Title: "Permanence", StartDate: "2026-03-02", StartTime: "18:00", EndTime: "19:00",
		Recurrence: RecurrenceForm{Freq: FreqWeekly, Weekdays: []string{"MO"}}})
	e = w.wantEntry("event.created", audit.Object("event", id))
	if e.ActorID != w.tech.UserID || e.Actor != tech.Name || e.IP != "192.0.2.1" || e.Detail != "Permanence" || !e.At.Equal(w.now) {
		t.Errorf("event.created entry %+v", e)
	}
	mar9 := time.Date(2026, 3, 9, 18, 0, 0, 0, paris)
	if err := w.s.CancelOccurrence(w.ctx, tech, id, mar9); err != nil {
		t.Fatal(err)
	}
	if e := w.wantEntry("event.occurrence_cancelled", audit.Object("event", id)); e.Detail != "occurrence=2026-03-09T17:00:00Z" {
		t.Errorf("cancel detail %q", e.Detail)
	}
	if err := w.s.RestoreOccurrence(w.ctx, tech, id, mar9); err != nil {
		t.Fatal(err)
	}
	w.wantEntry("event.occurrence_restored", audit.Object("event", id))
	if err := w.s.ChangeOccurrence(w.ctx, tech, id, mar9, OccurrenceChange{StartDate: "2026-03-10", StartTime: "18:00", Title: "Permanence déplacée"}); err != nil {
		t.Fatal(err)
	}
	if e := w.wantEntry("event.updated", audit.Object("event", id)); e.Detail != "Permanence déplacée occurrence=2026-03-09T17:00:00Z" {
		t.Errorf("change detail %q", e.Detail)
	}
	next := EventForm{CalendarID: strconv.FormatInt(w.public, 10), Title: "Permanence (soir)", StartDate: "2026-03-16", StartTime: "19:00", EndTime: "20:00",
		Recurrence: RecurrenceForm{Freq: FreqWeekly, Weekdays: []string{"MO"}}}
	newID, err := w.s.SplitSeries(w.ctx, tech, id, time.Date(2026, 3, 16, 18, 0, 0, 0, paris), next)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(w.entries("event.updated")); n != 2 {
		t.Fatalf("after the split: %d event.updated entries, want 2", n)
	}
	if e := w.entries("event.updated")[0]; e.Object != audit.Object("event", newID) || e.Detail != "Permanence (soir) from=event:"+strconv.FormatInt(id, 10)+" occurrence=2026-03-16T17:00:00Z" {
		t.Errorf("split entry %+v", e)
	}
	if err := w.s.DeleteEvent(w.ctx, tech, newID); err != nil {
		t.Fatal(err)
	}
	if e := w.wantEntry("event.deleted", audit.Object("event", newID)); e.Detail != "Permanence (soir)" {
		t.Errorf("delete detail %q", e.Detail)
	}

	attr, err := w.s.CreateAttribute(w.ctx, sys, Attribute{Key: "salle", Label: "Salle", Type: AttrText})
	if err != nil {
		t.Fatal(err)
	}
	if e := w.wantEntry("calendar.attribute_created", audit.Object("attribute", attr)); e.Detail != "salle" || e.Actor != "" || e.ActorID != 0 {
		t.Errorf("attribute entry %+v", e)
	}
	if err := w.s.UpdateAttribute(w.ctx, sys, Attribute{ID: attr, Key: "ignored", Label: "Salle de réunion", Type: AttrText}); err != nil {
		t.Fatal(err)
	}
	if e := w.wantEntry("calendar.attribute_updated", audit.Object("attribute", attr)); e.Detail != "salle" {
		t.Errorf("attribute update detail %q (the key is stable)", e.Detail)
	}
	if err := w.s.DeleteAttribute(w.ctx, sys, attr); err != nil {
		t.Fatal(err)
	}
	w.wantEntry("calendar.attribute_deleted", audit.Object("attribute", attr))

	elu := as(w.elu)
	if _, err := w.s.NewFeedToken(w.ctx, elu); err != nil {
		t.Fatal(err)
	}
	if e := w.wantEntry("calendar.feed_created", audit.Object("user", w.elu.UserID)); e.Detail != "" || e.ActorID != w.elu.UserID {
		t.Errorf("feed entry %+v", e)
	}
	if err := w.s.RevokeFeedToken(w.ctx, elu); err != nil {
		t.Fatal(err)
	}
	w.wantEntry("calendar.feed_revoked", audit.Object("user", w.elu.UserID))

	w.event(admin, EventForm{CalendarID: cal, Title: "Bureau", StartDate: "2026-03-03", StartTime: "10:00"})
	if err := w.s.DeleteCalendar(w.ctx, sys, w.private); err != nil {
		t.Fatal(err)
	}
	// Instances held the fixture's confidential event and Bureau.
	if e := w.wantEntry("calendar.deleted", audit.Object("calendar", w.private)); e.Detail != "Instances statutaires events=2" {
		t.Errorf("calendar.deleted detail %q", e.Detail)
	}
}

// A refused or invalid change writes no entry; a change whose entry cannot
// be written does not happen: the two commit together or not at all.
func TestChangeAndAuditCommitTogether(t *testing.T) {
	w := newWorld(t)
	tech := as(w.tech)
	cal := strconv.FormatInt(w.private, 10)
	count := func(table, where string, args ...any) int {
		t.Helper()
		var n int
		if err := w.d.QueryRow(w.ctx, "SELECT COUNT(*) FROM "+table+" WHERE "+where, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := len(w.entries(""))

	// Refused and invalid changes leave no trace.
	if _, err := w.s.CreateEvent(w.ctx, as(w.elu), EventForm{CalendarID: cal, Title: "Intrusion", StartDate: "2026-03-20", StartTime: "10:00"}); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("viewer's create: %v", err)
	}
	if _, err := w.s.CreateEvent(w.ctx, tech, EventForm{CalendarID: cal, Title: "", StartDate: "2026-03-20", StartTime: "10:00"}); !errors.As(err, new(valid.Errors)) {
		t.Fatalf("invalid create: %v", err)
	}
	if _, err := w.s.CreateCalendar(w.ctx, tech, Calendar{Name: "Pirate"}, nil); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("a non-administrator created a calendar: %v", err)
	}
	if err := w.s.DeleteEvent(w.ctx, as(w.outsider), w.privEvent); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("outsider's delete: %v", err)
	}
	if err := w.s.CancelOccurrence(w.ctx, tech, w.privEvent, time.Date(2026, 3, 12, 18, 0, 0, 0, paris)); !errors.Is(err, ErrNotRecurring) {
		t.Fatalf("cancelling a single event's occurrence: %v", err)
	}
	if _, err := w.s.NewFeedToken(w.ctx, access.Actor{Principal: access.Anonymous()}); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("anonymous feed token: %v", err)
	}
	if got := len(w.entries("")); got != before {
		t.Fatalf("refused changes wrote %d audit entries", got-before)
	}

	// The trail refuses writes: every change fails and leaves nothing.
	if _, err := w.d.Exec(w.ctx, "ALTER TABLE audit RENAME TO audit_away"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.CreateEvent(w.ctx, tech, EventForm{CalendarID: cal, Title: "Sans trace", StartDate: "2026-03-20", StartTime: "10:00"}); err == nil {
		t.Fatal("an event was created without its audit entry")
	}
	if err := w.s.DeleteEvent(w.ctx, tech, w.privEvent); err == nil {
		t.Fatal("an event was deleted without its audit entry")
	}
	if _, err := w.s.CreateCalendar(w.ctx, access.System(), Calendar{Name: "Sans trace"}, nil); err == nil {
		t.Fatal("a calendar was created without its audit entry")
	}
	if err := w.s.DeleteCalendar(w.ctx, access.System(), w.public); err == nil {
		t.Fatal("a calendar was deleted without its audit entry")
	}
	if _, err := w.s.NewFeedToken(w.ctx, as(w.elu)); err == nil {
		t.Fatal("a feed token was made without its audit entry")
	}
	if _, err := w.d.Exec(w.ctx, "ALTER TABLE audit_away RENAME TO audit"); err != nil {
		t.Fatal(err)
	}
	if n := count("events", "title = ?", "Sans trace"); n != 0 {
		t.Errorf("the unaudited event exists (%d)", n)
	}
	if n := count("events", "id = ?", w.privEvent); n != 1 {
		t.Errorf("the unaudited delete removed the event")
	}
	if n := count("calendars", "name = ?", "Sans trace"); n != 0 {
		t.Errorf("the unaudited calendar exists")
	}
	if n := count("calendars", "id = ?", w.public); n != 1 {
		t.Errorf("the unaudited delete removed the calendar")
	}
	if n := count("acl_nodes", "kind = ? AND id = ?", string(access.Calendar), w.public); n != 1 {
		t.Errorf("the unaudited delete removed the calendar's access node")
	}
	if n := count("calendar_feed_tokens", "user_id = ?", w.elu.UserID); n != 0 {
		t.Errorf("the unaudited feed token exists")
	}
	if got := len(w.entries("")); got != before {
		t.Fatalf("%d audit entries appeared", got-before)
	}

	// Once the trail takes writes again, a change leaves exactly one entry.
	id, err := w.s.CreateEvent(w.ctx, tech, EventForm{CalendarID: cal, Title: "Avec trace", StartDate: "2026-03-20", StartTime: "10:00"})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(w.entries("")); got != before+1 {
		t.Fatalf("one change wrote %d entries", got-before)
	}
	w.wantEntry("event.created", audit.Object("event", id))
	if _, err := getEvent(w.ctx, w.d, id); errors.Is(err, db.ErrNotFound) {
		t.Fatal("the audited event is missing")
	}
}
