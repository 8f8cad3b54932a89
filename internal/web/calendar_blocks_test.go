package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/pages"
)

// calBlockFixture: the pages' site plus a public calendar and a calendar of
// the élus only, each with events this month (the test clock is 10 March
// 2026) and one next month.
type calBlockFixture struct {
	*siteFixture
	public, private     int64
	pubEvent, privEvent int64
	weekly              int64
}

func newCalBlockSite(t *testing.T) *calBlockFixture {
	t.Helper()
	f := &calBlockFixture{siteFixture: newSite(t)}
	ctx := context.Background()
	root := access.Member(0, true, nil)
	cal := f.ts.srv.calendar
	var err error
	if f.public, err = cal.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Animations grand public", Colour: "#1f5fa8"},
		[]access.Grant{{GroupID: access.Everyone, Level: access.View}}); err != nil {
		t.Fatal(err)
	}
	if f.private, err = cal.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Agenda du bureau restreint", Colour: "#8a1f1f"},
		[]access.Grant{{GroupID: f.gElus, Level: access.View}}); err != nil {
		t.Fatal(err)
	}
	mk := func(c int64, form calendar.EventForm) int64 {
		t.Helper()
		form.CalendarID = fmt.Sprint(c)
		id, err := cal.CreateEvent(ctx, access.Actor{Principal: root}, form)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.pubEvent = mk(f.public, calendar.EventForm{Title: "Collecte des sapins", StartDate: "2026-03-21", StartTime: "09:00", EndTime: "12:00"})
	mk(f.public, calendar.EventForm{Title: "Fête du compost d’avril", StartDate: "2026-04-20", AllDay: true})
	f.privEvent = mk(f.private, calendar.EventForm{Title: "Réunion secrète du bureau", StartDate: "2026-03-12", StartTime: "18:00", EndTime: "20:00"})
	f.weekly = mk(f.public, calendar.EventForm{Title: "Permanence du lundi", StartDate: "2026-03-02", StartTime: "14:00", EndTime: "16:00",
		Recurrence: calendar.RecurrenceForm{Freq: calendar.FreqWeekly, Weekdays: []string{"MO"}}})
	return f
}

// publish replaces the published content of a page (as an administrator).
func (f *calBlockFixture) publish(t *testing.T, p *pages.Page, blocks ...pages.Block) {
	t.Helper()
	ctx := context.Background()
	st := f.ts.srv.pages
	a := access.Actor{Principal: access.Member(0, true, nil)}
	rev, err := st.SaveDraft(ctx, a, p.ID, f.page(t, p.ID).PublishedRev, p.Title, blocks)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, a, p.ID, rev.ID, ""); err != nil {
		t.Fatal(err)
	}
}

// The embedded calendar shows this month of a calendar to those who may see
// it, and nothing at all (not its name, not its events) to the others.
func TestCalendarBlockPermissions(t *testing.T) {
	f := newCalBlockSite(t)
	f.publish(t, f.syndicat,
		pages.Block{Type: pages.BlockText, HTML: "<p>Présentation publique</p>"},
		pages.Block{Type: pages.BlockCalendar, CalendarID: f.private},
		pages.Block{Type: pages.BlockCalendar, CalendarID: f.public},
		pages.Block{Type: pages.BlockCalendar, CalendarID: 999999}, // deleted since
	)
	priv := fmt.Sprint(f.private)
	secret := []string{"Agenda du bureau restreint", "Réunion secrète", fmt.Sprintf("/agenda/evenements/%d", f.privEvent),
		"agenda=" + priv + `"`, "agenda=" + priv + "&", "cal-" + priv + `"`, `id="cal-bloc-2"`, `id="cal-bloc-4"`}
	publicParts := []string{
		"Présentation publique",
		`<h2 id="cal-bloc-3" class="cal-block-heading">`, "Animations grand public", "— mars 2026",
		`<table class="cal-month cal-compact" aria-labelledby="cal-bloc-3">`,
		`<th scope="col">lundi</th><th scope="col">mardi</th>`, `<th scope="col">dimanche</th></tr>`,
		fmt.Sprintf(`href="/agenda/evenements/%d"`, f.pubEvent), "Collecte des sapins", "09:00 – 12:00",
		fmt.Sprintf(`href="/agenda/evenements/%d?occurrence=`, f.weekly), "Permanence du lundi",
		fmt.Sprintf(`href="/agenda?agenda=%d"`, f.public), "Voir tout l’agenda",
		fmt.Sprintf(`href="/agenda?vue=jour&amp;agenda=%d&amp;date=2026-03-21"`, f.public),
		`cal-today"><span class="cal-daynum"><span class="sr-only">Aujourd’hui : </span><a href="/agenda?vue=jour&amp;agenda=` + fmt.Sprint(f.public) + `&amp;date=2026-03-10">10`,
		"/agenda/couleurs.css", "/calendar.css", // the calendar's stylesheets
	}
	for _, c := range []struct {
		name    string
		c       *client
		sees    bool
		nBlocks int
	}{
		{"visiteur", f.visitor, false, 1},
		{"membre d’un autre groupe", f.tech, false, 1},
		{"membre du bon groupe", f.elu, true, 2},
		{"administrateur", f.boss, true, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := c.c.get(t, "/le-syndicat")
			wantStatus(t, rec, 200)
			wantBody(t, rec, publicParts...)
			b := rec.Body.String()
			if n := strings.Count(b, `class="block block-calendar cal-block"`); n != c.nBlocks {
				t.Errorf("%d calendar blocks drawn, want %d", n, c.nBlocks)
			}
			// Only this month: April's event is not drawn.
			wantNoBody(t, rec, "Fête du compost", `style="`, "⟦")
			if c.sees {
				wantBody(t, rec, secret[:4]...)
				return
			}
			wantNoBody(t, rec, secret...)
		})
	}
	// The private block alone: a visitor gets no trace of a calendar block.
	f.publish(t, f.syndicat, pages.Block{Type: pages.BlockText, HTML: "<p>Texte seul</p>"},
		pages.Block{Type: pages.BlockCalendar, CalendarID: f.private})
	rec := f.visitor.get(t, "/le-syndicat")
	wantBody(t, rec, "Texte seul")
	wantNoBody(t, rec, "block-calendar", "cal-month", "/agenda/couleurs.css", "Aucun événement ce mois-ci")
	// An empty month says so.
	empty, err := f.ts.srv.calendar.CreateCalendar(context.Background(), access.System(), calendar.Calendar{Name: "Formation des stagiaires"},
		[]access.Grant{{GroupID: access.Everyone, Level: access.View}})
	if err != nil {
		t.Fatal(err)
	}
	f.publish(t, f.syndicat, pages.Block{Type: pages.BlockCalendar, CalendarID: empty})
	wantBody(t, f.visitor.get(t, "/le-syndicat"), "Formation des stagiaires", "Aucun événement ce mois-ci.")
}

