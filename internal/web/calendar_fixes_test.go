package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"portique/internal/access"
)

// Deleting a whole series asks first; the one-click post of the event page
// (or a forged one) lands on the confirmation page, nothing deleted.
func TestCalendarSeriesDeleteAsksFirst(t *testing.T) {
	w := newCalWorld(t)
	tech := w.ts.loginAs(t, w.techID)
	path := "/agenda/evenements/" + strconv.FormatInt(w.weekly, 10)
	page := body(t, tech.get(t, path))
	if !strings.Contains(page, `href="`+path+`/supprimer">Supprimer toute la série`) {
		t.Error("the series page has no link to the deletion's confirmation")
	}
	rec := tech.post(t, path+"/supprimer", nil)
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != path+"/supprimer" {
		t.Fatalf("a post without confirmation went to %q", loc)
	}
	if _, _, err := w.st.Event(context.Background(), access.Principal{Admin: true}, w.weekly); err != nil {
		t.Fatalf("the series was deleted without confirmation: %v", err)
	}
	confirm := body(t, tech.get(t, path+"/supprimer"))
	if !strings.Contains(confirm, "Supprimer toute la série « Réunion technique » ?") || !strings.Contains(confirm, `name="confirme" value="1"`) {
		t.Error("the confirmation page does not ask about the series")
	}
	wantStatus(t, w.ts.loginAs(t, w.eluID).get(t, path+"/supprimer"), http.StatusForbidden)
	wantStatus(t, tech.post(t, path+"/supprimer", url.Values{"confirme": {"1"}}), http.StatusSeeOther)
	if _, _, err := w.st.Event(context.Background(), access.Principal{Admin: true}, w.weekly); err == nil {
		t.Error("the confirmed deletion did not delete the series")
	}
	// A single event still goes in one click.
	wantStatus(t, tech.post(t, "/agenda/evenements/"+strconv.FormatInt(w.privEvent, 10)+"/supprimer", nil), http.StatusSeeOther)
	if _, _, err := w.st.Event(context.Background(), access.Principal{Admin: true}, w.privEvent); err == nil {
		t.Error("a single event was not deleted")
	}
}

// Week and day views show a timed event in every hour row it covers.
func TestCalendarTimeGridWholeDuration(t *testing.T) {
	w := newCalWorld(t)
	elu := w.ts.loginAs(t, w.eluID)
	// The private event runs 18:00–20:00 on 12 March: rows 18 and 19, not 20.
	for _, view := range []string{"semaine", "jour"} {
		b := body(t, elu.get(t, "/agenda?vue="+view+"&date=2026-03-12"))
		rows := regexp.MustCompile(`(?s)<tr><th scope="row">(\d\d):00</th>(.*?)</tr>`).FindAllStringSubmatch(b, -1)
		in := map[string]bool{}
		for _, r := range rows {
			in[r[1]] = strings.Contains(r[2], "Comité syndical confidentiel")
		}
		if !in["18"] || !in["19"] || in["20"] || in["17"] {
			t.Errorf("%s view: the 18:00–20:00 event is in rows %v, want 18 and 19", view, in)
		}
	}
}

// An attribute limited to the internal calendar is not offered by the
// public agenda's filter; members who see that calendar get it.
func TestCalendarAttributeLimitedToCalendars(t *testing.T) {
	w := newCalWorld(t)
	adm := w.ts.loginAs(t, w.adminID)
	rec := adm.post(t, "/admin/agenda/attributs", url.Values{"cle": {"instance"}, "libelle": {"Instance"}, "type": {"choice"},
		"choix": {"Bureau\nComité syndical"}, "agendas": {strconv.FormatInt(w.private, 10)}})
	wantStatus(t, rec, http.StatusSeeOther)
	attrs, err := w.st.Attributes(context.Background())
	if err != nil || len(attrs) != 1 || len(attrs[0].Calendars) != 1 || attrs[0].Calendars[0] != w.private {
		t.Fatalf("attributes = %+v, %v", attrs, err)
	}
	if b := body(t, adm.get(t, "/admin/agenda/attributs")); !strings.Contains(b, "Agendas concernés") {
		t.Error("the attributes page does not offer the calendars")
	}
	if b := body(t, w.ts.visitor().get(t, "/agenda")); strings.Contains(b, "Comité syndical</option>") {
		t.Error("the public agenda's filter lists an internal category")
	}
	if b := body(t, w.ts.loginAs(t, w.eluID).get(t, "/agenda")); !strings.Contains(b, "Comité syndical</option>") {
		t.Error("a member who sees the internal calendar does not get its filter")
	}
	if b := body(t, w.ts.loginAs(t, w.techID).get(t, "/agenda/evenements/nouveau")); !strings.Contains(b, "Seulement pour les agendas : Instances") {
		t.Error("the event form does not say which calendars use the attribute")
	}
}

// The audit trail names groups, not ids, and its filter offers pages,
// documents and events.
func TestJournalNamesGroupsAndFiltersAreas(t *testing.T) {
	w := newCalWorld(t)
	adm := w.ts.loginAs(t, w.adminID)
	b := body(t, adm.get(t, "/admin/journal?action=calendar."))
	if !strings.Contains(b, "Instances grants=Élus:view,Techniciens:edit") {
		t.Error("the journal shows group ids, not names")
	}
	for _, want := range []string{`<option value="page.">Pages</option>`, `<option value="document.">Documents</option>`, `<option value="event.">Événements de l’agenda</option>`} {
		if !strings.Contains(b, want) {
			t.Errorf("the journal filter lacks %s", want)
		}
	}
	if b := body(t, adm.get(t, "/admin/journal?action=event.")); !strings.Contains(b, "<td>event.created</td>") || strings.Contains(b, "<td>calendar.created</td>") {
		t.Error("the events filter does not select the events")
	}
}
