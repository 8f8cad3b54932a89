package search

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Déchèterie", "decheterie"},
		{"re\u0301capitulatif", "recapitulatif"},
		{"coeﬃcient aﬄux", "coefficient afflux"},
		{"Œuvre, nœud, vitæ", "oeuvre, noeud, vitae"},
		{"l’Ardèche d‘eau", "l'ardeche d'eau"},
		{"ÉLIMINA\u00adTION", "elimination"},
		{"ＡＢＣ", "abc"},
		{"Straße", "strasse"},
	} {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestAnalyzeSameTokens lists forms that must give the same tokens: this is
// what makes one of them find the other.
func TestAnalyzeSameTokens(t *testing.T) {
	for _, forms := range [][]string{
		{"déchet", "déchets", "dechets", "DÉCHETS"},
		{"collecte", "collectes", "collectées", "collectees"},
		{"bioseau", "bioseaux"},
		{"bocal", "bocaux"},
		{"accord-cadre", "accords-cadres", "accord cadre"},
		{"œuvre", "oeuvre", "OEUVRE", "Œuvres"},
		{"vitæ", "vitae"},
		{"coeﬃcient", "coefficient"},
		{"récapitulatif", "re\u0301capitulatif", "recapitulatif"},
		{"l’Ardèche", "l'Ardeche", "ardeche", "Ardèche"},
		{"électricité", "electricite"},
		{"déchèterie", "decheterie", "déchèteries"},
		{"déchèterie", "déchetterie", "DÉCHETTERIES", "dechetterie"},
		{"clé", "clef", "clefs"},
	} {
		want := Analyze(forms[0])
		for _, f := range forms[1:] {
			if got := Analyze(f); !slices.Equal(got, want) {
				t.Errorf("Analyze(%q) = %q, want %q (as %q)", f, got, want, forms[0])
			}
		}
	}
	// And forms that must stay apart.
	for _, pair := range [][2]string{
		{"déchetterie", "déchet"},
		{"déchèterie", "déchet"},
		{"tri", "trimestre"},
	} {
		if a, b := Analyze(pair[0]), Analyze(pair[1]); slices.Equal(a, b) {
			t.Errorf("Analyze(%q) = Analyze(%q) = %q, want different", pair[0], pair[1], a)
		}
	}
}

func TestAnalyzeTokens(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ,;:!  ", nil},
		{"Délibération n° 2026-014", []string{"deliber", "n", "2026", "014"}},
		{"qu’il l'eau jusqu'à", []string{"il", "eau", "a"}},
		{"aujourd'hui", []string{"aujourd", "hui"}},
		{"l'", []string{"l"}}, // an apostrophe without a word after is no elision
		{"½", []string{"1", "2"}},
		{strings.Repeat("b", 200), []string{strings.Repeat("b", maxTokenBytes)}},
	} {
		if got := Analyze(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Analyze(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestJoinHyphenated(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"séparateur d'hy-\ndrocarbures sur", "séparateur d'hydrocarbures sur"},
		{"rayon de gira-\n     tion adapté", "rayon de giration adapté"},  // pdftotext -layout indents
		{"factures trimestrielle-\r\nment", "factures trimestriellement"}, // CRLF
		{"Mme Annie Combalu-\nzier, M.", "Mme Annie Combaluzier, M."},     // capitalised word, lower-case rest
		{"Pierre-\nlatte", "Pierrelatte"},
		{"Nyons et Buis-\nles-Baronnies.", "Nyons et Buis-les-Baronnies."}, // compound goes on
		{"Saint-Paul-Trois-\nChâteaux", "Saint-Paul-Trois-Châteaux"},       // capital after
		{"Saint-\nPaul", "Saint-Paul"},
		{"le samedi après-\nmidi", "le samedi après-midi"}, // known start
		{"des garde-\ncorps", "des garde-corps"},
		{"les accords-\ncadres", "les accords-cadres"},
		{"dit-\nil", "dit-il"},                                       // known end
		{"c'est-à-\ndire", "c'est-à-dire"},                           // one letter before
		{"PLPDMA 2026-\n2031", "PLPDMA 2026-2031"},                   // digits: a range
		{"liste :\n- verre\n- papier", "liste :\n- verre\n- papier"}, // bullets untouched
		{"fin -\nsuite", "fin -\nsuite"},                             // a dash, not a word break
		{"élimina\u00ad\ntion", "élimination"},                       // soft hyphen
		{"exploi-\ntation", "exploitation"},
		{"mi-\nnistère", "ministère"},
		{"no hyphen here\nat all", "no hyphen here\nat all"},
		{"trailing-", "trailing-"},
		{"trailing-\n", "trailing-\n"},
	} {
		if got := JoinHyphenated(c.in); got != c.want {
			t.Errorf("JoinHyphenated(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	for _, c := range []struct {
		in, fts, ts string
	}{
		{"déchets verts", `"dechet" AND "vert"`, `'dechet' & 'vert'`},
		{`"mise en œuvre"`, `"mis en oeuvr"`, `('mis' <-> 'en' <-> 'oeuvr')`},
		{"accord-cadre", `"accord cadr"`, `('accord' <-> 'cadr')`},
		{"bioseau OR composteur tri", `("bioseau" OR "composteur") AND "tri"`, `('bioseau' | 'composteur') & 'tri'`},
		{"bioseau OU composteur", `("bioseau" OR "composteur")`, `('bioseau' | 'composteur')`},
		{"verre -bocaux", `("verr") NOT ("bocal")`, `'verr' & !'bocal'`},
		{`verre -"mise en"`, `("verr") NOT ("mis en")`, `'verr' & !('mis' <-> 'en')`},
		{`NEAR(a b) AND "x`, `"near a" AND "b" AND "and" AND "x"`, `('near' <-> 'a') & 'b' & 'and' & 'x'`},
		{`or gold`, `"or" AND "gold"`, `'or' & 'gold'`},
		{`OR verre OR`, `"verr"`, `'verr'`},
		{`*`, ``, ``},
	} {
		pq := parseQuery(c.in)
		if got := pq.fts5(); got != c.fts {
			t.Errorf("parseQuery(%q).fts5() = %s, want %s", c.in, got, c.fts)
		}
		if got := pq.tsquery(); got != c.ts {
			t.Errorf("parseQuery(%q).tsquery() = %s, want %s", c.in, got, c.ts)
		}
	}
	if !parseQuery("-seul").empty() || !parseQuery(`"" * ()`).empty() || parseQuery("a -b").empty() {
		t.Error("empty() wrong")
	}
}

func TestSnippet(t *testing.T) {
	terms := parseQuery("collecte verre").terms()
	got := snippet("La  collecte\ndu <verre> & des collectes.", terms)
	want := "La <mark>collecte</mark> du &lt;<mark>verre</mark>&gt; &amp; des <mark>collectes</mark>."
	if got != want {
		t.Errorf("snippet = %q, want %q", got, want)
	}
	if got := snippet("", terms); got != "" {
		t.Errorf("snippet of nothing = %q", got)
	}
	// NFD text: the mark wraps the whole word, combining accent included.
	got = snippet("Tableau re\u0301capitulatif.", parseQuery("récapitulatif").terms())
	if !strings.Contains(got, "<mark>re\u0301capitulatif</mark>") {
		t.Errorf("snippet = %q, want the NFD word marked whole", got)
	}
}

// FuzzNormalize: any input is analysed without panic into tokens made of
// letters and digits only (what keeps both engines' syntax out of reach),
// analysing is stable, and snippets are well-formed, escaped text.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "Déchèterie", "re\u0301capitulatif", "coeﬃcient", "l’Ardèche", "½ ² ǅ İ ß",
		"\x00\xff\xfe", "a\u0301\u0301\u0301", "qu'", "'l'l'l'", strings.Repeat("é", 100), "<mark>x</mark>", "hy-\ndro"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Analyze(s)
		for _, tok := range toks {
			if tok == "" || !utf8.ValidString(tok) || len(tok) > maxTokenBytes {
				t.Fatalf("Analyze(%q): bad token %q", s, tok)
			}
			for _, r := range tok {
				if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
					t.Fatalf("Analyze(%q): token %q has %q", s, tok, r)
				}
			}
		}
		if again := Analyze(strings.Join(toks, " ")); len(again) != len(toks) {
			t.Fatalf("Analyze not stable on %q: %q then %q", s, toks, again)
		}
		sn := snippet(s, map[string]bool{"a": true})
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(sn, "<mark>", ""), "</mark>", ""), "<") {
			t.Fatalf("snippet(%q) = %q: unescaped <", s, sn)
		}
		_ = JoinHyphenated(s)
	})
}

// FuzzParseQuery: the rendered engine queries only ever contain our quoted
// tokens and our operators.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`a "b c" -d OR e`, `"`, `-`, `NEAR(a b)`, "\x00", `'; DROP`, `a:*`, `((((`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pq := parseQuery(s)
		fts := pq.fts5()
		for _, c := range pq.clauses {
			for _, p := range c.alts {
				if len(p) == 0 {
					t.Fatalf("%q: empty phrase", s)
				}
			}
		}
		// Outside double quotes, only operators and parentheses.
		outside := strings.Builder{}
		in := false
		for _, r := range fts {
			if r == '"' {
				in = !in
				continue
			}
			if !in {
				outside.WriteRune(r)
			}
		}
		rest := strings.NewReplacer("AND", "", "OR", "", "NOT", "", "(", "", ")", "", " ", "").Replace(outside.String())
		if rest != "" || in {
			t.Fatalf("%q: fts5 %q has %q outside quotes", s, fts, rest)
		}
		if strings.ContainsAny(pq.tsquery(), `\:*`) {
			t.Fatalf("%q: tsquery %q has a forbidden character", s, pq.tsquery())
		}
	})
}
