package acts_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"portique/internal/acts"
)

// The demo register: a year of acts, all dated in the past, a correction,
// a withdrawal, a private individual act, a draft, a session still owing
// its list; its export validates against the SCDL schema; its PDFs are
// read by the real extraction and found by the search.
func TestSeedDemo(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	f.clock.Set(now)
	sec := f.group("Secrétariat démo")
	must(t, f.store.SeedDemo(ctx, now, sec, acts.DemoEvents{}))
	f.extractAll()
	all, n, _, err := f.store.Find(ctx, admin().Principal, acts.Filter{Limit: 200})
	must(t, err)
	if n < 35 {
		t.Fatalf("%d demo acts", n)
	}
	kinds := map[acts.Kind]int{}
	var drafts, withdrawn, corrected, private int
	for _, a := range all {
		kinds[a.Kind]++
		if a.Date > "2026-12-03" || a.Date < "2025-12-01" {
			t.Errorf("act %s dated %s", a.Number, a.Date)
		}
		if !a.Published() {
			drafts++
		} else if a.Publication.At.After(now) {
			t.Errorf("act %s published in the future (%s)", a.Number, a.Publication.At)
		}
		if a.WithdrawnAt != nil {
			withdrawn++
		}
		if a.Corrects != nil {
			corrected++
		}
		if !a.Public {
			private++
		}
		if a.TextStatus != acts.TextDone {
			t.Errorf("act %s: text %s", a.Number, a.TextStatus)
		}
	}
	if kinds[acts.Deliberation] < 15 || kinds[acts.List] < 5 || kinds[acts.Minutes] < 4 || kinds[acts.Arrete] < 3 || kinds[acts.Decision] < 3 {
		t.Errorf("kinds = %v", kinds)
	}
	if drafts != 1 || withdrawn != 1 || corrected != 1 || private != 1 {
		t.Errorf("drafts %d, withdrawn %d, corrected %d, private %d", drafts, withdrawn, corrected, private)
	}
	ds, err := f.store.Deadlines(ctx, admin().Principal)
	must(t, err)
	due := false
	for _, d := range ds {
		for _, m := range d.Missing {
			if m.Kind == acts.List && m.DaysLeft == 3 {
				due = true
			}
		}
	}
	if !due {
		t.Errorf("no list due in 3 days in the demo: %+v", ds)
	}
	schema, err := loadSchema(schemaPath)
	must(t, err)
	rows, err := f.store.Deliberations(ctx, anonymous(), "https://www.sydrav.example")
	must(t, err)
	var buf bytes.Buffer
	must(t, acts.WriteCSV(&buf, rows))
	if errs := schema.validate(&buf); len(errs) > 0 {
		t.Fatalf("demo export: %s", strings.Join(errs, "\n"))
	}
	list, _, _, err := f.store.Find(ctx, anonymous(), acts.Filter{Text: "ressourcerie"})
	must(t, err)
	if len(list) == 0 {
		t.Error("the search finds no demo act by a word of its PDF")
	}
	if list, _, _, _ := f.store.Find(ctx, anonymous(), acts.Filter{Text: "Marchal"}); len(list) != 0 {
		t.Error("the search shows the private individual act")
	}
}
