package pages_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"portique/internal/pages"
)

func TestSlugify(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Réduire ses déchets", "reduire-ses-dechets"},
		{"Œuvre d’art", "oeuvre-d-art"},
		{"L'économie circulaire", "l-economie-circulaire"},
		{"  Déchèteries : horaires & accès  ", "decheteries-horaires-acces"},
		{"Guide du tri — 2026", "guide-du-tri-2026"},
		{"ÇA MARCHE", "ca-marche"},
		{"Cœur, sœur, Æsop, straße", "coeur-soeur-aesop-strasse"},
		{"---", "page"},
		{"", "page"},
		{"日本語", "page"},
		{"Espace élus", "espace-elus"},
	}
	for _, c := range cases {
		if got := pages.Slugify(c.in); got != c.want {
			t.Errorf("Slugify(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("déchets verts ", 20)
	if got := pages.Slugify(long); len(got) > pages.MaxSlug || !pages.ValidSlug(got) || strings.HasSuffix(got, "-") {
		t.Errorf("Slugify(long) = %q (len %d), want a valid slug of at most %d bytes", got, len(got), pages.MaxSlug)
	}
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{
		"reduire-ses-dechets": true, "a": true, "2026": true,
		"": false, "-a": false, "a-": false, "a--b": false, "Abc": false, "é": false, "a/b": false, "a_b": false, "a.b": false,
	} {
		if got := pages.ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{"": "/", "/": "/", "//a//b/": "/a/b", "/le-syndicat/": "/le-syndicat"} {
		if got := pages.CleanPath(in); got != want {
			t.Errorf("CleanPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSlugify: whatever the title, the slug is valid, stable and short.
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Réduire ses déchets", "Œuvre", "", "\x00\xff", "a--b", strings.Repeat("é-", 100), "İstanbul ǅ ﬁ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := pages.Slugify(in)
		if !pages.ValidSlug(got) {
			t.Fatalf("Slugify(%q) = %q, not a valid slug", in, got)
		}
		if again := pages.Slugify(got); again != got {
			t.Fatalf("Slugify not idempotent: %q → %q → %q", in, got, again)
		}
		if !utf8.ValidString(got) || len(got) > pages.MaxSlug {
			t.Fatalf("Slugify(%q) = %q: too long or not UTF-8", in, got)
		}
	})
}
