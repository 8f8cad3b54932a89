package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/centres"
	"portique/internal/config"
	"portique/internal/guide"
)

// residentsServer is a test server with the demo guide and centres, edited
// by the group Communication; it returns the server, an editor, a member
// outside the group and an administrator.
func residentsServer(t *testing.T) (ts *testServer, editor, member, admin *client) {
	t.Helper()
	ts = newTestServerWith(t, true)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(ts.logs.String())
		}
	})
	ctx := context.Background()
	gCom := ts.createGroup(t, "Communication")
	if err := ts.srv.guide.SeedDemo(ctx, gCom); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.centres.SeedDemo(ctx, gCom); err != nil {
		t.Fatal(err)
	}
	editor = ts.loginAs(t, ts.createUser(t, "communication@sydrav.example", false, gCom))
	member = ts.loginAs(t, ts.createUser(t, "technicien@sydrav.example", false))
	admin = ts.loginAs(t, ts.createUser(t, "admin@sydrav.example", true))
	return ts, editor, member, admin
}

func wantContains(t *testing.T, rec *httptest.ResponseRecorder, subs ...string) string {
	t.Helper()
	b := rec.Body.String()
	for _, s := range subs {
		if !strings.Contains(b, s) {
			if len(b) > 3000 {
				b = b[:3000]
			}
			t.Fatalf("page lacks %q:\n%s", s, b)
		}
	}
	return b
}

func TestGuidePublic(t *testing.T) {
	ts, _, _, _ := residentsServer(t)
	v := ts.visitor()
	rec := v.get(t, "/ou-jeter")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, "Pot de yaourt", "Bac jaune", `data-suggest="/ou-jeter/suggestions"`, `role="listbox"`)
	// Without JavaScript: the plain form finds with typos and plurals.
	rec = v.get(t, "/ou-jeter?q=pots+de+yahourt")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, `href="/ou-jeter/pot-de-yaourt"`)
	// A query naming one item exactly opens it.
	rec = v.get(t, "/ou-jeter?q=Piles")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/ou-jeter/pile" {
		t.Fatalf("exact query: %d → %s", rec.Code, rec.Header().Get("Location"))
	}
	rec = v.get(t, "/ou-jeter?q=zzzqqq")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, "Aucun déchet trouvé", "/recherche?q=zzzqqq")
	rec = v.get(t, "/ou-jeter/pot-de-yaourt")
	wantStatus(t, rec, http.StatusOK)
	body := wantContains(t, rec, "<h1>Pot de yaourt</h1>", "Bac jaune (emballages et papiers)", "Videz-le bien")
	if strings.Contains(body, "/ou-jeter/gestion") {
		t.Fatal("a visitor sees the editing tools")
	}
	// An item a centre accepts links to it.
	rec = v.get(t, "/ou-jeter/pile")
	wantContains(t, rec, `href="/decheteries/decheterie-de-valence-nord"`, `href="/decheteries/borne-a-piles-et-ampoules-de-la-mairie-de-chabeuil"`)
	wantStatus(t, v.get(t, "/ou-jeter/pas-de-fiche"), http.StatusNotFound)
	wantStatus(t, v.get(t, "/ou-jeter/pile/image"), http.StatusNotFound)

	// The suggestions: JSON, tolerant, at most 8.
	rec = v.get(t, "/ou-jeter/suggestions?q="+url.QueryEscape("pot de yahou"))
	wantStatus(t, rec, http.StatusOK)
	var out struct {
		Q       string `json:"q"`
		Results []struct{ Name, Stream, URL string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Results) == 0 || out.Results[0].URL != "/ou-jeter/pot-de-yaourt" || out.Results[0].Stream == "" || len(out.Results) > 8 {
		t.Fatalf("suggestions = %+v", out.Results)
	}
	// The site search finds items and centres.
	rec = v.get(t, "/recherche?q=yaourt")
	wantContains(t, rec, `href="/ou-jeter/pot-de-yaourt"`, "Où jeter ?")
	rec = v.get(t, "/recherche?q=Chabeuil&type=centre")
	wantContains(t, rec, `href="/decheteries/decheterie-de-chabeuil"`)
}

