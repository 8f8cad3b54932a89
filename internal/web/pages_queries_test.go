package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/pages"
)

// saveCounts are the statements of one request, and those that ask the
// access model (they read acl_nodes).
type saveCounts struct {
	statements, accessChecks int
	checks                   []string
}

// countStatements runs fn with the database observed.
func (f *siteFixture) countStatements(t *testing.T, fn func()) saveCounts {
	t.Helper()
	var mu sync.Mutex
	var c saveCounts
	f.ts.db.Observe(func(q string) {
		mu.Lock()
		defer mu.Unlock()
		c.statements++
		if strings.Contains(q, "acl_nodes") {
			c.accessChecks++
			c.checks = append(c.checks, q)
		}
	})
	defer f.ts.db.Observe(nil)
	fn()
	return c
}

// A page save through the HTTP handler asks the access model about the
// page once: the store checks the rule once, in the one transaction of the
// save (draft, publication, pictures), and the handler takes no decision of
// its own. Two cases ask once more, each for a reason of its own: a save
// with pictures is checked before the server reads and decodes them, and a
// block that shows a calendar (or a folder) asks the calendar's store
// whether the editor may see it.
func TestPageSaveQueries(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	f.editor.get(t, "/healthz") // the CSRF token, outside the count
	text := func(s string) pages.Block { return pages.Block{Type: "text", HTML: "<p>" + s + "</p>"} }
	cal, err := f.ts.srv.calendar.CreateCalendar(context.Background(), access.System(), calendar.Calendar{Name: "Bureau"},
		[]access.Grant{{GroupID: f.gElus, Level: access.View}})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		op     string
		blocks []pages.Block
		files  map[string][2]string
		checks int
	}{
		{"save", "save", []pages.Block{text("Nouveau compte rendu")}, nil, 1},
		{"publish", "publish", []pages.Block{text("Compte rendu publié")}, nil, 1},
		{"save with a picture", "save", []pages.Block{text("Avec plan"), {Type: "image", Alt: "Plan"}},
			map[string][2]string{"blocks.1.file": {"plan.png", pngData(t, 40, 20)}}, 2},
		{"publish with two pictures", "publish", []pages.Block{{Type: "image", Alt: "Plan"}, {Type: "image", Alt: "Salle"}},
			map[string][2]string{"blocks.0.file": {"plan.png", pngData(t, 30, 20)}, "blocks.1.file": {"salle.png", pngData(t, 20, 30)}}, 2},
		{"publish with an events block", "publish", []pages.Block{text("Agenda"), {Type: "events"}}, nil, 2},
	}
	for _, c := range cases {
		p := f.page(t, f.seances.ID)
		form := editForm(p.Head(), "Séances 2026", c.blocks...)
		form.Set("op", c.op)
		for i, b := range c.blocks {
			if b.Type == "events" {
				form.Set(fmt.Sprintf("blocks.%d.calendar_id", i), fmt.Sprint(cal))
			}
		}
		n := f.countStatements(t, func() { wantStatus(t, f.editor.postMultipart(t, path, form, c.files), 303) })
		t.Logf("%s: %d statements, %d access checks", c.name, n.statements, n.accessChecks)
		if n.accessChecks != c.checks {
			t.Errorf("%s: %d access checks, want %d:\n%s", c.name, n.accessChecks, c.checks, strings.Join(n.checks, "\n"))
		}
	}
	if p := f.page(t, f.seances.ID); p.DraftRev != 0 || p.Title != "Séances 2026" {
		t.Fatalf("page after the saves = %+v", p)
	}

	props := f.countStatements(t, func() {
		wantStatus(t, f.editor.post(t, fmt.Sprintf("/pages/%d/proprietes", f.seances.ID), url.Values{"slug": {"seances"}, "menu_title": {"Séances"}}), 303)
	})
	t.Logf("properties: %d statements, %d access checks", props.statements, props.accessChecks)
	if props.accessChecks != 1 {
		t.Errorf("properties: %d access checks, want 1:\n%s", props.accessChecks, strings.Join(props.checks, "\n"))
	}
}
