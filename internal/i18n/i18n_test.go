package i18n_test

import (
	"testing"

	"portique/internal/i18n"
)

func TestFrenchCatalogue(t *testing.T) {
	c, err := i18n.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("site.login"); got != "Se connecter" {
		t.Fatalf("T(site.login) = %q", got)
	}
	if got := c.T("no.such.key"); !i18n.Missing(got) {
		t.Fatalf("missing key gave %q, want a marker", got)
	}
	for _, k := range c.Keys() {
		if c.T(k) == "" {
			t.Errorf("key %q has an empty text", k)
		}
	}
}

func TestUnknownLanguage(t *testing.T) {
	if _, err := i18n.Load("xx"); err == nil {
		t.Fatal("loading an absent language must fail")
	}
}
