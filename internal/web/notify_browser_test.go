package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"portique/internal/access"
	"portique/internal/browsertest"
	"portique/internal/calendar"
	"portique/internal/db"
)

func scripts(t *testing.T, ctx context.Context, on bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		t.Fatal(err)
	}
}

// axeNoJS runs axe-core on a page served and used without JavaScript
// (scripts are allowed again for axe only: the page's own script does not
// run after the fact).
func axeNoJS(t *testing.T, ctx context.Context) {
	t.Helper()
	scripts(t, ctx, true)
	browsertest.AssertAccessible(t, ctx)
	scripts(t, ctx, false)
}

// Without JavaScript, end to end on the real program and a real SMTP
// server: the organiser prepares and sends a convocation; the member gets
// it by e-mail, answers through its signed link; sets their notification
// preferences in « Mon compte »; the organiser reads the attendance and its
// printable list. axe-core finds no WCAG 2.1 A/AA violation on any of
// these pages, including the forms re-rendered with errors.
func TestConvocationAndPreferencesInBrowser(t *testing.T) {
	browsertest.RequireChromium(t)
	var comite, services, event int64
	site := browsertest.Start(t, browsertest.Options{
		Seed: func(ctx context.Context, d *db.DB) error {
			now := time.Now()
			for name, id := range map[string]*int64{"Comité syndical": &comite, "Services": &services} {
				if err := d.QueryRow(ctx, "INSERT INTO groups (name, created_at) VALUES (?, ?) RETURNING id", name, now).Scan(id); err != nil {
					return err
				}
			}
			st := calendar.New(d, nil)
			cal, err := st.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Instances", Colour: "#1f5fa8"},
				[]access.Grant{{GroupID: comite, Level: access.View}, {GroupID: services, Level: access.Edit}})
			if err != nil {
				return err
			}
			event, err = st.CreateEvent(ctx, access.System(), calendar.EventForm{CalendarID: strconv.FormatInt(cal, 10), Title: "Comité syndical de printemps",
				Location: "Salle du conseil", StartDate: now.AddDate(0, 0, 10).Format("2006-01-02"), StartTime: "18:00", EndTime: "20:00"})
			return err
		},
	})
	org := site.CreateUser(t, "secretariat@sydrav.fr", "Secrétariat", false, services)
	anne := site.CreateUser(t, "anne@sydrav.fr", "Anne Martin", false, comite)
	site.CreateUser(t, "bruno@sydrav.fr", "Bruno Roux", false, comite)
	ctx := site.Browser(t)
	scripts(t, ctx, false)
	defer chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}) //nolint:errcheck

	// The organiser: an empty form first (errors), then the session.
	site.LoginAs(t, ctx, org)
	page := "/agenda/evenements/" + strconv.FormatInt(event, 10) + "/convocation"
	if st := site.Go(t, ctx, page); st != http.StatusOK {
		t.Fatalf("session page: %d", st)
	}
	axeNoJS(t, ctx)
	if st := browsertest.Submit(t, ctx, `form[action="`+page+`"] button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("empty session form: %d", st)
	}
	axeNoJS(t, ctx)
	browsertest.Run(t, ctx, "choose the group", chromedp.SetValue(chromedp.CSS("#group"), strconv.FormatInt(comite, 10)))
	browsertest.Fill(t, ctx, "#agenda", "Procès-verbal\nBudget primitif")
	if st := browsertest.Submit(t, ctx, `form[action="`+page+`"] button[type=submit]`); st != http.StatusOK {
		t.Fatalf("save the session: %d", st)
	}
	if st := browsertest.Submit(t, ctx, `form[action="`+page+`/envoyer"] button`); st != http.StatusOK {
		t.Fatalf("send: %d", st)
	}
	if !strings.Contains(browsertest.Text(t, ctx, "main"), "Quorum non atteint : 0 présent(s) sur 2") {
		t.Errorf("attendance after sending: %s", browsertest.Text(t, ctx, "main"))
	}
	axeNoJS(t, ctx)

	// Anne's convocation arrives over SMTP; she answers by its link.
	m := site.Mail.Wait(t, "anne@sydrav.fr", "Convocation", 0)
	if !strings.Contains(m.Text, "Budget primitif") {
		t.Errorf("convocation text:\n%s", m.Text)
	}
	link := m.Link(t, "/convocations/reponse/")
	if st := site.Go(t, ctx, strings.TrimPrefix(link, site.URL)); st != http.StatusOK {
		t.Fatalf("answer link: %d", st)
	}
	axeNoJS(t, ctx)
	browsertest.Run(t, ctx, "choose proxy", chromedp.Click(chromedp.CSS("#answer-proxy")))
	if st := browsertest.Submit(t, ctx, "#reponse button[type=submit]"); st != http.StatusUnprocessableEntity {
		t.Fatalf("proxy to nobody: %d", st)
	}
	axeNoJS(t, ctx)
	browsertest.Run(t, ctx, "choose present", chromedp.Click(chromedp.CSS("#answer-present")))
	if st := browsertest.Submit(t, ctx, "#reponse button[type=submit]"); st != http.StatusOK {
		t.Fatalf("answer: %d", st)
	}
	if !strings.Contains(browsertest.Text(t, ctx, "main"), "votre réponse (Présent) est enregistrée") {
		t.Errorf("after answering: %s", browsertest.Text(t, ctx, "main"))
	}

	// Anne's preferences in « Mon compte ».
	site.LoginAs(t, ctx, anne)
	if st := site.Go(t, ctx, "/mon-compte#notifications"); st != http.StatusOK {
		t.Fatalf("profile: %d", st)
	}
	axeNoJS(t, ctx)
	browsertest.Run(t, ctx, "agenda: immediately", chromedp.Click(chromedp.CSS("#mode_agenda-immediate")))
	if st := browsertest.Submit(t, ctx, `form[action="/mon-compte/notifications"] button[type=submit]`); st != http.StatusOK {
		t.Fatalf("save preferences: %d", st)
	}
	if !browsertest.Exists(t, ctx, `#mode_agenda-immediate:checked`) || !browsertest.Exists(t, ctx, `#mode_documents-daily:checked`) {
		t.Error("preferences not kept")
	}

	// The organiser's attendance and printable list.
	site.LoginAs(t, ctx, org)
	site.Go(t, ctx, page)
	if !strings.Contains(browsertest.Text(t, ctx, "main"), "Quorum non atteint : 1 présent(s) sur 2 membres en exercice (il en faut 2)") {
		t.Errorf("attendance: %s", browsertest.Text(t, ctx, "main"))
	}
	if st := site.Go(t, ctx, page+"/presences"); st != http.StatusOK {
		t.Fatalf("printable list: %d", st)
	}
	axeNoJS(t, ctx)
}
