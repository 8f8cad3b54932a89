package browsertest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The demo's home page leads to what residents come for: its tiles are
// reached with the keyboard, in order, each with its bundled icon (drawn
// from the self-hosted sprite, hidden from assistive technologies), and
// Enter follows one; the hero's picture and the search box work.
func TestHomeTilesKeyboard(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	if st := site.Go(t, ctx, "/"); st != http.StatusOK {
		t.Fatalf("GET / = %d", st)
	}
	labels := Eval[[]string](t, ctx, `[...document.querySelectorAll(".block-tiles .tile-label")].map(e => e.textContent)`)
	want := []string{"Où jeter ?", "Mes jours de collecte", "Déchèteries : horaires", "Actualités", "Nous contacter"}
	if strings.Join(labels, "|") != strings.Join(want, "|") {
		t.Fatalf("tiles = %q, want %q", labels, want)
	}
	// Nothing repeats the menu: no list of the sub-pages on the home page.
	if Eval[bool](t, ctx, `!!document.querySelector(".block-children")`) {
		t.Error("the home page repeats the menu")
	}
	// Each icon is decorative and drawn (its symbol found in the sprite).
	if n := Eval[int](t, ctx, `[...document.querySelectorAll(".tile-icon")].filter(s => s.getAttribute("aria-hidden") === "true" && s.getBoundingClientRect().width >= 24).length`); n != len(want) {
		t.Fatalf("%d drawn decorative icons, want %d", n, len(want))
	}
	sprite := Eval[string](t, ctx, `document.querySelector(".tile-icon use").getAttribute("href").split("#")[0]`)
	if !strings.HasPrefix(sprite, "/static/") {
		t.Fatalf("sprite %q is not self-hosted", sprite)
	}
	if ok := Eval[bool](t, ctx, `(() => { const x = new XMLHttpRequest(); x.open("GET", `+"`"+`${document.querySelector(".tile-icon use").getAttribute("href").split("#")[0]}`+"`"+`, false); x.send(); return x.status === 200 && x.responseXML.getElementById("calendar-days") !== null; })()`); !ok {
		t.Fatal("the sprite does not hold the tiles' symbols")
	}
	// The hero's picture is loaded (the CSP allows it).
	if !Eval[bool](t, ctx, `(() => { const i = document.querySelector(".hero-image"); return !!i && i.complete && i.naturalWidth > 0; })()`) {
		t.Error("the hero's picture is not shown")
	}
	// Keyboard: Tab reaches every tile, in order, with a visible focus ring.
	tabUntil(t, ctx, ".block-tiles li:first-child .tile", 60)
	for i := range want {
		if got := Eval[string](t, ctx, `document.activeElement.textContent.trim()`); got != want[i] {
			t.Fatalf("tile %d focused is %q, want %q", i+1, got, want[i])
		}
		if Eval[string](t, ctx, `getComputedStyle(document.activeElement).outlineStyle`) == "none" {
			t.Fatalf("tile %q has no visible focus", want[i])
		}
		if i < len(want)-1 {
			Run(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab))
		}
	}
	// Enter follows the focused tile.
	site.Go(t, ctx, "/")
	tabUntil(t, ctx, `.tile[href="/collecte"]`, 60)
	Run(t, ctx, "Enter", chromedp.KeyEvent(kb.Enter))
	waitLocation(t, ctx, "/collecte")

	// The search box block searches the site.
	site.Go(t, ctx, "/")
	Run(t, ctx, "search", chromedp.SendKeys(chromedp.CSS(".block-search input[type=search]"), "composteur\n"))
	waitTrue(t, ctx, "the search page", `location.pathname === "/recherche" && location.search === "?q=composteur" && document.readyState === "complete"`)
}
