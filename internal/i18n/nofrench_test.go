package i18n_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The French texts of the interface live in internal/i18n/fr/*.json; Go
// holds catalogue keys. TestNoFrenchInGo scans every non-test .go file of the
// repository for string literals that look like French sentences and fails
// on any outside the allowlists below.

// allowed are the places where French text in Go is data, for good. An
// entry is a file (or a folder, ending in "/") relative to the repository,
// or "file:Name" for the literals inside one top-level declaration only.
var allowed = map[string]string{
	// Demo seed data: the demo site's own content.
	"internal/pages/seed.go":          "demo seed data",
	"internal/pages/news_seed.go":     "demo seed data: the news items",
	"internal/pages/bulk.go:SeedBulk": "seed data of the load-test tree",
	"internal/calendar/seed.go":       "demo seed data",
	"internal/documents/demo.go":      "demo seed data",
	"internal/acts/demo.go":           "demo seed data: a year of the syndicate's acts",
	"internal/collecte/demo.go":       "demo seed data: the territory's communes and their collection days",
	"internal/users/demo.go":          "demo seed data",
	"internal/app/demo.go":            "demo seed data",
	"internal/app/demo_areas.go":      "demo seed data",
	"internal/convocations/demo.go":   "demo seed data: the comité's delegates and agenda",
	"internal/site/demo.go":           "demo seed data: the demo body's legal mentions",
	"internal/menu/demo.go":           "demo seed data: the syndicate's menu",
	// The load generator reads the demo's data by its French names.
	"cmd/portique-bench/main.go:main":    "names the demo's élu in a flag's help",
	"cmd/portique-bench/main.go:session": "finds the demo's group Élus by name",
	// The catalogue itself.
	"internal/i18n/": "the catalogue",
	// Character folding and word tables of the search engine: data about
	// French words, not sentences.
	"internal/search/normalize.go:elisions":    "elided articles (l’, qu’…)",
	"internal/search/normalize.go:ligatures":   "character folding table",
	"internal/search/hyphen.go:compoundStarts": "compound-word table",
	"internal/search/hyphen.go:compoundEnds":   "compound-word table",
	"internal/pages/slug.go:ligatures":         "character folding table",
	// The words a contact form's labels are matched with: data about
	// French words, not sentences.
	"internal/contact/form/form.go:autocompleteWords": "labels of personal data fields (autocomplete tokens)",
}

func TestNoFrenchInGo(t *testing.T) {
	root := repoRoot(t)
	hits, err := scanFrench(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if isAllowed(h) {
			continue
		}
		t.Errorf("%s:%d: French text in Go, use a catalogue key (internal/i18n/fr/*.json): %q", h.file, h.line, h.text)
	}
}

// TestNoFrenchScannerCatches proves the scan can fail: a French sentence
// added to the pages area is reported, and only the allowlists let one by.
func TestNoFrenchScannerCatches(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module x\n")
	write("internal/pages/store.go", "package pages\n\nfunc note() string { return \"Création du site\" }\n\nconst key = \"pages.flash.saved\"\n")
	write("internal/pages/store_test.go", "package pages\n\nvar _ = \"Une phrase de test\"\n")
	write("internal/pages/seed.go", "package pages\n\nvar demo = \"Le syndicat des déchets\"\n")
	write("internal/search/normalize.go", "package search\n\nvar ligatures = []string{\"œ\", \"oe\", \"Æ et æ\"}\n\nfunc msg() string { return \"Aucun résultat\" }\n")
	hits, err := scanFrench(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits {
		got = append(got, fmt.Sprintf("%s:%d %s allowed=%v", h.file, h.line, h.text, isAllowed(h)))
	}
	want := []string{
		"internal/pages/seed.go:3 Le syndicat des déchets allowed=true",
		"internal/pages/store.go:3 Création du site allowed=false",
		// A table is allowed by its name, not the file it lives in; the
		// tests' own files are never scanned.
		"internal/search/normalize.go:3 Æ et æ allowed=true",
		"internal/search/normalize.go:5 Aucun résultat allowed=false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("hits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLooksFrench(t *testing.T) {
	for s, want := range map[string]bool{
		"Création du site":                    true,
		"Restauration de la version du %s":    true,
		" à ":                                 true,
		"l’agenda":                            true,
		"« guillemets »":                      true,
		"Liste des sous-pages":                true,
		"groupe %d: %s":                       false, // no accent, no common word between spaces
		"hérite":                              true,
		"œ":                                   false, // a folding table's letter
		"pages.error.title_required":          false,
		"SELECT id FROM pages WHERE path = ?": false,
		"path=%s rev=%d→%d":                   false,
		"Mo":                                  false,
		"… ":                                  false,
		"Page de test":                        true,
		"database unreachable\n":              false,
	} {
		if got := looksFrench(s); got != want {
			t.Errorf("looksFrench(%q) = %v, want %v", s, got, want)
		}
	}
}

type hit struct {
	file string // slash path relative to the repository
	decl string // top-level declaration holding the literal
	line int
	text string
}

func isAllowed(h hit) bool {
	for k := range allowed {
		if h.file == k || strings.HasSuffix(k, "/") && strings.HasPrefix(h.file, k) || k == h.file+":"+h.decl {
			return true
		}
	}
	return false
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// scanFrench lists the French-looking string literals of the non-test Go
// files under root.
func scanFrench(root string) ([]hit, error) {
	var out []hit
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata", "vendor":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			name := declName(decl)
			ast.Inspect(decl, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil || !looksFrench(s) {
					return true
				}
				out = append(out, hit{file: rel, decl: name, line: fset.Position(lit.Pos()).Line, text: s})
				return true
			})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].file != out[j].file {
			return out[i].file < out[j].file
		}
		return out[i].line < out[j].line
	})
	return out, err
}

func declName(d ast.Decl) string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) > 0 {
			t := d.Recv.List[0].Type
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			if id, ok := t.(*ast.Ident); ok {
				return id.Name + "." + d.Name.Name
			}
		}
		return d.Name.Name
	case *ast.GenDecl:
		for _, sp := range d.Specs {
			switch sp := sp.(type) {
			case *ast.ValueSpec:
				return sp.Names[0].Name
			case *ast.TypeSpec:
				return sp.Name.Name
			}
		}
	}
	return ""
}

// frenchWords are short words of French sentences that English, SQL and
// keys do not use between spaces.
var frenchWords = map[string]bool{
	"le": true, "la": true, "les": true, "de": true, "des": true, "du": true,
	"un": true, "une": true, "et": true, "pour": true, "sur": true, "dans": true,
	"pas": true, "est": true, "au": true, "aux": true, "avec": true, "sans": true,
	"ce": true, "cette": true, "vous": true, "votre": true, "nous": true, "ou": true,
	"par": true, "qui": true, "que": true, "son": true, "sa": true, "ses": true,
	"sous": true,
}

// looksFrench reports whether s reads like French text: a word with an
// accented letter (a lone letter only when s has spaces, so the letters of
// folding tables pass), a typographic apostrophe or guillemet next to a
// letter, or a common French word between spaces.
func looksFrench(s string) bool {
	if strings.ContainsAny(s, "’«»") {
		for _, r := range s {
			if unicode.IsLetter(r) {
				return true
			}
		}
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range words {
		if strings.ContainsAny(w, "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ") && (len([]rune(w)) > 1 || strings.Contains(s, " ")) {
			return true
		}
	}
	fields := strings.Fields(s)
	for i := 1; i+1 < len(fields); i++ {
		if frenchWords[strings.ToLower(fields[i])] {
			return true
		}
	}
	return false
}
