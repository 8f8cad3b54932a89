package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/calendar"
)

func TestConvocationOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	comite, services := ts.createGroup(t, "Comité"), ts.createGroup(t, "Services")
	org := ts.createUser(t, "secretariat@sydrav.fr", false, services)
	anne := ts.createUser(t, "anne@sydrav.fr", false, comite)
	bruno := ts.createUser(t, "bruno@sydrav.fr", false, comite)
	chloe := ts.createUser(t, "chloe@sydrav.fr", false, comite)
	outsider := ts.createUser(t, "tech@sydrav.fr", false)
	cal, err := ts.srv.calendar.CreateCalendar(ctx, access.System(), calendar.Calendar{Name: "Instances", Colour: "#0b4f8a", TimeZone: "Europe/Paris"},
		[]access.Grant{{GroupID: comite, Level: access.View}, {GroupID: services, Level: access.Edit}})
	must(t, err)
	ev, err := ts.srv.calendar.CreateEvent(ctx, access.System(), calendar.EventForm{CalendarID: id(cal), Title: "Comité de mars",
		Location: "Nyons", StartDate: "2026-03-24", StartTime: "18:00", EndTime: "20:00"})
	must(t, err)
	page := "/agenda/evenements/" + id(ev) + "/convocation"

	o := ts.loginAs(t, org)
	if b := body(t, o.get(t, "/agenda/evenements/"+id(ev))); !strings.Contains(b, `href="`+page+`"`) {
		t.Error("the event page has no link to its session")
	}
	b := body(t, o.get(t, page))
	if !strings.Contains(b, "pas encore une séance") || !strings.Contains(b, `name="agenda"`) {
		t.Fatalf("organiser's page:\n%s", b)
	}
	rec := o.post(t, page, url.Values{"body": {"comite"}, "group": {"0"}, "agenda": {""}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if b := body(t, rec); !strings.Contains(b, "Choisissez le groupe convoqué") || !strings.Contains(b, "Indiquez l’ordre du jour") {
		t.Error("bad session form: no French errors")
	}
	wantStatus(t, o.post(t, page, url.Values{"body": {"comite"}, "group": {id(comite)}, "agenda": {"Procès-verbal\nBudget 2026"}}), http.StatusSeeOther)
	a := ts.loginAs(t, anne)
	if b := body(t, a.get(t, page)); !strings.Contains(b, "pas encore envoyée") || strings.Contains(b, `name="agenda"`) {
		t.Error("a member sees the organiser's tools, or may answer before sending")
	}
	wantStatus(t, a.post(t, page+"/envoyer", nil), http.StatusForbidden)
	wantStatus(t, o.post(t, page+"/envoyer", nil), http.StatusSeeOther)

	// The event page itself offers the convened member their answer.
	if b := body(t, a.get(t, "/agenda/evenements/"+id(ev))); !strings.Contains(b, `action="`+page+`/reponse"`) || !strings.Contains(b, `name="proxy_to"`) {
		t.Error("the event page has no answer form for a convened member")
	}
	if b := body(t, ts.loginAs(t, outsider).get(t, "/agenda/evenements/"+id(ev))); strings.Contains(b, `name="answer"`) {
		t.Error("someone not convened is offered an answer")
	}
	// Anne answers on the page; Bruno gives his proxy to Anne.
	wantStatus(t, a.post(t, page+"/reponse", url.Values{"answer": {"present"}}), http.StatusSeeOther)
	bc := ts.loginAs(t, bruno)
	rec = bc.post(t, page+"/reponse", url.Values{"answer": {"proxy"}, "proxy_to": {id(outsider)}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "pas convoqué à cette séance") {
		t.Error("proxy to a non-member: no French error")
	}
	wantStatus(t, bc.post(t, page+"/reponse", url.Values{"answer": {"proxy"}, "proxy_to": {id(anne)}}), http.StatusSeeOther)

	// Chloé answers by her signed link, without logging in.
	link := "/convocations/reponse/" + ts.srv.convs.AnswerToken(ev, chloe)
	v := ts.visitor()
	b = body(t, v.get(t, link))
	if !strings.Contains(b, "Bonjour chloe") || !strings.Contains(b, "Budget 2026") || !strings.Contains(b, `name="answer"`) {
		t.Fatalf("answer link page:\n%s", b)
	}
	rec = v.post(t, link, url.Values{"answer": {"proxy"}, "proxy_to": {id(anne)}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "détient déjà un pouvoir") {
		t.Error("a second proxy to Anne: no French error")
	}
	rec = v.post(t, link, url.Values{"answer": {"absent"}})
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(body(t, rec), "votre réponse (Absent) est enregistrée") {
		t.Error("no confirmation after answering by link")
	}
	for _, bad := range []string{link + "x", "/convocations/reponse/" + ts.srv.convs.AnswerToken(ev, outsider), "/convocations/reponse/abc"} {
		wantStatus(t, v.get(t, bad), http.StatusNotFound)
		wantStatus(t, v.post(t, bad, url.Values{"answer": {"present"}}), http.StatusNotFound)
	}
	wantStatus(t, ts.loginAs(t, outsider).get(t, page), http.StatusNotFound)

	// The organiser's attendance, printable page and CSV.
	b = body(t, o.get(t, page))
	if !strings.Contains(b, "Quorum non atteint : 1 présent(s) sur 3 membres en exercice (il en faut 2)") || !strings.Contains(b, "donné à anne") {
		t.Errorf("attendance:\n%s", b)
	}
	b = body(t, o.get(t, page+"/presences"))
	if !strings.Contains(b, "Liste d’émargement — Comité de mars") || !strings.Contains(b, "L.2121-17") {
		t.Error("printable list")
	}
	rec = o.get(t, page+"/presences.csv")
	wantStatus(t, rec, http.StatusOK)
	csv := rec.Body.String()
	if !strings.HasPrefix(csv, "\ufeffNom;Courriel;Réponse") || !strings.Contains(csv, "bruno;bruno@sydrav.fr;Pouvoir;anne;") || !strings.Contains(csv, "anne;anne@sydrav.fr;Présent;;bruno;") {
		t.Errorf("CSV:\n%s", csv)
	}
	for _, p := range []string{page + "/presences", page + "/presences.csv"} {
		wantStatus(t, a.get(t, p), http.StatusForbidden)
	}
}
