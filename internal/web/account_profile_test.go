package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portique/internal/users"
)

func TestProfileNameAndPassword(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false, ts.createGroup(t, "Élus"))
	ts.setPassword(t, uid, goodPassword)
	c := ts.loginAs(t, uid)
	other := ts.loginAs(t, uid)

	rec := c.get(t, "/mon-compte")
	wantStatus(t, rec, http.StatusOK)
	b := body(t, rec)
	if !strings.Contains(b, "Vos groupes : Élus.") {
		t.Fatal("the profile does not list the groups")
	}
	// The calendar subscription block: create a personal link from here.
	if !strings.Contains(b, `action="/mon-compte/agenda"`) {
		t.Fatal("the profile lacks the calendar subscription block")
	}
	if !strings.Contains(b, "cette session") || strings.Count(b, `action="/mon-compte/sessions/fermer"`) != 2 {
		t.Fatal("the sessions list is wrong")
	}

	rec = c.post(t, "/mon-compte/nom", url.Values{"name": {"   "}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "Indiquez un nom") {
		t.Fatal("empty name: no French error")
	}
	wantStatus(t, c.post(t, "/mon-compte/nom", url.Values{"name": {"Jeanne Martin"}}), http.StatusSeeOther)
	if u, _ := ts.srv.accounts.Get(t.Context(), uid); u.Name != "Jeanne Martin" {
		t.Fatalf("name = %q", u.Name)
	}

	// The current password is required.
	rec = c.post(t, "/mon-compte/mot-de-passe", url.Values{"current": {"pas le bon mot de passe"}, "password": {"la mer est calme ce matin"}, "confirm": {"la mer est calme ce matin"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "actuel est incorrect") {
		t.Fatal("wrong current password: no French error")
	}
	rec = c.post(t, "/mon-compte/mot-de-passe", url.Values{"current": {goodPassword}, "password": {"soleil2026!!"}, "confirm": {"soleil2026!!"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantStatus(t, c.post(t, "/mon-compte/mot-de-passe", url.Values{"current": {goodPassword}, "password": {"la mer est calme ce matin"}, "confirm": {"la mer est calme ce matin"}}), http.StatusSeeOther)
	if !loggedIn(t, c) {
		t.Fatal("the current session ended with the password change")
	}
	if loggedIn(t, other) {
		t.Fatal("another session survived the password change")
	}
	wantStatus(t, ts.visitor().post(t, "/connexion", loginForm("elu@example.fr", "la mer est calme ce matin")), http.StatusSeeOther)
}

func TestProfileSessionRevoke(t *testing.T) {
	ts := newAccountsServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	c := ts.loginAs(t, uid)
	other := ts.loginAs(t, uid)
	stranger := ts.loginAs(t, ts.createUser(t, "autre@example.fr", false))
	otherHash := users.HashToken(other.cookies[ts.srv.sessionCookieName()].Value)
	// Someone else's session cannot be closed.
	wantStatus(t, stranger.post(t, "/mon-compte/sessions/fermer", url.Values{"session": {otherHash}}), http.StatusBadRequest)
	if !loggedIn(t, other) {
		t.Fatal("a stranger closed the session")
	}
	wantStatus(t, c.post(t, "/mon-compte/sessions/fermer", url.Values{"session": {otherHash}}), http.StatusSeeOther)
	if loggedIn(t, other) || !loggedIn(t, c) {
		t.Fatal("revoke closed the wrong session")
	}
	// Closing one's own current session logs out.
	wantStatus(t, c.post(t, "/mon-compte/sessions/fermer", url.Values{"session": {users.HashToken(c.cookies[ts.srv.sessionCookieName()].Value)}}), http.StatusSeeOther)
	if loggedIn(t, c) {
		t.Fatal("still logged in after closing the current session")
	}
}