func TestGuidePrivate(t *testing.T) {
	ts, editor, _, admin := residentsServer(t)
	// The administrator makes the guide private to the communication team.
	rec := admin.get(t, "/ou-jeter/gestion/droits")
	wantStatus(t, rec, http.StatusOK)
	form := url.Values{}
	for _, m := range regexp.MustCompile(`name="(acces_\d+)"`).FindAllStringSubmatch(rec.Body.String(), -1) {
		form.Set(m[1], "none")
	}
	var gid string
	if m := regexp.MustCompile(`<label for="acces_(\d+)">Communication</label>`).FindStringSubmatch(rec.Body.String()); m != nil {
		gid = m[1]
	}
	form.Set("acces_"+gid, "edit")
	wantStatus(t, admin.post(t, "/ou-jeter/gestion/droits", form), http.StatusSeeOther)
	v := ts.visitor()
	for _, path := range []string{"/ou-jeter", "/ou-jeter/pile", "/ou-jeter/suggestions?q=pile"} {
		if rec := v.get(t, path); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/connexion") {
			t.Errorf("private guide, visitor GET %s = %d %s", path, rec.Code, rec.Header().Get("Location"))
		}
	}
	if rec := v.get(t, "/recherche?q=yaourt"); strings.Contains(rec.Body.String(), "/ou-jeter/pot-de-yaourt") {
		t.Error("private guide in the visitor's site search")
	}
	if rec := v.get(t, "/decheteries/decheterie-de-valence-nord"); strings.Contains(rec.Body.String(), "/ou-jeter/pile") {
		t.Error("private guide's items on a public centre page")
	}
	wantStatus(t, editor.get(t, "/ou-jeter/pile"), http.StatusOK)
	// Rights are the administrator's (Manage): the editor is refused.
	wantStatus(t, editor.get(t, "/ou-jeter/gestion/droits"), http.StatusForbidden)
	wantStatus(t, editor.post(t, "/ou-jeter/gestion/droits", url.Values{"acces_1": {"manage"}}), http.StatusForbidden)
}

