package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// waitLocation waits (up to 10 s) until the tab is on path.
func waitLocation(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if Eval[string](t, ctx, "document.readyState") == "complete" && Location(t, ctx) == path {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the browser is on %s, want %s", Location(t, ctx), path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitTrue waits (up to 5 s) until a JavaScript expression is true.
func waitTrue(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !Eval[bool](t, ctx, expr) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still false after 5 s: %s", what, expr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func press(t *testing.T, ctx context.Context, what, keys string, opts ...chromedp.KeyOption) {
	t.Helper()
	Run(t, ctx, what, chromedp.KeyEvent(keys, opts...))
}

// A resident finds their commune with the keyboard only: Tab to the field,
// type, arrow down through the proposals (the combobox tells assistive
// technologies which option is active), Enter opens the commune's page.
func TestCollecteKeyboardLookup(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	if st := site.Go(t, ctx, "/collecte"); st != http.StatusOK {
		t.Fatalf("GET /collecte = %d", st)
	}
	AssertAccessible(t, ctx)
	for i := 0; i < 30 && Eval[string](t, ctx, "document.activeElement.id") != "commune"; i++ {
		press(t, ctx, "Tab", kb.Tab)
	}
	if id := Eval[string](t, ctx, "document.activeElement.id"); id != "commune" {
		t.Fatalf("Tab never reached the commune field (focus on #%s)", id)
	}
	attrs := Eval[map[string]any](t, ctx, `(() => { const i = document.getElementById("commune");
		return {role: i.getAttribute("role"), auto: i.getAttribute("aria-autocomplete"), expanded: i.getAttribute("aria-expanded"),
			controls: i.getAttribute("aria-controls"), list: document.getElementById(i.getAttribute("aria-controls"))?.getAttribute("role")}; })()`)
	if attrs["role"] != "combobox" || attrs["auto"] != "list" || attrs["expanded"] != "false" || attrs["list"] != "listbox" {
		t.Fatalf("combobox attributes %v", attrs)
	}
	press(t, ctx, "type", "bourg")
	waitTrue(t, ctx, "proposals shown", `document.getElementById("commune").getAttribute("aria-expanded") === "true"`)
	names := Eval[[]string](t, ctx, `[...document.querySelectorAll("#commune-options [role=option]")].map(o => o.textContent)`)
	if len(names) != 2 || !strings.HasPrefix(names[0], "Bourg-de-Péage") || !strings.HasPrefix(names[1], "Bourg-lès-Valence") {
		t.Fatalf("proposals for «bourg»: %q", names)
	}
	if st := Eval[string](t, ctx, `document.querySelector(".cl-lookup [role=status]").textContent`); st != "2 communes proposées." {
		t.Errorf("status %q", st)
	}
	AssertAccessible(t, ctx) // with the list open
	press(t, ctx, "ArrowDown", kb.ArrowDown)
	press(t, ctx, "ArrowDown", kb.ArrowDown)
	active := Eval[map[string]any](t, ctx, `(() => { const i = document.getElementById("commune"), id = i.getAttribute("aria-activedescendant"), o = document.getElementById(id);
		return {focus: document.activeElement === i, text: o ? o.textContent : "", selected: o ? o.getAttribute("aria-selected") : ""}; })()`)
	if active["focus"] != true || !strings.HasPrefix(active["text"].(string), "Bourg-lès-Valence") || active["selected"] != "true" {
		t.Fatalf("after two ↓: %v", active)
	}
	// Escape closes the list, ↓ opens it again.
	press(t, ctx, "Escape", kb.Escape)
	waitTrue(t, ctx, "Escape closes", `document.getElementById("commune").getAttribute("aria-expanded") === "false"`)
	press(t, ctx, "ArrowDown", kb.ArrowDown)
	waitTrue(t, ctx, "↓ reopens", `document.getElementById("commune").getAttribute("aria-expanded") === "true"`)
	press(t, ctx, "ArrowDown", kb.ArrowDown)
	press(t, ctx, "Enter", kb.Enter)
	waitLocation(t, ctx, "/collecte/bourg-les-valence")
	if h1 := Text(t, ctx, "h1"); h1 != "Jours de collecte à Bourg-lès-Valence" {
		t.Fatalf("h1 %q", h1)
	}
	AssertAccessible(t, ctx)

	// Accents, hyphens and "st" are ignored, postcodes work.
	site.Go(t, ctx, "/collecte")
	Run(t, ctx, "focus", chromedp.Focus(chromedp.CSS("#commune")))
	press(t, ctx, "type", "26800")
	waitTrue(t, ctx, "postcode proposals", `document.querySelectorAll("#commune-options [role=option]").length === 3`)
	press(t, ctx, "ArrowDown", kb.ArrowDown)
	press(t, ctx, "Enter", kb.Enter)
	waitLocation(t, ctx, "/collecte/beauvallon")
}

// Without JavaScript the same field is a plain form: the server lists the
// communes that match, or goes straight to the one that does.
func TestCollecteLookupWithoutJavaScript(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}) //nolint:errcheck
	site.Go(t, ctx, "/collecte")
	if Exists(t, ctx, "#commune[role=combobox]") {
		t.Fatal("the script ran")
	}
	Fill(t, ctx, "#commune", "valence")
	if st := Submit(t, ctx, ".cl-lookup button[type=submit]"); st != http.StatusOK {
		t.Fatalf("lookup = %d", st)
	}
	if !strings.Contains(Text(t, ctx, "#resultats"), "Résultats") || !Exists(t, ctx, `a[href="/collecte/portes-les-valence"]`) {
		t.Fatalf("results: %s", Text(t, ctx, "main"))
	}
	// axe runs as a script: allow scripts again on the page as it was served
	// (the page's own script does not run after the fact).
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
	AssertAccessible(t, ctx)
	if Exists(t, ctx, "#commune[role=combobox]") {
		t.Fatal("the page's script ran after all")
	}
	Fill(t, ctx, "#commune", "saint marcel")
	Submit(t, ctx, ".cl-lookup button[type=submit]")
	waitLocation(t, ctx, "/collecte/saint-marcel-les-valence")
}

