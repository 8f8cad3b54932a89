package browsertest

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// emulate sets the media type and the colour scheme the page is drawn for
// ("" for either: the real one).
func emulate(t *testing.T, ctx context.Context, media, scheme string) {
	t.Helper()
	p := emulation.SetEmulatedMediaParams{Media: media}
	if scheme != "" {
		p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, p); err != nil {
		t.Fatal(err)
	}
}

// The site's own typeface is used (loaded from the site, nothing from
// elsewhere), and the text of a content page keeps a readable measure.
func TestTypefaceAndMeasure(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	Run(t, ctx, "viewport 1280", chromedp.EmulateViewport(1280, 800))
	if st := site.Go(t, ctx, "/reduire-ses-dechets"); st != http.StatusOK {
		t.Fatalf("GET = %d", st)
	}
	font := Eval[map[string]any](t, ctx, `document.fonts.ready.then(() => ({
		loaded: document.fonts.check('16px "Atkinson Hyperlegible Next Variable"'),
		family: getComputedStyle(document.body).fontFamily,
		faces: [...document.fonts].filter(f => f.status === "loaded").map(f => f.family).join(","),
		foreign: performance.getEntriesByType("resource").map(e => e.name).filter(n => !n.startsWith(location.origin)).join(" ")}))`)
	if font["loaded"] != true || !strings.HasPrefix(font["family"].(string), `"Atkinson Hyperlegible Next Variable"`) || !strings.Contains(font["faces"].(string), "Atkinson") {
		t.Errorf("the site's typeface is not in use: %v", font)
	}
	if font["foreign"] != "" {
		t.Errorf("requests to other sites: %s", font["foreign"])
	}
	// No paragraph of the content is wider than about 70 characters (the
	// "0" of the font is the ch unit: 70ch plus a margin of rounding).
	m := Eval[map[string]float64](t, ctx, `(() => {
		const ch = (() => { const s = document.createElement("span"); s.textContent = "0".repeat(100); s.style.cssText = ""; document.querySelector("main p").append(s); const w = s.getBoundingClientRect().width / 100; s.remove(); return w })();
		const ps = [...document.querySelectorAll("main p")];
		return {ch, widest: Math.max(...ps.map(p => p.getBoundingClientRect().width)), main: document.querySelector("main").getBoundingClientRect().width, n: ps.length} })()`)
	if m["n"] == 0 || m["widest"] > 71*m["ch"] || m["main"] < 80*m["ch"] {
		t.Errorf("measure: widest paragraph %.0f px for a 0 of %.2f px (main %.0f px, %v paragraphs), want ≤ 70ch in a wider main", m["widest"], m["ch"], m["main"], m["n"])
	}
}

// Printed, a page, an event and the agenda keep their content on white
// paper in black and leave the site's navigation, tools and forms off; an
// external link's address is printed after it.
func TestPrintStylesheet(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	site.Go(t, ctx, "/agenda?vue=liste")
	event := Eval[string](t, ctx, `(document.querySelector('main a[href^="/agenda/evenements/"]') || {}).pathname || ""`)
	if event == "" {
		t.Fatal("no event in the demo agenda")
	}
	for _, p := range []string{"/reduire-ses-dechets", event, "/agenda", "/actualites"} {
		if st := site.Go(t, ctx, p); st != http.StatusOK {
			t.Fatalf("GET %s = %d", p, st)
		}
		screen := Eval[string](t, ctx, `getComputedStyle(document.querySelector(".main-nav")).display`)
		if screen == "none" {
			t.Fatalf("%s: the menu is hidden on screen", p)
		}
		emulate(t, ctx, "print", "dark") // a dark screen prints on white all the same
		got := Eval[map[string]any](t, ctx, `(() => {
			const shown = s => [...document.querySelectorAll(s)].some(e => getComputedStyle(e).display !== "none");
			const a = document.createElement("a"); a.href = "https://exemple.fr/guide"; a.textContent = "guide";
			document.querySelector("main h1").after(a);
			const after = getComputedStyle(a, "::after").content; a.remove();
			const local = document.querySelector('main a[href^="/"]');
			return {header: shown(".site-header"), nav: shown(".main-nav"), footer: shown(".site-footer"), crumbs: shown(".breadcrumb"),
				forms: shown("main form, .site-header form"), skip: shown(".skip"),
				h1: shown("main h1"), text: document.querySelector("main").innerText.trim().length,
				ink: getComputedStyle(document.querySelector("main h1")).color, paper: getComputedStyle(document.body).backgroundColor,
				body: getComputedStyle(document.body).color, after, localAfter: local ? getComputedStyle(local, "::after").content : "none"} })()`)
		emulate(t, ctx, "", "")
		for _, k := range []string{"header", "nav", "footer", "crumbs", "forms", "skip"} {
			if got[k] == true {
				t.Errorf("%s printed with its %s", p, k)
			}
		}
		if got["h1"] != true || got["text"].(float64) < 20 {
			t.Errorf("%s printed without its content: %v", p, got)
		}
		if got["ink"] != "rgb(0, 0, 0)" || got["body"] != "rgb(0, 0, 0)" || got["paper"] != "rgb(255, 255, 255)" {
			t.Errorf("%s printed in %v / %v on %v, want black on white", p, got["ink"], got["body"], got["paper"])
		}
		if !strings.Contains(got["after"].(string), "https://exemple.fr/guide") {
			t.Errorf("%s: an external link prints without its address (::after %v)", p, got["after"])
		}
		if got["localAfter"] != "none" {
			t.Errorf("%s: a link of the site prints an address: %v", p, got["localAfter"])
		}
	}
}
