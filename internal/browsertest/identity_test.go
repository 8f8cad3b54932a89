package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	identity "portique/internal/site"
)

// facePages are the public page types every identity must keep accessible.
var facePages = []string{"/", "/reduire-ses-dechets", "/agenda", "/documents", "/actualites", "/mentions-legales"}

// Every public page type passes axe-core (WCAG 2.1 A/AA) with the default
// identity and with two others (dark blue, orange) set as an administrator
// would, by day and in dark mode (prefers-color-scheme emulated), where the
// identity's colours give way to their dark variants (site.DarkText).
func TestIdentitiesAccessible(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	for _, id := range []struct{ name, primary, secondary string }{
		{"default", "", ""},
		{"dark blue", "#0d2b6b", "#1a237e"},
		{"orange", "#a34a00", "#8a3b00"},
	} {
		for k, v := range map[string]string{"site.colour_primary": id.primary, "site.colour_secondary": id.secondary} {
			if _, err := site.DB.Exec(context.Background(), `INSERT INTO settings (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				t.Fatal(err)
			}
		}
		// A running process trusts its copy of the settings 2 s at most.
		time.Sleep(2100 * time.Millisecond)
		for _, p := range facePages {
			if st := site.Go(t, ctx, p+"?identite="+id.name); st != http.StatusOK {
				t.Fatalf("%s: GET %s = %d", id.name, p, st)
			}
			if id.primary != "" && !Eval[bool](t, ctx, `!!document.querySelector('link[href^="/site/theme/"]')`) {
				t.Errorf("%s: %s does not link the theme", id.name, p)
			}
			AssertAccessible(t, ctx)
			// The same page in dark mode: its own palette, still AA.
			emulate(t, ctx, "", "dark")
			dark := Eval[map[string]string](t, ctx, `({bg: getComputedStyle(document.body).backgroundColor,
				link: getComputedStyle(document.querySelector("main a[href]:not(.button):not(.tile), .site-footer a[href]")).color,
				h1: getComputedStyle(document.querySelector("main h1")).color})`)
			if dark["bg"] != cssRGB(identity.DarkBg) {
				t.Errorf("%s: %s in dark mode has the background %s", id.name, p, dark["bg"])
			}
			if id.primary != "" && dark["link"] != cssRGB(identity.DarkText(id.primary)) {
				t.Errorf("%s: %s in dark mode draws links in %s, want %s", id.name, p, dark["link"], identity.DarkText(id.primary))
			}
			if id.secondary != "" && dark["h1"] != cssRGB(identity.DarkText(id.secondary)) {
				t.Errorf("%s: %s in dark mode draws the title in %s, want %s", id.name, p, dark["h1"], identity.DarkText(id.secondary))
			}
			AssertAccessible(t, ctx)
			emulate(t, ctx, "", "")
		}
	}
}

// cssRGB is #rrggbb as getComputedStyle writes it.
func cssRGB(hex string) string {
	var r, g, b int
	fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b) //nolint:errcheck // the site's own constants
	return fmt.Sprintf("rgb(%d, %d, %d)", r, g, b)
}

// No public page type scrolls sideways on a 320 px wide screen (WCAG 1.4.10).
func TestNoSidewaysScrollAt320(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	Run(t, ctx, "viewport 320", chromedp.EmulateViewport(320, 640))
	for _, p := range facePages {
		if st := site.Go(t, ctx, p); st != http.StatusOK {
			t.Fatalf("GET %s = %d", p, st)
		}
		if w := Eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 320 {
			t.Errorf("%s is %v px wide at 320 px (%s)", p, w, Eval[string](t, ctx, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 321).slice(0, 6).map(e => e.tagName + "." + e.className + "#" + e.id).join(" ")`))
		}
	}
	// The menu is folded on a phone and unfolds without JavaScript.
	site.Go(t, ctx, "/")
	if Eval[bool](t, ctx, `getComputedStyle(document.querySelector(".main-nav ul")).display !== "none"`) {
		t.Error("the menu is not folded at 320 px")
	}
	if st := site.Go(t, ctx, "/?plan=1#menu"); st != http.StatusOK {
		t.Fatalf("GET /?plan=1#menu = %d", st)
	}
	if !Eval[bool](t, ctx, `getComputedStyle(document.querySelector(".main-nav ul")).display === "flex"`) {
		t.Error("#menu does not unfold the menu")
	}
	AssertAccessible(t, ctx)
	Run(t, ctx, "viewport 1280", chromedp.EmulateViewport(1280, 800))
	site.Go(t, ctx, "/")
	if !Eval[bool](t, ctx, `getComputedStyle(document.querySelector(".main-nav ul")).display === "flex" && getComputedStyle(document.querySelector(".menu-open")).display === "none"`) {
		t.Error("the desktop menu is folded")
	}
}