// noHorizontalScroll checks the page fits a 320 px wide screen (WCAG 1.4.10).
func noHorizontalScroll(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	w := Eval[map[string]any](t, ctx, `({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})`)
	if w["scroll"].(float64) > w["client"].(float64) {
		t.Errorf("%s scrolls sideways at 320 px: %v px wide", path, w["scroll"])
	}
}

// Every page type of the collection days, in view mode (a resident) and
// in edit mode (the demo's technicians may edit): no WCAG 2.1 A/AA
// violation, no horizontal scroll at 320 px.
func TestCollectePagesAccessible(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	Run(t, ctx, "320 px", chromedp.EmulateViewport(320, 800))
	defer chromedp.Do(ctx, chromedp.EmulateReset()) //nolint:errcheck
	public := []string{"/collecte", "/collecte?q=bourg", "/collecte?q=Grenoble", "/collecte/valence", "/collecte/valence/centre-ville",
		"/collecte/valence/centre-ville/calendrier", "/collecte/alixan", "/collecte/alixan/calendrier"}
	for _, p := range public {
		if st := site.Go(t, ctx, p); st != http.StatusOK {
			t.Fatalf("GET %s = %d", p, st)
		}
		AssertAccessible(t, ctx)
		noHorizontalScroll(t, ctx, p)
	}
	var valence int64
	if err := site.DB.QueryRow(context.Background(), "SELECT id FROM collecte_communes WHERE slug = 'valence'").Scan(&valence); err != nil {
		t.Fatal(err)
	}
	var schedule, stream int64
	if err := site.DB.QueryRow(context.Background(), "SELECT id, stream_id FROM collecte_schedules WHERE commune_id = ? ORDER BY id LIMIT 1", valence).Scan(&schedule, &stream); err != nil {
		t.Fatal(err)
	}
	techID, _, _ := site.DemoAccount(t, "Techniciens")
	site.LoginAs(t, ctx, techID)
	edit := []string{"/collecte/valence/centre-ville", "/collecte/gestion", fmt.Sprintf("/collecte/gestion/communes/%d", valence),
		fmt.Sprintf("/collecte/gestion/communes/%d/calendriers/nouveau", valence), fmt.Sprintf("/collecte/gestion/calendriers/%d", schedule),
		fmt.Sprintf("/collecte/gestion/communes/%d/supprimer", valence), "/collecte/gestion/flux", "/collecte/gestion/exceptions",
		"/collecte/gestion/exceptions?jour=2026-12-25", "/collecte/gestion/import"}
	for _, p := range edit {
		if st := site.Go(t, ctx, p); st != http.StatusOK {
			t.Fatalf("editor GET %s = %d", p, st)
		}
		AssertAccessible(t, ctx)
		noHorizontalScroll(t, ctx, p)
	}
	if !Exists(t, ctx, "main") {
		t.Fatal("no main")
	}
	// Forms re-rendered with their errors (422) are accessible too.
	site.Go(t, ctx, "/collecte/gestion")
	Fill(t, ctx, "#name", "Alixan")
	Fill(t, ctx, "#insee", "2600")
	Fill(t, ctx, "#postcodes", "26300")
	if st := Submit(t, ctx, `form[action="/collecte/gestion/communes"] button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("invalid commune = %d", st)
	}
	if v := Eval[string](t, ctx, `document.getElementById("name").value`); v != "Alixan" {
		t.Errorf("the typed name was lost: %q", v)
	}
	AssertAccessible(t, ctx)
	noHorizontalScroll(t, ctx, "422 commune form")
	site.Go(t, ctx, fmt.Sprintf("/collecte/gestion/communes/%d/calendriers/nouveau", valence))
	if st := Submit(t, ctx, `main form button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("empty schedule = %d", st)
	}
	AssertAccessible(t, ctx)
	site.Go(t, ctx, "/collecte/gestion/import")
	Fill(t, ctx, "#data", "insee;nom;codes_postaux\n2636;Valence;26000\n")
	if st := Submit(t, ctx, `form[action^="/collecte/gestion/import"] button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("import with an error = %d", st)
	}
	if !strings.Contains(Text(t, ctx, "main"), "« 2636 » n’est pas un code INSEE") {
		t.Fatalf("import errors: %s", Text(t, ctx, "main"))
	}
	AssertAccessible(t, ctx)
	noHorizontalScroll(t, ctx, "import preview")
	// The administrators' page of the editors' rights.
	adminID, _, _ := site.DemoAccount(t, "")
	site.LoginAs(t, ctx, adminID)
	if st := site.Go(t, ctx, "/admin/collecte"); st != http.StatusOK {
		t.Fatalf("GET /admin/collecte = %d", st)
	}
	AssertAccessible(t, ctx)
	// For administrators the site's header itself is 6 px too wide at
	// 320 px (its account links, on every page: the layout's, reported);
	// the area's own content must fit.
	if w := Eval[float64](t, ctx, `document.querySelector("main").scrollWidth`); w > 320 {
		t.Errorf("/admin/collecte: the content is %v px wide at 320 px", w)
	}
}

// The yearly calendar prints on one landscape sheet without the site's
// menus: the print stylesheet applies.
func TestCollecteYearPrints(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	site.Go(t, ctx, "/collecte/valence/centre-ville/calendrier")
	if !Eval[bool](t, ctx, `!document.querySelector("button[data-print]").hidden`) {
		t.Error("the print button is not shown when JavaScript runs")
	}
	screen := Eval[map[string]any](t, ctx, `({header: getComputedStyle(document.querySelector(".site-header")).display,
		cols: getComputedStyle(document.querySelector(".cl-months")).gridTemplateColumns.split(" ").length})`)
	if screen["header"] == "none" {
		t.Fatal("the header is hidden on screen")
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}) //nolint:errcheck
	printed := Eval[map[string]any](t, ctx, `({
		header: getComputedStyle(document.querySelector(".site-header")).display,
		footer: getComputedStyle(document.querySelector(".site-footer")).display,
		nav: getComputedStyle(document.querySelector(".cl-yearnav")).display,
		cols: getComputedStyle(document.querySelector(".cl-months")).gridTemplateColumns.split(" ").length,
		source: getComputedStyle(document.querySelector(".cl-printed-from")).display,
		marks: getComputedStyle(document.querySelector(".cl-month .cl-mark")).printColorAdjust})`)
	if printed["header"] != "none" || printed["footer"] != "none" || printed["nav"] != "none" {
		t.Errorf("printed with the site's chrome: %v", printed)
	}
	if printed["cols"].(float64) != 4 || printed["source"] != "block" || printed["marks"] != "exact" {
		t.Errorf("print layout %v, want 4 columns of months, the source line and exact colours", printed)
	}
}