func TestGuideManagement(t *testing.T) {
	ts, editor, member, _ := residentsServer(t)
	v := ts.visitor()
	// Who may not: a visitor goes to the login page, a member is refused.
	for _, path := range []string{"/ou-jeter/gestion", "/ou-jeter/gestion/nouveau", "/ou-jeter/gestion/import", "/ou-jeter/gestion/export.csv"} {
		if rec := v.get(t, path); rec.Code != http.StatusSeeOther {
			t.Errorf("visitor GET %s = %d", path, rec.Code)
		}
		wantStatus(t, member.get(t, path), http.StatusForbidden)
	}
	wantStatus(t, member.postMultipart(t, "/ou-jeter/gestion", url.Values{"nom": {"X"}, "filiere": {"verre"}}, nil), http.StatusForbidden)
	wantStatus(t, member.post(t, "/ou-jeter/gestion/1/supprimer", nil), http.StatusForbidden)
	// A POST without the CSRF token is refused.
	wantStatus(t, editor.post(t, "/ou-jeter/gestion/1/supprimer", url.Values{"csrf": {"wrong"}}), http.StatusForbidden)

	rec := editor.get(t, "/ou-jeter/gestion")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, "Ajouter une fiche", "Importer un fichier CSV", "Pot de yaourt")
	wantStatus(t, editor.get(t, "/ou-jeter/gestion/nouveau"), http.StatusOK)
	// Bad input: French errors per field, what was typed kept.
	rec = editor.postMultipart(t, "/ou-jeter/gestion", url.Values{"nom": {""}, "synonymes": {"trottinette électrique"}, "filiere": {""}}, nil)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec, "Indiquez le nom du déchet.", "Choisissez où va ce déchet.", "trottinette électrique", `aria-invalid="true"`)
	form := url.Values{"nom": {"Trottinette électrique"}, "filiere": {"decheterie"}, "consignes": {"Retirez la batterie."}}
	rec = editor.postMultipart(t, "/ou-jeter/gestion", form, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/ou-jeter/trottinette-electrique" {
		t.Fatalf("create: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	// The same form posted twice: refused, nothing duplicated, input kept.
	rec = editor.postMultipart(t, "/ou-jeter/gestion", form, nil)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec, "a déjà l’adresse « trottinette-electrique »", "Retirez la batterie.")
	rec = v.get(t, "/ou-jeter/trottinette-electrique")
	wantContains(t, rec, "Retirez la batterie.")
	// Edit and delete from the item's page.
	rec = editor.get(t, "/ou-jeter/trottinette-electrique")
	m := regexp.MustCompile(`/ou-jeter/gestion/(\d+)/modifier`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatal("no edit link for the editor")
	}
	id := m[1]
	rec = editor.get(t, "/ou-jeter/gestion/"+id+"/modifier")
	wantStatus(t, rec, http.StatusOK)
	version := regexp.MustCompile(`name="version" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())[1]
	edit := url.Values{"nom": {"Trottinette électrique"}, "filiere": {"decheterie"}, "consignes": {"Apportez-la en déchèterie."}, "version": {version}}
	rec = editor.postMultipart(t, "/ou-jeter/gestion/"+id+"/modifier", edit, map[string][2]string{"image": {"photo.png", string(pngFile(t))}})
	wantStatus(t, rec, http.StatusUnprocessableEntity) // an image needs its alternative text
	wantContains(t, rec, "Décrivez l’image")
	edit.Set("image_alt", "Une trottinette pliée")
	rec = editor.postMultipart(t, "/ou-jeter/gestion/"+id+"/modifier", edit, map[string][2]string{"image": {"photo.png", string(pngFile(t))}})
	wantStatus(t, rec, http.StatusSeeOther)
	rec = v.get(t, "/ou-jeter/trottinette-electrique")
	wantContains(t, rec, "Apportez-la en déchèterie.", `alt="Une trottinette pliée"`)
	rec = v.get(t, "/ou-jeter/trottinette-electrique/image")
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("image type %q", rec.Header().Get("Content-Type"))
	}
	// Posting the old version again is a conflict shown on the form.
	rec = editor.postMultipart(t, "/ou-jeter/gestion/"+id+"/modifier", edit, nil)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec, "Quelqu’un a modifié cette fiche")
	wantStatus(t, editor.get(t, "/ou-jeter/gestion/"+id+"/supprimer"), http.StatusOK)
	wantStatus(t, editor.post(t, "/ou-jeter/gestion/"+id+"/supprimer", nil), http.StatusSeeOther)
	wantStatus(t, v.get(t, "/ou-jeter/trottinette-electrique"), http.StatusNotFound)

	// Export, then import: a bad file shows its errors per line and writes
	// nothing; a good one is previewed, then applied.
	rec = editor.get(t, "/ou-jeter/gestion/export.csv")
	wantStatus(t, rec, http.StatusOK)
	if !strings.HasPrefix(rec.Body.String(), "\xef\xbb\xbfslug;nom;synonymes;filiere;consignes") {
		t.Fatalf("export starts %q", rec.Body.String()[:40])
	}
	bad := "nom;filiere\nBatterie de trottinette;point_collecte\n;verre\nTuyau;poubelle bleue\n"
	rec = editor.postMultipart(t, "/ou-jeter/gestion/import", nil, map[string][2]string{"fichier": {"guide.csv", bad}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec, "Le fichier a 2 erreur(s)", "<td>3</td>", "Indiquez le nom du déchet.", "<td>4</td>", "n’est pas une poubelle connue")
	wantStatus(t, v.get(t, "/ou-jeter/batterie-de-trottinette"), http.StatusNotFound)
	good := "nom;filiere;consignes\nBatterie de trottinette;point_collecte;En magasin.\nPot de yaourt;bac_jaune;Videz-le.\n"
	rec = editor.postMultipart(t, "/ou-jeter/gestion/import", nil, map[string][2]string{"fichier": {"guide.csv", good}})
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, "1 fiche(s) à créer, 1 à mettre à jour")
	data := regexp.MustCompile(`name="donnees" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())
	if data == nil {
		t.Fatal("no confirmation form")
	}
	wantStatus(t, v.get(t, "/ou-jeter/batterie-de-trottinette"), http.StatusNotFound) // the preview wrote nothing
	rec = editor.postMultipart(t, "/ou-jeter/gestion/import/confirmer", url.Values{"donnees": {data[1]}}, nil)
	wantStatus(t, rec, http.StatusSeeOther)
	wantContains(t, v.get(t, "/ou-jeter/batterie-de-trottinette"), "En magasin.")
	// No file chosen: a field error.
	rec = editor.postMultipart(t, "/ou-jeter/gestion/import", nil, nil)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec, "Choisissez un fichier CSV.")
}

