package browsertest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// facePages are the public page types every identity must keep accessible.
var facePages = []string{"/", "/reduire-ses-dechets", "/agenda", "/documents", "/actualites", "/mentions-legales"}

// Every public page type passes axe-core (WCAG 2.1 A/AA) with the default
// identity and with two others (dark blue, orange) set as an administrator
// would, and none scrolls sideways at 320 px.
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
		}
	}
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
