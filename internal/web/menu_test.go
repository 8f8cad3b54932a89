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
	"portique/internal/pages"
)

// menuSite is a test site with the demo pages and menu, a private « Espace
// élus », and the Communication group allowed to change the menu.
type menuSite struct {
	*testServer
	com, elu, admin *client
	comID           int64
}

func newMenuSite(t *testing.T) *menuSite {
	t.Helper()
	ts := newTestServer(t)
	ctx := context.Background()
	elus := ts.createGroup(t, "Élus")
	com := ts.createGroup(t, "Communication")
	if err := pages.SeedDemo(ctx, ts.db, ts.clock.Now(), map[string]int64{"elus": elus}, 0); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.menu.SeedDemo(ctx, com); err != nil {
		t.Fatal(err)
	}
	ms := &menuSite{testServer: ts, comID: com}
	ms.com = ts.loginAs(t, ts.createUser(t, "com@example.fr", false, com))
	ms.elu = ts.loginAs(t, ts.createUser(t, "elu@example.fr", false, elus))
	ms.admin = ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	return ms
}

// mainMenu returns the HTML of the main menu on a page.
func mainMenu(t *testing.T, html string) string {
	t.Helper()
	i := strings.Index(html, `<nav class="main-nav"`)
	j := strings.Index(html[max(i, 0):], "</nav>")
	if i < 0 || j < 0 {
		t.Fatal("no main menu on the page")
	}
	return html[i : i+j]
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

func (ms *menuSite) version(t *testing.T) string {
	t.Helper()
	rec := ms.com.get(t, "/admin/menu")
	wantStatus(t, rec, http.StatusOK)
	m := versionField.FindStringSubmatch(body(t, rec))
	if m == nil {
		t.Fatal("no version on /admin/menu")
	}
	return m[1]
}

func TestMenuRendering(t *testing.T) {
	ms := newMenuSite(t)
	rec := ms.visitor().get(t, "/le-syndicat/nos-missions")
	wantStatus(t, rec, http.StatusOK)
	html := body(t, rec)
	nav := mainMenu(t, html)
	for _, want := range []string{
		`<summary>Le syndicat</summary>`,
		`<a href="/le-syndicat">Le syndicat</a>`, // the page itself opens its sub-menu's list
		`<a href="/le-syndicat/nos-missions" aria-current="page">Nos missions</a>`,
		`class="submenu current"`,
		`<summary>Vos services</summary>`,
		`<a href="/ou-jeter">Où jeter ?</a>`,
		`<a href="/collecte">Mes jours de collecte</a>`,
		`<a href="https://www.service-public.fr/">Démarches en ligne (service-public.fr)<span class="sr-only"> (autre site)</span></a>`,
		`<a href="/actualites">Actualités</a>`,
		`<a href="/agenda">Agenda</a>`,
		`<a href="/actes">Actes</a>`,
	} {
		if !strings.Contains(nav, want) {
			t.Errorf("the menu lacks %s:\n%s", want, nav)
		}
	}
	// The private section and its group are not in a visitor's menu.
	if strings.Contains(nav, "Espace") || strings.Contains(nav, "réservés") {
		t.Errorf("a visitor's menu shows the reserved spaces:\n%s", nav)
	}
	// The breadcrumb: a list in a nav named for it, from the home page.
	if !strings.Contains(html, `<nav class="breadcrumb" aria-label="Fil d&#39;Ariane"><ol>`) || !strings.Contains(html, `<li><a href="/">Accueil</a></li><li><a href="/le-syndicat">Le syndicat</a></li><li><span aria-current="page">Nos missions</span></li>`) {
		t.Errorf("no breadcrumb from the home page on a sub-page")
	}
	// The élu sees the reserved spaces with their own section only.
	nav = mainMenu(t, body(t, ms.elu.get(t, "/agenda")))
	if !strings.Contains(nav, `<summary>Espaces réservés</summary>`) || !strings.Contains(nav, `<a href="/espace-elus">Espace élus</a>`) || !strings.Contains(nav, `<a href="/agenda" aria-current="page">Agenda</a>`) {
		t.Errorf("the élu's menu:\n%s", nav)
	}
	if strings.Contains(nav, "Espace techniciens") {
		t.Errorf("the élu sees another group's section:\n%s", nav)
	}
	// The visitors' menu is kept (navCache) since the first page above: a
	// sub-menu's current entry is the page's own, not that page's.
	nav = mainMenu(t, body(t, ms.visitor().get(t, "/le-syndicat")))
	if strings.Contains(nav, `nos-missions" aria-current`) || !strings.Contains(nav, `<a href="/le-syndicat" aria-current="page">Le syndicat</a>`) {
		t.Errorf("a visitor's menu on /le-syndicat after /le-syndicat/nos-missions:\n%s", nav)
	}
}

// TestBreadcrumbsOnEveryPageType: every page type below the home has a
// breadcrumb that starts at the home page; the home page has none.
func TestBreadcrumbsOnEveryPageType(t *testing.T) {
	ms := newMenuSite(t)
	crumb := regexp.MustCompile(`<nav class="breadcrumb" aria-label="Fil d&#39;Ariane"><ol>\s*<li><a href="/">Accueil</a></li>`)
	for _, p := range []string{"/le-syndicat", "/actualites", "/agenda", "/actes", "/ou-jeter", "/collecte", "/decheteries", "/recherche?q=tri", "/plan-du-site", "/connexion"} {
		rec := ms.visitor().get(t, p)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d", p, rec.Code)
			continue
		}
		if !crumb.MatchString(body(t, rec)) {
			t.Errorf("%s has no breadcrumb from the home page", p)
		}
	}
	if strings.Contains(body(t, ms.visitor().get(t, "/")), `class="breadcrumb"`) {
		t.Error("the home page has a breadcrumb")
	}
	// The menu page itself (an admin page) too.
	if !crumb.MatchString(body(t, ms.com.get(t, "/admin/menu"))) {
		t.Error("/admin/menu has no breadcrumb")
	}
}

