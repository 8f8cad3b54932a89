package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"portique/internal/audit"
	"portique/internal/users"
)

func TestAdminRoutesRefuseMembersAndVisitors(t *testing.T) {
	ts := newAccountsServer(t)
	g := ts.createGroup(t, "Élus")
	member := ts.loginAs(t, ts.createUser(t, "elu@example.fr", false, g))
	target := ts.createUser(t, "autre@example.fr", false)
	id := itoa(int(target))
	gets := []string{"/admin", "/admin/utilisateurs", "/admin/utilisateurs/nouveau", "/admin/utilisateurs/" + id,
		"/admin/utilisateurs/" + id + "/supprimer", "/admin/groupes", "/admin/groupes/" + itoa(int(g)), "/admin/journal"}
	posts := []string{"/admin/utilisateurs", "/admin/utilisateurs/" + id, "/admin/utilisateurs/" + id + "/desactiver",
		"/admin/utilisateurs/" + id + "/reactiver", "/admin/utilisateurs/" + id + "/deverrouiller",
		"/admin/utilisateurs/" + id + "/invitation", "/admin/utilisateurs/" + id + "/supprimer", "/admin/groupes",
		"/admin/groupes/" + itoa(int(g)), "/admin/groupes/" + itoa(int(g)) + "/membres",
		"/admin/groupes/" + itoa(int(g)) + "/membres/" + id + "/retirer", "/admin/groupes/" + itoa(int(g)) + "/supprimer"}
	for _, p := range gets {
		wantStatus(t, member.get(t, p), http.StatusForbidden)
		rec := ts.visitor().get(t, p)
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/connexion?retour="+url.QueryEscape(p) {
			t.Errorf("visitor GET %s: Location = %q", p, loc)
		}
	}
	for _, p := range posts {
		form := func() url.Values {
			return url.Values{"email": {"x@example.fr"}, "name": {"X"}, "user": {id}, "admin": {"1"}}
		}
		wantStatus(t, member.post(t, p, form()), http.StatusForbidden)
		wantStatus(t, ts.visitor().post(t, p, form()), http.StatusSeeOther)
	}
	// Nothing changed.
	u, err := ts.srv.accounts.Get(t.Context(), target)
	if err != nil || u.Disabled || u.Admin {
		t.Fatalf("target changed: %+v %v", u, err)
	}
	if n, _ := ts.srv.accounts.Count(t.Context()); n != 2 {
		t.Fatalf("%d accounts, want 2", n)
	}
	// Profile: visitors are sent to log in.
	rec := ts.visitor().get(t, "/mon-compte")
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/connexion?retour=%2Fmon-compte" {
		t.Fatalf("Location = %q", loc)
	}
}

