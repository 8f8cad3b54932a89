package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// cspWatch records the Content-Security-Policy violations of every page the
// tab opens (window.__csp), from before the page's own content runs.
func cspWatch(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		window.__csp = [];
		document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`})
	if err != nil {
		t.Fatal(err)
	}
}

func noCSPViolation(t *testing.T, ctx context.Context) {
	t.Helper()
	if v := Eval[[]any](t, ctx, "window.__csp || []"); len(v) > 0 {
		t.Fatalf("CSP violations on %s: %v", Location(t, ctx), v)
	}
}

// reflows checks that the page needs no horizontal scrolling at 320 CSS
// pixels (WCAG 1.4.10).
func reflows(t *testing.T, ctx context.Context) {
	t.Helper()
	if w := Eval[float64](t, ctx, "document.documentElement.scrollWidth"); w > 320 {
		t.Errorf("%s: %v px wide at a 320 px viewport (horizontal scrolling)", Location(t, ctx), w)
	}
}

// The sorting guide, keyboard only: Tab to the search field, type with a
// typo, hear how many suggestions, go down the list, open one with Enter;
// Escape closes the list, then clears the field. axe finds nothing on the
// pages, the list open included; no CSP violation (the JSON-LD of centre
// pages is data, not script); every page reflows at 320 px; without
// JavaScript the plain form works.
func TestBrowserGuideKeyboard(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	cspWatch(t, ctx)
	if st := site.Go(t, ctx, "/ou-jeter"); st != http.StatusOK {
		t.Fatalf("GET /ou-jeter = %d", st)
	}
	AssertAccessible(t, ctx)
	// Tab from the top of the page to the guide's field.
	for i := 0; ; i++ {
		if i == 60 {
			t.Fatal("the guide's search field is not reachable with Tab")
		}
		Run(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab))
		if Eval[string](t, ctx, "document.activeElement.id") == "guide-q" {
			break
		}
	}
	if role := Eval[string](t, ctx, `document.getElementById("guide-q").getAttribute("role")`); role != "combobox" {
		t.Fatalf("field role = %q, want combobox", role)
	}
	Run(t, ctx, "type", chromedp.KeyEvent("pot de yahou"))
	Run(t, ctx, "suggestions", chromedp.WaitVisible(chromedp.CSS("#guide-q-list [role=option]")))
	if exp := Eval[string](t, ctx, `document.getElementById("guide-q").getAttribute("aria-expanded")`); exp != "true" {
		t.Fatalf("aria-expanded = %q with the list open", exp)
	}
	Get(t, ctx, "announcement", chromedp.Poll[bool](`document.getElementById("guide-q-status").textContent.includes("suggestion")`))
	AssertAccessible(t, ctx)
	Run(t, ctx, "Down", chromedp.KeyEvent(kb.ArrowDown))
	sel := Eval[map[string]any](t, ctx, `(() => { const i = document.getElementById("guide-q"), id = i.getAttribute("aria-activedescendant"), o = id && document.getElementById(id);
		return {focus: document.activeElement.id, selected: o ? o.getAttribute("aria-selected") : "", text: o ? o.textContent : ""} })()`)
	if sel["focus"] != "guide-q" || sel["selected"] != "true" || !strings.Contains(fmt.Sprint(sel["text"]), "Pot de yaourt") {
		t.Fatalf("after Down: %v (the focus stays in the field, the first option is active)", sel)
	}
	Run(t, ctx, "Down Up", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowUp))
	resp, err := chromedp.RunResponse(ctx, Press(kb.Enter))
	if err != nil || resp == nil || resp.Status != http.StatusOK {
		t.Fatalf("Enter on a suggestion: %v %v", resp, err)
	}
	if loc := Location(t, ctx); loc != "/ou-jeter/pot-de-yaourt" {
		t.Fatalf("Enter opened %s", loc)
	}
	AssertAccessible(t, ctx)

	// Escape closes the list, a second Escape clears the field.
	site.Go(t, ctx, "/ou-jeter")
	Run(t, ctx, "focus", chromedp.Focus(chromedp.CSS("#guide-q")), chromedp.KeyEvent("pile"))
	Run(t, ctx, "suggestions", chromedp.WaitVisible(chromedp.CSS("#guide-q-list [role=option]")))
	Run(t, ctx, "Escape", chromedp.KeyEvent(kb.Escape))
	if Eval[bool](t, ctx, `!document.getElementById("guide-q-list").hidden`) {
		t.Fatal("Escape left the list open")
	}
	Run(t, ctx, "Escape", chromedp.KeyEvent(kb.Escape))
	if v := Eval[string](t, ctx, `document.getElementById("guide-q").value`); v != "" {
		t.Fatalf("second Escape left %q", v)
	}
	// Enter without a chosen suggestion searches (the plain form).
	Run(t, ctx, "type", chromedp.KeyEvent("bouteille"))
	resp, err = chromedp.RunResponse(ctx, Press(kb.Enter))
	if err != nil || resp == nil || !strings.HasPrefix(Location(t, ctx), "/ou-jeter?q=bouteille") {
		t.Fatalf("Enter in the field: %v, at %s", err, Location(t, ctx))
	}
	AssertAccessible(t, ctx)

	for _, path := range []string{"/ou-jeter?q=zzzqqq", "/decheteries", "/decheteries/decheterie-de-valence-nord", "/decheteries/point-textile-du-centre-commercial-valence-2", "/recherche?q=yaourt"} {
		if st := site.Go(t, ctx, path); st != http.StatusOK {
			t.Fatalf("GET %s = %d", path, st)
		}
		AssertAccessible(t, ctx)
		noCSPViolation(t, ctx)
	}
	if n := Eval[int](t, ctx, `document.querySelectorAll('script[type="application/ld+json"]').length`); n != 0 {
		t.Fatalf("JSON-LD on the search page: %d", n)
	}
	site.Go(t, ctx, "/decheteries/decheterie-de-valence-nord")
	if typ := Eval[string](t, ctx, `JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent)["@type"]`); typ != "RecyclingCenter" {
		t.Fatalf("JSON-LD type = %q", typ)
	}
	noCSPViolation(t, ctx)

	// Reflow at 320 px.
	Run(t, ctx, "320 px", chromedp.EmulateViewport(320, 640))
	for _, path := range []string{"/ou-jeter", "/ou-jeter/pot-de-yaourt", "/ou-jeter?q=bouteille", "/decheteries", "/decheteries/decheterie-de-valence-nord"} {
		site.Go(t, ctx, path)
		reflows(t, ctx)
	}
	Run(t, ctx, "reset", chromedp.ResetViewport())

	// Without JavaScript: the same field is a plain search form.
	nojs := site.Browser(t)
	if _, err := chromedp.Call(nojs, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	site.Go(t, nojs, "/ou-jeter")
	if role := Eval[string](t, nojs, `document.getElementById("guide-q").getAttribute("role") || ""`); role != "" {
		t.Fatalf("without JavaScript the field has role %q", role)
	}
	Fill(t, nojs, "#guide-q", "pot de yahourt")
	if st := Submit(t, nojs, ".guide-search button[type=submit]"); st != http.StatusOK {
		t.Fatalf("no-JS search = %d", st)
	}
	if !Exists(t, nojs, `a[href="/ou-jeter/pot-de-yaourt"]`) {
		t.Fatalf("no-JS search did not find the item: %s", Text(t, nojs, "main"))
	}
}

// The communication officer's screens, view and edit: management lists,
// forms (empty, and refused with their errors), deletion confirmations and
// CSV imports (the form, its errors, its preview): axe finds nothing.
func TestBrowserResidentsEditing(t *testing.T) {
	site := Start(t, Options{Demo: true})
	uid, _, _ := site.DemoAccount(t, "Communication")
	adminID, _, _ := site.DemoAccount(t, "")
	ctx := site.Browser(t)
	cspWatch(t, ctx)
	site.LoginAs(t, ctx, uid)
	site.Go(t, ctx, "/ou-jeter/pot-de-yaourt")
	if !Exists(t, ctx, `a[href$="/modifier"]`) {
		t.Fatal("no edit tool on an item for the communication officer")
	}
	AssertAccessible(t, ctx)
	for _, path := range []string{"/ou-jeter", "/ou-jeter/gestion", "/ou-jeter/gestion/nouveau", "/ou-jeter/gestion/import",
		"/decheteries", "/decheteries/decheterie-de-chabeuil", "/decheteries/gestion", "/decheteries/gestion/nouveau", "/decheteries/gestion/import"} {
		if st := site.Go(t, ctx, path); st != http.StatusOK {
			t.Fatalf("GET %s = %d", path, st)
		}
		AssertAccessible(t, ctx)
		noCSPViolation(t, ctx)
	}
	// A guide form refused: errors linked to their fields.
	site.Go(t, ctx, "/ou-jeter/gestion/nouveau")
	Fill(t, ctx, "#synonymes", "trottinette")
	if st := Submit(t, ctx, "form.stacked button[type=submit]"); st != http.StatusUnprocessableEntity {
		t.Fatalf("empty item form = %d", st)
	}
	if !Exists(t, ctx, `.form-errors a[href="#nom"]`) || Eval[string](t, ctx, `document.getElementById("synonymes").value`) != "trottinette" {
		t.Fatal("the refused form lost its input or its error links")
	}
	AssertAccessible(t, ctx)
	// Edit, delete confirmation.
	site.Go(t, ctx, "/ou-jeter/pot-de-yaourt")
	Submit(t, ctx, `nav.tools a[href$="/modifier"]`)
	AssertAccessible(t, ctx)
	site.Go(t, ctx, "/ou-jeter/pot-de-yaourt")
	Submit(t, ctx, `nav.tools a[href$="/supprimer"]`)
	AssertAccessible(t, ctx)
	// A centre form refused, then the edit form and the delete confirmation.
	site.Go(t, ctx, "/decheteries/gestion/nouveau")
	Fill(t, ctx, "#horaires", "lundy : 9h-12h")
	if st := Submit(t, ctx, "form.stacked button[type=submit]"); st != http.StatusUnprocessableEntity {
		t.Fatalf("bad centre form = %d", st)
	}
	AssertAccessible(t, ctx)
	site.Go(t, ctx, "/decheteries/decheterie-de-chabeuil")
	Submit(t, ctx, `nav.tools a[href$="/modifier"]`)
	AssertAccessible(t, ctx)
	site.Go(t, ctx, "/decheteries/decheterie-de-chabeuil")
	Submit(t, ctx, `nav.tools a[href$="/supprimer"]`)
	AssertAccessible(t, ctx)
	// CSV imports: errors, then a preview.
	dir := t.TempDir()
	bad := filepath.Join(dir, "mauvais.csv")
	good := filepath.Join(dir, "bon.csv")
	os.WriteFile(bad, []byte("nom;filiere\n;verre\nTuyau;poubelle rose\n"), 0o600)
	os.WriteFile(good, []byte("nom;filiere;consignes\nBatterie de trottinette;point_collecte;En magasin.\n"), 0o600)
	for _, c := range []struct {
		path, file string
		status     int
	}{{"/ou-jeter/gestion/import", bad, 422}, {"/ou-jeter/gestion/import", good, 200}, {"/decheteries/gestion/import", bad, 422}} {
		site.Go(t, ctx, c.path)
		Run(t, ctx, "file", chromedp.SetUploadFiles(chromedp.CSS("#fichier"), []string{c.file}))
		if st := Submit(t, ctx, "form.stacked button[type=submit]"); st != c.status {
			t.Fatalf("import %s to %s = %d, want %d", c.file, c.path, st, c.status)
		}
		AssertAccessible(t, ctx)
		if c.status == http.StatusOK {
			// The preview's confirmation imports the file.
			if st := Submit(t, ctx, `form[action^="/ou-jeter/gestion/import/confirmer"] button`); st != http.StatusOK || Location(t, ctx) != "/ou-jeter/gestion" {
				t.Fatalf("confirm import = %d at %s", st, Location(t, ctx))
			}
			if !strings.Contains(Text(t, ctx, ".flash"), "importé") {
				t.Fatalf("no flash after the import: %q", Text(t, ctx, "main"))
			}
		}
	}
	// The administrator's rights screen.
	actx := site.Browser(t)
	site.LoginAs(t, actx, adminID)
	for _, path := range []string{"/ou-jeter/gestion/droits", "/decheteries/gestion/droits"} {
		if st := site.Go(t, actx, path); st != http.StatusOK {
			t.Fatalf("GET %s = %d", path, st)
		}
		AssertAccessible(t, actx)
	}
}

// The map is an enhancement: with a tile server set it is drawn from it
// (its host allowed by the CSP, no violation, axe still clean); with the
// server unreachable, the page says so and the list stays complete.
func TestBrowserCentresMap(t *testing.T) {
	var tile bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := 0; i < 256; i++ {
		img.Set(i, i, color.RGBA{G: 120, A: 255})
	}
	png.Encode(&tile, img)
	var hits int
	tiles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Header().Set("Content-Type", "image/png")
		w.Write(tile.Bytes())
	}))
	defer tiles.Close()
	// A port nothing listens on, for the unreachable case.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()

	for _, c := range []struct {
		name, server string
		reachable    bool
	}{{"reachable", tiles.URL, true}, {"unreachable", dead, false}} {
		t.Run(c.name, func(t *testing.T) {
			site := Start(t, Options{Demo: true, Args: []string{"--map-tiles", c.server + "/{z}/{x}/{y}.png", "--map-attribution", "Fonds de carte de test"}})
			ctx := site.Browser(t)
			cspWatch(t, ctx)
			site.Go(t, ctx, "/decheteries")
			Run(t, ctx, "map drawn", chromedp.WaitVisible(chromedp.CSS(".centres-map.leaflet-container")))
			n := Eval[int](t, ctx, `document.querySelectorAll(".centre-card").length`)
			if n < 8 {
				t.Fatalf("the list has %d centres with the map on", n)
			}
			if c.reachable {
				Get(t, ctx, "tiles", chromedp.Poll[bool](`document.querySelectorAll(".leaflet-tile-loaded").length > 0`))
				noCSPViolation(t, ctx)
				if hits == 0 {
					t.Fatal("no tile asked from the tile server")
				}
			} else {
				Get(t, ctx, "error shown", chromedp.Poll[bool](`!!document.querySelector(".centres-map-wrap .alert")`, chromedp.WithPollingTimeout(20*time.Second)))
			}
			AssertAccessible(t, ctx)
			site.Go(t, ctx, "/decheteries/decheterie-de-valence-nord")
			Run(t, ctx, "map drawn", chromedp.WaitVisible(chromedp.CSS(".centres-map.leaflet-container")))
			AssertAccessible(t, ctx)
		})
	}
}
