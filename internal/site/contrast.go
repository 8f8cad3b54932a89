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

// Passing returns the colour nearest to hex (the same hue, darkened step by
// step) that reaches MinContrast against white; hex itself when it does.
func Passing(hex string) string {
	var c [3]float64
	for i := range c {
		n, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c[i] = float64(n)
	}
	for step := 0; step <= 100; step++ {
		k := 1 - float64(step)/100
		out := fmt.Sprintf("#%02x%02x%02x", int(math.Round(c[0]*k)), int(math.Round(c[1]*k)), int(math.Round(c[2]*k)))
		if Contrast(out, "#ffffff") >= MinContrast {
			return out
		}
	}
	return "#000000"
}

// checkContrast refuses an identity colour that fails any of its uses;
// the message gives the ratio and the nearest passing colour.
func checkContrast(errs interface {
	Add(field, key string, args ...any)
}, key, v string) bool {
	if v == "" {
		return true
	}
	if r := Contrast(v, "#ffffff"); r < MinContrast {
		errs.Add(key, "site.error.contrast", strconv.FormatFloat(math.Floor(r*100)/100, 'f', 2, 64), Passing(v))
		return false
	}
	return true
}

// ThemeCSS is the stylesheet of the identity: the theme's custom
// properties set from the colours (empty when none is set; the bundled
// defaults apply). Every value was checked by Validate.
func (s *Settings) ThemeCSS() string {
	p, sec := s.Get(Primary), s.Get(Secondary)
	if p == "" && sec == "" {
		return ""
	}
	css := ":root {"
	if p != "" {
		css += " --link: " + p + "; --ok: " + p + ";"
	}
	if sec != "" {
		css += " --brand: " + sec + ";"
	}
	return css + " }\n"
}
