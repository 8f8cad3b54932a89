package calendar

import (
	"slices"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
)

func TestSeedDemo(t *testing.T) {
	f := newFixture(t)
	groups := map[string]int64{"Élus": f.group("Élus"), "Techniciens": f.group("Techniciens"), "Stagiaires": f.group("Stagiaires")}
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, paris)
	f.s.Now = func() time.Time { return now }
	if err := f.s.SeedDemo(f.ctx, now, groups); err != nil {
		t.Fatal(err)
	}
	cals, _ := f.s.Calendars(f.ctx, admin, access.View)
	if len(cals) != 4 {
		t.Fatalf("%d calendars", len(cals))
	}
	from, to := now.AddDate(0, -2, 0), now.AddDate(0, 10, 0)
	all := f.occurrences(admin, from, to, Filter{})
	if len(all) < 80 {
		t.Fatalf("only %d occurrences in the demo year", len(all))
	}
	var titles []string
	changed := 0
	for _, o := range all {
		if !slices.Contains(titles, o.Title) {
			titles = append(titles, o.Title)
		}
		if o.Changed {
			changed++
		}
	}
	for _, want := range []string{"Comité syndical", "Réunion technique hebdomadaire", "Journée portes ouvertes du centre de tri", "Collecte des sapins", "Formation des stagiaires : sécurité au centre de tri"} {
		if !slices.Contains(titles, want) {
			t.Errorf("demo lacks %q", want)
		}
	}
	if changed != 1 {
		t.Errorf("%d moved occurrences, want 1", changed)
	}
	// Residents see only the public calendar.
	for _, o := range f.occurrences(access.Anonymous(), from, to, Filter{}) {
		if o.CalendarName != "Animations grand public" {
			t.Fatalf("anonymous sees %q of %q", o.Title, o.CalendarName)
		}
	}
	// A stagiaire sees training and public events only.
	st := f.user("stagiaire@sydrav.fr", "Stagiaires")
	for _, o := range f.occurrences(st, from, to, Filter{}) {
		if !strings.Contains("Formation des stagiaires|Animations grand public", o.CalendarName) {
			t.Fatalf("stagiaire sees %q", o.CalendarName)
		}
	}
}
