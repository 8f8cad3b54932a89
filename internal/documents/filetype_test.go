package documents

import (
	"mime"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"portique/internal/i18n"
	"portique/internal/valid"
)

var fr = i18n.MustLoad("fr")

func TestSanitizeFilename(t *testing.T) {
	cases := map[string]string{
		"../../etc/passwd":                 "passwd",
		`..\..\windows\system32\cmd.exe`:   "cmd.exe",
		"rapport\x00.pdf":                  "rapport.pdf",
		"  .cache  ":                       "cache",
		"..":                               "document",
		"":                                 "document",
		"Compte rendu  du\tcomité.pdf":     "Compte rendu du comité.pdf",
		"e\u0301te\u0301.pdf":              "été.pdf",
		"facture\u202Efdp.exe":             "facturefdp.exe",
		`a<b>c:d"e|f?g*h.pdf`:              "a_b_c_d_e_f_g_h.pdf",
		"C:\\Users\\Élu\\Délibération.odt": "Délibération.odt",
	}
	for in, want := range cases {
		if got := SanitizeFilename(in); got != want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", in, got, want)
		}
	}
	long := SanitizeFilename(strings.Repeat("é", 300) + ".pdf")
	if len(long) > MaxFilenameBytes || !strings.HasSuffix(long, ".pdf") || !utf8.ValidString(long) {
		t.Errorf("long name → %d bytes %q", len(long), long)
	}
}

func FuzzSanitizeFilename(f *testing.F) {
	for _, s := range []string{"../../etc/passwd", "a\x00b.pdf", strings.Repeat("x", 300) + ".pdf",
		"\xff\xfe.pdf", ". .", "/", "é" + strings.Repeat("\u0301", 200), "..\\..\\x", "\u202e.pdf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := SanitizeFilename(in)
		if out == "" || len(out) > MaxFilenameBytes+8 || !utf8.ValidString(out) {
			t.Fatalf("%q → %q (%d bytes)", in, out, len(out))
		}
		if strings.ContainsAny(out, "/\\\x00") || out == "." || out == ".." || strings.HasPrefix(out, ".") {
			t.Fatalf("%q → unsafe %q", in, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("%q → %q keeps control or format character %U", in, out, r)
			}
		}
		if again := SanitizeFilename(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
		}
	})
}

// FuzzCheckFile feeds arbitrary bytes and names to the type check: it must
// never panic, and what it accepts has an accepted type and a safe name.
func FuzzCheckFile(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), "a.pdf")
	f.Add([]byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), "a.docx")
	f.Add([]byte("<html><body>x</body></html>"), "a.txt")
	f.Add([]byte("commune;tonnage\nDie;3\n"), "../t.csv")
	f.Add([]byte("\x89PNG\r\n\x1a\n"), "x.pdf")
	f.Add([]byte("MZ\x90\x00"), "x")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte, name string) {
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		mt, clean, err := CheckFile(p, int64(len(b)), name)
		if err != nil {
			ve, ok := err.(valid.Errors)
			if !ok || ve.Key("file") == "" || !fr.Has(ve.Key("file")) {
				t.Fatalf("not a catalogued refusal on \"file\": %v", err)
			}
			return
		}
		ok := false
		for _, ft := range fileTypes {
			ok = ok || ft.mime == mt
		}
		if !ok || clean == "" || strings.ContainsAny(clean, "/\\\x00") {
			t.Fatalf("accepted %q as %q named %q", name, mt, clean)
		}
	})
}

func TestContentDisposition(t *testing.T) {
	cases := []struct {
		name   string
		inline bool
		want   string
	}{
		{"rapport.pdf", false, `attachment; filename="rapport.pdf"; filename*=UTF-8''rapport.pdf`},
		{"Délibération n° 2026-014.pdf", true, `inline; filename="Deliberation n_ 2026-014.pdf"; filename*=UTF-8''D%C3%A9lib%C3%A9ration%20n%C2%B0%202026-014.pdf`},
		{`mise en œuvre "x";y.pdf`, false, `attachment; filename="mise en oeuvre _x__y.pdf"; filename*=UTF-8''mise%20en%20%C5%93uvre%20%22x%22%3By.pdf`},
	}
	for _, tc := range cases {
		got := ContentDisposition(tc.name, tc.inline)
		if got != tc.want {
			t.Errorf("ContentDisposition(%q) =\n %s\nwant\n %s", tc.name, got, tc.want)
		}
		// A standard parser gets the exact UTF-8 name back.
		if _, params, err := mime.ParseMediaType(got); err != nil || params["filename"] != tc.name {
			t.Errorf("parsed back %q, %v; want %q", params["filename"], err, tc.name)
		}
	}
}
