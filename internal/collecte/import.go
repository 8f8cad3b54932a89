package collecte

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/pages"
	"portique/internal/valid"
)

// ImportReport says what an import did, or would do (a preview).
type ImportReport struct {
	Kind  string
	Lines int // data lines read
	// Communes: created, updated, unchanged communes. Schedules: the
	// (commune, sector, stream) sets of schedules created (new), replaced
	// (updated) or identical (unchanged).
	Created, Updated, Unchanged int
	// Schedules: how many schedule lines were written and removed.
	Written, Removed int
	// NewSectors are the sectors the import creates ("Valence — Nord").
	NewSectors []string
	Errors     []LineError
	// Applied is true when the import was written (never with an error).
	Applied bool
}

// errPreview rolls back the transaction of a preview.
var errPreview = errors.New("collecte: preview")

// Import reads a CSV file of communes or schedules and applies it in one
// transaction, or only tells what it would do (apply false: the very same
// work, rolled back). A line in error anywhere means nothing is written:
// the report lists every error with its line. A file that cannot be read
// at all is valid.Errors on "file".
//
// Communes are matched by INSEE code: new ones are created, known ones
// updated; communes absent from the file are left alone. Schedules replace,
// for each (commune, sector, stream) the file names, the schedules of that
// set; sectors named in the file and unknown are created. Importing a file
// twice gives the same result as once.
func (s *Store) Import(ctx context.Context, a access.Actor, data []byte, apply bool) (ImportReport, error) {
	var rep ImportReport
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		sh, err := ParseCSV(data)
		if err != nil {
			return err
		}
		rep = ImportReport{Kind: sh.Kind, Lines: len(sh.Rows) + len(sh.Errors), Errors: sh.Errors}
		switch sh.Kind {
		case SheetCommunes:
			err = s.importCommunes(ctx, tx, a, sh, &rep)
		default:
			err = s.importSchedules(ctx, tx, a, sh, &rep)
		}
		if err != nil {
			return err
		}
		slices.SortStableFunc(rep.Errors, func(x, y LineError) int { return x.Line - y.Line })
		if len(rep.Errors) > 0 || !apply {
			return errPreview
		}
		rep.Applied = true
		return audit.Record(ctx, tx, a, s.Now().UTC(), AuditImport, audit.Object("collecte", NodeID),
			kv("kind", rep.Kind, "lines", rep.Lines, "created", rep.Created, "updated", rep.Updated, "unchanged", rep.Unchanged,
				"written", rep.Written, "removed", rep.Removed, "sectors", len(rep.NewSectors)))
	})
	if errors.Is(err, errPreview) {
		err = nil
	}
	if err != nil {
		rep.Applied = false
	}
	return rep, err
}

// columnOf names the file's column of a form field, for line errors.
var columnOf = map[string]string{
	"name": colName, "insee": colINSEE, "postcodes": colPostcodes, "notice": colNotice,
	"sector": colSector, "stream": colStream, "custom": colRule, "days": colRule, "start": colStart, "end": colEnd, "note": colNotice,
}

func lineErrors(line int, err error, rep *ImportReport) bool {
	var ve valid.Errors
	if !errors.As(err, &ve) {
		return false
	}
	fields := make([]string, 0, len(ve))
	for f := range ve {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		rep.Errors = append(rep.Errors, LineError{Line: line, Column: columnOf[f], Message: ve[f]})
	}
	return true
}