func TestMenuAdminForms(t *testing.T) {
	ms := newMenuSite(t)
	v := ms.version(t)
	// A custom link, added at the top level, shows at the end of the menu.
	rec := ms.com.post(t, "/admin/menu", url.Values{"version": {v}, "parent": {"0"}, "kind": {"link"}, "label": {"Marchés publics"}, "url": {"https://marches.example.fr/sydrav"}})
	wantStatus(t, rec, http.StatusSeeOther)
	nav := mainMenu(t, body(t, ms.visitor().get(t, "/agenda")))
	if !strings.Contains(nav, `<a href="https://marches.example.fr/sydrav">Marchés publics`) {
		t.Fatalf("the added link is not in the menu:\n%s", nav)
	}
	// Bad input: 422, the summary links to the field, what was typed stays.
	rec = ms.com.post(t, "/admin/menu", url.Values{"version": {ms.version(t)}, "parent": {"0"}, "kind": {"link"}, "label": {"Piège"}, "url": {"javascript:alert(1)"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	html := body(t, rec)
	if !strings.Contains(html, `<a href="#url">`) || !strings.Contains(html, `id="url"`) || !strings.Contains(html, `value="javascript:alert(1)"`) || !strings.Contains(html, `value="Piège"`) {
		t.Errorf("the refused form does not link its error to the field or lost the input")
	}
	if !strings.Contains(html, "<title>Erreur : ") {
		t.Error("the refused form's title does not say so")
	}
	for _, f := range []string{"kind", "page", "area", "label", "url"} {
		if !strings.Contains(html, `id="`+f+`"`) {
			t.Errorf("no field with id %q for the error summary", f)
		}
	}
	// Move the last entry up, with the buttons' forms.
	top, _, err := ms.srv.menu.Entries(context.Background(), access.System().Principal)
	if err != nil {
		t.Fatal(err)
	}
	last := top[len(top)-1]
	rec = ms.com.post(t, "/admin/menu/"+strconv.FormatInt(last.ID, 10)+"/monter", url.Values{"version": {ms.version(t)}})
	wantStatus(t, rec, http.StatusSeeOther)
	nav = mainMenu(t, body(t, ms.admin.get(t, "/agenda")))
	if strings.Index(nav, "Marchés publics") > strings.Index(nav, "Espaces réservés") {
		t.Errorf("Monter did not move the entry up:\n%s", nav)
	}
	// A stale form (drawn before that move) is refused with 409 and a message.
	rec = ms.com.post(t, "/admin/menu/"+strconv.FormatInt(last.ID, 10)+"/supprimer", url.Values{"version": {v}})
	wantStatus(t, rec, http.StatusConflict)
	if !strings.Contains(body(t, rec), "modifié par quelqu’un d’autre") {
		t.Error("the stale refusal does not say why")
	}
	// Edit an entry: the form shows it, a save changes the label.
	id := strconv.FormatInt(last.ID, 10)
	wantStatus(t, ms.com.get(t, "/admin/menu/"+id), http.StatusOK)
	rec = ms.com.post(t, "/admin/menu/"+id, url.Values{"version": {ms.version(t)}, "kind": {"link"}, "label": {"Appels d’offres"}, "url": {"https://marches.example.fr/sydrav"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if !strings.Contains(mainMenu(t, body(t, ms.visitor().get(t, "/agenda"))), "Appels d’offres") {
		t.Error("the edited label is not in the menu")
	}
	// Forged ids.
	wantStatus(t, ms.com.get(t, "/admin/menu/999999"), http.StatusNotFound)
	wantStatus(t, ms.com.post(t, "/admin/menu/999999/supprimer", url.Values{"version": {ms.version(t)}}), http.StatusNotFound)
	wantStatus(t, ms.com.post(t, "/admin/menu", url.Values{"version": {ms.version(t)}, "parent": {"999999"}, "kind": {"area"}, "area": {"agenda"}}), http.StatusNotFound)
	// Delete: the entry leaves the menu.
	wantStatus(t, ms.com.post(t, "/admin/menu/"+id+"/supprimer", url.Values{"version": {ms.version(t)}}), http.StatusSeeOther)
	if strings.Contains(mainMenu(t, body(t, ms.visitor().get(t, "/agenda"))), "Appels d’offres") {
		t.Error("the deleted entry is still in the menu")
	}
}

// TestMenuAdminAccess tries to break the rule: only the groups granted Edit
// on the menu (and administrators) reach and change it; only
// administrators change who may.
func TestMenuAdminAccess(t *testing.T) {
	ms := newMenuSite(t)
	v := ms.version(t)
	top, _, err := ms.srv.menu.Entries(context.Background(), access.System().Principal)
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(top[0].ID, 10)
	add := url.Values{"version": {v}, "parent": {"0"}, "kind": {"area"}, "area": {"agenda"}}
	wantStatus(t, ms.visitor().get(t, "/admin/menu"), http.StatusSeeOther) // to /connexion
	for _, c := range []*client{ms.elu} {
		wantStatus(t, c.get(t, "/admin/menu"), http.StatusForbidden)
		wantStatus(t, c.get(t, "/admin/menu/"+id), http.StatusForbidden)
		wantStatus(t, c.post(t, "/admin/menu", add), http.StatusForbidden)
		wantStatus(t, c.post(t, "/admin/menu/"+id, url.Values{"version": {v}, "kind": {"area"}, "area": {"actes"}}), http.StatusForbidden)
		wantStatus(t, c.post(t, "/admin/menu/"+id+"/descendre", url.Values{"version": {v}}), http.StatusForbidden)
		wantStatus(t, c.post(t, "/admin/menu/"+id+"/supprimer", url.Values{"version": {v}}), http.StatusForbidden)
	}
	// Those who may compose the menu find it from the site map; others do not.
	if !strings.Contains(body(t, ms.com.get(t, "/plan-du-site")), `href="/admin/menu"`) {
		t.Error("the site map does not lead the communication officer to the menu")
	}
	if strings.Contains(body(t, ms.elu.get(t, "/plan-du-site")), `href="/admin/menu"`) {
		t.Error("the site map offers the menu to an élu")
	}
	// The communication officer may change the menu, not who may.
	grant := url.Values{"level_" + strconv.FormatInt(ms.comID, 10): {"none"}}
	wantStatus(t, ms.com.post(t, "/admin/menu/droits", grant), http.StatusForbidden)
	if strings.Contains(body(t, ms.com.get(t, "/admin/menu")), "/admin/menu/droits") {
		t.Error("the grants form is shown to a non-administrator")
	}
	// The administrator withdraws it: the officer is refused from then on.
	wantStatus(t, ms.admin.post(t, "/admin/menu/droits", url.Values{"level_" + strconv.FormatInt(ms.comID, 10): {"none"}}), http.StatusSeeOther)
	wantStatus(t, ms.com.get(t, "/admin/menu"), http.StatusForbidden)
	// The page choices: a page the person may not see is not offered.
	html := body(t, ms.admin.get(t, "/admin/menu"))
	if !strings.Contains(html, "Espace élus (/espace-elus)") {
		t.Error("the administrator is not offered the private section")
	}
	if lvl, _ := ms.srv.menu.Level(context.Background(), access.Anonymous()); lvl != access.None {
		t.Errorf("visitors hold %v on the menu", lvl)
	}
}

// TestMainMenuKept: the main menu is kept by set of groups (navCache), but
// the current entry is the page's own on every page, each set of groups
// has its own menu, and a withdrawn grant or a new page shows in the
// menu of the very next page, whatever was kept.
func TestMainMenuKept(t *testing.T) {
	f := newSite(t)
	ctx := context.Background()
	nav := mainMenu(t, body(t, f.elu.get(t, "/le-syndicat")))
	if !strings.Contains(nav, `<a href="/le-syndicat" aria-current="page">Le syndicat</a>`) || !strings.Contains(nav, `<a href="/espace-elus">Espace élus</a>`) {
		t.Fatalf("the élu's menu on /le-syndicat:\n%s", nav)
	}
	nav = mainMenu(t, body(t, f.elu.get(t, "/agenda")))
	if strings.Contains(nav, `<a href="/le-syndicat" aria-current`) || !strings.Contains(nav, `<a href="/agenda" aria-current="page">Agenda</a>`) {
		t.Errorf("the current entry of another page was kept:\n%s", nav)
	}
	if nav := mainMenu(t, body(t, f.tech.get(t, "/agenda"))); strings.Contains(nav, "Espace élus") {
		t.Errorf("the technician got the élus' menu:\n%s", nav)
	}
	admin := access.Actor{Principal: access.Member(0, true, nil), Name: "admin"}
	if err := f.ts.srv.pages.SetGrants(ctx, admin, f.espace.ID, false, []access.Grant{{GroupID: f.gTech, Level: access.View}}); err != nil {
		t.Fatal(err)
	}
	if nav := mainMenu(t, body(t, f.elu.get(t, "/agenda"))); strings.Contains(nav, "Espace élus") {
		t.Errorf("a withdrawn grant still shows in the élu's menu:\n%s", nav)
	}
	if nav := mainMenu(t, body(t, f.tech.get(t, "/agenda"))); !strings.Contains(nav, "Espace élus") {
		t.Errorf("a new grant does not show in the technician's menu:\n%s", nav)
	}
	st := f.ts.srv.pages
	p, err := st.Create(ctx, admin, f.home.ID, pages.NewPage{Title: "Nouvelle rubrique"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, admin, p.ID, p.DraftRev, "v1"); err != nil {
		t.Fatal(err)
	}
	if nav := mainMenu(t, body(t, f.elu.get(t, "/agenda"))); !strings.Contains(nav, "Nouvelle rubrique") {
		t.Errorf("a new page does not show in the kept menu:\n%s", nav)
	}
}