// The edit form offers the embedded calendar with the calendars the editor
// may see, keeps working without JavaScript, and refuses a calendar id the
// editor could not have picked (422, French message, text kept).
func TestCalendarBlockEditForm(t *testing.T) {
	f := newCalBlockSite(t)
	techOnly, err := f.ts.srv.calendar.CreateCalendar(context.Background(), access.System(), calendar.Calendar{Name: "Technique interne"},
		[]access.Grant{{GroupID: f.gTech, Level: access.View}})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	base := f.seances.PublishedRev
	text := pages.Block{Type: pages.BlockText, HTML: "<p>Texte précieux à garder</p>"}

	// The "add a block" list offers it; adding one shows its picker.
	wantBody(t, f.editor.get(t, path), `<option value="calendar">Calendrier du mois</option>`)
	form := editForm(base, "Séances", text)
	form.Set("op", "add")
	form.Set("add_type", pages.BlockCalendar)
	rec := f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, 200)
	wantBody(t, rec, "Bloc 2 : Calendrier du mois", `name="blocks.1.type" value="calendar"`, `<select id="blocks.1.calendar_id" name="blocks.1.calendar_id"`,
		"Le mois en cours de cet agenda", ">Agenda du bureau restreint<", ">Animations grand public<", "Texte précieux à garder")
	wantNoBody(t, rec, "Technique interne", `name="blocks.1.limit"`)

	save := func(typ string, calID int64) *httptest.ResponseRecorder {
		t.Helper()
		form := editForm(base, "Séances", text, pages.Block{Type: typ})
		form.Set("blocks.1.calendar_id", fmt.Sprint(calID))
		form.Set("op", "save")
		return f.editor.postMultipart(t, path, form, nil)
	}
	for _, c := range []struct {
		name, typ string
		id        int64
		msg       string
	}{
		{"none chosen", pages.BlockCalendar, 0, "Choisissez l’agenda à afficher."},
		{"forged id", pages.BlockCalendar, 999999, "Cet agenda n’existe pas ou vous ne pouvez pas le voir"},
		{"calendar the editor may not see", pages.BlockCalendar, techOnly, "Cet agenda n’existe pas ou vous ne pouvez pas le voir"},
		{"events block, forged id", pages.BlockEvents, 999999, "Cet agenda n’existe pas ou vous ne pouvez pas le voir"},
	} {
		rec := save(c.typ, c.id)
		if rec.Code != 422 {
			t.Fatalf("%s: status %d, want 422", c.name, rec.Code)
		}
		wantBody(t, rec, c.msg, "Texte précieux à garder")
		if !regexp.MustCompile(`aria-describedby="blocks\.1\.calendar_id-hint blocks\.1\.calendar-error" aria-invalid="true"`).MatchString(rec.Body.String()) {
			t.Errorf("%s: the select is not tied to its error", c.name)
		}
		if p := f.page(t, f.seances.ID); p.DraftRev != 0 {
			t.Fatalf("%s: a refused form saved a draft", c.name)
		}
	}
	// A calendar the editor may see: saved, drawn in the preview.
	rec = save(pages.BlockCalendar, f.private)
	wantStatus(t, rec, 303)
	rev, err := f.ts.srv.pages.Revision(context.Background(), access.Member(0, true, nil), f.seances.ID, f.page(t, f.seances.ID).DraftRev)
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Blocks) != 2 || !reflect.DeepEqual(rev.Blocks[1], pages.Block{Type: pages.BlockCalendar, CalendarID: f.private}) {
		t.Fatalf("saved blocks = %+v", rev.Blocks)
	}
	rec = f.editor.get(t, "/espace-elus/seances?apercu")
	wantBody(t, rec, "Agenda du bureau restreint", "Réunion secrète du bureau", `class="cal-month cal-compact"`)
	// Editing it again shows the chosen calendar selected.
	wantBody(t, f.editor.get(t, path), fmt.Sprintf(`<option value="%d" selected>Agenda du bureau restreint</option>`, f.private))
}
