package calendar

import (
	"strconv"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/search"
)

// TestSearchThroughRealIndex indexes events into the real search engine and
// checks that a private event is found only by those who may see it.
func TestSearchThroughRealIndex(t *testing.T) {
	w := newWorld(t)
	idx := search.New(w.d)
	w.s = New(w.d, idx)
	w.s.SetClock(func() time.Time { return w.now })
	if _, err := w.s.CreateAttribute(w.ctx, Attribute{Key: "salle", Label: "Salle", Type: AttrText}); err != nil {
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
	if err := w.s.DeleteEvent(w.ctx, w.tech, priv); err != nil {
		t.Fatal(err)
	}
	if got := find(admin, "Marianne"); len(got) != 0 {
		t.Errorf("deleted event still found: %v", got)
	}
}
