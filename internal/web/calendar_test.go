package web

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/calendar"
	"portique/internal/search"
)

type calWorld struct {
	ts                        *testServer
	st                        *calendar.Store
	eluID, techID, outsiderID int64
	adminID                   int64
	elus                      int64
	private, public           int64
	privEvent, pubEvent       int64
	weekly                    int64
}

func newCalWorld(t *testing.T) *calWorld { return newCalWorldWith(t, false) }

// newCalWorldWith is newCalWorld with the real search engine behind the
// server's stores when withSearch.
func newCalWorldWith(t *testing.T, withSearch bool) *calWorld {
	ts := newTestServerWith(t, withSearch)
	ctx := context.Background()
	elus, techs := ts.createGroup(t, "Élus"), ts.createGroup(t, "Techniciens")
	w := &calWorld{ts: ts, st: calendar.New(ts.db, nil)}
	w.st.Now = ts.clock.Now
	w.elus = elus
	w.eluID = ts.createUser(t, "elu@sydrav.fr", false, elus)
	w.techID = ts.createUser(t, "tech@sydrav.fr", false, techs)
	w.outsiderID = ts.createUser(t, "autre@sydrav.fr", false)
	w.adminID = ts.createUser(t, "admin@sydrav.fr", true)
	var err error
	w.private, err = w.st.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Instances", Colour: "#1f5fa8"},
		[]access.Grant{{GroupID: elus, Level: access.View}, {GroupID: techs, Level: access.Edit}})
	if err != nil {
		t.Fatal(err)
	}
	w.public, _ = w.st.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Animations grand public", Colour: "#b85c00"},
		[]access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: techs, Level: access.Edit}})
	adm := access.Principal{Admin: true}
	mk := func(f calendar.EventForm) int64 {
		id, err := w.st.CreateEvent(ctx, access.Actor{Principal: adm}, f)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	w.privEvent = mk(calendar.EventForm{CalendarID: strconv.FormatInt(w.private, 10), Title: "Comité syndical confidentiel", StartDate: "2026-03-12", StartTime: "18:00", EndTime: "20:00"})
	w.pubEvent = mk(calendar.EventForm{CalendarID: strconv.FormatInt(w.public, 10), Title: "Journée portes ouvertes", StartDate: "2026-03-14", AllDay: true, Location: "Centre de tri"})
	w.weekly = mk(calendar.EventForm{CalendarID: strconv.FormatInt(w.private, 10), Title: "Réunion technique", StartDate: "2026-03-02", StartTime: "09:00", EndTime: "10:00",
		Recurrence: calendar.RecurrenceForm{Freq: calendar.FreqWeekly, Weekdays: []string{"MO"}}})
	return w
}

