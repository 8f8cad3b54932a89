package collecte

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"portique/internal/access"
	"portique/internal/valid"
)

func TestParseCSV(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		kind       string
		rows       int
		fileKey    string   // error of the whole file
		lineErrors []string // "line:key"
	}{
		{name: "communes", data: "insee;nom;codes_postaux\n26362;Valence;26000\n26058;Bourg-lès-Valence;26500\n", kind: SheetCommunes, rows: 2},
		{name: "synonyms, comma, BOM, CRLF", data: "\xef\xbb\xbfCode INSEE,Commune,Code postal,Remarque\r\n26362,Valence,26000,\r\n", kind: SheetCommunes, rows: 1},
		{name: "schedules", data: "insee;secteur;flux;regle;debut\n26362;Nord;OM;\"FREQ=WEEKLY;BYDAY=MO\";2026-01-01\n", kind: SheetSchedules, rows: 1},
		{name: "tab", data: "insee\tnom\tcodes_postaux\n26362\tValence\t26000\n", kind: SheetCommunes, rows: 1},
		{name: "blank lines", data: "insee;nom;codes_postaux\n\n;;\n26362;Valence;26000\n", kind: SheetCommunes, rows: 1},
		{name: "short line", data: "insee;nom;codes_postaux\n26362;Valence\n", kind: SheetCommunes, rows: 1},
		{name: "unquoted rule", data: "insee;secteur;flux;regle;debut\n26362;;OM;FREQ=WEEKLY;BYDAY=MO;2026-01-01\n26362;;V;FREQ=MONTHLY;2026-01-01\n26362;;V;FREQ=MONTHLY;BYDAY=+1TU;2026-01-01;\n", kind: SheetSchedules, rows: 1,
			lineErrors: []string{"2:collecte.import.error.rule_unquoted", "4:collecte.import.error.rule_unquoted"}},
		{name: "broken quote", data: "insee;nom;codes_postaux\n26362;Valence;26000\n26058;\"Bourg;26500\n26004;Alixan;26300\n", kind: SheetCommunes, rows: 1,
			lineErrors: []string{"3:collecte.import.error.quote"}},
		{name: "empty", data: " \n\n", fileKey: "collecte.import.error.empty"},
		{name: "no header", data: "26362;Valence;26000\n", fileKey: "collecte.import.error.header"},
		{name: "missing column", data: "insee;nom\n26362;Valence\n", fileKey: "collecte.import.error.columns"},
		{name: "missing rule columns", data: "insee;flux\n26362;OM\n", fileKey: "collecte.import.error.columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh, err := ParseCSV([]byte(tc.data))
			if tc.fileKey != "" {
				wantField(t, err, "file", tc.fileKey)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sh.Kind != tc.kind || len(sh.Rows) != tc.rows {
				t.Fatalf("kind %s rows %d, want %s %d (%+v)", sh.Kind, len(sh.Rows), tc.kind, tc.rows, sh)
			}
			var got []string
			for _, e := range sh.Errors {
				got = append(got, itoa(e.Line)+":"+e.Key)
			}
			if strings.Join(got, ",") != strings.Join(tc.lineErrors, ",") {
				t.Fatalf("line errors %v, want %v", got, tc.lineErrors)
			}
		})
	}
	big := bytes.Repeat([]byte("x"), maxImportBytes+1)
	_, err := ParseCSV(big)
	wantField(t, err, "file", "collecte.import.error.too_large")
}

func itoa(n int) string { return strconv.Itoa(n) }

