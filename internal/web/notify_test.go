package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"portique/internal/notify"
)

func TestNotifyPreferences(t *testing.T) {
	ts := newTestServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	c := ts.loginAs(t, uid)
	b := body(t, c.get(t, "/mon-compte"))
	for _, want := range []string{`id="notifications"`, `name="mode_documents" value="daily" checked`, "Résumé quotidien", "<legend>Agenda</legend>"} {
		if !strings.Contains(b, want) {
			t.Errorf("profile lacks %q", want)
		}
	}
	rec := c.post(t, "/mon-compte/notifications", url.Values{"mode_documents": {"souvent"}, "mode_agenda": {"never"}, "mode_pages": {"daily"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if b := body(t, rec); !strings.Contains(b, "Choisissez « Immédiatement »") || !strings.Contains(b, `id="mode_documents-error"`) {
		t.Error("bad mode: no French error by the field")
	}
	wantStatus(t, c.post(t, "/mon-compte/notifications", url.Values{"mode_documents": {"immediate"}, "mode_agenda": {"never"}, "mode_pages": {"daily"}}), http.StatusSeeOther)
	p, _ := ts.srv.notify.Prefs(t.Context(), uid)
	if p["documents"] != notify.Immediate || p["agenda"] != notify.Never || p["pages"] != notify.Daily {
		t.Errorf("prefs %v", p)
	}
	wantStatus(t, ts.visitor().post(t, "/mon-compte/notifications", url.Values{"mode_documents": {"never"}}), http.StatusSeeOther) // to /connexion
	if p, _ := ts.srv.notify.Prefs(t.Context(), uid); p["documents"] != notify.Immediate {
		t.Error("an anonymous POST changed the prefs")
	}
}

// The unsubscribe link: a GET only asks; the one-click POST of a mail
// client (no session, no CSRF token, RFC 8058 body) unsubscribes; a forged
// token is a 404 and changes nothing.
func TestOneClickUnsubscribe(t *testing.T) {
	ts := newTestServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	tok := ts.srv.notify.Signer.UnsubscribeToken(uid, notify.AreaAgenda)
	rec := ts.visitor().get(t, "/notifications/desabonnement/"+tok)
	wantStatus(t, rec, http.StatusOK)
	if b := body(t, rec); !strings.Contains(b, "Confirmer le désabonnement") || !strings.Contains(b, "Agenda") {
		t.Errorf("confirmation page:\n%s", b)
	}
	if p, _ := ts.srv.notify.Prefs(t.Context(), uid); p["agenda"] != notify.DefaultMode {
		t.Fatal("a GET unsubscribed")
	}

	forged := strings.Replace(tok, tok[len(tok)-3:], "AAA", 1)
	for _, path := range []string{"/notifications/desabonnement/" + forged, "/notifications/desabonnement/abc"} {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		ts.srv.ServeHTTP(rec, req)
		wantStatus(t, rec, http.StatusNotFound)
	}
	if p, _ := ts.srv.notify.Prefs(t.Context(), uid); p["agenda"] != notify.DefaultMode {
		t.Fatal("a forged token unsubscribed")
	}

	req := httptest.NewRequest(http.MethodPost, "/notifications/desabonnement/"+tok, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	ts.srv.ServeHTTP(rec, req)
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), "Désabonnement enregistré") {
		t.Errorf("done page:\n%s", rec.Body.String())
	}
	p, _ := ts.srv.notify.Prefs(t.Context(), uid)
	if p["agenda"] != notify.Never || p["documents"] != notify.DefaultMode {
		t.Errorf("prefs after one-click: %v", p)
	}
	if strings.Contains(ts.logs.String(), tok) {
		t.Error("the token is in the logs")
	}
}
