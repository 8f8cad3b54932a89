package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/collecte"
)

// collecteFixture: a server with the real search engine, two communes
// (Valence with two sectors, Barbières without any collection), three
// streams and their schedules; an editor (group granted Edit), a member
// of another group, and an administrator.
type collecteFixture struct {
	ts                    *testServer
	editor, member, admin *client
	valence, barbieres    int64
	nord, sud             int64
	om, emb, glass        int64
	gEditors              int64
	editorActor           access.Actor
	editorID              int64
}

var parisLoc = func() *time.Location { l, _ := time.LoadLocation("Europe/Paris"); return l }()

func newCollecteFixture(t *testing.T) *collecteFixture {
	t.Helper()
	ts := newTestServerWith(t, true)
	ts.clock.Set(time.Date(2026, 7, 10, 9, 0, 0, 0, parisLoc)) // a Friday; 14 July is the Tuesday after
	f := &collecteFixture{ts: ts}
	f.gEditors = ts.createGroup(t, "Communication")
	other := ts.createGroup(t, "Stagiaires")
	f.editorID = ts.createUser(t, "com@sydrav.fr", false, f.gEditors)
	f.editor = ts.loginAs(t, f.editorID)
	f.member = ts.loginAs(t, ts.createUser(t, "stagiaire@sydrav.fr", false, other))
	f.admin = ts.loginAs(t, ts.createUser(t, "admin@sydrav.fr", true))
	st := ts.srv.collecte
	ctx := context.Background()
	sys := access.System()
	if err := st.SetGrants(ctx, sys, []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: f.gEditors, Level: access.Edit}}); err != nil {
		t.Fatal(err)
	}
	f.editorActor = access.Actor{Principal: access.Member(f.editorID, false, []int64{f.gEditors}), Name: "com@sydrav.fr"}
	a := f.editorActor
	must := func(id int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.valence = must(st.CreateCommune(ctx, a, collecte.CommuneInput{Name: "Valence", INSEE: "26362", Postcodes: "26000"}))
	f.barbieres = must(st.CreateCommune(ctx, a, collecte.CommuneInput{Name: "Barbières", INSEE: "26023", Postcodes: "26300"}))
	must(st.CreateCommune(ctx, a, collecte.CommuneInput{Name: "Bourg-lès-Valence", INSEE: "26058", Postcodes: "26500"}))
	f.nord = must(st.CreateSector(ctx, a, f.valence, collecte.SectorInput{Name: "Nord", Description: "Le Plan, Chamberlière"}))
	f.sud = must(st.CreateSector(ctx, a, f.valence, collecte.SectorInput{Name: "Sud"}))
	f.om = must(st.CreateStream(ctx, a, collecte.StreamInput{Name: "Ordures ménagères", Code: "OM", Colour: "#4a4a4a", Help: "Bac gris la veille au soir.", Position: "1"}))
	f.emb = must(st.CreateStream(ctx, a, collecte.StreamInput{Name: "Emballages", Code: "EMB", Colour: "#7a5900", Position: "2"}))
	f.glass = must(st.CreateStream(ctx, a, collecte.StreamInput{Name: "Verre", Code: "V", Colour: "#1b5e20", Position: "3"}))
	sched := func(sector, stream int64, in collecte.RuleInput) {
		t.Helper()
		must(st.CreateSchedule(ctx, a, collecte.ScheduleInput{CommuneID: f.valence, SectorID: strconv.FormatInt(sector, 10), StreamID: strconv.FormatInt(stream, 10), Rule: in, Start: "2026-01-01"}))
	}
	sched(0, f.glass, collecte.RuleInput{Freq: collecte.FreqMonthly, Days: []string{"WE"}, Positions: []string{"1"}})
	sched(f.nord, f.om, collecte.RuleInput{Freq: collecte.FreqWeekly, Days: []string{"TU", "FR"}})
	sched(f.nord, f.emb, collecte.RuleInput{Freq: collecte.FreqBiweekly, Days: []string{"TH"}})
	sched(f.sud, f.om, collecte.RuleInput{Freq: collecte.FreqWeekly, Days: []string{"MO"}})
	return f
}

func clWant(t *testing.T, rec *httptest.ResponseRecorder, want ...string) {
	t.Helper()
	b := rec.Body.String()
	for _, w := range want {
		if !strings.Contains(b, w) {
			t.Fatalf("body lacks %q:\n%.3000s", w, b)
		}
	}
}

