package pages

import (
	"testing"
	"time"

	"portique/internal/valid"
)

func TestParseSchedule(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Across the change to summer time: 01:30 CET and 03:30 CEST are one
	// hour apart; both bounds are UTC and to the minute.
	from, until, err := ParseSchedule(Schedule{PublishAt: "2026-03-29T01:30", UnpublishAt: "2026-03-29T03:30:59"}, paris)
	if err != nil {
		t.Fatal(err)
	}
	if !from.Equal(time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)) || !until.Equal(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)) || from.Location() != time.UTC {
		t.Errorf("from %v until %v", from, until)
	}
	if f, _, _ := ParseSchedule(Schedule{PublishAt: "2026-07-01T09:00"}, paris); !f.Equal(time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("summer time: %v", f)
	}
	for _, c := range []struct {
		sc    Schedule
		field string
		key   string
	}{
		{Schedule{PublishAt: "2026-03-10T10:00", UnpublishAt: "2026-03-10T10:00"}, "unpublish_at", "news.error.unpublish_before"},
		{Schedule{PublishAt: "2026-03-10T10:00", UnpublishAt: "2026-03-10T09:59"}, "unpublish_at", "news.error.unpublish_before"},
		{Schedule{PublishAt: "10/03/2026"}, "publish_at", "news.error.date_invalid"},
		{Schedule{UnpublishAt: "0001-01-01T00:00"}, "unpublish_at", "news.error.date_invalid"},
	} {
		_, _, err := ParseSchedule(c.sc, paris)
		ve, ok := err.(valid.Errors)
		if !ok || ve.Key(c.field) != c.key {
			t.Errorf("%+v: %v, want %s on %s", c.sc, err, c.key, c.field)
		}
	}
	if f, u, err := ParseSchedule(Schedule{}, nil); err != nil || !f.IsZero() || !u.IsZero() {
		t.Errorf("empty window: %v %v %v", f, u, err)
	}
}

// FuzzParseSchedule: any input gives a window or field errors, never a
// panic, and an accepted window is UTC, to the minute and in order.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range [][2]string{{"2026-03-10T10:00", "2026-03-10T11:00"}, {"", ""}, {"2026-13-40T25:61", ""},
		{"9999-12-31T23:59", ""}, {"2026-03-10 10:00", "2026-03-10T10:00:30"}, {"\x00", "é"}} {
		f.Add(s[0], s[1])
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	f.Fuzz(func(t *testing.T, a, b string) {
		from, until, err := ParseSchedule(Schedule{PublishAt: a, UnpublishAt: b}, paris)
		if err != nil {
			if _, ok := err.(valid.Errors); !ok {
				t.Fatalf("not a field error: %v", err)
			}
			return
		}
		for _, x := range []time.Time{from, until} {
			if !x.IsZero() && (x.Location() != time.UTC || x.Second() != 0 || x.Nanosecond() != 0) {
				t.Fatalf("bound %v", x)
			}
		}
		if !from.IsZero() && !until.IsZero() && !until.After(from) {
			t.Fatalf("window %v – %v", from, until)
		}
	})
}