func (s *Store) importCommunes(ctx context.Context, tx *db.Tx, a access.Actor, sh *Sheet, rep *ImportReport) error {
	seen := map[string]int{}
	for _, row := range sh.Rows {
		in := CommuneInput{Name: row.Get(colName), INSEE: row.Get(colINSEE), Postcodes: row.Get(colPostcodes), Notice: row.Get(colNotice)}
		v, err := in.validate()
		if lineErrors(row.Line, err, rep) {
			continue
		}
		if first, dup := seen[v.insee]; dup {
			rep.Errors = append(rep.Errors, LineError{Line: row.Line, Column: colINSEE, Message: valid.Message{Key: "collecte.import.error.duplicate", Args: []any{v.insee, first}}})
			continue
		}
		seen[v.insee] = row.Line
		old, err := s.communeWith(ctx, tx, "c.insee = ?", v.insee)
		switch {
		case errors.Is(err, db.ErrNotFound):
			if _, err := s.insertCommune(ctx, tx, a, v); lineErrors(row.Line, err, rep) {
				continue
			} else if err != nil {
				return err
			}
			rep.Created++
		case err != nil:
			return err
		case old.Name == v.name && slices.Equal(old.Postcodes, v.postcodes) && (old.Notice == v.notice || !hasColumn(sh, colNotice)):
			rep.Unchanged++
		default:
			if !hasColumn(sh, colNotice) {
				v.notice = old.Notice
			}
			if err := s.updateCommune(ctx, tx, a, old.ID, v); lineErrors(row.Line, err, rep) {
				continue
			} else if err != nil {
				return err
			}
			rep.Updated++
		}
	}
	return nil
}

func hasColumn(sh *Sheet, col string) bool {
	for _, r := range sh.Rows {
		if _, ok := r.Values[col]; ok {
			return true
		}
	}
	return false
}

type scheduleScope struct {
	communeID, sectorID, streamID int64
}

func (s *Store) importSchedules(ctx context.Context, tx *db.Tx, a access.Actor, sh *Sheet, rep *ImportReport) error {
	sts, err := streams(ctx, tx)
	if err != nil {
		return err
	}
	streamByKey := map[string]int64{}
	var names []string
	for _, st := range sts {
		for _, k := range []string{pages.Slugify(st.Name), st.Slug, pages.Slugify(st.Code)} {
			streamByKey[k] = st.ID
		}
		names = append(names, st.Name)
	}
	communes := map[string]Commune{}
	newSector := map[string]int64{} // commune id + "/" + slug → id of a sector created here
	type planned struct {
		line int
		v    scheduleValues
	}
	var order []scheduleScope
	byScope := map[scheduleScope][]planned{}
	for _, row := range sh.Rows {
		insee := strings.ToUpper(row.Get(colINSEE))
		c, ok := communes[insee]
		if !ok {
			c, err = s.communeWith(ctx, tx, "c.insee = ?", insee)
			if errors.Is(err, db.ErrNotFound) {
				key := "collecte.import.error.unknown_commune"
				if !inseeRe.MatchString(insee) {
					key = "collecte.error.insee_invalid"
				}
				rep.Errors = append(rep.Errors, LineError{Line: row.Line, Column: colINSEE, Message: valid.Message{Key: key, Args: []any{insee}}})
				continue
			}
			if err != nil {
				return err
			}
			communes[insee] = c
		}
		streamID, ok := streamByKey[pages.Slugify(row.Get(colStream))]
		if !ok {
			rep.Errors = append(rep.Errors, LineError{Line: row.Line, Column: colStream, Message: valid.Message{Key: "collecte.import.error.unknown_stream",
				Args: []any{row.Get(colStream), strings.Join(names, ", ")}}})
			continue
		}
		var sectorID int64
		if name := clean(row.Get(colSector)); name != "" {
			slug := pages.Slugify(name)
			for _, x := range c.Sectors {
				if x.Slug == slug {
					sectorID = x.ID
				}
			}
			if sectorID == 0 {
				key := strconv.FormatInt(c.ID, 10) + "/" + slug
				if sectorID = newSector[key]; sectorID == 0 {
					_, _, _, verr := SectorInput{Name: name}.validate()
					if verr == nil {
						sectorID, verr = s.insertSector(ctx, tx, a, c.ID, name, "", 0)
					}
					if lineErrors(row.Line, verr, rep) {
						continue
					} else if verr != nil {
						return verr
					}
					newSector[key] = sectorID
					rep.NewSectors = append(rep.NewSectors, c.Name+" — "+name)
				}
			}
		}
		in := ScheduleInput{CommuneID: c.ID, SectorID: strconv.FormatInt(sectorID, 10), StreamID: strconv.FormatInt(streamID, 10),
			Rule: RuleInput{Freq: FreqCustom, Custom: row.Get(colRule)}, Start: row.Get(colStart), End: row.Get(colEnd), Note: row.Get(colNotice)}
		v, err := checkSchedule(ctx, tx, in)
		if lineErrors(row.Line, err, rep) {
			continue
		} else if err != nil {
			return err
		}
		sc := scheduleScope{c.ID, sectorID, streamID}
		if _, ok := byScope[sc]; !ok {
			order = append(order, sc)
		}
		byScope[sc] = append(byScope[sc], planned{row.Line, v})
	}
	for _, sc := range order {
		old, err := schedules(ctx, tx, "commune_id = ? AND COALESCE(sector_id, 0) = ? AND stream_id = ?", sc.communeID, sc.sectorID, sc.streamID)
		if err != nil {
			return err
		}
		same := len(old) == len(byScope[sc])
		for i := 0; same && i < len(old); i++ {
			v := byScope[sc][i].v
			same = old[i].Rule == v.rule && old[i].Start.Equal(v.start) && old[i].End.Equal(v.end) && old[i].Note == v.note
		}
		if same {
			rep.Unchanged++
			continue
		}
		if len(old) == 0 {
			rep.Created++
		} else {
			rep.Updated++
		}
		for _, o := range old {
			if _, err := tx.Exec(ctx, "DELETE FROM collecte_schedules WHERE id = ?", o.ID); err != nil {
				return fmt.Errorf("collecte: import: %w", err)
			}
			if err := audit.Record(ctx, tx, a, s.Now().UTC(), AuditScheduleDeleted, audit.Object("schedule", o.ID),
				kv("commune", o.CommuneID, "sector", o.SectorID, "stream", o.StreamID, "rule", o.Rule, "import", 1)); err != nil {
				return err
			}
			rep.Removed++
		}
		for _, p := range byScope[sc] {
			if _, err := s.insertSchedule(ctx, tx, a, p.v); err != nil {
				return err
			}
			rep.Written++
		}
	}
	return nil
}

