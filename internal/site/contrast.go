package site

import (
	"fmt"
	"math"
	"strconv"
)

// The identity's colours. The theme uses both as text on the white page
// (links, headings), as the background of white text (buttons, the header
// band) and as the focus ring: each of these needs WCAG AA, so each colour
// must reach MinContrast against white.
const (
	Primary   = "colour_primary"
	Secondary = "colour_secondary"
)

// MinContrast is the WCAG 2.1 AA ratio for normal text (1.4.3); it also
// covers the 3:1 of the focus ring and of the controls (1.4.11).
const MinContrast = 4.5

// Luminance is the relative luminance of #rrggbb (WCAG 2.1 definition).
func Luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		n, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		v := float64(n) / 255
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		c[i] = v
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

// Contrast is the WCAG contrast ratio of two #rrggbb colours (1 to 21).
func Contrast(a, b string) float64 {
	la, lb := Luminance(a), Luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// The grounds and rings the identity's colours meet, as the stylesheets
// set them (internal/web's contrast test checks app.css says the same).
const (
	White    = "#ffffff"
	Soft     = "#f3f5f2" // footer, panels (--soft)
	FocusDay = "#ffbf47" // focus ring on the header band (--focus-on-dark), and every focus ring in dark mode
	DarkBg   = "#121412" // the page in dark mode (--bg)
	DarkSoft = "#1f241f" // panels in dark mode (--soft)
	DarkOk   = "#173a1c" // a confirmation in dark mode (--ok-bg)
	DarkErr  = "#41161b" // an error summary in dark mode (--danger-bg)
	DarkWarn = "#3b2f0b" // a warning in dark mode (--warn-bg)
)

// darkGrounds are the backgrounds of text in dark mode.
var darkGrounds = []string{DarkBg, DarkSoft, DarkOk, DarkErr, DarkWarn}

// Use is one place a theme colour appears: Fg on Bg must reach Min.
type Use struct {
	Key    string // the catalogue key of the refusal for this use (site.error.contrast*)
	Fg, Bg string
	Min    float64
}

// Uses lists every use of the identity colour set under key (Primary or
// Secondary) with value hex, in the light and the dark scheme: the
// primary is the links' colour; the secondary the header band's and the
// buttons' background (white text, the focus ring), and the headings'
// colour. In dark mode the text colours are the ones DarkText derives.
func Uses(key, hex string) []Use {
	if key == Primary {
		d := DarkText(hex)
		u := []Use{
			{"site.error.contrast", hex, White, MinContrast},
			{"site.error.contrast_soft", hex, Soft, MinContrast},
		}
		for _, g := range darkGrounds {
			u = append(u, Use{"site.error.contrast_dark", d, g, MinContrast})
		}
		return u
	}
	d := DarkText(hex)
	u := []Use{
		{"site.error.contrast", hex, White, MinContrast},
		{"site.error.contrast_button", White, hex, MinContrast},
		{"site.error.contrast_focus", FocusDay, hex, 3},
	}
	for _, g := range darkGrounds {
		u = append(u, Use{"site.error.contrast_dark", d, g, MinContrast})
	}
	return u
}

// passes reports whether every use of the colour reaches its ratio.
func passes(key, hex string) bool {
	for _, u := range Uses(key, hex) {
		if Contrast(u.Fg, u.Bg) < u.Min {
			return false
		}
	}
	return true
}

// DarkText is the colour in dark mode of text drawn in hex by day: the same
// hue mixed with white, step by step, until it reaches MinContrast on every
// dark ground (white itself, at the latest, does).
func DarkText(hex string) string {
	c := rgb(hex)
	for step := 0; step <= 100; step++ {
		k := float64(step) / 100
		out := fmt.Sprintf("#%02x%02x%02x", int(math.Round(c[0]+(255-c[0])*k)), int(math.Round(c[1]+(255-c[1])*k)), int(math.Round(c[2]+(255-c[2])*k)))
		ok := true
		for _, g := range darkGrounds {
			if Contrast(out, g) < MinContrast {
				ok = false
				break
			}
		}
		if ok {
			return out
		}
	}
	return White
}

func rgb(hex string) [3]float64 {
	var c [3]float64
	for i := range c {
		n, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c[i] = float64(n)
	}
	return c
}

// Passing returns the colour nearest to hex (the same hue, darkened step by
// step) that passes every use of the identity colour key; hex itself when
// it does.
func Passing(key, hex string) string {
	c := rgb(hex)
	for step := 0; step <= 100; step++ {
		k := 1 - float64(step)/100
		out := fmt.Sprintf("#%02x%02x%02x", int(math.Round(c[0]*k)), int(math.Round(c[1]*k)), int(math.Round(c[2]*k)))
		if passes(key, out) {
			return out
		}
	}
	return "#000000"
}

// checkContrast refuses an identity colour that fails any of its uses,
// light or dark; the message names the use and gives the ratio and the
// nearest passing colour.
func checkContrast(errs interface {
	Add(field, key string, args ...any)
}, key, v string) bool {
	if v == "" {
		return true
	}
	ratio := func(r float64) string { return strconv.FormatFloat(math.Floor(r*100)/100, 'f', 2, 64) }
	for _, u := range Uses(key, v) {
		if r := Contrast(u.Fg, u.Bg); r < u.Min {
			errs.Add(key, u.Key, ratio(r), Passing(key, v))
			return false
		}
	}
	return true
}

// ThemeCSS is the stylesheet of the identity: the theme's custom
// properties set from the colours (empty when none is set; the bundled
// defaults apply), with the dark scheme's text colours derived from them
// (DarkText). Every value was checked by Validate, light and dark.
func (s *Settings) ThemeCSS() string {
	p, sec := s.Get(Primary), s.Get(Secondary)
	if p == "" && sec == "" {
		return ""
	}
	css, dark := ":root {", ""
	if p != "" {
		css += " --link: " + p + "; --ok: " + p + ";"
		dark += " --link: " + DarkText(p) + ";"
	}
	if sec != "" {
		css += " --brand: " + sec + "; --heading: " + sec + ";"
		dark += " --heading: " + DarkText(sec) + ";"
	}
	return css + " }\n@media screen and (prefers-color-scheme: dark) { :root {" + dark + " } }\n"
}