// Excel saves "CSV" in Windows-1252: accents survive.
func TestParseCSVWindows1252(t *testing.T) {
	raw, err := charmap.Windows1252.NewEncoder().String("insee;nom;codes_postaux\n26058;Bourg-lès-Valence;26500\n")
	if err != nil {
		t.Fatal(err)
	}
	sh, err := ParseCSV([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := sh.Rows[0].Get(colName); got != "Bourg-lès-Valence" {
		t.Fatalf("name %q", got)
	}
}

// Import: a preview writes nothing; a file with any line in error writes
// nothing and lists every error with its line; a good file is written in
// one go; importing it twice changes nothing the second time.
func TestImportCommunes(t *testing.T) {
	w := newWorld(t)
	w.commune("Valence", "26362", "26000")
	good := []byte("insee;nom;codes_postaux\n26362;Valence;26000 26010\n26058;Bourg-lès-Valence;26500\n26004;Alixan;26300\n")
	rep, err := w.s.Import(w.ctx, w.editor, good, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Applied || rep.Created != 2 || rep.Updated != 1 || rep.Unchanged != 0 || len(rep.Errors) != 0 {
		t.Fatalf("preview %+v", rep)
	}
	if list, _ := w.s.Communes(w.ctx, access.Anonymous()); len(list) != 1 {
		t.Fatalf("the preview wrote: %d communes", len(list))
	}

	bad := []byte("insee;nom;codes_postaux\n26058;Bourg-lès-Valence;26500\n2600;Alixan;26300\n26004;;26300\n26058;Bourg;26500\n26124;Étoile;2680\n")
	rep, err = w.s.Import(w.ctx, w.editor, bad, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"3:insee:collecte.error.insee_invalid", "4:nom:collecte.error.required", "5:insee:collecte.import.error.duplicate", "6:codes_postaux:collecte.error.postcode_invalid"}
	var got []string
	for _, e := range rep.Errors {
		got = append(got, itoa(e.Line)+":"+e.Column+":"+e.Key)
	}
	if rep.Applied || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("errors %v, want %v (applied %v)", got, want, rep.Applied)
	}
	if list, _ := w.s.Communes(w.ctx, access.Anonymous()); len(list) != 1 {
		t.Fatalf("a file with errors was half imported: %d communes", len(list))
	}

	rep, err = w.s.Import(w.ctx, w.editor, good, true)
	if err != nil || !rep.Applied || rep.Created != 2 || rep.Updated != 1 {
		t.Fatalf("import %+v %v", rep, err)
	}
	v, _ := w.s.CommuneBySlug(w.ctx, access.Anonymous(), "valence")
	if v.PostcodeList() != "26000, 26010" {
		t.Fatalf("Valence not updated: %+v", v)
	}
	rep, err = w.s.Import(w.ctx, w.editor, good, true) // posted twice
	if err != nil || !rep.Applied || rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 3 {
		t.Fatalf("second import %+v %v", rep, err)
	}
	// The export reads back as the same communes.
	var buf bytes.Buffer
	if err := w.s.ExportCommunes(w.ctx, &buf, access.Anonymous()); err != nil {
		t.Fatal(err)
	}
	rep, err = w.s.Import(w.ctx, w.editor, buf.Bytes(), false)
	if err != nil || rep.Unchanged != 3 || rep.Created+rep.Updated != 0 || len(rep.Errors) != 0 {
		t.Fatalf("export read back %+v %v\n%s", rep, err, buf.String())
	}
}

func TestImportSchedules(t *testing.T) {
	w := newWorld(t)
	c := w.commune("Valence", "26362", "26000")
	w.commune("Bourg-lès-Valence", "26058", "26500")
	om := w.stream("Ordures ménagères", "OM")
	w.stream("Emballages et papiers", "EMB")
	w.schedule(c, 0, om, "FREQ=WEEKLY;BYDAY=FR", "2025-01-01") // replaced by the file
	file := []byte(`insee;secteur;flux;regle;debut;fin;remarque
26362;;Ordures ménagères;FREQ=WEEKLY;BYDAY=MO,TH;2026-01-01;;
26362;Nord;emb;"FREQ=WEEKLY;INTERVAL=2;BYDAY=WE";05/01/2026;;Bac jaune
26362;Nord;OM;FREQ=WEEKLY;BYDAY=TU;2026-01-01;31/12/2026;
26058;;EMB;FREQ=MONTHLY;BYDAY=+1FR;2026-01-01;;
`)
	// Unquoted rules containing ";" are the usual mistake: every such line
	// is reported, nothing is written.
	rep, err := w.s.Import(w.ctx, w.editor, file, true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Applied || len(rep.Errors) != 3 || rep.Errors[0].Key != "collecte.import.error.rule_unquoted" || rep.Errors[0].Line != 2 {
		t.Fatalf("unquoted rules: %+v", rep)
	}
	file = []byte(`insee;secteur;flux;regle;debut;fin;remarque
26362;;Ordures ménagères;"FREQ=WEEKLY;BYDAY=MO,TH";2026-01-01;;
26362;Nord;emb;"FREQ=WEEKLY;INTERVAL=2;BYDAY=WE";05/01/2026;;Bac jaune
26362;Nord;OM;FREQ=WEEKLY;2026-01-01;31/12/2026;
26058;;EMB;"FREQ=MONTHLY;BYDAY=+1FR";2026-01-01;;
26004;;OM;"FREQ=WEEKLY;BYDAY=MO";2026-01-01;;
26362;;Textiles;"FREQ=WEEKLY;BYDAY=MO";2026-01-01;;
26362;;OM;"FREQ=DAILY";2026-01-01;;
26362;;OM;"FREQ=WEEKLY;BYDAY=MO";;;
`)
	rep, err = w.s.Import(w.ctx, w.editor, file, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"6:insee:collecte.import.error.unknown_commune", "7:flux:collecte.import.error.unknown_stream", "8:regle:collecte.error.rule_freq", "9:debut:collecte.error.date_required"}
	var got []string
	for _, e := range rep.Errors {
		got = append(got, itoa(e.Line)+":"+e.Column+":"+e.Key)
	}
	if rep.Applied || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("errors %v, want %v", got, want)
	}
	if all, _ := w.s.Schedules(w.ctx, access.Anonymous(), c); len(all) != 1 || all[0].Rule != "FREQ=WEEKLY;BYDAY=FR" {
		t.Fatalf("a file with errors changed the schedules: %+v", all)
	}
	if cc, _ := w.s.Commune(w.ctx, access.Anonymous(), c); len(cc.Sectors) != 0 {
		t.Fatal("a file with errors created a sector")
	}

	good := []byte(`insee;secteur;flux;regle;debut;fin;remarque
26362;;Ordures ménagères;"FREQ=WEEKLY;BYDAY=MO,TH";2026-01-01;;
26362;Nord;emb;"FREQ=WEEKLY;INTERVAL=2;BYDAY=WE";05/01/2026;;Bac jaune
26362;Nord;OM;"FREQ=WEEKLY;BYDAY=TU";2026-01-01;31/12/2026;
26058;;EMB;"FREQ=MONTHLY;BYDAY=+1FR";2026-01-01;;
`)
	rep, err = w.s.Import(w.ctx, w.editor, good, true)
	if err != nil || !rep.Applied || len(rep.Errors) != 0 {
		t.Fatalf("import %+v %v\n%s", rep, err, good)
	}
	if rep.Created != 3 || rep.Updated != 1 || rep.Removed != 1 || rep.Written != 4 || len(rep.NewSectors) != 1 || rep.NewSectors[0] != "Valence — Nord" {
		t.Fatalf("report %+v", rep)
	}
	wantLines(t, w.plan("valence", "nord", "2026-01-05", "2026-01-12"), []string{"2026-01-05 OM", "2026-01-06 OM", "2026-01-07 EMB", "2026-01-08 OM"})
	rep, err = w.s.Import(w.ctx, w.editor, good, true) // posted twice
	if err != nil || rep.Unchanged != 4 || rep.Written != 0 || len(rep.NewSectors) != 0 {
		t.Fatalf("second import %+v %v", rep, err)
	}
	var buf bytes.Buffer
	if err := w.s.ExportSchedules(w.ctx, &buf, access.Anonymous()); err != nil {
		t.Fatal(err)
	}
	rep, err = w.s.Import(w.ctx, w.editor, buf.Bytes(), false)
	if err != nil || rep.Unchanged != 4 || len(rep.Errors) != 0 {
		t.Fatalf("export read back %+v %v\n%s", rep, err, buf.String())
	}
}

// FuzzParseCSV: whatever the bytes, the parser neither panics nor loops;
// it answers a file error, or rows and line errors whose line numbers are
// within the file, every row carrying only known columns.
func FuzzParseCSV(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/csv/*.csv")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("insee;nom;codes_postaux\n26362;\"Valence\n"))
	f.Add([]byte("insee,flux,regle,debut\n\"\"\"\",,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sh, err := ParseCSV(data)
		if err != nil {
			var ve valid.Errors
			if !errors.As(err, &ve) || ve.Key("file") == "" {
				t.Fatalf("file error %v is not a form error on the file", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 2
		for _, r := range sh.Rows {
			if r.Line < 2 || r.Line > lines {
				t.Fatalf("row at line %d of a %d-line file", r.Line, lines)
			}
			for col := range r.Values {
				if _, ok := sheetColumnsAll[col]; !ok {
					t.Fatalf("unknown column %q", col)
				}
			}
		}
		for _, e := range sh.Errors {
			if e.Line < 1 || e.Line > lines || e.Key == "" {
				t.Fatalf("error %+v in a %d-line file", e, lines)
			}
		}
	})
}

var sheetColumnsAll = map[string]bool{colINSEE: true, colName: true, colPostcodes: true, colNotice: true, colSector: true, colStream: true, colRule: true, colStart: true, colEnd: true}
