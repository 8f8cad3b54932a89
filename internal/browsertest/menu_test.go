package browsertest

import (
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The demo's main menu with the keyboard only: Tab reaches a sub-menu's
// button, Enter opens it, Tab reaches its first entry, Escape closes it and
// gives the focus back to the button; Tab past the last entry closes it (no
// trap). At 1280 px the menu holds on one line; at 320 px nothing scrolls
// sideways with a sub-menu open; axe finds nothing, sub-menu open or not.
func TestMenuKeyboardAndLayout(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	Run(t, ctx, "viewport 1280", chromedp.EmulateViewport(1280, 800))
	if st := site.Go(t, ctx, "/agenda"); st != http.StatusOK {
		t.Fatalf("GET /agenda = %d", st)
	}
	// One line: every top entry's box has the same top.
	tops := Eval[[]float64](t, ctx, `[...document.querySelectorAll(".main-nav .menu-top > li")].map(li => Math.round(li.getBoundingClientRect().top))`)
	if len(tops) < 6 {
		t.Fatalf("%d top entries in the demo menu, want ≥ 6", len(tops))
	}
	for i, top := range tops {
		if top != tops[0] {
			t.Errorf("entry %d of the menu is on another line at 1280 px (top %v, first %v)", i+1, top, tops[0])
		}
	}
	if !Eval[bool](t, ctx, `document.querySelector('.main-nav a[href="/agenda"]').getAttribute("aria-current") === "page"`) {
		t.Error("the current page is not marked aria-current in the menu")
	}
	AssertAccessible(t, ctx)

	const button = `document.activeElement.tagName === "SUMMARY" && document.activeElement.textContent === "Vos services"`
	for i := 0; i < 40 && !Eval[bool](t, ctx, button); i++ {
		press(t, ctx, "Tab", kb.Tab)
	}
	if !Eval[bool](t, ctx, button) {
		t.Fatalf("Tab never reached the « Vos services » button (focus on %s)", Eval[string](t, ctx, "document.activeElement.outerHTML.slice(0, 80)"))
	}
	if Eval[string](t, ctx, `getComputedStyle(document.activeElement).getPropertyValue("cursor")`) != "pointer" ||
		Eval[string](t, ctx, `document.activeElement.parentElement.tagName`) != "DETAILS" {
		t.Error("the sub-menu button is not a details' summary")
	}
	press(t, ctx, "Enter", kb.Enter)
	waitTrue(t, ctx, "Enter opens the sub-menu", `document.activeElement.parentElement.open`)
	// The open sub-menu drops below its button, inside the screen.
	box := Eval[map[string]float64](t, ctx, `(() => { const r = document.activeElement.parentElement.querySelector("ul").getBoundingClientRect(); return {left: r.left, right: r.right, height: r.height}; })()`)
	if box["height"] == 0 || box["left"] < 0 || box["right"] > 1280 {
		t.Errorf("the open sub-menu's box %v", box)
	}
	AssertAccessible(t, ctx) // with the sub-menu open
	press(t, ctx, "Tab", kb.Tab)
	if got := Eval[string](t, ctx, "document.activeElement.textContent"); got != "Où jeter ?" {
		t.Fatalf("Tab from the open sub-menu's button reaches %q, want its first entry", got)
	}
	press(t, ctx, "Escape", kb.Escape)
	waitTrue(t, ctx, "Escape closes the sub-menu and the focus is back on its button", button+` && !document.activeElement.parentElement.open`)

	// Open again with Space, walk past the last entry: the sub-menu closes
	// and the focus goes on (no trap).
	Run(t, ctx, "Space", chromedp.KeyEvent(" "))
	waitTrue(t, ctx, "Space opens the sub-menu", `document.activeElement.parentElement.open`)
	n := Eval[int](t, ctx, `document.activeElement.parentElement.querySelectorAll("a").length`)
	for i := 0; i <= n; i++ {
		press(t, ctx, "Tab", kb.Tab)
	}
	waitTrue(t, ctx, "Tab past the last entry closes the sub-menu", `!document.querySelector("details.submenu[open]") && document.activeElement.closest("details") === null`)

	// A click elsewhere closes an open sub-menu; opening one closes the other.
	Run(t, ctx, "open Le syndicat", clickCSS(`#sous-menu-1 > summary`))
	Run(t, ctx, "open Vos services", clickCSS(`#sous-menu-2 > summary`))
	waitTrue(t, ctx, "one sub-menu open at a time", `!document.getElementById("sous-menu-1").open && document.getElementById("sous-menu-2").open`)
	Run(t, ctx, "click the page", chromedp.MouseClickXY(640, 700))
	waitTrue(t, ctx, "a click elsewhere closes it", `!document.getElementById("sous-menu-2").open`)

	// A phone: the folded menu opens (#menu), a sub-menu opens in place,
	// nothing scrolls sideways.
	Run(t, ctx, "viewport 320", chromedp.EmulateViewport(320, 640))
	if st := site.Go(t, ctx, "/?plan=menu#menu"); st != http.StatusOK {
		t.Fatalf("GET / = %d", st)
	}
	Run(t, ctx, "open Vos services", clickCSS(`#sous-menu-2 > summary`))
	waitTrue(t, ctx, "the sub-menu opens on a phone", `document.getElementById("sous-menu-2").open`)
	if w := Eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 320 {
		t.Errorf("the page is %v px wide at 320 px with a sub-menu open", w)
	}
	if pos := Eval[string](t, ctx, `getComputedStyle(document.querySelector("#sous-menu-2 > ul")).position`); pos != "static" {
		t.Errorf("on a phone the sub-menu is %s, want in place (static)", pos)
	}
	AssertAccessible(t, ctx)
}

// Without JavaScript the sub-menus still open (<details>), and their
// entries are links that work.
func TestMenuWithoutJavaScript(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	Run(t, ctx, "viewport 1280", chromedp.EmulateViewport(1280, 800))
	if st := site.Go(t, ctx, "/"); st != http.StatusOK {
		t.Fatalf("GET / = %d", st)
	}
	Run(t, ctx, "open Le syndicat", clickCSS(`#sous-menu-1 > summary`))
	if !Eval[bool](t, ctx, `document.getElementById("sous-menu-1").open`) {
		t.Fatal("without JavaScript the sub-menu does not open")
	}
	resp, err := chromedp.RunResponse(ctx, clickCSS(`#sous-menu-1 a[href="/le-syndicat/nos-missions"]`))
	if err != nil || resp == nil || resp.Status != http.StatusOK {
		t.Fatalf("following the sub-menu's link: %v", err)
	}
	if path := Eval[string](t, ctx, `location.pathname`); path != "/le-syndicat/nos-missions" {
		t.Errorf("the sub-menu's link led to %s", path)
	}
}