func clWantNot(t *testing.T, rec *httptest.ResponseRecorder, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(rec.Body.String(), w) {
			t.Fatalf("body contains %q", w)
		}
	}
}

func TestCollectePublicPages(t *testing.T) {
	f := newCollecteFixture(t)
	v := f.ts.visitor()

	rec := v.get(t, "/collecte")
	wantStatus(t, rec, 200)
	clWant(t, rec, "Jours de collecte", `data-combobox="/collecte/communes.json"`, `href="/collecte/valence"`, "Barbières", `<form method="get" action="/collecte"`)
	clWantNot(t, rec, "/collecte/gestion")

	// The lookup without JavaScript: one match goes to the commune, several
	// are listed, none says so.
	rec = v.get(t, "/collecte?q=bourg+les")
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/collecte/bourg-les-valence" {
		t.Fatalf("one match redirects to %q", loc)
	}
	rec = v.get(t, "/collecte?q=valence")
	wantStatus(t, rec, 200)
	clWant(t, rec, "Plusieurs communes correspondent", `href="/collecte/bourg-les-valence"`)
	rec = v.get(t, "/collecte?q=Grenoble")
	wantStatus(t, rec, 200)
	clWant(t, rec, "Aucune commune du territoire ne correspond à « Grenoble »", `value="Grenoble"`)

	// A commune with sectors asks for the sector; the commune-wide stream shows.
	rec = v.get(t, "/collecte/valence")
	wantStatus(t, rec, 200)
	clWant(t, rec, "Choisissez votre secteur", `href="/collecte/valence/nord"`, "Le Plan, Chamberlière", "Dans toute la commune", "Verre", "Le 1er mercredi du mois")

	// The sector page: next collection of each stream, the month ahead.
	rec = v.get(t, "/collecte/valence/nord")
	wantStatus(t, rec, 200)
	clWant(t, rec, "Jours de collecte à Valence, secteur Nord",
		"Chaque mardi et vendredi", "Une semaine sur deux, le jeudi",
		`<time datetime="2026-07-10">vendredi 10 juillet</time></strong> (aujourd’hui)`, // OM today (a Friday)
		"Bac gris la veille au soir.",
		"jour férié (Fête Nationale) : collecte à confirmer", // Tuesday 14 July
		`href="/collecte/valence/nord/ordures-menageres.ics"`, "webcal://", "/collecte/valence/nord/collectes.ics",
		`href="/collecte/valence/nord/calendrier"`)
	clWantNot(t, rec, "Gérer les jours de collecte")

	// The editor decides once for 14 July: the page says where it went.
	if _, err := f.ts.srv.collecte.SetException(context.Background(), f.editorActor,
		collecte.ExceptionInput{Day: "2026-07-14", Action: collecte.ActionMove, Replacement: "2026-07-15"}); err != nil {
		t.Fatal(err)
	}
	rec = v.get(t, "/collecte/valence/nord")
	clWant(t, rec, "reportée : le mardi 14 juillet est férié (Fête Nationale)", `<time datetime="2026-07-15">mercredi 15 juillet</time>`)
	clWantNot(t, rec, "collecte à confirmer")

	// A commune without any collection says so clearly (200, not an error).
	rec = v.get(t, "/collecte/barbieres")
	wantStatus(t, rec, 200)
	clWant(t, rec, "Aucune collecte n’est enregistrée pour Barbières.")
	clWantNot(t, rec, "Prochaine collecte")

	// The yearly calendar.
	rec = v.get(t, "/collecte/valence/nord/calendrier")
	wantStatus(t, rec, 200)
	clWant(t, rec, "Calendrier 2026 des collectes", "<caption>janvier 2026</caption>", "<caption>décembre 2026</caption>",
		`<abbr title="lundi">lun.</abbr>`, `aria-current="date"`, "Légende", "Jours particuliers", `/collecte/couleurs.css`,
		`href="/collecte/valence/nord/calendrier/2027"`)
	if n := strings.Count(rec.Body.String(), `<table class="cl-month">`); n != 12 {
		t.Fatalf("%d month tables", n)
	}
	// A holiday gone by without a decision has nothing left to confirm.
	clWant(t, rec, `<time datetime="2026-05-01">vendredi 1er mai</time> : Ordures ménagères — jour férié (Fête du Travail)`)
	clWantNot(t, rec, "(Fête du Travail) : collecte à confirmer")
	wantStatus(t, v.get(t, "/collecte/valence/nord/calendrier/2027"), 200)
	for _, p := range []string{"/collecte/valence/nord/calendrier/2031", "/collecte/valence/nord/calendrier/abc", "/collecte/valence/est",
		"/collecte/lyon", "/collecte/valence/nord/papier.ics", "/collecte/valence/nord/calendrier/2026/x", "/collecte/a/b/c/d/e"} {
		if rec := v.get(t, p); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}

	// The autocomplete's list and the colours.
	rec = v.get(t, "/collecte/communes.json")
	wantStatus(t, rec, 200)
	clWant(t, rec, `"n":"Bourg-lès-Valence"`, `"u":"/collecte/bourg-les-valence"`, `"k":" bourg les valence 26500 26058 "`)
	rec = v.get(t, "/collecte/couleurs.css")
	clWant(t, rec, ".cl-s"+strconv.FormatInt(f.om, 10)+"{background:#4a4a4a")

	// Feeds.
	rec = v.get(t, "/collecte/valence/nord/collectes.ics")
	wantStatus(t, rec, 200)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("feed content type %q", ct)
	}
	clWant(t, rec, "BEGIN:VCALENDAR", "SUMMARY:Collecte : Ordures ménagères", "SUMMARY:Collecte : Verre", "TRIGGER:-PT5H", "BEGIN:VALARM",
		"DTSTART;VALUE=DATE:20260715", "X-WR-CALNAME;VALUE=TEXT:Jours de collecte à Valence\\, secteur Nord")
	rec = v.get(t, "/collecte/valence/nord/verre.ics")
	clWant(t, rec, "SUMMARY:Collecte : Verre")
	clWantNot(t, rec, "Ordures ménagères\r\n")
}

