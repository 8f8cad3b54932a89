package calendar

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/search"
)

// TestSearchThroughRealIndex indexes events into the real search engine and
// checks that a private event is found only by those who may see it.
func TestSearchThroughRealIndex(t *testing.T) {
	w := newWorld(t)
	idx := search.New(w.d)
	w.s = New(w.d, idx)
	w.s.Now = func() time.Time { return w.now }
	if _, err := w.s.CreateAttribute(w.ctx, access.System(), Attribute{Key: "salle", Label: "Salle", Type: AttrText}); err != nil {
		t.Fatal(err)
	}
	priv := w.event(w.tech, EventForm{CalendarID: strconv.FormatInt(w.private, 10), Title: "Commission d’appel d’offres",
		Description: "<p>Attribution du marché de collecte</p>", StartDate: "2026-03-19", StartTime: "10:00",
		Attributes: map[string]string{"salle": "Salle Marianne"}})
	pub := w.event(w.tech, EventForm{CalendarID: strconv.FormatInt(w.public, 10), Title: "Atelier compostage", Location: "Jardin des Tilleuls",
		StartDate: "2026-03-21", StartTime: "10:00"})
	find := func(p access.Principal, q string) []int64 {
		t.Helper()
		res, err := idx.Search(w.ctx, p, search.Query{Text: q, Kinds: []string{search.KindEvent}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	for _, q := range []string{"marché", "Marianne", "appel d’offres"} {
		if got := find(w.elu, q); len(got) != 1 || got[0] != priv {
			t.Errorf("élu searching %q: %v", q, got)
		}
		for name, p := range map[string]access.Principal{"anonyme": w.anon, "stagiaire": w.stagiaire, "sans groupe": w.outsider} {
			if got := find(p, q); len(got) != 0 {
				t.Errorf("%s finds the private event with %q: %v", name, q, got)
			}
		}
	}
	if got := find(w.anon, "compostage"); len(got) != 1 || got[0] != pub {
		t.Errorf("anonymous searching the public event: %v", got)
	}
	// Deleting removes it from the index.
	if err := w.s.DeleteEvent(w.ctx, as(w.tech), priv); err != nil {
		t.Fatal(err)
	}
	if got := find(admin, "Marianne"); len(got) != 0 {
		t.Errorf("deleted event still found: %v", got)
	}
}

// TestDeleteCalendar removes a calendar with everything hanging from it:
// events, exceptions, attribute values, search entries, access node; the
// other calendars are untouched.
func TestDeleteCalendar(t *testing.T) {
	w := newWorld(t)
	idx := search.New(w.d)
	w.s = New(w.d, idx)
	w.s.Now = func() time.Time { return w.now }
	if _, err := w.s.CreateAttribute(w.ctx, access.System(), Attribute{Key: "salle", Label: "Salle", Type: AttrText}); err != nil {
		t.Fatal(err)
	}
	cal := strconv.FormatInt(w.private, 10)
	commission := w.event(w.tech, EventForm{CalendarID: cal, Title: "Commission d’appel d’offres", StartDate: "2026-03-19", StartTime: "10:00",
		Attributes: map[string]string{"salle": "Salle Marianne"}})
	weekly := w.event(w.tech, EventForm{CalendarID: cal, Title: "Réunion hebdomadaire des techniciens", StartDate: "2026-03-02", StartTime: "09:00", EndTime: "10:00",
		Recurrence: RecurrenceForm{Freq: FreqWeekly, Weekdays: []string{"MO"}}})
	if err := w.s.CancelOccurrence(w.ctx, as(w.tech), weekly, time.Date(2026, 3, 9, 9, 0, 0, 0, paris)); err != nil {
		t.Fatal(err)
	}
	pub := w.event(w.tech, EventForm{CalendarID: strconv.FormatInt(w.public, 10), Title: "Atelier compostage", StartDate: "2026-03-21", StartTime: "10:00"})
	find := func(q string) int {
		t.Helper()
		res, err := idx.Search(w.ctx, admin, search.Query{Text: q, Kinds: []string{search.KindEvent}})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Hits)
	}
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := w.d.QueryRow(w.ctx, query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	n, err := w.s.CountEvents(w.ctx, w.private)
	if err != nil || n != 3 { // with the world's own private event
		t.Fatalf("CountEvents = %d, %v; want 3", n, err)
	}
	if find("Marianne") != 1 || find("hebdomadaire") != 1 || count("SELECT COUNT(*) FROM event_overrides") != 1 ||
		count("SELECT COUNT(*) FROM event_attribute_values WHERE event_id = ?", commission) != 1 {
		t.Fatal("setup: events not indexed or exception missing")
	}
	if err := w.s.DeleteCalendar(w.ctx, access.System(), w.private); err != nil {
		t.Fatal(err)
	}
	if find("Marianne") != 0 || find("hebdomadaire") != 0 {
		t.Error("the deleted calendar's events are still in the search")
	}
	if find("compostage") != 1 {
		t.Error("another calendar's event left the search")
	}
	for _, c := range []struct {
		query string
		arg   int64
	}{
		{"SELECT COUNT(*) FROM events WHERE calendar_id = ?", w.private},
		{"SELECT COUNT(*) FROM calendars WHERE id = ?", w.private},
		{"SELECT COUNT(*) FROM acl_nodes WHERE kind = 'calendar' AND id = ?", w.private},
		{"SELECT COUNT(*) FROM grants WHERE kind = 'calendar' AND object_id = ?", w.private},
		{"SELECT COUNT(*) FROM event_overrides WHERE event_id = ?", weekly},
		{"SELECT COUNT(*) FROM event_attribute_values WHERE event_id = ?", commission},
	} {
		if got := count(c.query, c.arg); got != 0 {
			t.Errorf("%s [%d] → %d rows left", c.query, c.arg, got)
		}
	}
	if _, _, err := w.s.Event(w.ctx, admin, pub); err != nil {
		t.Errorf("the other calendar's event: %v", err)
	}
	if n, _ := w.s.CountEvents(w.ctx, w.private); n != 0 {
		t.Errorf("CountEvents after delete = %d", n)
	}
	if err := w.s.DeleteCalendar(w.ctx, access.System(), w.private); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("deleting again: %v, want db.ErrNotFound", err)
	}
}
