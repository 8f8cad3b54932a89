package web

import (
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"portique/internal/site"
)

// The colours of the default theme meet WCAG's contrast ratios: non-text
// parts (the focus ring, field and drop-zone borders, the captcha's border)
// ≥ 3:1 against every background they sit on (WCAG 1.4.11, RGAA 10.7), text
// ≥ 4.5:1 (RGAA 3.2). The ratios are computed from the stylesheets' custom
// properties with WCAG's relative-luminance formula, and the rules are
// checked to use those properties, so a colour changed in the CSS is judged
// here.
func TestThemeContrast(t *testing.T) {
	app := readStatic(t, "app.css")
	light, dark := schemeProperties(app)
	for _, scheme := range []struct {
		name string
		vars map[string]string
	}{{"light", light}, {"dark", dark}} {
		vars := scheme.vars
		col := func(v string) string {
			if strings.HasPrefix(v, "#") {
				return v
			}
			c, ok := vars[v]
			if !ok {
				t.Fatalf("app.css defines no %s", v)
			}
			return c
		}
		for _, c := range themeUses {
			r, err := contrastRatio(col(c.fg), col(c.bg))
			if err != nil {
				t.Fatalf("%s: %v", c.what, err)
			}
			if r < c.min {
				t.Errorf("%s scheme, %s: %s on %s is %.2f:1, want ≥ %.1f:1", scheme.name, c.what, col(c.fg), col(c.bg), r, c.min)
			}
		}
	}
	// The identity's check (internal/site) measures its colours against
	// the grounds this stylesheet paints.
	for _, c := range []struct{ name, got, want string }{
		{"site.White", site.White, light["--bg"]},
		{"site.Soft", site.Soft, light["--soft"]},
		{"site.FocusDay", site.FocusDay, light["--focus-on-dark"]},
		{"site.FocusDay (dark focus ring)", site.FocusDay, dark["--focus"]},
		{"site.DarkBg", site.DarkBg, dark["--bg"]},
		{"site.DarkSoft", site.DarkSoft, dark["--soft"]},
		{"site.DarkOk", site.DarkOk, dark["--ok-bg"]},
		{"site.DarkErr", site.DarkErr, dark["--danger-bg"]},
		{"site.DarkWarn", site.DarkWarn, dark["--warn-bg"]},
	} {
		if !strings.EqualFold(c.got, c.want) {
			t.Errorf("%s is %s, app.css paints %s", c.name, c.got, c.want)
		}
	}
	// The rules use the properties measured above.
	uses := []struct{ file, rule string }{
		{"app.css", `h1 { font-size: 2rem; line-height: 1.2; color: var(--heading); }`},
		{"app.css", `.flash { background: var(--ok-bg);`},
		{"app.css", `.form-errors, .alert { background: var(--danger-bg);`},
		{"app.css", `button.danger, .button.danger { background: var(--danger-button);`},
		{"app.css", `background: var(--field-bg); color: var(--ink); }`},
		{"app.css", `mark { background: var(--mark-bg); color: inherit; }`},
		{"documents.css", `.doc-warning { color: var(--warn-ink);`},
		{"residents.css", `.status.open { color: var(--ok-ink); }`},
		{"calendar.css", `.cal-today { box-shadow: inset 0 0 0 3px var(--heading); }`},
		{"app.css", `:focus-visible { outline: 3px solid var(--focus);`},
		{"app.css", `.site-header :focus-visible, .main-nav :focus-visible { outline-color: var(--focus-on-dark); }`},
		{"app.css", `.main-nav { background: var(--brand-dark); }`},
		{"app.css", `--altcha-color-border: var(--captcha-border); --altcha-color-error-text: var(--captcha-error);`},
		{"documents.css", `.dropzone { border: 2px dashed var(--field-border`},
		{"pages.css", `.hero-title { margin: 0 0 .5rem; font-size: 1.9rem; line-height: 1.2; color: var(--heading); }`},
	}
	for _, u := range uses {
		if !strings.Contains(readStatic(t, u.file), u.rule) {
			t.Errorf("%s no longer holds %q: the contrast measured here is not the one shown", u.file, u.rule)
		}
	}
	// The last focus-ring colour declared wins: no later rule may set the
	// outline to a literal colour the test does not measure.
	last := strings.LastIndex(app, ":focus-visible {")
	if m := regexp.MustCompile(`outline[^;]*#[0-9a-fA-F]{3,6}`).FindString(app[last:]); m != "" {
		t.Errorf("app.css sets a literal focus colour after the measured one: %s", m)
	}
}