// The editor sees the way to the management pages on the public pages
// (edit mode); visitors and members without the right do not.
func TestCollecteEditLinks(t *testing.T) {
	f := newCollecteFixture(t)
	clWant(t, f.editor.get(t, "/collecte/valence/nord"), "Gérer les jours de collecte de Valence", "/collecte/gestion/communes/"+strconv.FormatInt(f.valence, 10))
	clWant(t, f.editor.get(t, "/collecte"), `href="/collecte/gestion"`)
	clWantNot(t, f.member.get(t, "/collecte/valence/nord"), "Gérer les jours de collecte")
}

// Management: anonymous visitors are sent to log in, members without the
// right get 403 on every page and every form, the editor works.
func TestCollecteManagementPermissions(t *testing.T) {
	f := newCollecteFixture(t)
	id := strconv.FormatInt(f.valence, 10)
	var sched int64
	all, _ := f.ts.srv.collecte.Schedules(context.Background(), access.Anonymous(), f.valence)
	sched = all[0].ID
	sid := strconv.FormatInt(sched, 10)
	gets := []string{"/collecte/gestion", "/collecte/gestion/communes/" + id, "/collecte/gestion/communes/" + id + "/supprimer",
		"/collecte/gestion/communes/" + id + "/calendriers/nouveau", "/collecte/gestion/calendriers/" + sid,
		"/collecte/gestion/secteurs/" + strconv.FormatInt(f.nord, 10) + "/supprimer",
		"/collecte/gestion/flux", "/collecte/gestion/flux/" + strconv.FormatInt(f.om, 10) + "/supprimer",
		"/collecte/gestion/exceptions", "/collecte/gestion/import", "/collecte/gestion/export/communes.csv", "/collecte/gestion/export/calendriers.csv"}
	posts := map[string]url.Values{
		"/collecte/gestion/communes":                                                {"name": {"Alixan"}, "insee": {"26004"}, "postcodes": {"26300"}},
		"/collecte/gestion/communes/" + id:                                          {"name": {"Valence"}, "insee": {"26362"}, "postcodes": {"26000"}},
		"/collecte/gestion/communes/" + id + "/secteurs":                            {"sector_name": {"Est"}},
		"/collecte/gestion/communes/" + id + "/calendriers":                         {"stream": {strconv.FormatInt(f.om, 10)}, "freq": {"weekly"}, "days": {"MO"}, "start": {"2026-01-01"}},
		"/collecte/gestion/calendriers/" + sid:                                      {"stream": {strconv.FormatInt(f.om, 10)}, "freq": {"weekly"}, "days": {"MO"}, "start": {"2026-01-01"}},
		"/collecte/gestion/calendriers/" + sid + "/supprimer":                       nil,
		"/collecte/gestion/secteurs/" + strconv.FormatInt(f.sud, 10):                {"s" + strconv.FormatInt(f.sud, 10) + "-sector_name": {"Sud-Est"}},
		"/collecte/gestion/secteurs/" + strconv.FormatInt(f.sud, 10) + "/supprimer": nil,
		"/collecte/gestion/flux":                                                    {"stream_name": {"Textiles"}, "stream_code": {"TEX"}},
		"/collecte/gestion/flux/" + strconv.FormatInt(f.glass, 10):                  {"t" + strconv.FormatInt(f.glass, 10) + "-stream_name": {"Verre"}},
		"/collecte/gestion/flux/" + strconv.FormatInt(f.glass, 10) + "/supprimer":   nil,
		"/collecte/gestion/exceptions":                                              {"day": {"2026-07-14"}, "action": {"cancel"}},
		"/collecte/gestion/import":                                                  {"data": {"insee;nom;codes_postaux\n26004;Alixan;26300\n"}},
		"/collecte/gestion/import/confirmer":                                        {"data": {"insee;nom;codes_postaux\n26004;Alixan;26300\n"}},
		"/collecte/gestion/communes/" + id + "/supprimer":                           nil,
		"/admin/collecte": {"acces_1": {"edit"}},
	}
	v0, _ := f.ts.db.ContentVersion(context.Background())
	anon := f.ts.visitor()
	for _, p := range gets {
		if rec := anon.get(t, p); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/connexion") {
			t.Errorf("visitor GET %s = %d %s", p, rec.Code, rec.Header().Get("Location"))
		}
		if rec := f.member.get(t, p); rec.Code != http.StatusForbidden {
			t.Errorf("member GET %s = %d, want 403", p, rec.Code)
		}
	}
	for p, form := range posts {
		if rec := anon.post(t, p, form); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/connexion") {
			t.Errorf("visitor POST %s = %d", p, rec.Code)
		}
		if rec := f.member.post(t, p, form); rec.Code != http.StatusForbidden {
			t.Errorf("member POST %s = %d, want 403", p, rec.Code)
		}
	}
	// The editor may not choose the editors.
	if rec := f.editor.get(t, "/admin/collecte"); rec.Code != http.StatusForbidden {
		t.Errorf("editor GET /admin/collecte = %d", rec.Code)
	}
	if rec := f.editor.post(t, "/admin/collecte", posts["/admin/collecte"]); rec.Code != http.StatusForbidden {
		t.Errorf("editor POST /admin/collecte = %d", rec.Code)
	}
	// A forged POST without the CSRF token is refused, even for the editor.
	if rec := f.editor.post(t, "/collecte/gestion/communes", url.Values{"csrf": {"forged"}, "name": {"Alixan"}, "insee": {"26004"}, "postcodes": {"26300"}}); rec.Code != http.StatusForbidden {
		t.Errorf("POST without the CSRF token = %d", rec.Code)
	}
	if v, _ := f.ts.db.ContentVersion(context.Background()); v != v0 {
		t.Fatalf("refused requests changed the public content (%d → %d)", v0, v)
	}
	for _, p := range gets {
		if rec := f.editor.get(t, p); rec.Code != http.StatusOK {
			t.Errorf("editor GET %s = %d", p, rec.Code)
		}
	}
}

