package calendar

import (
	"strconv"
	"testing"

	"portique/internal/access"
)

// An event id is never given again after the event is deleted (SQLite
// would reuse the highest one; PostgreSQL's identity does not).
func TestEventIDsNeverReused(t *testing.T) {
	f := newFixture(t)
	cal := f.calendar("Public", access.Grant{GroupID: access.Everyone, Level: access.View})
	form := func(title string) EventForm {
		return EventForm{CalendarID: strconv.FormatInt(cal, 10), Title: title, StartDate: "2026-03-20", StartTime: "10:00", EndTime: "11:00"}
	}
	a := f.event(admin, form("Premier"))
	b := f.event(admin, form("Dernier"))
	if err := f.s.DeleteEvent(f.ctx, as(admin), b); err != nil {
		t.Fatal(err)
	}
	c := f.event(admin, form("Suivant"))
	if c == b || c <= a {
		t.Fatalf("ids %d, %d (deleted), then %d: the deleted id was given again", a, b, c)
	}
	// A split series (the other way to create an event) too.
	if err := f.s.DeleteEvent(f.ctx, as(admin), c); err != nil {
		t.Fatal(err)
	}
	d := f.event(admin, form("Encore"))
	if d == c || d == b {
		t.Fatalf("id %d given again", d)
	}
}

// An attribute limited to some calendars: the others take no value for it,
// and AppliesToAny tells the agenda's filter whom to show it to.
func TestAttributeLimitedToCalendars(t *testing.T) {
	f := newFixture(t)
	pub := f.calendar("Public", access.Grant{GroupID: access.Everyone, Level: access.View})
	internal := f.calendar("Interne")
	id, err := f.s.CreateAttribute(f.ctx, as(admin), Attribute{Key: "instance", Label: "Instance", Type: AttrChoice,
		Choices: []string{"Bureau", "Comité"}, Calendars: []int64{internal, internal, 99999}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Attribute(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Calendars) != 1 || got.Calendars[0] != internal {
		t.Fatalf("calendars = %v, want only the internal one (unknown ids dropped)", got.Calendars)
	}
	if got.AppliesTo(pub) || !got.AppliesTo(internal) || got.AppliesToAny([]int64{pub}) || !got.AppliesToAny([]int64{pub, internal}) {
		t.Errorf("AppliesTo wrong for %+v", got)
	}
	ev := func(cal int64) EventForm {
		return EventForm{CalendarID: strconv.FormatInt(cal, 10), Title: "Réunion", StartDate: "2026-03-20", StartTime: "10:00", EndTime: "11:00",
			Attributes: map[string]string{"instance": "Bureau"}}
	}
	onPub := f.event(admin, ev(pub))
	onInt := f.event(admin, ev(internal))
	for _, c := range []struct {
		id   int64
		want int
	}{{onPub, 0}, {onInt, 1}} {
		e, _, err := f.s.Event(f.ctx, admin, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Attributes) != c.want {
			t.Errorf("event %d: %d attribute values, want %d", c.id, len(e.Attributes), c.want)
		}
	}
	// Back to every calendar.
	got.Calendars = nil
	if err := f.s.UpdateAttribute(f.ctx, as(admin), got); err != nil {
		t.Fatal(err)
	}
	if got, _ = f.s.Attribute(f.ctx, id); len(got.Calendars) != 0 || !got.AppliesTo(pub) {
		t.Errorf("after update: %v", got.Calendars)
	}
}