// themeUses are the pairs of colours the stylesheets paint, measured in
// the light and the dark scheme.
var themeUses = []struct {
	what, fg, bg string
	min          float64
}{
	{"focus ring on the page", "--focus", "--bg", 3},
	{"focus ring on the footer", "--focus", "--soft", 3},
	{"focus ring on an error summary", "--focus", "--danger-bg", 3},
	{"focus ring on a flash message", "--focus", "--ok-bg", 3},
	{"focus ring on the session warning", "--focus", "--warn-bg", 3},
	{"focus ring on a field", "--focus", "--field-bg", 3},
	{"focus ring in the header", "--focus-on-dark", "--brand", 3},
	{"focus ring in the main menu", "--focus-on-dark", "--brand-dark", 3},
	{"field border", "--field-border", "--bg", 3},
	{"field border on its ground", "--field-border", "--field-bg", 3},
	{"drop-zone border", "--field-border", "--bg", 3},
	{"drop-zone border (file over it)", "--link", "--soft", 3},
	{"captcha border", "--captcha-border", "--bg", 3},
	{"captcha error text", "--captcha-error", "--bg", 4.5},
	{"text", "--ink", "--bg", 4.5},
	{"text in a field", "--ink", "--field-bg", 4.5},
	{"text on a panel", "--ink", "--soft", 4.5},
	{"text of a confirmation", "--ink", "--ok-bg", 4.5},
	{"text of an error summary", "--ink", "--danger-bg", 4.5},
	{"text of a warning", "--ink", "--warn-bg", 4.5},
	{"highlighted text", "--ink", "--mark-bg", 4.5},
	{"muted text", "--muted", "--bg", 4.5},
	{"muted text on a panel", "--muted", "--soft", 4.5},
	{"links", "--link", "--bg", 4.5},
	{"links on a panel", "--link", "--soft", 4.5},
	{"links in a confirmation", "--link", "--ok-bg", 4.5},
	{"links in an error summary", "--link", "--danger-bg", 4.5},
	{"links in a warning", "--link", "--warn-bg", 4.5},
	{"headings", "--heading", "--bg", 4.5},
	{"the hero's title on its panel (large text)", "--heading", "--soft", 3},
	{"header text", "--brand-ink", "--brand", 4.5},
	{"menu text", "--brand-ink", "--brand-dark", 4.5},
	{"button text", "--brand-ink", "--brand", 4.5},
	{"danger button text", "#ffffff", "--danger-button", 4.5},
	{"skip link", "--bg", "--ink", 4.5},
	{"error text", "--danger", "--bg", 4.5},
	{"error text in an error summary", "--danger", "--danger-bg", 4.5},
	{"open now", "--ok-ink", "--bg", 4.5},
	{"done in the go-live checklist", "--ok", "--soft", 4.5},
	{"today's frame in the calendar", "--heading", "--bg", 3},
	{"warning text", "--warn-ink", "--bg", 4.5},
	{"warning border", "--warn-line", "--warn-bg", 3},
}

// schemeProperties returns the colour custom properties of app.css in the
// light scheme (the :root blocks outside any @media) and in the dark one
// (the light ones, then those of the screen and dark @media block).
func schemeProperties(css string) (light, dark map[string]string) {
	plain, media := splitMedia(css)
	light = cssCustomProperties(plain)
	dark = maps.Clone(light)
	n := 0
	for q, body := range media {
		if strings.Contains(q, "prefers-color-scheme: dark") {
			maps.Copy(dark, cssCustomProperties(body))
			n++
		}
	}
	if n == 0 {
		dark = map[string]string{}
	}
	return light, dark
}

// splitMedia separates a stylesheet's top-level @media blocks (query →
// body) from the rest.
func splitMedia(css string) (string, map[string]string) {
	var plain strings.Builder
	media := map[string]string{}
	for {
		i := strings.Index(css, "@media")
		if i < 0 {
			plain.WriteString(css)
			return plain.String(), media
		}
		plain.WriteString(css[:i])
		open := strings.IndexByte(css[i:], '{')
		if open < 0 {
			return plain.String(), media
		}
		query := strings.TrimSpace(css[i+len("@media") : i+open])
		depth, j := 0, i+open
		for ; j < len(css); j++ {
			if css[j] == '{' {
				depth++
			} else if css[j] == '}' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		media[query] += css[i+open+1 : min(j, len(css))]
		css = css[min(j+1, len(css)):]
	}
}

func TestContrastRatioFormula(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#ffffff", 1},
		{"#ffbf47", "#ffffff", 1.64}, // the measure of the old ring
		{"#a0a0a0", "#fff", 2.61},    // ALTCHA's default border
		{"#f23939", "#ffffff", 3.87}, // ALTCHA's default error text
		{"#c9cfc6", "#ffffff", 1.59}, // the old drop-zone border
	} {
		got, err := contrastRatio(c.a, c.b)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", c.a, c.b, got, c.want)
		}
	}
	if _, err := contrastRatio("red", "#fff"); err == nil {
		t.Error("a named colour was accepted")
	}
}

func readStatic(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("static/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	rootBlockRE = regexp.MustCompile(`(?s):root\s*\{([^}]*)\}`)
	customRE    = regexp.MustCompile(`(--[a-z0-9-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\b`)
)

// cssCustomProperties returns the colour custom properties of the
// stylesheet's :root blocks, a later declaration replacing an earlier one.
func cssCustomProperties(css string) map[string]string {
	out := map[string]string{}
	for _, b := range rootBlockRE.FindAllStringSubmatch(css, -1) {
		for _, d := range customRE.FindAllStringSubmatch(b[1], -1) {
			out[d[1]] = d[2]
		}
	}
	return out
}

// contrastRatio is WCAG 2.1's contrast ratio of two #rgb / #rrggbb colours.
func contrastRatio(a, b string) (float64, error) {
	la, err := luminance(a)
	if err != nil {
		return 0, err
	}
	lb, err := luminance(b)
	if err != nil {
		return 0, err
	}
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05), nil
}

func luminance(hex string) (float64, error) {
	h := strings.TrimPrefix(hex, "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 || !strings.HasPrefix(hex, "#") {
		return 0, fmt.Errorf("not a #rrggbb colour: %q", hex)
	}
	var ch [3]float64
	for i := range ch {
		v, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			return 0, fmt.Errorf("not a #rrggbb colour: %q", hex)
		}
		c := float64(v) / 255
		if c <= 0.03928 {
			ch[i] = c / 12.92
		} else {
			ch[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*ch[0] + 0.7152*ch[1] + 0.0722*ch[2], nil
}