func TestCollecteManagementForms(t *testing.T) {
	f := newCollecteFixture(t)
	ed := f.editor
	rec := ed.get(t, "/collecte/gestion")
	wantStatus(t, rec, 200)
	clWant(t, rec, "Barbières", "aucune collecte", "Communes sans aucune collecte : 2", "Jours fériés à décider dans les trois mois : 1", "Fête Nationale")

	// Bad input: a clear French error, what was typed kept, nothing written.
	rec = ed.post(t, "/collecte/gestion/communes", url.Values{"name": {"Alixan"}, "insee": {"2600"}, "postcodes": {"26300 abc"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "« 2600 » n’est pas un code INSEE", "« abc » n’est pas un code postal", `value="Alixan"`, `value="26300 abc"`, `aria-invalid="true"`, `href="#insee"`)
	// The same commune posted twice: the second time is refused clearly.
	good := url.Values{"name": {"Alixan"}, "insee": {"26004"}, "postcodes": {"26300"}}
	rec = ed.post(t, "/collecte/gestion/communes", good)
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	rec = ed.get(t, loc)
	wantStatus(t, rec, 200)
	clWant(t, rec, "La commune a été ajoutée", "Alixan n’a aucun calendrier de collecte")
	rec = ed.post(t, "/collecte/gestion/communes", good)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "Une commune porte déjà le code INSEE 26004.")

	// A schedule through the form, then its edit form opens on the same choices.
	cid := strings.TrimPrefix(loc, "/collecte/gestion/communes/")
	rec = ed.post(t, loc+"/calendriers", url.Values{"stream": {strconv.FormatInt(f.om, 10)}, "freq": {"monthly"}, "days": {"WE"}, "start": {"2026-01-01"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "Cochez au moins une semaine du mois.", `value="WE" checked`)
	sched := url.Values{"stream": {strconv.FormatInt(f.om, 10)}, "freq": {"monthly"}, "days": {"WE"}, "positions": {"1", "3"}, "start": {"2026-01-01"}}
	rec = ed.post(t, loc+"/calendriers", sched)
	wantStatus(t, rec, http.StatusSeeOther)
	rec = ed.post(t, loc+"/calendriers", sched) // posted twice
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "Ce calendrier existe déjà")
	rec = ed.get(t, "/collecte/gestion/communes/"+cid)
	clWant(t, rec, "Le 1er et 3e mercredi du mois", "mercredi 15 juillet")
	all, _ := f.ts.srv.collecte.Schedules(context.Background(), access.Anonymous(), mustAtoi(t, cid))
	rec = ed.get(t, "/collecte/gestion/calendriers/"+strconv.FormatInt(all[0].ID, 10))
	clWant(t, rec, `value="monthly" checked`, `value="WE" checked`, `value="1" checked`, `value="3" checked`)
	// A custom rule that never matches is refused where it was typed.
	rec = ed.post(t, "/collecte/gestion/calendriers/"+strconv.FormatInt(all[0].ID, 10), url.Values{"stream": {strconv.FormatInt(f.om, 10)}, "freq": {"custom"},
		"custom": {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "start": {"2026-01-01"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "ne donnent aucune collecte", `value="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"`)

	// Streams: a too-light colour is refused with its contrast.
	rec = ed.post(t, "/collecte/gestion/flux", url.Values{"stream_name": {"Textiles"}, "stream_code": {"TEX"}, "stream_colour": {"#ffee58"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "Cette couleur est trop claire", `value="Textiles"`)
	pre := "t" + strconv.FormatInt(f.emb, 10) + "-"
	rec = ed.post(t, "/collecte/gestion/flux/"+strconv.FormatInt(f.emb, 10), url.Values{pre + "stream_name": {"Verre"}, pre + "stream_code": {"E"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "Un flux s’appelle déjà « Verre ».", `href="#`+pre+`stream_name"`, `id="`+pre+`stream_name"`)
	rec = ed.get(t, "/collecte/gestion/flux/"+strconv.FormatInt(f.emb, 10)+"/supprimer")
	clWant(t, rec, "Le flux Emballages sera supprimé avec ses 1 calendrier(s)")

	// Sectors.
	rec = ed.post(t, "/collecte/gestion/communes/"+strconv.FormatInt(f.valence, 10)+"/secteurs", url.Values{"sector_name": {"nord"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "Cette commune a déjà un secteur « nord ».")
	rec = ed.get(t, "/collecte/gestion/secteurs/"+strconv.FormatInt(f.nord, 10)+"/supprimer")
	clWant(t, rec, "Le secteur Nord de Valence sera supprimé avec ses 2 calendrier(s)")

	// Exceptions: the holidays list, a bad decision, then a good one posted twice.
	rec = ed.get(t, "/collecte/gestion/exceptions?jour=2026-07-14")
	clWant(t, rec, "Fête Nationale", "à décider", `value="2026-07-14"`, `value="2026-07-15"`)
	rec = ed.post(t, "/collecte/gestion/exceptions", url.Values{"day": {"2026-07-14"}, "action": {"move"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "Indiquez le jour de remplacement.", `value="2026-07-14"`)
	for i := 0; i < 2; i++ {
		rec = ed.post(t, "/collecte/gestion/exceptions", url.Values{"day": {"2026-07-14"}, "action": {"move"}, "replacement": {"2026-07-15"}, "note": {"Sortez vos bacs mardi soir."}})
		wantStatus(t, rec, http.StatusSeeOther)
	}
	ex, _ := f.ts.srv.collecte.Exceptions(context.Background(), access.Anonymous(), clDay(t, "2026-07-01"), clDay(t, "2026-08-01"))
	if len(ex) != 1 {
		t.Fatalf("a decision posted twice made %d exceptions", len(ex))
	}
	rec = ed.get(t, "/collecte/gestion/exceptions")
	clWant(t, rec, "mardi 14 juillet 2026, toutes les collectes : reportées au mercredi 15 juillet 2026 — Sortez vos bacs mardi soir.")

	// The administrator chooses the editors.
	rec = f.admin.get(t, "/admin/collecte")
	wantStatus(t, rec, 200)
	clWant(t, rec, "Communication", `name="acces_`+strconv.FormatInt(f.gEditors, 10)+`"`)
	rec = f.admin.post(t, "/admin/collecte", url.Values{"acces_1": {"view"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if rec := f.editor.get(t, "/collecte/gestion"); rec.Code != http.StatusForbidden {
		t.Fatalf("an editor whose grant was withdrawn still manages (%d)", rec.Code)
	}
	wantStatus(t, f.admin.get(t, "/admin"), 200)
	clWant(t, f.admin.get(t, "/admin"), `href="/collecte/gestion"`)
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func clDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, ok := collecte.ParseDay(s)
	if !ok {
		t.Fatalf("day %s", s)
	}
	return d
}

// postMultipart sends the import form as a browser does (the CSRF token in
// the query string, as for every multipart form).
func (c *client) clUpload(t *testing.T, path string, fields map[string]string, file []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v) //nolint:errcheck
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "communes.csv")
		fw.Write(file) //nolint:errcheck
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path+"?csrf="+url.QueryEscape(c.csrf), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(t, req)
}

// CSV import through the site: the preview lists every error with its line
// and writes nothing; a good file is shown, then confirmed.
func TestCollecteImportPages(t *testing.T) {
	f := newCollecteFixture(t)
	ed := f.editor
	bad := []byte("insee;nom;codes_postaux\n26004;Alixan;26300\n2600X;Chabeuil;26120\n26064;;26120\n")
	rec := ed.clUpload(t, "/collecte/gestion/import", nil, bad)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "Le fichier contient 2 erreur(s) : rien n’a été importé", "<td>3</td><td>insee</td><td>« 2600X » n’est pas un code INSEE", "<td>4</td><td>nom</td><td>Ce champ est obligatoire.")
	clWantNot(t, rec, "Confirmer l’import")
	// A file that is not CSV at all.
	rec = ed.clUpload(t, "/collecte/gestion/import", nil, []byte("\x00\x01\x02 bonjour"))
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "La première ligne doit donner les noms des colonnes")
	rec = ed.clUpload(t, "/collecte/gestion/import", map[string]string{"data": ""}, nil)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "Le fichier est vide.")

	good := "insee;nom;codes_postaux\n26004;Alixan;26300\n26064;Chabeuil;26120\n26362;Valence;26000\n"
	rec = ed.clUpload(t, "/collecte/gestion/import", map[string]string{"data": good}, nil)
	wantStatus(t, rec, 200)
	clWant(t, rec, "Communes à créer : 2 ; à mettre à jour : 0 ; inchangées : 1", "Confirmer l’import", `name="data" value="insee;nom;codes_postaux`)
	if list, _ := f.ts.srv.collecte.Communes(context.Background(), access.Anonymous()); len(list) != 3 {
		t.Fatalf("the preview wrote: %d communes", len(list))
	}
	rec = ed.clUpload(t, "/collecte/gestion/import/confirmer", map[string]string{"data": good}, nil)
	wantStatus(t, rec, http.StatusSeeOther)
	if list, _ := f.ts.srv.collecte.Communes(context.Background(), access.Anonymous()); len(list) != 5 {
		t.Fatalf("after the import: %d communes", len(list))
	}
	// Confirmed twice (a double click): nothing more happens.
	wantStatus(t, ed.clUpload(t, "/collecte/gestion/import/confirmer", map[string]string{"data": good}, nil), http.StatusSeeOther)
	if list, _ := f.ts.srv.collecte.Communes(context.Background(), access.Anonymous()); len(list) != 5 {
		t.Fatalf("after a second confirmation: %d communes", len(list))
	}
	// A huge upload is refused with its own message.
	rec = ed.clUpload(t, "/collecte/gestion/import", nil, bytes.Repeat([]byte("x"), 6<<20))
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	clWant(t, rec, "Le fichier dépasse 2 Mo.")
	rec = ed.get(t, "/collecte/gestion/export/calendriers.csv")
	wantStatus(t, rec, 200)
	clWant(t, rec, "insee;secteur;flux;regle;debut;fin;remarque", `26362;Nord;Ordures ménagères;"FREQ=WEEKLY;BYDAY=TU,FR";2026-01-01;;`)
}

// Visitors are served from the page cache, which drops a commune's page
// when anything changes and never keeps it past midnight, when "today" and
// "the next collection" change.
func TestCollecteCache(t *testing.T) {
	f := newCollecteFixture(t)
	v := f.ts.visitor()
	f.ts.clock.Set(time.Date(2026, 7, 9, 23, 59, 30, 0, parisLoc)) // Thursday night
	rec := v.get(t, "/collecte/valence/nord")
	clWant(t, rec, `<time datetime="2026-07-10">vendredi 10 juillet</time></strong> (demain)`)
	key := "/collecte/valence/nord"
	e := f.ts.srv.pageCache.peek(key)
	if e == nil {
		t.Fatal("the commune page was not cached for visitors")
	}
	midnight := time.Date(2026, 7, 10, 0, 0, 0, 0, parisLoc)
	if e.expires.After(midnight) {
		t.Fatalf("cached until %v, past midnight", e.expires)
	}
	// 30 seconds later, after midnight: not the cached "demain".
	f.ts.clock.Set(time.Date(2026, 7, 10, 0, 0, 1, 0, parisLoc))
	rec = v.get(t, "/collecte/valence/nord")
	clWant(t, rec, `<time datetime="2026-07-10">vendredi 10 juillet</time></strong> (aujourd’hui)`)
	// A change shows at once, before any expiry.
	if _, err := f.ts.srv.collecte.SetException(context.Background(), f.editorActor,
		collecte.ExceptionInput{Day: "2026-07-10", Action: collecte.ActionCancel, Note: "Grève"}); err != nil {
		t.Fatal(err)
	}
	rec = v.get(t, "/collecte/valence/nord")
	clWant(t, rec, "Collectes supprimées", "Grève")
	clWantNot(t, rec, "(aujourd’hui)")
}

// The site search finds communes.
func TestCollecteSiteSearch(t *testing.T) {
	f := newCollecteFixture(t)
	rec := f.ts.visitor().get(t, "/recherche?q=Barbi%C3%A8res")
	wantStatus(t, rec, 200)
	clWant(t, rec, `href="/collecte/barbieres"`, "Jours de collecte")
}

// The communes have a page each in the XML sitemap while the collection
// days are public, none once they are private; the plan du site leads to
// every residents' service.
func TestCollecteSitemap(t *testing.T) {
	f := newCollecteFixture(t)
	v := f.ts.visitor()
	clWant(t, v.get(t, "/sitemap.xml"), "/collecte</loc>", "/collecte/valence</loc>", "/collecte/barbieres</loc>")
	clWant(t, v.get(t, "/plan-du-site"), `href="/ou-jeter"`, `href="/decheteries"`, `href="/collecte"`, `href="/actes"`)
	if err := f.ts.srv.collecte.SetGrants(context.Background(), access.System(), []access.Grant{{GroupID: access.Members, Level: access.View}}); err != nil {
		t.Fatal(err)
	}
	rec := v.get(t, "/sitemap.xml")
	wantStatus(t, rec, http.StatusOK)
	clWantNot(t, rec, "/collecte/valence")
}