// ExportCommunes writes every commune as a CSV file the import reads back
// (";"-separated, UTF-8 with a BOM so spreadsheets open it right). p needs
// View.
func (s *Store) ExportCommunes(ctx context.Context, w io.Writer, p access.Principal) error {
	list, err := s.Communes(ctx, p)
	if err != nil {
		return err
	}
	cw := newCSVWriter(w)
	cw.Write([]string{colINSEE, colName, colPostcodes, colNotice}) //nolint:errcheck // Flush reports
	for _, c := range list {
		cw.Write([]string{c.INSEE, c.Name, strings.Join(c.Postcodes, " "), c.Notice}) //nolint:errcheck
	}
	cw.Flush()
	return cw.Error()
}

// ExportSchedules writes every schedule as a CSV file the import reads
// back. p needs View.
func (s *Store) ExportSchedules(ctx context.Context, w io.Writer, p access.Principal) error {
	if err := requireView(ctx, s.db, p); err != nil {
		return err
	}
	rows, err := s.db.Query(ctx, `SELECT c.insee, COALESCE(x.name, ''), st.name, sc.rule, sc.starts_on, COALESCE(sc.ends_on, ''), sc.note
		FROM collecte_schedules sc JOIN collecte_communes c ON c.id = sc.commune_id JOIN collecte_streams st ON st.id = sc.stream_id
		LEFT JOIN collecte_sectors x ON x.id = sc.sector_id
		ORDER BY c.slug, COALESCE(x.position, -1), COALESCE(x.name, ''), st.position, st.name, sc.id`)
	if err != nil {
		return fmt.Errorf("collecte: export schedules: %w", err)
	}
	defer rows.Close()
	cw := newCSVWriter(w)
	cw.Write([]string{colINSEE, colSector, colStream, colRule, colStart, colEnd, colNotice}) //nolint:errcheck
	for rows.Next() {
		rec := make([]string, 7)
		if err := rows.Scan(&rec[0], &rec[1], &rec[2], &rec[3], &rec[4], &rec[5], &rec[6]); err != nil {
			return err
		}
		cw.Write(rec) //nolint:errcheck
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func newCSVWriter(w io.Writer) *csv.Writer {
	io.WriteString(w, "\xef\xbb\xbf") //nolint:errcheck // the writer reports on Flush
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	return cw
}