func TestCentresPublic(t *testing.T) {
	ts, _, _, _ := residentsServer(t)
	v := ts.visitor()
	// Tuesday 10 March 2026, 11:59:30 in Paris (summer hours since 1 March).
	ts.clock.Set(time.Date(2026, 3, 10, 10, 59, 30, 0, time.UTC))
	rec := v.get(t, "/decheteries")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, "Déchèterie de Valence Nord", "Ouvert maintenant — ferme à 12 h", "Point textile", "Ouvert maintenant")
	if strings.Contains(rec.Body.String(), "centres-map.js") {
		t.Fatal("the map script is included with no tile server set")
	}
	rec = v.get(t, "/decheteries/decheterie-de-valence-nord")
	wantStatus(t, rec, http.StatusOK)
	body := wantContains(t, rec, "Ouvert maintenant — ferme à 12 h", "12 rue des Mûriers", `href="tel:0475001234"`,
		"lundi au vendredi", "9 h – 12 h, 14 h – 18 h", `href="/ou-jeter/gros-electromenager"`, "Fermé les jours fériés.")
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no JSON-LD")
	}
	var ld struct {
		Type  string `json:"@type"`
		Specs []struct {
			Type      string   `json:"@type"`
			Days      []string `json:"dayOfWeek"`
			Opens     string   `json:"opens"`
			Closes    string   `json:"closes"`
			ValidFrom string   `json:"validFrom"`
		} `json:"openingHoursSpecification"`
		Geo struct{ Latitude float64 } `json:"geo"`
	}
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, m[1])
	}
	if ld.Type != "RecyclingCenter" || len(ld.Specs) < 4 || ld.Specs[0].Type != "OpeningHoursSpecification" ||
		ld.Specs[0].Opens != "09:00" || ld.Specs[0].Closes != "12:00" || ld.Specs[0].ValidFrom != "2026-03-01" ||
		ld.Specs[0].Days[0] != "https://schema.org/Monday" || ld.Geo.Latitude != 44.9512 {
		t.Fatalf("JSON-LD = %+v", ld)
	}
	// The cached page does not outlive the closing at noon: 45 s later,
	// within the cache's minute, it says closed.
	ts.clock.Advance(45 * time.Second)
	rec = v.get(t, "/decheteries/decheterie-de-valence-nord")
	wantContains(t, rec, "Fermé — ouvre aujourd’hui à 14 h")
	wantContains(t, v.get(t, "/decheteries"), "Fermé — ouvre aujourd’hui à 14 h")
	// Saturday evening: Monday.
	ts.clock.Set(time.Date(2026, 3, 14, 18, 30, 0, 0, time.UTC))
	wantContains(t, v.get(t, "/decheteries/decheterie-de-valence-nord"), "Fermé — ouvre lundi à 9 h")
	// Christmas Day: closed, and why.
	ts.clock.Set(time.Date(2026, 12, 25, 9, 0, 0, 0, time.UTC))
	wantContains(t, v.get(t, "/decheteries/decheterie-de-valence-nord"), "Fermé — ouvre demain à 9 h", "(jour férié : Noël)")
	// An exceptional closure on a centre open on holidays.
	ts.clock.Set(time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC))
	wantContains(t, v.get(t, "/decheteries/decheterie-de-portes-les-valence"), "Fermetures à venir", "Noël")
	wantStatus(t, v.get(t, "/decheteries/nulle-part"), http.StatusNotFound)
}