func TestCalendarViewsAndPermissions(t *testing.T) {
	w := newCalWorld(t)
	elu := w.ts.loginAs(t, w.eluID)
	anon := w.ts.visitor()
	outsider := w.ts.loginAs(t, w.outsiderID)
	for _, view := range []string{"mois", "semaine", "jour", "liste"} {
		date := "2026-03-12"
		if view == "liste" {
			date = "2026-03-01"
		}
		path := "/agenda?vue=" + view + "&date=" + date
		rec := elu.get(t, path)
		wantStatus(t, rec, http.StatusOK)
		b := body(t, rec)
		if !strings.Contains(b, "Comité syndical confidentiel") {
			t.Errorf("%s: the élu does not see the private event", view)
		}
		for name, c := range map[string]*client{"anonyme": anon, "sans groupe": outsider} {
			rec := c.get(t, path)
			wantStatus(t, rec, http.StatusOK)
			if strings.Contains(body(t, rec), "confidentiel") {
				t.Errorf("%s: %s sees the private event", view, name)
			}
		}
	}
	// French month and day names, Monday first.
	b := body(t, elu.get(t, "/agenda?vue=mois&date=2026-03-12"))
	for _, want := range []string{"mars 2026", "<th scope=\"col\">lundi</th><th scope=\"col\">mardi</th>", "Réunion technique", "data-popup"} {
		if !strings.Contains(b, want) {
			t.Errorf("month view lacks %q", want)
		}
	}
	// Public event visible to anonymous visitors.
	if !strings.Contains(body(t, anon.get(t, "/agenda?vue=mois&date=2026-03-12")), "Journée portes ouvertes") {
		t.Error("anonymous visitor does not see the public event")
	}
	// Filter by calendar keeps the filter in navigation links.
	b = body(t, elu.get(t, "/agenda?vue=mois&date=2026-03-12&agenda="+strconv.FormatInt(w.public, 10)))
	if strings.Contains(b, "confidentiel") || !strings.Contains(b, "agenda="+strconv.FormatInt(w.public, 10)) {
		t.Error("calendar filter not applied or not kept")
	}
	// Event page, popup source and .ics.
	priv := "/agenda/evenements/" + strconv.FormatInt(w.privEvent, 10)
	wantStatus(t, elu.get(t, priv), http.StatusOK)
	if rec := anon.get(t, priv); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/connexion") {
		t.Fatalf("anonymous on private event: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	wantStatus(t, outsider.get(t, priv), http.StatusForbidden)
	wantStatus(t, outsider.get(t, priv+".ics"), http.StatusForbidden)
	rec := elu.get(t, priv+".ics")
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") || !strings.Contains(body(t, rec), "BEGIN:VEVENT") {
		t.Fatalf("ics: %s", ct)
	}
	wantStatus(t, elu.get(t, "/agenda/evenements/999999"), http.StatusNotFound)
	wantStatus(t, elu.get(t, "/agenda/evenements/abc"), http.StatusNotFound)
	// One occurrence of the series.
	occ := time.Date(2026, 3, 16, 9, 0, 0, 0, w.ts.cfg.Location()).Unix()
	b = body(t, elu.get(t, "/agenda/evenements/"+strconv.FormatInt(w.weekly, 10)+"?occurrence="+strconv.FormatInt(occ, 10)))
	if !strings.Contains(b, "lundi 16 mars 2026") || !strings.Contains(b, "toutes les semaines") {
		t.Errorf("occurrence page lacks its date or rule")
	}
	// Colours only for visible calendars.
	css := body(t, anon.get(t, "/agenda/couleurs.css"))
	if strings.Contains(css, ".cal-"+strconv.FormatInt(w.private, 10)+"{") || !strings.Contains(css, "#b85c00") {
		t.Errorf("colours: %q", css)
	}
}

