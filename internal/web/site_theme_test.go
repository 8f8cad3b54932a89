package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var themeLinkRe = regexp.MustCompile(`href="(/site/theme/[0-9a-f]{12}\.css)"`)

// An identity colour too light for white is refused on the form with its
// ratio and a passing colour; accepted colours give a stylesheet with a
// hashed name, cached for a year, linked from every page, and a change
// gives a new name.
func TestSiteThemeColours(t *testing.T) {
	ts := newAccountsServer(t)
	adm := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	visitor := ts.visitor()
	if themeLinkRe.MatchString(body(t, visitor.get(t, "/"))) {
		t.Fatal("a theme stylesheet without any colour set")
	}

	f := siteForm()
	f.Set("colour_primary", "#ffa500")
	rec := adm.post(t, "/admin/parametres", f)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if b := body(t, rec); !strings.Contains(b, "rapport 1.97 pour 1") || !strings.Contains(b, "Couleur proche qui convient : #") {
		t.Fatalf("refusal lacks the ratio or the suggestion: %s", b)
	}

	var urls []string
	for _, c := range []string{"#0d2b6b", "#a34a00"} {
		f = siteForm()
		f.Set("colour_primary", c)
		f.Set("colour_secondary", c)
		wantStatus(t, adm.post(t, "/admin/parametres", f), http.StatusSeeOther)
		m := themeLinkRe.FindStringSubmatch(body(t, visitor.get(t, "/")))
		if m == nil {
			t.Fatalf("%s: no theme stylesheet linked", c)
		}
		rec = visitor.get(t, m[1])
		wantStatus(t, rec, http.StatusOK)
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("theme cache-control %q", cc)
		}
		if b := rec.Body.String(); !strings.Contains(b, "--link: "+c) || !strings.Contains(b, "--brand: "+c) {
			t.Errorf("theme %s lacks the colour: %s", m[1], b)
		}
		urls = append(urls, m[1])
	}
	if urls[0] == urls[1] {
		t.Error("a change of colour kept the stylesheet's name")
	}
	wantStatus(t, visitor.get(t, urls[0]), http.StatusNotFound)
}

// The footer gives the body's address, telephone, e-mail and opening hours
// from the settings (the hours line by line, escaped).
func TestFooterContact(t *testing.T) {
	ts := newAccountsServer(t)
	adm := ts.loginAs(t, ts.createUser(t, "admin@example.fr", true))
	wantStatus(t, adm.post(t, "/admin/parametres", siteForm()), http.StatusSeeOther)
	if b := body(t, ts.visitor().get(t, "/")); strings.Contains(b, "footer-hours") {
		t.Error("the footer shows opening hours that were never entered")
	}
	form := siteForm()
	form.Set("hours", "Du lundi au vendredi : 9 h – 12 h\n<b>Fermé</b> le samedi")
	wantStatus(t, adm.post(t, "/admin/parametres", form), http.StatusSeeOther)
	b := body(t, ts.visitor().get(t, "/mentions-legales"))
	for _, want := range []string{"07000 Privas", "04 75 00 00 00", `href="tel:04`, `href="mailto:contact@eaux-val.fr"`,
		"Du lundi au vendredi : 9 h – 12 h<br>&lt;b&gt;Fermé&lt;/b&gt; le samedi"} {
		if !strings.Contains(b, want) {
			t.Errorf("footer lacks %q", want)
		}
	}
}