func TestCentresManagement(t *testing.T) {
	ts, editor, member, _ := residentsServer(t)
	v := ts.visitor()
	for _, path := range []string{"/decheteries/gestion", "/decheteries/gestion/nouveau", "/decheteries/gestion/import", "/decheteries/gestion/export.csv", "/decheteries/gestion/droits"} {
		wantStatus(t, member.get(t, path), http.StatusForbidden)
	}
	wantStatus(t, member.post(t, "/decheteries/gestion", url.Values{"nom": {"X"}}), http.StatusForbidden)
	wantStatus(t, editor.get(t, "/decheteries/gestion/droits"), http.StatusForbidden)
	rec := editor.get(t, "/decheteries/gestion")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, "Déchèterie de Chabeuil")
	rec = editor.get(t, "/decheteries/gestion/nouveau")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, "Été du 01/03 au 31/10", "<optgroup")
	form := url.Values{"nom": {"Déchèterie de Montélier"}, "type": {"decheterie"}, "code_postal": {"2612"},
		"horaires": {"lundi : 9h-12h\nmardy : 9h-12h"}, "fermetures": {"31/02/2027"}, "latitude": {"44.93"}}
	rec = editor.post(t, "/decheteries/gestion", form)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec, "Le code postal s’écrit avec 5 chiffres", "Ligne 2 : « mardy : 9h-12h »", "la date « 31/02/2027 » n’existe pas",
		"Indiquez la latitude et la longitude", "mardy : 9h-12h")
	form.Set("code_postal", "26120")
	form.Set("horaires", "lundi au samedi : 9h-12h, 14h-18h")
	form.Set("fermetures", "")
	form.Set("longitude", "4.97")
	form.Add("objets", "1")
	rec = editor.post(t, "/decheteries/gestion", form)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/decheteries/decheterie-de-montelier" {
		t.Fatalf("create: %d %s %s", rec.Code, rec.Header().Get("Location"), rec.Body.String()[:min(2000, rec.Body.Len())])
	}
	wantStatus(t, editor.post(t, "/decheteries/gestion", form), http.StatusUnprocessableEntity) // posted twice
	ts.clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	wantContains(t, v.get(t, "/decheteries/decheterie-de-montelier"), "Ouvert maintenant — ferme à 12 h")
	rec = editor.get(t, "/decheteries/decheterie-de-montelier")
	id := regexp.MustCompile(`/decheteries/gestion/(\d+)/modifier`).FindStringSubmatch(rec.Body.String())[1]
	rec = editor.get(t, "/decheteries/gestion/"+id+"/modifier")
	wantStatus(t, rec, http.StatusOK)
	form.Set("version", regexp.MustCompile(`name="version" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())[1])
	form.Set("horaires", "lundi au samedi : 9h-18h")
	wantStatus(t, editor.post(t, "/decheteries/gestion/"+id+"/modifier", form), http.StatusSeeOther)
	rec = editor.post(t, "/decheteries/gestion/"+id+"/modifier", form)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec, "Quelqu’un a modifié ce lieu")
	wantContains(t, v.get(t, "/decheteries/decheterie-de-montelier"), "Ouvert maintenant — ferme à 18 h")
	wantStatus(t, editor.get(t, "/decheteries/gestion/"+id+"/supprimer"), http.StatusOK)
	wantStatus(t, editor.post(t, "/decheteries/gestion/"+id+"/supprimer", nil), http.StatusSeeOther)
	wantStatus(t, v.get(t, "/decheteries/decheterie-de-montelier"), http.StatusNotFound)

	rec = editor.get(t, "/decheteries/gestion/export.csv")
	wantStatus(t, rec, http.StatusOK)
	csv := rec.Body.String()
	rec = editor.postMultipart(t, "/decheteries/gestion/import", nil, map[string][2]string{"fichier": {"d.csv", csv}})
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec, "0 lieu(x) à créer, 8 à mettre à jour")
	data := regexp.MustCompile(`name="donnees" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())[1]
	wantStatus(t, editor.postMultipart(t, "/decheteries/gestion/import/confirmer", url.Values{"donnees": {data}}, nil), http.StatusSeeOther)
	rec = editor.postMultipart(t, "/decheteries/gestion/import", nil, map[string][2]string{"fichier": {"d.csv", "nom;objets\nA;pile, rien-du-tout\n"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec, "Le déchet « rien-du-tout » n’existe pas dans le guide")
}

func TestResidentsCSP(t *testing.T) {
	ts := newTestServer(t)
	csp := ts.visitor().get(t, "/healthz").Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "img-src 'self' data:;") {
		t.Fatalf("default CSP = %q", csp)
	}
	cfg := testConfig(t, func(c *config.Config) { c.MapTiles = "https://{s}.tiles.example.org/{z}/{x}/{y}.png" })
	srv := buildServer(t, cfg, ts.db, services.Options{NoSearch: true})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://*.tiles.example.org;") || strings.Contains(csp, "script-src 'self' https") {
		t.Fatalf("CSP with tiles = %q", csp)
	}
}

