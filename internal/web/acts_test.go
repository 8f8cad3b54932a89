package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/calendar"
	"portique/internal/extract"
)

// actsSite is a server with the real search engine, a secretariat group
// holding manage on the register and a member of another group.
type actsSite struct {
	*testServer
	sec, member, admin *client
	secGroup           int64
}

func newActsSite(t *testing.T) *actsSite {
	t.Helper()
	ts := newTestServerWith(t, true)
	g := ts.createGroup(t, "Secrétariat")
	other := ts.createGroup(t, "Techniciens")
	a := &actsSite{testServer: ts, secGroup: g}
	a.sec = ts.loginAs(t, ts.createUser(t, "sophie.arnaud@sydrav.example", false, g))
	a.member = ts.loginAs(t, ts.createUser(t, "tech@sydrav.example", false, other))
	a.admin = ts.loginAs(t, ts.createUser(t, "admin@sydrav.example", true))
	if err := ts.srv.acts.SetGrants(context.Background(), access.System(), []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: g, Level: access.Manage}}); err != nil {
		t.Fatal(err)
	}
	return a
}

// postActForm sends the act form with a PDF (and the CSRF token in the
// query, as the form does).
func (c *client) postActForm(t *testing.T, path string, fields url.Values, files map[string][]byte) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, b := range files {
		field, filename, _ := strings.Cut(name, ":")
		fw, err := mw.CreateFormFile(field, filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(b)
	}
	mw.Close()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	req := httptest.NewRequest(http.MethodPost, path+sep+"csrf="+url.QueryEscape(c.csrf), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(t, req)
}

func testPDF(t *testing.T, text ...string) []byte {
	t.Helper()
	b, err := acts.RenderPDF("Délibération", text, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func deliberationForm(session int64, number string) url.Values {
	return url.Values{
		"kind": {"deliberation"}, "number": {number}, "date": {"2026-03-09"}, "subject": {"Tarification incitative : lancement de l’étude"},
		"session": {strconv.FormatInt(session, 10)}, "matter": {"8.8"},
		"vote_members": {"42"}, "vote_present": {"36"}, "vote_for": {"34"}, "vote_against": {"0"}, "vote_abstain": {"2"},
		"signer_first": {"Hélène"}, "signer_last": {"Garnier"}, "signer_title": {"Présidente du SYDRAV"}, "public": {"1"},
	}
}

// idFrom reads the id at the end of a redirect to /actes/{id}.
func idFrom(t *testing.T, rec *httptest.ResponseRecorder, prefix string) int64 {
	t.Helper()
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, prefix), 10, 64)
	if err != nil {
		t.Fatalf("redirect to %q", loc)
	}
	return id
}

// The secretariat prepares and publishes a deliberation through the
// forms; the public sees it only once published, with the date put online,
// its author, who published it and the fingerprint; the file downloads at
// its permanent address; a change after publication is refused and
// audited; the public pages come from the visitors' cache, refreshed by
// the publication.
func TestActsPublishThroughForms(t *testing.T) {
	s := newActsSite(t)
	visitor := s.visitor()
	wantStatus(t, visitor.get(t, "/actes"), http.StatusOK) // fills the page cache

	// A session, with a bad form first (422, input kept).
	rec := s.sec.post(t, "/actes/gestion/seances/nouvelle", url.Values{"body": {"comite"}, "held_on": {"09/03/2026"}, "place": {"Pierrelatte"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if b := body(t, rec); !strings.Contains(b, "Pierrelatte") || !strings.Contains(b, "date valide") {
		t.Fatalf("session form re-rendered without the input or the error")
	}
	ses := idFrom(t, s.sec.post(t, "/actes/gestion/seances/nouvelle", url.Values{"body": {"comite"}, "held_on": {"2026-03-09"}, "place": {"Pierrelatte"}}), "/actes/seances/")

	// The draft: bad input first.
	bad := deliberationForm(ses, "2026-021")
	bad.Set("vote_for", "40")
	rec = s.sec.postActForm(t, "/actes/gestion/nouveau", bad, map[string][]byte{"file:delib.pdf": testPDF(t, "texte")})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if b := body(t, rec); !strings.Contains(b, "dépassent le nombre de votants") || !strings.Contains(b, "Tarification incitative") {
		t.Fatal("act form re-rendered without the error or the input")
	}
	if rec := s.member.postActForm(t, "/actes/gestion/nouveau", deliberationForm(ses, "2026-021"), map[string][]byte{"file:delib.pdf": testPDF(t, "x")}); rec.Code != http.StatusForbidden {
		t.Fatalf("a member without grant creates a draft: %d", rec.Code)
	}
	id := idFrom(t, s.sec.postActForm(t, "/actes/gestion/nouveau", deliberationForm(ses, "2026-021"),
		map[string][]byte{"file:delib-2026-021.pdf": testPDF(t, "Le comité lance l’étude de redevance incitative à Mollans-sur-Ouvèze."), "annexes:annexe.pdf": testPDF(t, "Annexe")}), "/actes/")
	page := "/actes/" + strconv.FormatInt(id, 10)

	for name, c := range map[string]*client{"visitor": visitor, "member": s.member} {
		for _, p := range []string{page, page + "/telecharger", page + "/telecharger?annexe=1"} {
			if rec := c.get(t, p); rec.Code != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404 (a draft)", name, p, rec.Code)
			}
		}
		if b := body(t, c.get(t, "/actes")); strings.Contains(b, "2026-021") {
			t.Errorf("%s sees the draft in the register", name)
		}
		if b := body(t, c.get(t, "/actes/seances/"+strconv.FormatInt(ses, 10))); strings.Contains(b, "2026-021") {
			t.Errorf("%s sees the draft on the session page", name)
		}
	}
	if rec := s.member.get(t, "/actes/gestion"); rec.Code != http.StatusForbidden {
		t.Errorf("a member without grant opens the secretariat's screen: %d", rec.Code)
	}
	if rec := visitor.get(t, "/actes/gestion"); rec.Code != http.StatusSeeOther {
		t.Errorf("a visitor opens the secretariat's screen: %d", rec.Code)
	}
	if rec := s.member.post(t, page+"/publier", url.Values{"first": {"X"}, "last": {"Y"}, "title": {"Z"}, "confirm": {"1"}}); rec.Code != http.StatusForbidden {
		t.Errorf("a member publishes: %d", rec.Code)
	}

	// The secretariat's pages.
	for _, p := range []string{"/actes/gestion", page, page + "/modifier", page + "/publier", "/actes/gestion/nouveau", "/actes/gestion/parametres",
		"/actes/seances/" + strconv.FormatInt(ses, 10) + "/modifier", "/actes/seances/" + strconv.FormatInt(ses, 10)} {
		wantStatus(t, s.sec.get(t, p), http.StatusOK)
	}
	if b := body(t, s.sec.get(t, "/actes/gestion")); !strings.Contains(b, "2026-021") || !strings.Contains(b, "Liste des délibérations") {
		t.Error("the dashboard lacks the draft or the list due")
	}
	// Edit the draft (a typo in the subject), then publish.
	form := deliberationForm(ses, "2026-021")
	form.Set("subject", "Tarification incitative : lancement de l’étude préalable")
	wantStatus(t, s.sec.postActForm(t, page+"/modifier", form, nil), http.StatusSeeOther)
	rec = s.sec.post(t, page+"/publier", url.Values{"first": {"Sophie"}, "last": {"Arnaud"}, "title": {"Secrétaire générale"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "Cochez la confirmation") {
		t.Error("publication without confirmation: no message")
	}
	s.clock.Advance(90 * time.Minute)
	wantStatus(t, s.sec.post(t, page+"/publier", url.Values{"first": {"Sophie"}, "last": {"Arnaud"}, "title": {"Secrétaire générale"}, "confirm": {"1"}}), http.StatusSeeOther)

	rec = visitor.get(t, page)
	wantStatus(t, rec, http.StatusOK)
	b := body(t, rec)
	a, err := s.srv.acts.Act(context.Background(), access.Anonymous(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"préalable", "Sophie Arnaud, Secrétaire générale", "Hélène Garnier, Présidente du SYDRAV", a.Publication.SHA256[:8], "10 mars 2026 à 11:30", "34 pour, 0 contre, 2 abstention(s)"} {
		if !strings.Contains(b, want) {
			t.Errorf("the act's page lacks %q", want)
		}
	}
	if b := body(t, visitor.get(t, "/actes")); !strings.Contains(b, "2026-021") {
		t.Error("the cached register does not show the publication")
	}
	rec = visitor.get(t, page+"/telecharger")
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("ETag") != `"`+a.Publication.SHA256+`"` || !strings.HasPrefix(rec.Header().Get("Repr-Digest"), "sha-256=:") || !strings.Contains(rec.Header().Get("Content-Disposition"), "delib-2026-021.pdf") {
		t.Errorf("download headers: %v", rec.Header())
	}
	wantStatus(t, visitor.get(t, page+"/telecharger?annexe=1"), http.StatusOK)
	wantStatus(t, visitor.get(t, page+"/telecharger?annexe=9"), http.StatusNotFound)
	rec = visitor.get(t, "/actes/deliberations.csv")
	wantStatus(t, rec, http.StatusOK)
	if b := body(t, rec); !strings.Contains(b, "2026-021") || !strings.HasPrefix(b, "COLL_NOM,COLL_SIRET") {
		t.Errorf("csv: %s", b)
	}
	if b := body(t, visitor.get(t, "/actes/deliberations.json")); !strings.Contains(b, `"DELIB_ID": "2026-021"`) {
		t.Errorf("json: %s", b)
	}

	// After publication: every change is refused (409) and audited.
	for _, p := range []string{page + "/modifier", page + "/publier"} {
		if rec := s.sec.get(t, p); rec.Code != http.StatusConflict {
			t.Errorf("GET %s on a published act: %d", p, rec.Code)
		}
	}
	if rec := s.sec.postActForm(t, page+"/modifier", form, nil); rec.Code != http.StatusConflict {
		t.Errorf("POST modifier on a published act: %d", rec.Code)
	}
	if rec := s.sec.post(t, page+"/supprimer", nil); rec.Code != http.StatusConflict {
		t.Errorf("POST supprimer on a published act: %d", rec.Code)
	}
	if rec := s.admin.post(t, page+"/supprimer", nil); rec.Code != http.StatusConflict {
		t.Errorf("an administrator deletes a published act: %d", rec.Code)
	}
	var refused int
	if err := s.db.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit WHERE action = 'act.change_refused' AND object = ?", "act:"+strconv.FormatInt(id, 10)).Scan(&refused); err != nil {
		t.Fatal(err)
	}
	if refused != 3 {
		t.Errorf("%d refused attempts audited, want 3", refused)
	}

	// Withdrawal and correction through the forms.
	wantStatus(t, s.sec.get(t, page+"/retirer"), http.StatusOK)
	wantStatus(t, s.sec.post(t, page+"/retirer", url.Values{"reason": {""}}), http.StatusUnprocessableEntity)
	wantStatus(t, s.sec.get(t, page+"/rectifier"), http.StatusOK)
	fix := deliberationForm(ses, "2026-021-R")
	fix.Set("corrects", strconv.FormatInt(id, 10))
	fix.Set("date", "2026-03-10")
	fixID := idFrom(t, s.sec.postActForm(t, "/actes/gestion/nouveau", fix, map[string][]byte{"file:r.pdf": testPDF(t, "Rectificatif")}), "/actes/")
	wantStatus(t, s.sec.post(t, "/actes/"+strconv.FormatInt(fixID, 10)+"/publier", url.Values{"first": {"Sophie"}, "last": {"Arnaud"}, "title": {"Secrétaire générale"}, "confirm": {"1"}}), http.StatusSeeOther)
	wantStatus(t, s.sec.post(t, page+"/retirer", url.Values{"reason": {"Erreur matérielle sur le vote"}}), http.StatusSeeOther)
	b = body(t, visitor.get(t, page))
	if !strings.Contains(b, "Acte retiré le") || !strings.Contains(b, "Erreur matérielle sur le vote") || !strings.Contains(b, "rectifié par") {
		t.Error("the withdrawn, rectified act's page lacks its mentions")
	}
	if rec := s.sec.get(t, page+"/retirer"); rec.Code != http.StatusConflict {
		t.Errorf("withdraw twice: %d", rec.Code)
	}
	wantStatus(t, s.sec.get(t, "/actes/"+strconv.FormatInt(fixID, 10)), http.StatusOK)
}

func TestActsSiteSearchAndFilters(t *testing.T) {
	s := newActsSite(t)
	ctx := context.Background()
	st := s.srv.acts
	sec := access.Actor{Principal: access.Member(0, false, []int64{s.secGroup}), Name: "sec"}
	ses, err := st.CreateSession(ctx, sec, acts.SessionInput{Body: acts.Comite, HeldOn: "2026-03-09"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(number, word string, publish bool) int64 {
		in := acts.Input{Kind: acts.Deliberation, Number: number, Date: "2026-03-09", Subject: "Délibération " + number, SessionID: ses, MatterCode: "7.1",
			Members: "40", Present: "30", For: "30", Against: "0", Abstain: "0", Signer: acts.Person{First: "H", Last: "G", Title: "Présidente"}, Public: true}
		id, err := st.CreateDraft(ctx, sec, in, acts.Upload{Name: "a.pdf", Body: bytes.NewReader(testPDF(t, word))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := st.Act(ctx, sec.Principal, id)
		if err := st.SetText(ctx, id, a.SHA256, extract.Result{Pages: []string{"Le comité adopte " + word + "."}}); err != nil {
			t.Fatal(err)
		}
		if publish {
			if err := st.Publish(ctx, sec, id, acts.Person{First: "S", Last: "A", Title: "Secrétaire"}); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	pub := mk("2026-030", "composteurs", true)
	mk("2026-031", "composteurs collectifs confidentiels", false)
	v := s.visitor()
	b := body(t, v.get(t, "/recherche?q=composteurs&type=act"))
	if !strings.Contains(b, "/actes/"+strconv.FormatInt(pub, 10)) || strings.Contains(b, "2026-031") || strings.Contains(b, "confidentiels") {
		t.Fatalf("site search: %s", b)
	}
	b = body(t, v.get(t, "/actes?q=composteurs"))
	if !strings.Contains(b, "2026-030") || strings.Contains(b, "2026-031") || !strings.Contains(b, "<mark>") {
		t.Fatal("register search")
	}
	if b := body(t, s.sec.get(t, "/recherche?q=confidentiels")); strings.Contains(b, "2026-031") {
		t.Error("the site search shows a draft to the secretariat")
	}
	for q, want := range map[string]bool{"type=deliberation": true, "type=arrete": false, "annee=2026": true, "annee=2025": false,
		"du=2026-03-01&au=2026-03-31": true, "du=2026-03-10": false, "seance=" + strconv.FormatInt(ses, 10): true} {
		if got := strings.Contains(body(t, v.get(t, "/actes?"+q)), "2026-030"); got != want {
			t.Errorf("/actes?%s shows the act: %v, want %v", q, got, want)
		}
	}
	for _, q := range []string{"type=loi", "annee=deux", "du=hier", "seance=-3"} {
		if rec := v.get(t, "/actes?"+q); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("/actes?%s: %d, want 422", q, rec.Code)
		}
	}
}

func TestActsSettingsGrantsAndSessions(t *testing.T) {
	s := newActsSite(t)
	rec := s.sec.post(t, "/actes/gestion/parametres", url.Values{"coll_name": {"SYDRAV"}, "coll_siret": {"12"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantStatus(t, s.sec.post(t, "/actes/gestion/parametres", url.Values{"coll_name": {"SYDRAV"}, "coll_siret": {"252 600 123 00018"}, "pref_id": {"pref026"}}), http.StatusSeeOther)
	if st, _ := s.srv.acts.Settings(context.Background()); st.CollSIRET != "25260012300018" || st.PrefID != "PREF026" {
		t.Errorf("settings = %+v", st)
	}
	// Grants: administrators only.
	if rec := s.sec.post(t, "/actes/gestion/droits", url.Values{}); rec.Code != http.StatusForbidden {
		t.Errorf("the secretariat changes the grants: %d", rec.Code)
	}
	wantStatus(t, s.admin.get(t, "/actes/gestion"), http.StatusOK)
	g := strconv.FormatInt(s.secGroup, 10)
	wantStatus(t, s.admin.post(t, "/actes/gestion/droits", url.Values{"level_1": {"view"}, "level_" + g: {"edit"}}), http.StatusSeeOther)
	if rec := s.sec.get(t, "/actes/gestion/parametres"); rec.Code != http.StatusForbidden {
		t.Errorf("edit (not manage) opens the settings: %d", rec.Code)
	}
	// A session with a calendar event the author cannot see is refused.
	rec = s.sec.post(t, "/actes/gestion/seances/nouvelle", url.Values{"body": {"bureau"}, "held_on": {"2026-03-02"}, "event": {"4242"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	id := idFrom(t, s.sec.post(t, "/actes/gestion/seances/nouvelle", url.Values{"body": {"bureau"}, "held_on": {"2026-03-02"}}), "/actes/seances/")
	p := "/actes/seances/" + strconv.FormatInt(id, 10)
	wantStatus(t, s.sec.post(t, p+"/modifier", url.Values{"body": {"bureau"}, "held_on": {"2026-03-02"}, "minutes_approved_on": {"2026-03-01"}}), http.StatusUnprocessableEntity)
	wantStatus(t, s.sec.post(t, p+"/modifier", url.Values{"body": {"bureau"}, "held_on": {"2026-03-02"}, "place": {"Nyons"}}), http.StatusSeeOther)
	// A session without acts is not shown to the public.
	if rec := s.visitor().get(t, p); rec.Code != http.StatusNotFound {
		t.Errorf("an empty session shown to a visitor: %d", rec.Code)
	}
	wantStatus(t, s.sec.post(t, p+"/supprimer", nil), http.StatusSeeOther)
}

// The public register is served from the visitors' page cache, and a
// publication shows at once: the register's tables bump the content
// version (migration 0700's triggers).
func TestActsPageCacheFollowsPublication(t *testing.T) {
	s := newActsSite(t)
	ctx := context.Background()
	st := s.srv.acts
	sec := access.Actor{Principal: access.Member(0, false, []int64{s.secGroup}), Name: "sec"}
	in := acts.Input{Kind: acts.Arrete, Number: "2026-A-050", Date: "2026-03-02", Subject: "Horaires d’été des déchèteries",
		Signer: acts.Person{First: "B", Last: "C", Title: "Président"}, Public: true}
	id, err := st.CreateDraft(ctx, sec, in, acts.Upload{Name: "a.pdf", Body: bytes.NewReader(testPDF(t, "x"))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := s.visitor()
	if b := body(t, v.get(t, "/actes")); strings.Contains(b, "2026-A-050") {
		t.Fatal("draft shown")
	}
	before, _ := s.db.ContentVersion(ctx)
	if err := st.Publish(ctx, sec, id, acts.Person{First: "S", Last: "A", Title: "Secrétaire"}); err != nil {
		t.Fatal(err)
	}
	after, _ := s.db.ContentVersion(ctx)
	if after <= before {
		t.Fatalf("content version %d → %d: the publication does not invalidate the page cache", before, after)
	}
	if b := body(t, v.get(t, "/actes")); !strings.Contains(b, "2026-A-050") {
		t.Error("the visitors' cached register does not show the publication")
	}
	// The same page twice at one content version: the second comes from the cache.
	var queries int
	s.db.Observe(func(string) { queries++ })
	v.get(t, "/actes/"+strconv.FormatInt(id, 10))
	first := queries
	queries = 0
	v.get(t, "/actes/"+strconv.FormatInt(id, 10))
	s.db.Observe(nil)
	if queries >= first || queries > 2 {
		t.Errorf("cached act page ran %d queries (first render %d)", queries, first)
	}
}

// The session form offers the agenda's events the secretary may see, never
// one of a calendar hidden from them; the chosen one is linked and selected
// when the session is edited.
func TestActsSessionEventChoice(t *testing.T) {
	s := newActsSite(t)
	ctx := context.Background()
	cal := s.srv.calendar
	root := access.Actor{Principal: access.Member(0, true, nil)}
	seen, err := cal.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Instances", Colour: "#1f5fa8"}, []access.Grant{{GroupID: s.secGroup, Level: access.View}})
	if err != nil {
		t.Fatal(err)
	}
	hidden, err := cal.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Direction", Colour: "#8a1f1f"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	comite, err := cal.CreateEvent(ctx, root, calendar.EventForm{CalendarID: fmt.Sprint(seen), Title: "Comité syndical de mars", StartDate: "2026-03-02", StartTime: "18:00", EndTime: "20:00"})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := cal.CreateEvent(ctx, root, calendar.EventForm{CalendarID: fmt.Sprint(hidden), Title: "Réunion de direction", StartDate: "2026-03-03", StartTime: "09:00", EndTime: "10:00"})
	if err != nil {
		t.Fatal(err)
	}
	rec := s.sec.get(t, "/actes/gestion/seances/nouvelle")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, `<select id="event" name="event"`, fmt.Sprintf(`<option value="%d">`, comite), "Comité syndical de mars (Instances)")
	if strings.Contains(rec.Body.String(), "Réunion de direction") {
		t.Fatal("the form offers an event of a calendar the secretary cannot see")
	}
	// Forged: the hidden event's id is refused, and the form still offers the list.
	rec = s.sec.post(t, "/actes/gestion/seances/nouvelle", url.Values{"body": {"comite"}, "held_on": {"2026-03-02"}, "event": {fmt.Sprint(secret)}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec, "Comité syndical de mars")
	id := idFrom(t, s.sec.post(t, "/actes/gestion/seances/nouvelle", url.Values{"body": {"comite"}, "held_on": {"2026-03-02"}, "event": {fmt.Sprint(comite)}}), "/actes/seances/")
	rec = s.sec.get(t, "/actes/seances/"+fmt.Sprint(id)+"/modifier")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, fmt.Sprintf(`<option value="%d" selected>`, comite))
}
