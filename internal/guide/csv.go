package guide

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/valid"
)

// The CSV file of the guide: one item per line after a header line naming
// the columns (in any order; case and accents do not matter):
//
//	slug;nom;synonymes;filiere;consignes
//
// "nom" and "filiere" are required; "filiere" is a stream's code
// (bac_jaune) or its name (Bac jaune (emballages et papiers)); synonyms are
// separated by commas; an empty slug is made from the name. The separator
// is the one the header uses (";" as French spreadsheets write, "," or a
// tab); the text is UTF-8 (with or without a byte order mark) or, failing
// that, Windows-1252 (older spreadsheets). Export writes what import reads.

// CSV limits.
const (
	MaxCSVBytes = 2 << 20
	MaxCSVRows  = 5000
)

// Columns are the columns of the guide's CSV file, in export order.
var Columns = []string{"slug", "nom", "synonymes", "filiere", "consignes"}

// Record is one line of a CSV file, as read.
type Record struct {
	Line                                       int
	Slug, Name, Synonyms, Stream, Instructions string
}

// LineError is what is wrong with one line of a CSV file (Line 0: the
// whole file). Field is a column name ("" when it is the line).
type LineError struct {
	Line  int
	Field string
	Msg   valid.Message
}

// decodeText returns data as UTF-8 text without a byte order mark.
func decodeText(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	return string(out)
}