// pngFile is a small PNG picture.
func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		img.Set(x, x%30, color.RGBA{R: 200, G: 180, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func accessSystem() access.Actor { return access.System() }

// The sitemap lists the items and centres while they are public, and no
// longer when the guide is made private.
func TestResidentsSitemap(t *testing.T) {
	ts, _, _, _ := residentsServer(t)
	v := ts.visitor()
	wantContains(t, v.get(t, "/sitemap.xml"), "/ou-jeter/pot-de-yaourt</loc>", "/decheteries/decheterie-de-chabeuil</loc>")
	if err := ts.srv.guide.SetGrants(context.Background(), access.System(), nil); err != nil {
		t.Fatal(err)
	}
	rec := v.get(t, "/sitemap.xml")
	wantStatus(t, rec, http.StatusOK)
	if strings.Contains(rec.Body.String(), "/ou-jeter/") {
		t.Fatal("a private guide's items in the sitemap")
	}
}

// Issue 14: an item page's reads (the item, the streams, the centres that
// take it, the reader's level) are kept, yet an edit of the item, a
// centre renamed or no longer taking it and the guide made private show
// on the next page asked.
func TestGuideItemKeptFresh(t *testing.T) {
	ts, editor, _, _ := residentsServer(t)
	ctx := context.Background()
	sys := accessSystem()
	v := ts.visitor()
	n := 0
	page := func(c *client) *httptest.ResponseRecorder {
		t.Helper()
		n++ // another address each time: past the visitors' page cache
		return c.get(t, fmt.Sprintf("/ou-jeter/pile?n=%d", n))
	}
	wantContains(t, page(v), `href="/decheteries/decheterie-de-valence-nord"`)
	if b := page(v).Body.String(); strings.Contains(b, "/ou-jeter/gestion") {
		t.Fatal("a visitor sees the editing tools")
	}
	wantContains(t, page(editor), "/ou-jeter/gestion")

	it, err := ts.srv.guide.Get(ctx, sys.Principal, "pile")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.guide.Update(ctx, sys, it.ID, guide.Input{Name: it.Name, Slug: it.Slug, Synonyms: strings.Join(it.Synonyms, ", "),
		Stream: it.Stream, Instructions: "Rapportez-les dans une borne de collecte.", ImageAlt: it.ImageAlt, Version: it.Version()}); err != nil {
		t.Fatal(err)
	}
	wantContains(t, page(v), "Rapportez-les dans une borne de collecte.")

	c, err := ts.srv.centres.Get(ctx, sys.Principal, "decheterie-de-valence-nord")
	if err != nil {
		t.Fatal(err)
	}
	in := centres.Input{Name: c.Name + " (rénovée)", Slug: c.Slug, Kind: c.Kind, Address: c.Address, Postcode: c.Postcode, City: c.City,
		Phone: c.Phone, Email: c.Email, AccessRules: c.AccessRules, Hours: c.HoursText, Closures: c.ClosuresTxt, Version: c.Version()}
	if c.HasGeo {
		in.Latitude, in.Longitude = strconv.FormatFloat(c.Latitude, 'f', -1, 64), strconv.FormatFloat(c.Longitude, 'f', -1, 64)
	}
	for _, ref := range c.Items {
		in.ItemIDs = append(in.ItemIDs, ref.ID)
	}
	c2, err := ts.srv.centres.Update(ctx, sys, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, page(v), c.Name+" (rénovée)")
	in.ItemIDs, in.Version = slices.DeleteFunc(in.ItemIDs, func(id int64) bool { return id == it.ID }), c2.Version()
	if _, err := ts.srv.centres.Update(ctx, sys, c.ID, in); err != nil {
		t.Fatal(err)
	}
	if b := page(v).Body.String(); strings.Contains(b, `href="/decheteries/decheterie-de-valence-nord"`) {
		t.Fatal("a centre that no longer takes the item is still listed")
	}

	// The guide made private (administrators only).
	if err := access.SetGrants(ctx, ts.db, guide.Kind, guide.NodeID, nil); err != nil {
		t.Fatal(err)
	}
	if rec := page(v); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/connexion") {
		t.Fatalf("private guide, visitor = %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if rec := page(editor); rec.Code == http.StatusOK {
		t.Fatal("the editor still reads a guide private to administrators")
	}
}
