package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portique/internal/access"
	"portique/internal/browsertest"
	"portique/internal/calendar"
	"portique/internal/db"
	"portique/internal/pages"
)

// A technician opens the month view, opens an event's popup with the
// keyboard, closes it, switches to week, day and list views, and finds the
// subscription link; axe-core finds no WCAG 2.1 A/AA violation in any view,
// in the popup, or in the event form.
func TestCalendarInBrowser(t *testing.T) {
	browsertest.RequireChromium(t)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	var techs int64
	site := browsertest.Start(t, browsertest.Options{
		Now: func() time.Time { return now },
		Seed: func(ctx context.Context, d *db.DB) error {
			if err := d.QueryRow(ctx, "INSERT INTO groups (name, created_at) VALUES ('Techniciens', ?) RETURNING id", now).Scan(&techs); err != nil {
				return err
			}
			st := calendar.New(d, nil)
			st.Now = func() time.Time { return now }
			if _, err := st.CreateAttribute(ctx, access.System(), calendar.Attribute{Key: "instance", Label: "Instance", Type: calendar.AttrChoice, Choices: []string{"Comité syndical", "Bureau"}}); err != nil {
				return err
			}
			cal, err := st.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Technique", Colour: "#2e7d32"}, []access.Grant{{GroupID: techs, Level: access.Edit}})
			if err != nil {
				return err
			}
			pub, err := st.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Animations grand public", Colour: "#b85c00"}, []access.Grant{{GroupID: access.Everyone, Level: access.View}})
			if err != nil {
				return err
			}
			adm := access.Principal{Admin: true}
			for _, f := range []calendar.EventForm{
				{CalendarID: strconv.FormatInt(cal, 10), Title: "Réunion technique", Location: "Salle 3", StartDate: "2026-03-02", StartTime: "09:00", EndTime: "10:30",
					Description: "<p>Point <strong>hebdomadaire</strong>.</p>", Recurrence: calendar.RecurrenceForm{Freq: calendar.FreqWeekly, Weekdays: []string{"MO"}}},
				{CalendarID: strconv.FormatInt(cal, 10), Title: "Comité syndical", StartDate: "2026-03-12", StartTime: "18:00", EndTime: "20:00",
					Attributes: map[string]string{"instance": "Comité syndical"}},
				{CalendarID: strconv.FormatInt(pub, 10), Title: "Journée portes ouvertes", StartDate: "2026-03-14", AllDay: true},
			} {
				if _, err := st.CreateEvent(ctx, access.Actor{Principal: adm}, f); err != nil {
					return err
				}
			}
			// The home page embeds both calendars (the visitor sees one).
			ps := pages.New(d, nil)
			home, err := ps.CreateHome(ctx, access.System(), "Accueil")
			if err != nil {
				return err
			}
			pa := access.Actor{Principal: adm}
			rev, err := ps.SaveDraft(ctx, pa, home.ID, home.PublishedRev, "Accueil", []pages.Block{
				{Type: pages.BlockText, HTML: "<p>Bienvenue</p>"},
				{Type: pages.BlockCalendar, CalendarID: cal}, {Type: pages.BlockCalendar, CalendarID: pub}})
			if err != nil {
				return err
			}
			_, err = ps.Publish(ctx, pa, home.ID, rev.ID, "")
			return err
		},
	})
	uid := site.CreateUser(t, "tech@sydrav.fr", "Technicien", false, techs)
	ctx := site.Browser(t)
	site.LoginAs(t, ctx, uid)
	if st := site.Go(t, ctx, "/agenda?vue=mois&date=2026-03-10"); st != http.StatusOK {
		t.Fatalf("month view: %d", st)
	}
	browsertest.AssertAccessible(t, ctx)

	// Keyboard: focus the first event link, press Enter: the dialog opens
	// with the event, focus inside; Escape closes it and focus comes back.
	browsertest.Eval[bool](t, ctx, `(() => { document.querySelector("a[data-popup]").focus(); return true; })()`)
	browsertest.Run(t, ctx, "press Enter on an event", chromedp.KeyEvent(kb.Enter))
	browsertest.Run(t, ctx, "wait for the dialog", chromedp.WaitVisible(chromedp.CSS("#cal-dialog[open] h1")))
	if in := browsertest.Eval[bool](t, ctx, `document.getElementById("cal-dialog").contains(document.activeElement)`); !in {
		t.Error("focus is not inside the open dialog")
	}
	if h := browsertest.Text(t, ctx, "#cal-dialog h1"); !strings.Contains(h, "Réunion technique") {
		t.Errorf("dialog shows %q", h)
	}
	browsertest.AssertAccessible(t, ctx)
	browsertest.Run(t, ctx, "press Escape", chromedp.KeyEvent(kb.Escape))
	browsertest.Run(t, ctx, "wait for the dialog to close", chromedp.WaitNotPresent(chromedp.CSS("#cal-dialog[open]")))
	if back := browsertest.Eval[bool](t, ctx, `document.activeElement.matches("a[data-popup]")`); !back {
		t.Error("focus did not return to the event link")
	}

	for _, v := range []string{"semaine", "jour", "liste"} {
		if st := browsertest.Submit(t, ctx, `.cal-views a[href*="vue=`+v+`"]`); st != http.StatusOK {
			t.Fatalf("%s view: %d", v, st)
		}
		if !strings.Contains(browsertest.Location(t, ctx), "vue="+v) {
			t.Fatalf("not on the %s view: %s", v, browsertest.Location(t, ctx))
		}
		browsertest.AssertAccessible(t, ctx)
	}
	if !browsertest.Exists(t, ctx, `a[href="/mon-compte#agenda-abonnement"]`) {
		t.Error("subscription link missing")
	}
	// The event page, the form and the subscription page.
	for _, path := range []string{"/agenda/evenements/2", "/agenda/evenements/nouveau?date=2026-03-20"} {
		if st := site.Go(t, ctx, path); st != http.StatusOK {
			t.Fatalf("%s: %d", path, st)
		}
		browsertest.AssertAccessible(t, ctx)
	}
	// The form re-rendered with errors (no title) stays accessible.
	if st := browsertest.Submit(t, ctx, "form.cal-form button[type=submit]"); st != http.StatusUnprocessableEntity {
		t.Fatalf("empty form: %d", st)
	}
	browsertest.AssertAccessible(t, ctx)

	// The home page's embedded calendars: both month grids, accessible.
	if st := site.Go(t, ctx, "/"); st != http.StatusOK {
		t.Fatalf("home page: %d", st)
	}
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("section.cal-block table.cal-month").length`); n != 2 {
		t.Errorf("%d embedded calendars on the home page, want 2", n)
	}
	browsertest.AssertAccessible(t, ctx)
}
