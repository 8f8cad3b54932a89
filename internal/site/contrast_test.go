package site_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"portique/internal/site"
	"portique/internal/valid"
)

func TestContrastRatio(t *testing.T) {
	if r := site.Contrast("#000000", "#ffffff"); r < 20.99 || r > 21.01 {
		t.Fatalf("black on white = %v, want 21", r)
	}
	if r := site.Contrast("#767676", "#ffffff"); r < 4.5 || r > 4.6 {
		t.Fatalf("#767676 on white = %v, want 4.54", r)
	}
}

// A light orange fails every use on white: it is refused with the ratio
// and a darker orange that passes; that suggestion is itself accepted.
func TestIdentityColourRefused(t *testing.T) {
	_, err := site.Validate(map[string]string{site.Primary: "#FFA500"})
	var ve valid.Errors
	if !errors.As(err, &ve) || ve.Key(site.Primary) != "site.error.contrast" {
		t.Fatalf("orange accepted: %v", err)
	}
	args := ve[site.Primary].Args
	if len(args) != 2 || args[0] != "1.97" {
		t.Fatalf("args = %v, want ratio 1.97 and a suggestion", args)
	}
	sug := args[1].(string)
	if r := site.Contrast(sug, "#ffffff"); r < site.MinContrast {
		t.Fatalf("suggestion %s fails (%v)", sug, r)
	}
	if out, err := site.Validate(map[string]string{site.Primary: sug, site.Secondary: "#1A237E"}); err != nil || out[site.Secondary] != "#1a237e" {
		t.Fatalf("passing colours refused: %v %v", out, err)
	}
}

// Every colour the check accepts passes each of its uses, by day and in
// dark mode (the dark text colours derived from it included); every colour
// it refuses fails one of them, and its suggestion is accepted. A sweep of
// the colour cube, both keys.
func TestIdentityColourEveryUse(t *testing.T) {
	accepted := map[string]int{}
	for r := 0; r < 256; r += 51 {
		for g := 0; g < 256; g += 51 {
			for b := 0; b < 256; b += 51 {
				c := fmt.Sprintf("#%02x%02x%02x", r, g, b)
				for _, key := range []string{site.Primary, site.Secondary} {
					_, err := site.Validate(map[string]string{key: c})
					failing := ""
					for _, u := range site.Uses(key, c) {
						if site.Contrast(u.Fg, u.Bg) < u.Min {
							failing = u.Key
							break
						}
					}
					if err == nil {
						accepted[key]++
						if failing != "" {
							t.Errorf("%s %s accepted but fails %s", key, c, failing)
						}
						set := site.Settings{Values: map[string]string{key: c}}
						css := set.ThemeCSS()
						if !strings.Contains(css, "prefers-color-scheme: dark") || !strings.Contains(css, site.DarkText(c)) {
							t.Errorf("%s %s: theme without its dark colour: %s", key, c, css)
						}
						continue
					}
					var ve valid.Errors
					if !errors.As(err, &ve) || ve.Key(key) != failing || failing == "" {
						t.Errorf("%s %s refused as %v, the failing use is %q", key, c, err, failing)
						continue
					}
					sug := ve[key].Args[1].(string)
					if _, err := site.Validate(map[string]string{key: sug}); err != nil {
						t.Errorf("%s %s: suggestion %s refused: %v", key, c, sug, err)
					}
				}
			}
		}
	}
	if accepted[site.Primary] < 20 || accepted[site.Secondary] < 20 {
		t.Fatalf("accepted %v: the sweep checks nothing", accepted)
	}
}

// The dark text colour of a day colour passes on every dark ground, and
// stays of its hue (it is lightened, not replaced by white, when it can).
func TestDarkText(t *testing.T) {
	for _, c := range []string{"#0d2b6b", "#a34a00", "#1b5e20", "#000000"} {
		d := site.DarkText(c)
		for _, g := range []string{site.DarkBg, site.DarkSoft, site.DarkOk, site.DarkErr, site.DarkWarn} {
			if r := site.Contrast(d, g); r < site.MinContrast {
				t.Errorf("DarkText(%s) = %s: %.2f on %s", c, d, r, g)
			}
		}
		if d == "#ffffff" {
			t.Errorf("DarkText(%s) is white: the hue is lost", c)
		}
	}
}

// A secondary colour that passes on white but leaves the header's yellow
// focus ring under 3:1 is refused for that use; as a primary, links on the
// footer's grey are its failing use.
func TestSecondaryFocusRingUse(t *testing.T) {
	c := "#757575" // 4.6:1 on white, 2.8:1 with the ring
	if r := site.Contrast(c, site.White); r < site.MinContrast {
		t.Fatalf("%s fails on white (%v): pick another", c, r)
	}
	_, err := site.Validate(map[string]string{site.Secondary: c})
	var ve valid.Errors
	if !errors.As(err, &ve) || ve.Key(site.Secondary) != "site.error.contrast_focus" {
		t.Fatalf("%s: %v, want the focus-ring refusal", c, err)
	}
	// As the links' colour it passes on white but not on the footer's grey.
	_, err = site.Validate(map[string]string{site.Primary: c})
	if !errors.As(err, &ve) || ve.Key(site.Primary) != "site.error.contrast_soft" {
		t.Fatalf("primary %s: %v, want the refusal on the footer's grey", c, err)
	}
}
