package collecte

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"portique/internal/pages"
	"portique/internal/valid"
)

// CSV files. Two kinds are read, told apart by their header line (column
// names are matched without accents or case, with a few usual synonyms):
//
//	communes:    insee;nom;codes_postaux[;remarque]
//	calendriers: insee;secteur;flux;regle;debut[;fin][;remarque]
//
// The separator is the one of the header line (";" as French spreadsheets
// write, "," or a tab). Files are UTF-8 (with or without BOM) or, when they
// are not valid UTF-8, Windows-1252 (what Excel saves as "CSV").

// Sheet kinds.
const (
	SheetCommunes  = "communes"
	SheetSchedules = "schedules"
)

// Column names, as written by the export and documented for the import.
const (
	colINSEE     = "insee"
	colName      = "nom"
	colPostcodes = "codes_postaux"
	colNotice    = "remarque"
	colSector    = "secteur"
	colStream    = "flux"
	colRule      = "regle"
	colStart     = "debut"
	colEnd       = "fin"
)

// columnAliases maps a folded header (pages.Slugify) to its column.
var columnAliases = map[string]string{
	"insee": colINSEE, "code-insee": colINSEE, "code-commune": colINSEE, "cog": colINSEE,
	"nom": colName, "commune": colName, "nom-commune": colName, "nom-de-la-commune": colName,
	"codes-postaux": colPostcodes, "code-postal": colPostcodes, "codes-postal": colPostcodes, "cp": colPostcodes,
	"remarque": colNotice, "remarques": colNotice, "note": colNotice, "information": colNotice,
	"secteur": colSector, "quartier": colSector,
	"flux": colStream, "dechet": colStream, "dechets": colStream, "collecte": colStream,
	"regle": colRule, "rrule": colRule, "recurrence": colRule,
	"debut": colStart, "date-debut": colStart, "a-partir-du": colStart,
	"fin": colEnd, "date-fin": colEnd, "jusqu-au": colEnd,
}

var sheetColumns = map[string][]string{
	SheetCommunes:  {colINSEE, colName, colPostcodes},
	SheetSchedules: {colINSEE, colStream, colRule, colStart},
}

// LineError is what is wrong on one line of a file (Column "" for the whole
// line).
type LineError struct {
	Line   int
	Column string
	valid.Message
}

// Row is one data line: its number in the file and its values by column.
type Row struct {
	Line   int
	Values map[string]string
}

// Get returns a column's value, trimmed.
func (r Row) Get(col string) string { return strings.TrimSpace(r.Values[col]) }

// Sheet is a parsed file: its kind, its data rows and the errors of lines
// that could not be read as rows.
type Sheet struct {
	Kind   string
	Rows   []Row
	Errors []LineError
}

var rulePartRe = regexp.MustCompile(`^(?i)(FREQ|INTERVAL|BYDAY|BYMONTH|BYMONTHDAY|BYSETPOS|COUNT|UNTIL|WKST)=`)

// ParseCSV reads a file. A file that cannot be read at all (empty, too
// large, no known header) is valid.Errors on the field "file"; a line that
// is malformed is a LineError and the other lines are still read, up to a
// broken quote, after which nothing can be trusted and reading stops.
func ParseCSV(data []byte) (*Sheet, error) {
	if len(data) > maxImportBytes {
		return nil, valid.One("file", "collecte.import.error.too_large", maxImportBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return nil, valid.One("file", "collecte.import.error.encoding")
		}
		data = dec
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, valid.One("file", "collecte.import.error.empty")
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = separator(first)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, valid.One("file", "collecte.import.error.header")
	}
	cols := make([]string, len(header))
	have := map[string]bool{}
	for i, h := range header {
		c := columnAliases[pages.Slugify(strings.TrimSpace(h))]
		if c != "" && !have[c] {
			cols[i] = c
			have[c] = true
		}
	}
	sh := &Sheet{}
	switch {
	case have[colRule] || have[colStream]:
		sh.Kind = SheetSchedules
	case have[colName] || have[colPostcodes]:
		sh.Kind = SheetCommunes
	default:
		return nil, valid.One("file", "collecte.import.error.header")
	}
	var missing []string
	for _, c := range sheetColumns[sh.Kind] {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, valid.One("file", "collecte.import.error.columns", strings.Join(missing, ", "))
	}
	lastLine := 1
	ruleAt := -1
	if r.Comma == ';' {
		ruleAt = slices.Index(cols, colRule)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			sh.Errors = append(sh.Errors, LineError{Line: max(pe.StartLine, 1), Message: valid.Message{Key: "collecte.import.error.quote"}})
			break
		}
		if err != nil || len(rec) == 0 {
			sh.Errors = append(sh.Errors, LineError{Line: lastLine + 1, Message: valid.Message{Key: "collecte.import.error.unreadable"}})
			break
		}
		line, _ := r.FieldPos(0) // FieldPos needs a record: only after a good Read
		lastLine = line
		if len(sh.Rows)+len(sh.Errors) >= maxImportLines {
			sh.Errors = append(sh.Errors, LineError{Line: line, Message: valid.Message{Key: "collecte.import.error.too_many_lines", Args: []any{maxImportLines}}})
			break
		}
		blank := true
		for _, f := range rec {
			if strings.TrimSpace(f) != "" {
				blank = false
			}
		}
		if blank {
			continue
		}
		if ruleAt >= 0 && ruleAt+1 < len(rec) && rulePartRe.MatchString(strings.TrimSpace(rec[ruleAt+1])) {
			// FREQ=WEEKLY;BYDAY=MO without quotes, in a ";" file: the rule
			// ran over the next columns.
			sh.Errors = append(sh.Errors, LineError{Line: line, Column: colRule, Message: valid.Message{Key: "collecte.import.error.rule_unquoted"}})
			continue
		}
		if len(rec) > len(header) {
			extra := false
			for _, f := range rec[len(header):] {
				extra = extra || strings.TrimSpace(f) != ""
			}
			if extra {
				sh.Errors = append(sh.Errors, LineError{Line: line, Message: valid.Message{Key: "collecte.import.error.extra_columns", Args: []any{len(rec), len(header)}}})
				continue
			}
		}
		row := Row{Line: line, Values: make(map[string]string, len(cols))}
		for i, c := range cols {
			if c != "" && i < len(rec) {
				row.Values[c] = rec[i]
			}
		}
		sh.Rows = append(sh.Rows, row)
	}
	return sh, nil
}

// separator guesses the field separator from the header line.
func separator(header []byte) rune {
	best, n := ';', bytes.Count(header, []byte(";"))
	for _, c := range []rune{',', '\t'} {
		if k := bytes.Count(header, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}