func TestAdminCreatesAccountAndInvitationWorksOnce(t *testing.T) {
	ts := newAccountsServer(t)
	g := ts.createGroup(t, "Techniciens")
	admin := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))

	// Bad input: 422, French errors, input kept.
	rec := admin.post(t, "/admin/utilisateurs", url.Values{"email": {"pas-une-adresse"}, "name": {"Karim"}, "groups": {itoa(int(g))}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	b := body(t, rec)
	if !strings.Contains(b, "n’est pas valide") || !strings.Contains(b, `value="Karim"`) || !strings.Contains(b, `aria-describedby="email-error"`) {
		t.Fatalf("bad email: %.800s", b)
	}
	rec = admin.post(t, "/admin/utilisateurs", url.Values{"email": {"admin@example.fr"}, "name": {"Doublon"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "existe déjà") {
		t.Fatal("duplicate email not refused")
	}

	rec = admin.post(t, "/admin/utilisateurs", url.Values{"email": {"Karim@Example.fr"}, "name": {"Karim Benali"}, "groups": {itoa(int(g))}})
	wantStatus(t, rec, http.StatusSeeOther)
	u, err := ts.srv.accounts.GetByEmail(t.Context(), "karim@example.fr")
	if err != nil || len(u.Groups) != 1 || u.Groups[0] != g || u.HasPassword {
		t.Fatalf("created account = %+v, %v", u, err)
	}
	if b := body(t, admin.get(t, "/admin/utilisateurs")); !strings.Contains(b, "Invitation en attente") {
		t.Fatal("pending invitation not shown")
	}
	link := linkIn(t, ts.lastMailTo(t, "karim@example.fr"), ts.cfg.BaseURL)
	if !strings.HasPrefix(link, "/invitation/") {
		t.Fatalf("link %q", link)
	}
	// Resending kills the first link.
	ts.clock.Advance(time.Minute)
	wantStatus(t, admin.post(t, "/admin/utilisateurs/"+itoa(int(u.ID))+"/invitation", nil), http.StatusSeeOther)
	second := linkIn(t, ts.lastMailTo(t, "karim@example.fr"), ts.cfg.BaseURL)
	c := ts.visitor()
	wantStatus(t, c.get(t, link), http.StatusGone)

	// A common password is refused.
	rec = c.post(t, second, newPassword("motdepasse2026"))
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "trop courant") {
		t.Fatal("common password: no French message")
	}
	rec = c.post(t, second, newPassword("Sydrav-2026-Sydrav"))
	wantStatus(t, rec, http.StatusUnprocessableEntity)

	ts.clock.Advance(71 * time.Hour)
	rec = c.post(t, second, newPassword("le technicien arrive demain"))
	wantStatus(t, rec, http.StatusSeeOther)
	wantStatus(t, c.get(t, second), http.StatusGone)
	wantStatus(t, c.post(t, "/connexion", loginForm("karim@example.fr", "le technicien arrive demain")), http.StatusSeeOther)
	if !loggedIn(t, c) {
		t.Fatal("cannot log in after accepting the invitation")
	}
	for _, a := range []string{"user.created", "invitation.sent", "invitation.accepted"} {
		if e, _, _ := ts.srv.audits.Find(t.Context(), audit.Filter{Action: a}); len(e) == 0 {
			t.Errorf("no %s in the audit trail", a)
		}
	}
}

func TestInvitationExpiresAfter72Hours(t *testing.T) {
	ts := newAccountsServer(t)
	admin := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	wantStatus(t, admin.post(t, "/admin/utilisateurs", url.Values{"email": {"new@example.fr"}, "name": {"Nouvelle"}}), http.StatusSeeOther)
	link := linkIn(t, ts.lastMailTo(t, "new@example.fr"), ts.cfg.BaseURL)
	ts.clock.Advance(72*time.Hour + time.Minute)
	c := ts.visitor()
	rec := c.get(t, link)
	wantStatus(t, rec, http.StatusGone)
	if !strings.Contains(body(t, rec), "72 heures") {
		t.Fatal("expired invitation page does not explain")
	}
	wantStatus(t, c.post(t, link, newPassword("le technicien arrive demain")), http.StatusGone)
	// An invitation link is not a reset link and vice versa.
	wantStatus(t, c.get(t, strings.Replace(link, "/invitation/", "/reinitialisation/", 1)), http.StatusGone)
}

func TestAdminEditUnlockDelete(t *testing.T) {
	ts := newAccountsServer(t)
	g1, g2 := ts.createGroup(t, "Élus"), ts.createGroup(t, "Stagiaires")
	adminID := ts.createUser(t, "admin@example.fr", true)
	admin := ts.loginAs(t, adminID)
	uid := ts.createUser(t, "elu@example.fr", false, g1)
	ts.setPassword(t, uid, goodPassword)
	path := "/admin/utilisateurs/" + itoa(int(uid))

	wantStatus(t, admin.get(t, path), http.StatusOK)
	rec := admin.post(t, path, url.Values{"email": {"elu@example.fr"}, "name": {"Jeanne Martin"}, "groups": {itoa(int(g2)), "1", "2"}})
	wantStatus(t, rec, http.StatusSeeOther)
	u, _ := ts.srv.accounts.Get(t.Context(), uid)
	if u.Name != "Jeanne Martin" || len(u.Groups) != 1 || u.Groups[0] != g2 {
		t.Fatalf("after edit: %+v", u)
	}
	// An admin cannot drop their own admin flag, disable or delete themselves.
	wantStatus(t, admin.post(t, "/admin/utilisateurs/"+itoa(int(adminID)), url.Values{"email": {"admin@example.fr"}, "name": {"Admin"}}), http.StatusUnprocessableEntity)
	admin.post(t, "/admin/utilisateurs/"+itoa(int(adminID))+"/desactiver", nil)
	wantStatus(t, admin.post(t, "/admin/utilisateurs/"+itoa(int(adminID))+"/supprimer", nil), http.StatusForbidden)
	if me, _ := ts.srv.accounts.Get(t.Context(), adminID); me.Disabled || !me.Admin {
		t.Fatal("the admin changed their own state")
	}

	// Lock, then unlock by the admin.
	c := ts.visitor()
	for i := 0; i < ts.cfg.LockoutThreshold; i++ {
		c.post(t, "/connexion", loginForm("elu@example.fr", "faux mot de passe"))
	}
	if b := body(t, admin.get(t, path)); !strings.Contains(b, "Déverrouiller") {
		t.Fatal("no unlock button on a locked account")
	}
	wantStatus(t, admin.post(t, path+"/deverrouiller", nil), http.StatusSeeOther)
	wantStatus(t, c.post(t, "/connexion", loginForm("elu@example.fr", goodPassword)), http.StatusSeeOther)
	if e, _, _ := ts.srv.audits.Find(t.Context(), audit.Filter{Action: "account.unlocked"}); len(e) != 1 || e[0].ActorID != adminID {
		t.Fatalf("unlock audit = %+v", e)
	}

	// Delete: confirmation page, then gone; the audit keeps the email.
	member := ts.loginAs(t, uid)
	wantStatus(t, admin.get(t, path+"/supprimer"), http.StatusOK)
	wantStatus(t, admin.post(t, path+"/supprimer", nil), http.StatusSeeOther)
	wantStatus(t, admin.get(t, path), http.StatusNotFound)
	if loggedIn(t, member) {
		t.Fatal("a deleted account kept its session")
	}
	wantStatus(t, ts.visitor().post(t, "/connexion", loginForm("elu@example.fr", goodPassword)), http.StatusUnprocessableEntity)
	e, _, _ := ts.srv.audits.Find(t.Context(), audit.Filter{Action: "user.deleted"})
	if len(e) != 1 || e[0].Detail != "elu@example.fr" {
		t.Fatalf("delete audit = %+v", e)
	}
	// The email is free again.
	wantStatus(t, admin.post(t, "/admin/utilisateurs", url.Values{"email": {"elu@example.fr"}, "name": {"Jeanne"}}), http.StatusSeeOther)
}

func TestAdminGroups(t *testing.T) {
	ts := newAccountsServer(t)
	admin := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	uid := ts.createUser(t, "elu@example.fr", false)

	wantStatus(t, admin.post(t, "/admin/groupes", url.Values{"name": {"  "}}), http.StatusUnprocessableEntity)
	wantStatus(t, admin.post(t, "/admin/groupes", url.Values{"name": {"Membres"}}), http.StatusUnprocessableEntity)
	rec := admin.post(t, "/admin/groupes", url.Values{"name": {"Élus"}})
	wantStatus(t, rec, http.StatusSeeOther)
	gpath := rec.Header().Get("Location")
	gid := int64(0)
	for _, g := range mustGroups(t, ts) {
		if g.Name == "Élus" {
			gid = g.ID
		}
	}
	if gpath != "/admin/groupes/"+itoa(int(gid)) {
		t.Fatalf("Location %q", gpath)
	}
	wantStatus(t, admin.post(t, gpath, url.Values{"name": {"Élus du comité"}}), http.StatusSeeOther)
	wantStatus(t, admin.post(t, gpath+"/membres", url.Values{"user": {itoa(int(uid))}}), http.StatusSeeOther)
	member := ts.loginAs(t, uid)
	ses, err := ts.srv.sessions.Lookup(t.Context(), member.cookies[ts.srv.sessionCookieName()].Value)
	if err != nil || len(ses.User.Groups) != 1 || ses.User.Groups[0] != gid {
		t.Fatalf("member groups = %+v, %v", ses, err)
	}
	if b := body(t, admin.get(t, gpath)); !strings.Contains(b, "elu@example.fr") || !strings.Contains(b, "Élus du comité") {
		t.Fatal("group page lacks its member or name")
	}
	wantStatus(t, admin.post(t, gpath+"/membres/"+itoa(int(uid))+"/retirer", nil), http.StatusSeeOther)
	if u, _ := ts.srv.accounts.Get(t.Context(), uid); len(u.Groups) != 0 {
		t.Fatal("member not removed")
	}
	// Built-in groups cannot be renamed, deleted or given members.
	wantStatus(t, admin.post(t, "/admin/groupes/1", url.Values{"name": {"Public"}}), http.StatusBadRequest)
	wantStatus(t, admin.post(t, "/admin/groupes/2/supprimer", nil), http.StatusBadRequest)
	wantStatus(t, admin.post(t, "/admin/groupes/2/membres", url.Values{"user": {itoa(int(uid))}}), http.StatusBadRequest)
	wantStatus(t, admin.get(t, "/admin/groupes/999"), http.StatusNotFound)

	wantStatus(t, admin.get(t, gpath+"/supprimer"), http.StatusOK)
	wantStatus(t, admin.post(t, gpath+"/supprimer", nil), http.StatusSeeOther)
	wantStatus(t, admin.get(t, gpath), http.StatusNotFound)
	for _, a := range []string{"group.created", "group.renamed", "membership.added", "membership.removed", "group.deleted"} {
		if e, _, _ := ts.srv.audits.Find(t.Context(), audit.Filter{Action: a}); len(e) != 1 {
			t.Errorf("audit %s: %d entries", a, len(e))
		}
	}
}

func mustGroups(t *testing.T, ts *testServer) []users.Group {
	t.Helper()
	g, err := ts.srv.groups.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestAdminJournalFilterAndPages(t *testing.T) {
	ts := newAccountsServer(t)
	adminID := ts.createUser(t, "admin@example.fr", true)
	admin := ts.loginAs(t, adminID)
	for i := 0; i < 60; i++ {
		audit.Log(t.Context(), ts.db, audit.Entry{At: ts.clock.Now().Add(time.Duration(i) * time.Minute), Action: "login.failure", Actor: "x@example.fr", IP: "192.0.2.9"})
	}
	audit.Log(t.Context(), ts.db, audit.Entry{At: ts.clock.Now().AddDate(0, 0, -10), Action: "group.created", Actor: "admin@example.fr", Detail: "Ancien"})
	rec := admin.get(t, "/admin/journal?action=login.")
	wantStatus(t, rec, http.StatusOK)
	b := body(t, rec)
	if strings.Count(b, "<td>login.failure</td>") != journalPageSize || !strings.Contains(b, `rel="next"`) || strings.Contains(b, "Ancien") {
		t.Fatal("first page of login entries wrong")
	}
	b = body(t, admin.get(t, "/admin/journal?action=login.&page=2"))
	if strings.Count(b, "<td>login.failure</td>") != 10 || strings.Contains(b, `rel="next"`) || !strings.Contains(b, `rel="prev"`) {
		t.Fatal("second page wrong")
	}
	b = body(t, admin.get(t, "/admin/journal?compte=admin@&au=2026-03-01"))
	if !strings.Contains(b, "Ancien") || strings.Contains(b, "login.failure</td>") {
		t.Fatal("account/date filter wrong")
	}
	rec = admin.get(t, "/admin/journal?du=hier")
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "Date invalide") {
		t.Fatal("bad date: no French error")
	}
}

func TestAdminPagesRender(t *testing.T) {
	ts := newAccountsServer(t)
	admin := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	for _, p := range []string{"/admin", "/admin/utilisateurs", "/admin/utilisateurs?q=adm&groupe=1", "/admin/utilisateurs/nouveau", "/admin/groupes", "/admin/groupes/1", "/admin/journal", "/mon-compte"} {
		rec := admin.get(t, p)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d; log: %s", p, rec.Code, ts.logs.String())
		}
		if b := body(t, rec); strings.Contains(b, "⟦") {
			t.Errorf("%s: missing catalogue key: %s", p, b[strings.Index(b, "⟦"):][:60])
		}
	}
	for _, p := range []string{"/connexion", "/mot-de-passe-oublie"} {
		if b := body(t, ts.visitor().get(t, p)); strings.Contains(b, "⟦") {
			t.Errorf("%s: missing catalogue key", p)
		}
	}
}