func TestCalendarEventForms(t *testing.T) {
	w := newCalWorld(t)
	tech := w.ts.loginAs(t, w.techID)
	elu := w.ts.loginAs(t, w.eluID)
	wantStatus(t, tech.get(t, "/agenda/evenements/nouveau?date=2026-03-20"), http.StatusOK)
	wantStatus(t, elu.get(t, "/agenda/evenements/nouveau"), http.StatusForbidden)
	cal := strconv.FormatInt(w.private, 10)
	bad := url.Values{"calendrier": {cal}, "titre": {"Bureau <b>élargi</b>"}, "debut_date": {"2026-03-20"}, "debut_heure": {"18:00"}, "fin_heure": {"17:00"},
		"repetition": {"yearly"}, "mois": {"2"}, "jour_du_mois": {"30"}}
	rec := tech.post(t, "/agenda/evenements", bad)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	b := body(t, rec)
	for _, want := range []string{"La fin doit être après le début.", "30 février n’existe pas", `value="Bureau &lt;b&gt;élargi&lt;/b&gt;"`, `aria-invalid="true"`} {
		if !strings.Contains(b, want) {
			t.Errorf("422 page lacks %q", want)
		}
	}
	good := url.Values{"calendrier": {cal}, "titre": {"Bureau syndical"}, "debut_date": {"2026-03-20"}, "debut_heure": {"18:00"}, "fin_heure": {"19:30"},
		"repetition": {"monthly"}, "mensuel": {"weekday"}, "position": {"-1"}, "jour_semaine": {"FR"}, "fin_repetition": {"count"}, "occurrences": {"3"}}
	rec = tech.post(t, "/agenda/evenements", good)
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	if !regexp.MustCompile(`^/agenda/evenements/\d+$`).MatchString(loc) {
		t.Fatalf("redirect to %q", loc)
	}
	b = body(t, elu.get(t, loc))
	if !strings.Contains(b, "vendredi 27 mars 2026") || !strings.Contains(b, "dernier vendredi") {
		t.Errorf("created series page: missing first date or rule")
	}
	// A viewer may not create, edit, cancel or delete.
	wantStatus(t, elu.post(t, "/agenda/evenements", good), http.StatusForbidden)
	id := strings.TrimPrefix(loc, "/agenda/evenements/")
	wantStatus(t, elu.get(t, loc+"/modifier"), http.StatusForbidden)
	wantStatus(t, elu.post(t, loc+"/supprimer", nil), http.StatusForbidden)
	occ := strconv.FormatInt(time.Date(2026, 4, 24, 18, 0, 0, 0, w.ts.cfg.Location()).Unix(), 10)
	wantStatus(t, elu.post(t, loc+"/annuler", url.Values{"occurrence": {occ}}), http.StatusForbidden)
	// The editor cancels one date, then edits the series.
	wantStatus(t, tech.post(t, loc+"/annuler", url.Values{"occurrence": {occ}}), http.StatusSeeOther)
	if b := body(t, elu.get(t, loc+"?occurrence="+occ)); !strings.Contains(b, "Cette date est annulée.") {
		t.Error("cancelled occurrence not shown as cancelled")
	}
	wantStatus(t, tech.get(t, loc+"/modifier"), http.StatusOK)
	upd := good
	upd.Set("titre", "Bureau syndical (nouvelle salle)")
	wantStatus(t, tech.post(t, loc+"/modifier", upd), http.StatusSeeOther)
	// Edit one occurrence with bad input: 422, input kept.
	wantStatus(t, tech.get(t, loc+"/modifier?occurrence="+occ+"&portee=une"), http.StatusOK)
	rec = tech.post(t, loc+"/modifier", url.Values{"occurrence": {occ}, "portee": {"une"}, "calendrier": {cal}, "titre": {"X"}, "debut_date": {"2026-04-31"}, "debut_heure": {"18:00"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	// A series goes after its confirmation (TestCalendarSeriesDeleteAsksFirst).
	wantStatus(t, tech.post(t, loc+"/supprimer", url.Values{"confirme": {"1"}}), http.StatusSeeOther)
	wantStatus(t, elu.get(t, "/agenda/evenements/"+id), http.StatusNotFound)
}

func TestCalendarFeedsAndSubscription(t *testing.T) {
	w := newCalWorld(t)
	elu := w.ts.loginAs(t, w.eluID)
	rec := elu.post(t, "/mon-compte/agenda", nil)
	wantStatus(t, rec, http.StatusOK)
	m := regexp.MustCompile(`/agenda/flux/([A-Za-z0-9_-]+)\.ics`).FindStringSubmatch(body(t, rec))
	if m == nil {
		t.Fatal("no feed link shown")
	}
	feed := "/agenda/flux/" + m[1] + ".ics"
	anon := w.ts.visitor()
	rec = anon.get(t, feed)
	wantStatus(t, rec, http.StatusOK)
	b := body(t, rec)
	if !strings.Contains(b, "Comité syndical confidentiel") || !strings.Contains(b, "BEGIN:VTIMEZONE") {
		t.Fatal("personal feed lacks the élu's calendars")
	}
	if strings.Contains(w.ts.logs.String(), m[1]) {
		t.Fatal("feed token written to the logs")
	}
	// Public feed: public calendars only.
	b = body(t, anon.get(t, "/agenda/public.ics"))
	if strings.Contains(b, "confidentiel") || !strings.Contains(b, "Journée portes ouvertes") {
		t.Fatal("public feed content")
	}
	// Revoke: the old URL stops at once.
	wantStatus(t, elu.post(t, "/mon-compte/agenda/revoquer", nil), http.StatusSeeOther)
	wantStatus(t, anon.get(t, feed), http.StatusNotFound)
	wantStatus(t, anon.get(t, "/agenda/flux/nimportequoi.ics"), http.StatusNotFound)
}

func TestCalendarAdminPages(t *testing.T) {
	w := newCalWorld(t)
	adm := w.ts.loginAs(t, w.adminID)
	tech := w.ts.loginAs(t, w.techID)
	wantStatus(t, tech.get(t, "/admin/agenda"), http.StatusForbidden)
	wantStatus(t, tech.get(t, "/admin/agenda/attributs"), http.StatusForbidden)
	rec := adm.get(t, "/admin/agenda?q=comit%C3%A9")
	wantStatus(t, rec, http.StatusOK)
	if b := body(t, rec); !strings.Contains(b, "Comité syndical confidentiel") || strings.Contains(b, ">Journée portes ouvertes</a>") {
		t.Error("central list search")
	}
	rec = adm.post(t, "/admin/agenda/agendas", url.Values{"nom": {""}, "couleur": {"rouge"}, "fuseau": {"Europe/Paris"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "Indiquez le nom de l’agenda.") {
		t.Error("calendar form errors")
	}
	// The agenda drawn before the changes below (the calendars and the
	// attributes it reads are kept while nothing changes: db.Memo).
	if b := body(t, adm.get(t, "/agenda")); strings.Contains(b, "Formation des stagiaires") || strings.Contains(b, "<optgroup") {
		t.Fatal("the agenda shows a calendar or a filter not made yet")
	}
	wantStatus(t, adm.post(t, "/admin/agenda/agendas", url.Values{"nom": {"Formation des stagiaires"}, "couleur": {"#8e4585"}, "fuseau": {"Europe/Paris"}, "acces_1": {"view"}}), http.StatusSeeOther)
	wantBody(t, adm.get(t, "/agenda"), "Formation des stagiaires")
	wantStatus(t, adm.get(t, "/admin/agenda/attributs"), http.StatusOK)
	rec = adm.post(t, "/admin/agenda/attributs", url.Values{"cle": {"Salle !"}, "libelle": {"Salle"}, "type": {"text"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), `value="Salle !"`) {
		t.Error("attribute input not kept")
	}
	wantStatus(t, adm.post(t, "/admin/agenda/attributs", url.Values{"cle": {"instance"}, "libelle": {"Instance"}, "type": {"choice"}, "choix": {"Comité syndical\nBureau"}}), http.StatusSeeOther)
	// The choice attribute becomes a filter of the agenda.
	if b := body(t, adm.get(t, "/agenda")); !strings.Contains(b, "<optgroup label=\"Instance\">") {
		t.Error("choice attribute filter missing")
	}
	wantStatus(t, adm.get(t, "/agenda/evenements/nouveau"), http.StatusOK)
}

// The subscription block other areas include (/mon-compte). The pages'
// upcoming-events block is tested with the pages (pages_blocks_test.go).
func TestCalendarPartials(t *testing.T) {
	w := newCalWorld(t)
	tmpl := w.ts.srv.tmpl.pages["calendar_view"]
	var b strings.Builder
	sub := CalendarSubscription{Active: true, Since: w.ts.clock.Now(), CSRF: "x", PublicFeedURL: "http://site/agenda/public.ics"}
	if err := tmpl.ExecuteTemplate(&b, "calendar_subscription", sub); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Révoquer mon lien", "Outlook", "iPhone", "/mon-compte/agenda/revoquer"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("subscription block lacks %q", want)
		}
	}
}

// Deleting a calendar: administrators only (not even a group with "manage"
// on it), after a confirmation saying what goes, CSRF-checked, audited; its
// events leave the agenda and the search.
func TestCalendarAdminDelete(t *testing.T) {
	w := newCalWorldWith(t, true)
	ctx := context.Background()
	managers := w.ts.createGroup(t, "Direction")
	managerID := w.ts.createUser(t, "direction@sydrav.fr", false, managers)
	g, err := w.st.Grants(ctx, w.private)
	if err != nil {
		t.Fatal(err)
	}
	grants := []access.Grant{{GroupID: managers, Level: access.Manage}}
	for gid, lvl := range g {
		grants = append(grants, access.Grant{GroupID: gid, Level: lvl})
	}
	c, err := w.st.Calendar(ctx, access.System().Principal, w.private)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.UpdateCalendar(ctx, access.System(), c.Calendar, grants); err != nil {
		t.Fatal(err)
	}
	// An event created through the server's store is in the site search.
	indexed, err := w.ts.srv.calendar.CreateEvent(ctx, access.System(),
		calendar.EventForm{CalendarID: strconv.FormatInt(w.private, 10), Title: "Commission des marchés publics", StartDate: "2026-03-19", StartTime: "10:00"})
	if err != nil {
		t.Fatal(err)
	}
	found := func() int {
		t.Helper()
		res, err := w.ts.srv.search.Search(ctx, access.Principal{Admin: true}, search.Query{Text: "marchés", Kinds: []string{search.KindEvent}})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Hits)
	}
	if found() != 1 {
		t.Fatal("setup: the event is not in the search")
	}
	id := strconv.FormatInt(w.private, 10)
	confirm := "/admin/agenda/agendas/" + id + "/supprimer"

	// Refused to everyone but administrators, the manager included.
	if lvl, _ := access.LevelOf(ctx, w.ts.db, access.Member(managerID, false, []int64{access.Members, managers}), access.Calendar, w.private); lvl != access.Manage {
		t.Fatalf("setup: the manager's level is %v", lvl)
	}
	for name, c := range map[string]*client{"gestion": w.ts.loginAs(t, managerID), "modification": w.ts.loginAs(t, w.techID), "lecture": w.ts.loginAs(t, w.eluID)} {
		if rec := c.get(t, confirm); rec.Code != http.StatusForbidden {
			t.Errorf("%s: confirmation page %d, want 403", name, rec.Code)
		}
		if rec := c.post(t, confirm, nil); rec.Code != http.StatusForbidden {
			t.Errorf("%s: delete %d, want 403", name, rec.Code)
		}
	}
	anon := w.ts.visitor()
	if rec := anon.post(t, confirm, nil); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/connexion") {
		t.Errorf("anonymous delete: %d %s", rec.Code, rec.Header().Get("Location"))
	}

	adm := w.ts.loginAs(t, w.adminID)
	b := body(t, adm.get(t, "/admin/agenda"))
	if !strings.Contains(b, `href="`+confirm+`"`) {
		t.Fatal("no delete link on /admin/agenda")
	}
	rec := adm.get(t, confirm)
	wantStatus(t, rec, http.StatusOK)
	b = body(t, rec)
	for _, want := range []string{"Supprimer l’agenda « Instances »", "l’agenda « Instances » et ses événements (3 événements)",
		`<form method="post" action="` + confirm + `">`, `name="csrf"`, "Supprimer l’agenda et ses événements (3 événements)", `href="/admin/agenda"`} {
		if !strings.Contains(b, want) {
			t.Errorf("confirmation page lacks %q", want)
		}
	}
	// Without its CSRF token, nothing happens.
	wantStatus(t, adm.post(t, confirm, url.Values{"csrf": {"forged-token-forged-token-forged-token"}}), http.StatusForbidden)
	if n, err := w.st.CountEvents(ctx, w.private); err != nil || n != 3 {
		t.Fatalf("after a forged post: %d events, %v", n, err)
	}
	rec = adm.post(t, confirm, nil)
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/admin/agenda" {
		t.Fatalf("redirect to %q", loc)
	}
	b = body(t, adm.get(t, "/admin/agenda"))
	if !strings.Contains(b, "L’agenda et ses événements ont été supprimés.") || strings.Contains(b, "Comité syndical confidentiel") {
		t.Error("no flash message, or the events are still listed")
	}
	wantStatus(t, adm.get(t, "/agenda/evenements/"+strconv.FormatInt(w.privEvent, 10)), http.StatusNotFound)
	wantStatus(t, adm.get(t, "/agenda/evenements/"+strconv.FormatInt(indexed, 10)), http.StatusNotFound)
	if found() != 0 {
		t.Error("the deleted calendar's event is still in the search")
	}
	var actor, detail string
	if err := w.ts.db.QueryRow(ctx, "SELECT actor, detail FROM audit WHERE action = 'calendar.deleted' AND object = ?", "calendar:"+id).Scan(&actor, &detail); err != nil {
		t.Fatalf("no audit entry: %v", err)
	}
	if actor != "admin@sydrav.fr" || detail != "Instances events=3" {
		t.Errorf("audit entry: %q %q", actor, detail)
	}
	// The public calendar is untouched; a deleted calendar is gone (404).
	if !strings.Contains(body(t, anon.get(t, "/agenda?vue=mois&date=2026-03-12")), "Journée portes ouvertes") {
		t.Error("the other calendar lost its events")
	}
	wantStatus(t, adm.get(t, confirm), http.StatusNotFound)
	wantStatus(t, adm.post(t, confirm, nil), http.StatusNotFound)
}

// The calendar's changes made through the site are audited by the calendar
// store, in the change's transaction: one entry per change, naming the
// account and its address; a refused or invalid form leaves none.
func TestCalendarChangesAudited(t *testing.T) {
	w := newCalWorld(t)
	ctx := context.Background()
	tech := w.ts.loginAs(t, w.techID)
	elu := w.ts.loginAs(t, w.eluID)
	adm := w.ts.loginAs(t, w.adminID)
	// since: the last entry of the fixture (its calendars and events).
	var since int64
	if es, _, err := w.ts.srv.audits.Find(ctx, audit.Filter{Limit: 1}); err != nil || len(es) != 1 {
		t.Fatalf("the fixture's changes are not audited: %v", err)
	} else {
		since = es[0].ID
	}
	// entries are the entries written by the requests below.
	entries := func(action string) []audit.Entry {
		t.Helper()
		es, _, err := w.ts.srv.audits.Find(ctx, audit.Filter{Action: action, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		var out []audit.Entry
		for _, e := range es {
			if e.ID > since && (action == "" || e.Action == action) {
				out = append(out, e)
			}
		}
		return out
	}
	cal := strconv.FormatInt(w.private, 10)
	form := url.Values{"calendrier": {cal}, "titre": {"Bureau syndical"}, "debut_date": {"2026-03-20"}, "debut_heure": {"18:00"}, "fin_heure": {"19:30"}}
	bad := url.Values{"calendrier": {cal}, "titre": {""}, "debut_date": {"2026-03-20"}, "debut_heure": {"18:00"}}
	wantStatus(t, tech.post(t, "/agenda/evenements", bad), http.StatusUnprocessableEntity)
	wantStatus(t, elu.post(t, "/agenda/evenements", maps.Clone(form)), http.StatusForbidden) // post sets the client's csrf in the form
	wantStatus(t, adm.post(t, "/admin/agenda/agendas", url.Values{"nom": {""}}), http.StatusUnprocessableEntity)
	if es := entries(""); len(es) != 0 {
		t.Fatalf("refused or invalid forms wrote audit entries: %+v", es)
	}

	rec := tech.post(t, "/agenda/evenements", form)
	wantStatus(t, rec, http.StatusSeeOther)
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/agenda/evenements/")
	es := entries("event.created")
	if len(es) != 1 || es[0].Object != "event:"+id || es[0].Actor != "tech@sydrav.fr" || es[0].ActorID != w.techID || es[0].IP == "" || es[0].Detail != "Bureau syndical" {
		t.Fatalf("event.created entries: %+v", es)
	}
	occ := strconv.FormatInt(time.Date(2026, 3, 16, 9, 0, 0, 0, w.ts.cfg.Location()).Unix(), 10)
	weekly := "/agenda/evenements/" + strconv.FormatInt(w.weekly, 10)
	wantStatus(t, tech.post(t, weekly+"/annuler", url.Values{"occurrence": {occ}}), http.StatusSeeOther)
	if es := entries("event.occurrence_cancelled"); len(es) != 1 || es[0].Object != "event:"+strconv.FormatInt(w.weekly, 10) || es[0].Detail != "occurrence=2026-03-16T08:00:00Z" {
		t.Fatalf("event.occurrence_cancelled entries: %+v", es)
	}
	wantStatus(t, elu.post(t, "/mon-compte/agenda", nil), http.StatusOK)
	if es := entries("calendar.feed_created"); len(es) != 1 || es[0].Object != "user:"+strconv.FormatInt(w.eluID, 10) || es[0].Actor != "elu@sydrav.fr" || es[0].Detail != "" {
		t.Fatalf("calendar.feed_created entries: %+v", es)
	}
	wantStatus(t, adm.post(t, "/admin/agenda/attributs", url.Values{"cle": {"salle"}, "libelle": {"Salle"}, "type": {"text"}}), http.StatusSeeOther)
	if es := entries("calendar.attribute_created"); len(es) != 1 || es[0].Actor != "admin@sydrav.fr" || es[0].Detail != "salle" {
		t.Fatalf("calendar.attribute_created entries: %+v", es)
	}
	if es := entries(""); len(es) != 4 {
		t.Fatalf("four changes wrote %d audit entries: %+v", len(es), es)
	}
}

// One date of an event that is not a series cannot be changed or
// cancelled: a state refusal with its own message (409), nothing written.
func TestCalendarNotRecurringRefused(t *testing.T) {
	w := newCalWorld(t)
	tech := w.ts.loginAs(t, w.techID)
	single := "/agenda/evenements/" + strconv.FormatInt(w.privEvent, 10)
	occ := strconv.FormatInt(time.Date(2026, 3, 12, 18, 0, 0, 0, w.ts.cfg.Location()).Unix(), 10)
	for _, post := range []struct {
		path string
		form url.Values
	}{
		{single + "/annuler", url.Values{"occurrence": {occ}}},
		{single + "/retablir", url.Values{"occurrence": {occ}}},
		{single + "/modifier", url.Values{"occurrence": {occ}, "portee": {"une"}, "calendrier": {strconv.FormatInt(w.private, 10)}, "titre": {"X"},
			"debut_date": {"2026-03-12"}, "debut_heure": {"18:00"}}},
	} {
		rec := tech.post(t, post.path, post.form)
		wantStatus(t, rec, http.StatusConflict)
		if b := body(t, rec); !strings.Contains(b, "Cet événement n’est pas répété : modifiez-le directement.") {
			t.Errorf("%s: the refusal does not say why", post.path)
		}
	}
	if b := body(t, tech.get(t, single)); !strings.Contains(b, "Comité syndical confidentiel") {
		t.Error("the event changed")
	}
}
