package web

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/clock"
	"portique/internal/config"
	"portique/internal/dbtest"
	"portique/internal/users"
)

func sitePNG(t *testing.T) string {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 60, 20))); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// siteForm is every field of /admin/parametres, filled as a real body would.
func siteForm() url.Values {
	return url.Values{
		"name": {"Syndicat des eaux du Val"}, "address": {"2 place de la Mairie\n07000 Privas"},
		"email": {"contact@eaux-val.fr"}, "phone": {"04 75 00 00 00"}, "siret": {"732 829 320 00074"},
		"director": {"Mme Claire Martin, présidente"}, "host_name": {"Hébergeur Libre SAS"},
		"host_address": {"10 rue des Serveurs, 69000 Lyon — 04 00 00 00 01"},
		"audit_date":   {""}, "audit_rate": {""},
	}
}

func TestSiteSettingsAndLegalPages(t *testing.T) {
	ts := newAccountsServer(t)
	adm := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	member := ts.loginAs(t, ts.createUser(t, "membre@example.fr", false))
	visitor := ts.visitor()

	// A fresh site has both legal pages, with no placeholder and no demo
	// name; the footer says « non conforme » until an audit is entered.
	for _, p := range []string{"/mentions-legales", "/accessibilite"} {
		rec := visitor.get(t, p)
		wantStatus(t, rec, http.StatusOK)
		b := body(t, rec)
		for _, bad := range []string{"[", "SYDRAV", "⟦"} {
			if strings.Contains(stripTags(b), bad) {
				t.Errorf("%s shows %q", p, bad)
			}
		}
		if !strings.Contains(b, "Accessibilité : non conforme") {
			t.Errorf("%s: the footer does not say non conforme", p)
		}
	}
	if b := body(t, visitor.get(t, "/accessibilite")); !strings.Contains(b, "aucun audit") || !strings.Contains(b, "Défenseur des droits") {
		t.Error("the statement lacks the no-audit state or the remedies")
	}

	// Only administrators reach the settings.
	wantStatus(t, member.get(t, "/admin/parametres"), http.StatusForbidden)
	wantStatus(t, member.post(t, "/admin/parametres", siteForm()), http.StatusForbidden)
	wantStatus(t, visitor.post(t, "/admin/parametres", siteForm()), http.StatusSeeOther)
	// Without the CSRF token nothing is written.
	f := siteForm()
	f.Set("csrf", "x")
	wantStatus(t, adm.post(t, "/admin/parametres", f), http.StatusForbidden)

	wantStatus(t, adm.get(t, "/admin/parametres"), http.StatusOK)
	// Bad input: 422, the French reason on the field, what was typed kept.
	f = siteForm()
	f.Set("siret", "73282932000075")
	f.Set("audit_rate", "120")
	f.Set("audit_date", "2026-01-15")
	rec := adm.post(t, "/admin/parametres", f)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	b := body(t, rec)
	if !strings.Contains(b, "clé de contrôle") || !strings.Contains(b, "pourcentage") || !strings.Contains(b, "Syndicat des eaux du Val") {
		t.Errorf("422 page lacks the errors or the typed values: %s", b)
	}
	if got := body(t, visitor.get(t, "/mentions-legales")); strings.Contains(got, "Syndicat des eaux du Val") {
		t.Error("a refused form changed the settings")
	}

	// The visitor's cached page follows the change at once.
	body(t, visitor.get(t, "/mentions-legales"))
	wantStatus(t, adm.post(t, "/admin/parametres", siteForm()), http.StatusSeeOther)
	b = body(t, visitor.get(t, "/mentions-legales"))
	for _, want := range []string{"Syndicat des eaux du Val", "73282932000074", "Mme Claire Martin, présidente", "Hébergeur Libre SAS", "contact@eaux-val.fr", "<title>Mentions légales – Syndicat des eaux du Val</title>"} {
		if !strings.Contains(b, want) {
			t.Errorf("legal notice lacks %q", want)
		}
	}
	// An audit at 75 %: partially compliant, in the footer and the statement.
	f = siteForm()
	f.Set("audit_date", "2026-01-15")
	f.Set("audit_rate", "75")
	f.Set("a11y_noncompliant", "Les cartes des déchèteries n’ont pas d’alternative textuelle complète.")
	f.Set("audit_tools", "axe-core\nNVDA")
	f.Set("audit_env", "Firefox et NVDA sous Windows 11")
	f.Set("audit_pages", "Accueil\nAgenda")
	f.Set("a11y_derogations", "Les plans anciens numérisés.")
	f.Set("a11y_exempt", "Les fichiers publiés avant 2018.")
	wantStatus(t, adm.post(t, "/admin/parametres", f), http.StatusSeeOther)
	b = body(t, visitor.get(t, "/accessibilite"))
	// The legal model in full: strategy (multi-year plan and this year's
	// action plan), scope with the extranet, the three parts of what is
	// not accessible, test environment, tools, pages, remedies.
	for _, want := range []string{"Accessibilité : partiellement conforme", "15 janvier 2026", "75 % des critères", "cartes des déchèteries", "<li>NVDA</li>", "espace privé (extranet)",
		"schéma pluriannuel", "plan d’action de l’année en cours", ">Non-conformités<", ">Dérogations pour charge disproportionnée<", "<li>Les plans anciens numérisés.</li>",
		">Contenus non soumis à l’obligation d’accessibilité<", "<li>Les fichiers publiés avant 2018.</li>", "<li>Firefox et NVDA sous Windows 11</li>", "<li>Agenda</li>",
		"Défenseur des droits"} {
		if !strings.Contains(b, want) {
			t.Errorf("statement lacks %q", want)
		}
	}

	// The logo: refused without its text, then shown in the header.
	rec = adm.postMultipart(t, "/admin/parametres/logo", url.Values{"logo_alt": {""}}, map[string][2]string{"logo": {"logo.png", sitePNG(t)}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	rec = adm.postMultipart(t, "/admin/parametres/logo", url.Values{"logo_alt": {"Logo"}}, map[string][2]string{"logo": {"logo.png", "pas une image"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	rec = adm.postMultipart(t, "/admin/parametres/logo", url.Values{"logo_alt": {"Syndicat des eaux"}}, map[string][2]string{"logo": {"logo.png", sitePNG(t)}})
	wantStatus(t, rec, http.StatusSeeOther)
	b = body(t, visitor.get(t, "/"))
	if !strings.Contains(b, `src="/site/logo?v=`) || !strings.Contains(b, `alt="Syndicat des eaux"`) {
		t.Error("the header does not show the logo")
	}
	rec = visitor.get(t, "/site/logo")
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("Content-Type") != "image/png" {
		t.Errorf("logo served as %q", rec.Header().Get("Content-Type"))
	}
	wantStatus(t, adm.post(t, "/admin/parametres/logo/retirer", nil), http.StatusSeeOther)
	wantStatus(t, visitor.get(t, "/site/logo"), http.StatusNotFound)

	// The admin home's checklist names what is still missing.
	b = body(t, adm.get(t, "/admin"))
	if !strings.Contains(b, "Avant la mise en ligne") || !strings.Contains(b, `href="/admin/parametres#logo"`) || strings.Contains(b, `href="/admin/parametres#siret"`) ||
		!strings.Contains(b, `href="`+twofaURL+`"`) {
		t.Errorf("checklist: %s", b)
	}
}

// stripTags keeps the text of a page (enough to look for placeholders).
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// With TLS on and no --base-url, the links of e-mails use https.
func TestTLSWithoutBaseURLMailsHTTPSLinks(t *testing.T) {
	d := dbtest.NewDB(t)
	cfg := testConfig(t, func(c *config.Config) {
		c.BaseURL, c.TLSCert, c.TLSKey, c.Addr = "", "cert.pem", "key.pem", "0.0.0.0:8443"
	})
	if cfg.BaseURL != "https://localhost:8443" {
		t.Fatalf("base URL %q", cfg.BaseURL)
	}
	clk := clock.NewFake(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	srv := buildServer(t, cfg, d, services.Options{Now: clk.Now})
	ts := &testServer{srv: srv, db: d, cfg: cfg, clock: clk, logs: &strings.Builder{}}
	ts.srv.accounts.Hasher = users.NewHasher(users.CheapParams, 4)
	ts.srv.captcha.MaxNumber = 2000
	uid := ts.createUser(t, "elu@example.fr", false)
	ts.setPassword(t, uid, goodPassword)
	if r := requestReset(t, ts.visitor(), "elu@example.fr"); r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	ts.srv.mail.Wait()
	m := ts.lastMailTo(t, "elu@example.fr")
	if l := linkIn(t, m, "https://localhost:8443"); !strings.HasPrefix(l, "/reinitialisation/") {
		t.Fatalf("link %q", l)
	}
	if strings.Contains(m.Text, "http://") {
		t.Errorf("a plain http link in the e-mail:\n%s", m.Text)
	}
}

// A change made by another process (portique settings set, another
// instance) shows at once on the visitors' cached pages.
func TestSiteSettingsFromAnotherProcess(t *testing.T) {
	ts := newTestServer(t)
	visitor := ts.visitor()
	body(t, visitor.get(t, "/mentions-legales")) // cached, and the settings kept
	other := services.Site(ts.cfg, ts.db, nil, ts.srv.cat)
	if err := other.Set(t.Context(), access.System(), map[string]string{"director": "M. Jean Autre"}); err != nil {
		t.Fatal(err)
	}
	if b := body(t, visitor.get(t, "/mentions-legales")); !strings.Contains(b, "M. Jean Autre") {
		t.Error("the cached legal notice does not show the other process's change")
	}
}

// The checklist counts an administrator with an active second factor.
func TestGoLiveChecklistTwoFactor(t *testing.T) {
	ts := newAccountsServer(t)
	id := ts.createUser(t, "admin@example.fr", true)
	adm := ts.loginAs(t, id)
	todo := `<li class="todo"><span class="check-state">à faire :</span> <a href="` + twofaURL + `">`
	if b := body(t, adm.get(t, "/admin")); !strings.Contains(b, todo) {
		t.Fatalf("the two-factor line is not to do: %s", b)
	}
	if _, err := ts.db.Exec(t.Context(), "INSERT INTO user_totp (user_id, secret, created_at, confirmed_at) VALUES (?, 'x', ?, ?)", id, ts.clock.Now().UTC(), ts.clock.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if b := body(t, adm.get(t, "/admin")); strings.Contains(b, todo) {
		t.Error("the two-factor line is still to do")
	}
}

func TestAccessibilityStateSentence(t *testing.T) {
	ts := newAccountsServer(t)
	adm := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	f := siteForm()
	f.Set("audit_date", "2026-01-15")
	f.Set("audit_rate", "75")
	wantStatus(t, adm.post(t, "/admin/parametres", f), http.StatusSeeOther)
	want := "est partiellement conforme avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1, en raison des non-conformités et des dérogations énumérées ci-dessous."
	if b := body(t, ts.visitor().get(t, "/accessibilite")); !strings.Contains(b, want) {
		t.Errorf("state sentence: %s", b)
	}
	f.Set("audit_rate", "100")
	wantStatus(t, adm.post(t, "/admin/parametres", f), http.StatusSeeOther)
	if b := body(t, ts.visitor().get(t, "/accessibilite")); !strings.Contains(b, "est totalement conforme avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1.") {
		t.Errorf("state sentence at 100 %%: %s", b)
	}
}