// sniff returns the separator of the header line: the most frequent of
// ';', ',' and tab (';' on a tie, as French spreadsheets write).
func sniff(text string) rune {
	line, _, _ := strings.Cut(text, "\n")
	best, n := ';', strings.Count(line, ";")
	for _, c := range []rune{',', '\t'} {
		if k := strings.Count(line, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

// columnKey folds a header cell for comparison ("Filière " → "filiere").
func columnKey(s string) string {
	return strings.Join(fold(s), "")
}

// Table is a CSV file read by ReadTable: its rows, and the position of
// each column by folded header name.
type Table struct {
	Comma  rune
	Header []string
	col    map[string]int
	Rows   []TableRow
}

// TableRow is one line of a Table.
type TableRow struct {
	Line  int
	Cells []string
}

// Get returns a row's cell of a column (by folded name), trimmed ("" when
// the file has no such column).
func (t *Table) Get(r TableRow, name string) string {
	if i, ok := t.col[columnKey(name)]; ok && i < len(r.Cells) {
		return strings.TrimSpace(r.Cells[i])
	}
	return ""
}

// ReadTable reads a CSV file made for import: a header line naming the
// columns (required must be there; columns, in export order, are named in
// the error that says so), then at most MaxCSVRows lines. The separator is
// sniffed from the header, the text decoded (see decodeText). It checks the
// shape only; a syntax error stops the reading, since what follows it
// cannot be trusted. The directory of recycling centres reads its files
// with it too.
func ReadTable(data []byte, required, columns []string) (*Table, []LineError) {
	if len(data) > MaxCSVBytes {
		return nil, []LineError{{Msg: valid.Message{Key: "guide.import.error.too_large", Args: []any{MaxCSVBytes >> 20}}}}
	}
	text := decodeText(data)
	if strings.TrimSpace(text) == "" {
		return nil, []LineError{{Msg: valid.Message{Key: "guide.import.error.empty"}}}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniff(text)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, []LineError{syntaxError(err)}
	}
	t := &Table{Comma: r.Comma, Header: header, col: map[string]int{}}
	for i, h := range header {
		k := columnKey(h)
		if _, dup := t.col[k]; dup && k != "" {
			return nil, []LineError{{Line: 1, Msg: valid.Message{Key: "guide.import.error.column_twice", Args: []any{strings.TrimSpace(h)}}}}
		}
		t.col[k] = i
	}
	var missing []string
	for _, c := range required {
		if _, ok := t.col[columnKey(c)]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, []LineError{{Line: 1, Msg: valid.Message{Key: "guide.import.error.columns", Args: []any{strings.Join(missing, ", "), strings.Join(columns, string(r.Comma))}}}}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return t, []LineError{syntaxError(err)}
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(t.Rows) == MaxCSVRows {
			return t, []LineError{{Line: line, Msg: valid.Message{Key: "guide.import.error.too_many", Args: []any{MaxCSVRows}}}}
		}
		if len(rec) > len(header) {
			return t, []LineError{{Line: line, Msg: valid.Message{Key: "guide.import.error.fields", Args: []any{len(rec), len(header)}}}}
		}
		t.Rows = append(t.Rows, TableRow{Line: line, Cells: rec})
	}
	if len(t.Rows) == 0 {
		return nil, []LineError{{Msg: valid.Message{Key: "guide.import.error.no_rows"}}}
	}
	return t, nil
}

// ParseCSV reads a CSV file of the guide into records (see ReadTable).
func ParseCSV(data []byte) ([]Record, []LineError) {
	t, errs := ReadTable(data, []string{"nom", "filiere"}, Columns)
	if len(errs) > 0 {
		return nil, errs
	}
	out := make([]Record, 0, len(t.Rows))
	for _, r := range t.Rows {
		out = append(out, Record{Line: r.Line, Slug: t.Get(r, "slug"), Name: t.Get(r, "nom"), Synonyms: t.Get(r, "synonymes"),
			Stream: t.Get(r, "filiere"), Instructions: t.Get(r, "consignes")})
	}
	return out, nil
}

// ColumnKey folds a header name as ReadTable compares them.
func ColumnKey(s string) string { return columnKey(s) }

func syntaxError(err error) LineError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return LineError{Line: pe.StartLine, Msg: valid.Message{Key: "guide.import.error.syntax"}}
	}
	return LineError{Msg: valid.Message{Key: "guide.import.error.unreadable"}}
}

// PlannedRow is one line of an import as it would be applied.
type PlannedRow struct {
	Record
	Slug   string
	Action string // "create", "update" or "same"
	ID     int64  // the existing item (update, same)
	input  Input
}

// Plan is what an import would do: nothing is written while Errors is not
// empty.
type Plan struct {
	Rows                   []PlannedRow
	Errors                 []LineError
	Created, Updated, Same int
	Streams                map[string]string // code → name, for the preview
}

// OK reports whether the import can be applied.
func (p *Plan) OK() bool { return len(p.Errors) == 0 }

// plan checks every line against the stored guide, in q.
func plan(ctx context.Context, q db.Querier, data []byte) (*Plan, error) {
	streams, err := streamSet(ctx, q)
	if err != nil {
		return nil, err
	}
	p := &Plan{Streams: streams}
	recs, errs := ParseCSV(data)
	p.Errors = errs
	if len(errs) > 0 {
		return p, nil
	}
	byLabel := map[string]string{}
	for code, label := range streams {
		byLabel[columnKey(label)] = code
		byLabel[columnKey(code)] = code
	}
	existing, err := listItems(ctx, q)
	if err != nil {
		return nil, err
	}
	bySlug := map[string]*Item{}
	for i := range existing {
		bySlug[existing[i].Slug] = &existing[i]
	}
	seen := map[string]int{}
	known := keys(streams)
	for _, rec := range recs {
		in := Input{Name: rec.Name, Slug: rec.Slug, Synonyms: rec.Synonyms, Instructions: rec.Instructions, Stream: rec.Stream}
		if code, ok := byLabel[columnKey(rec.Stream)]; ok {
			in.Stream = code
		}
		slug, ve := in.clean(known)
		for _, f := range sortedFields(ve) {
			p.Errors = append(p.Errors, LineError{Line: rec.Line, Field: f, Msg: ve[f]})
		}
		if len(ve) > 0 {
			continue
		}
		if first, dup := seen[slug]; dup {
			p.Errors = append(p.Errors, LineError{Line: rec.Line, Field: "slug", Msg: valid.Message{Key: "guide.import.error.slug_twice", Args: []any{slug, first}}})
			continue
		}
		seen[slug] = rec.Line
		row := PlannedRow{Record: rec, Slug: slug, Action: "create", input: in}
		if cur := bySlug[slug]; cur != nil {
			row.ID = cur.ID
			row.Action = "update"
			if cur.Name == in.Name && strings.Join(cur.Synonyms, "\n") == in.Synonyms && cur.Stream == in.Stream && cur.Instructions == in.Instructions {
				row.Action = "same"
			}
		}
		switch row.Action {
		case "create":
			p.Created++
		case "update":
			p.Updated++
		default:
			p.Same++
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// sortedFields lists the fields of ve in the order of the form.
func sortedFields(ve valid.Errors) []string {
	var out []string
	for _, f := range []string{"", "nom", "slug", "synonymes", "filiere", "consignes"} {
		if _, ok := ve[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

// PreviewImport reads a CSV file and says what importing it would do,
// without writing anything (Edit on the guide).
func (s *Store) PreviewImport(ctx context.Context, p access.Principal, data []byte) (*Plan, error) {
	if err := access.Require(ctx, s.db, p, Kind, NodeID, access.Edit); err != nil {
		return nil, err
	}
	return plan(ctx, s.db, data)
}

// Import applies a CSV file in one transaction: every line is created or
// updated (matched by slug), or nothing is when any line is wrong (the plan
// with its errors is returned then, and valid.Errors on the file field).
// Items absent from the file are left alone. Importing the same file twice
// changes nothing the second time.
func (s *Store) Import(ctx context.Context, a access.Actor, data []byte) (*Plan, error) {
	var out *Plan
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Edit); err != nil {
			return err
		}
		pl, err := plan(ctx, tx, data)
		if err != nil {
			return err
		}
		out = pl
		if !pl.OK() {
			return valid.One("fichier", "guide.import.error.has_errors", len(pl.Errors))
		}
		now := s.now()
		for _, row := range pl.Rows {
			var id int64
			switch row.Action {
			case "same":
				continue
			case "create":
				err = tx.QueryRow(ctx, `INSERT INTO guide_items (slug, name, synonyms, stream, instructions, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, row.Slug, row.input.Name, row.input.Synonyms, row.input.Stream, row.input.Instructions, now, now).Scan(&id)
			case "update":
				id = row.ID
				_, err = tx.Exec(ctx, `UPDATE guide_items SET name = ?, synonyms = ?, stream = ?, instructions = ?, updated_at = ? WHERE id = ?`,
					row.input.Name, row.input.Synonyms, row.input.Stream, row.input.Instructions, now, id)
			}
			if err != nil {
				return fmt.Errorf("guide: import line %d: %w", row.Line, err)
			}
			it, err := getByID(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := s.indexItem(ctx, tx, it, pl.Streams); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, now, "guide.import", audit.Object(string(Kind), NodeID),
			fmt.Sprintf("created=%d updated=%d same=%d", pl.Created, pl.Updated, pl.Same))
	})
	return out, err
}

// Export writes every item as CSV (View on the guide), as Import reads it:
// ";" separated, UTF-8 with a byte order mark so spreadsheets read the
// accents right.
func (s *Store) Export(ctx context.Context, p access.Principal, w io.Writer) error {
	items, err := s.List(ctx, p)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\xef\xbb\xbf"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, it := range items {
		if err := cw.Write([]string{it.Slug, it.Name, strings.Join(it.Synonyms, ", "), it.Stream, it.Instructions}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SeedItems writes items as a CSV import would, as the system (demo data).
func (s *Store) SeedItems(ctx context.Context, data []byte) (*Plan, error) {
	return s.Import(ctx, access.System(), data)
}
