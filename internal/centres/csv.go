package centres

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/guide"
	"portique/internal/valid"
)

// The CSV file of the directory, read and written like the guide's (see
// guide.ReadTable): one centre a line, matched by slug on import. Hours and
// closures are the texts of hours.go, on several lines inside one quoted
// cell; "objets" lists the slugs of accepted guide items separated by
// commas; "jours_feries" says whether the centre opens on public holidays
// (one of Words.Yes, otherwise not).

// Columns are the columns of the directory's CSV file, in export order.
var Columns = []string{"slug", "nom", "type", "adresse", "code_postal", "commune", "latitude", "longitude",
	"telephone", "courriel", "acces", "horaires", "fermetures", "jours_feries", "objets"}

// PlannedRow is one line of an import as it would be applied.
type PlannedRow struct {
	Line   int
	Slug   string
	Name   string
	Action string // "create" or "update"
	ID     int64
	input  Input
}

// Plan is what an import would do; nothing is written while Errors is not
// empty.
type Plan struct {
	Rows            []PlannedRow
	Errors          []guide.LineError
	Created, Update int
}

// OK reports whether the import can be applied.
func (p *Plan) OK() bool { return len(p.Errors) == 0 }

// csvFields maps the form's field names (errors) to the file's columns.
var csvFields = map[string]string{"nom": "nom", "slug": "slug", "type": "type", "adresse": "adresse", "code_postal": "code_postal",
	"commune": "commune", "latitude": "latitude", "longitude": "longitude", "telephone": "telephone", "courriel": "courriel",
	"acces": "acces", "horaires": "horaires", "fermetures": "fermetures", "objets": "objets", "": ""}

func (s *Store) plan(ctx context.Context, q db.Querier, data []byte) (*Plan, error) {
	p := &Plan{}
	t, errs := guide.ReadTable(data, []string{"nom"}, Columns)
	if len(errs) > 0 {
		p.Errors = errs
		return p, nil
	}
	items := map[string]int64{}
	rows, err := q.Query(ctx, "SELECT id, slug FROM guide_items")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			rows.Close()
			return nil, err
		}
		items[slug] = id
	}
	rows.Close()
	existing, err := s.list(ctx, q)
	if err != nil {
		return nil, err
	}
	bySlug := map[string]int64{}
	for _, c := range existing {
		bySlug[c.Slug] = c.ID
	}
	yes := map[string]bool{"1": true, "x": true, "true": true}
	for _, y := range s.words.Yes {
		yes[fold(y)] = true
	}
	seen := map[string]int{}
	for _, r := range t.Rows {
		in := Input{Slug: t.Get(r, "slug"), Name: t.Get(r, "nom"), Kind: t.Get(r, "type"), Address: t.Get(r, "adresse"),
			Postcode: t.Get(r, "code_postal"), City: t.Get(r, "commune"), Latitude: t.Get(r, "latitude"), Longitude: t.Get(r, "longitude"),
			Phone: t.Get(r, "telephone"), Email: t.Get(r, "courriel"), AccessRules: t.Get(r, "acces"), Hours: t.Get(r, "horaires"),
			Closures: t.Get(r, "fermetures"), OpenOnHolidays: yes[fold(t.Get(r, "jours_feries"))]}
		ve := valid.Errors{}
		for _, slug := range guide.SplitSynonyms(t.Get(r, "objets")) {
			id, ok := items[slug]
			if !ok {
				ve.Add("objets", "centres.import.error.item", slug)
				continue
			}
			in.ItemIDs = append(in.ItemIDs, id)
		}
		slug, _, more := in.clean(s.words)
		in.coordinates(more)
		ve.Merge(more)
		for _, f := range []string{"", "nom", "slug", "type", "adresse", "code_postal", "commune", "latitude", "longitude", "telephone", "courriel", "acces", "horaires", "fermetures", "objets"} {
			if m, ok := ve[f]; ok {
				p.Errors = append(p.Errors, guide.LineError{Line: r.Line, Field: csvFields[f], Msg: m})
			}
		}
		if len(ve) > 0 {
			continue
		}
		if first, dup := seen[slug]; dup {
			p.Errors = append(p.Errors, guide.LineError{Line: r.Line, Field: "slug", Msg: valid.Message{Key: "guide.import.error.slug_twice", Args: []any{slug, first}}})
			continue
		}
		seen[slug] = r.Line
		in.Slug = slug
		row := PlannedRow{Line: r.Line, Slug: slug, Name: in.Name, Action: "create", input: in}
		if id, ok := bySlug[slug]; ok {
			row.Action, row.ID = "update", id
			p.Update++
		} else {
			p.Created++
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// PreviewImport says what importing a CSV file would do, writing nothing
// (Edit on the directory).
func (s *Store) PreviewImport(ctx context.Context, p access.Principal, data []byte) (*Plan, error) {
	if err := access.Require(ctx, s.db, p, Kind, NodeID, access.Edit); err != nil {
		return nil, err
	}
	return s.plan(ctx, s.db, data)
}

// Import applies a CSV file in one transaction, all lines or none (Edit on
// the directory). Centres absent from the file are left alone.
func (s *Store) Import(ctx context.Context, a access.Actor, data []byte) (*Plan, error) {
	var out *Plan
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Edit); err != nil {
			return err
		}
		pl, err := s.plan(ctx, tx, data)
		if err != nil {
			return err
		}
		out = pl
		if !pl.OK() {
			return valid.One("fichier", "guide.import.error.has_errors", len(pl.Errors))
		}
		for _, row := range pl.Rows {
			in := row.input
			id, err := s.write(ctx, tx, row.ID, &in)
			if err != nil {
				return fmt.Errorf("centres: import line %d: %w", row.Line, err)
			}
			c, err := s.getByID(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := s.indexCentre(ctx, tx, c); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, s.now(), "centres.import", audit.Object(string(Kind), NodeID),
			fmt.Sprintf("created=%d updated=%d", pl.Created, pl.Update))
	})
	return out, err
}

// Export writes every centre as CSV, as Import reads it (View).
func (s *Store) Export(ctx context.Context, p access.Principal, w io.Writer) error {
	list, err := s.List(ctx, p)
	if err != nil {
		return err
	}
	slugs := map[int64][]string{}
	f, args := p.Filter(guide.Kind, fmt.Sprint(guide.NodeID), access.View)
	rows, err := s.db.Query(ctx, `SELECT ci.centre_id, i.slug FROM centre_items ci JOIN guide_items i ON i.id = ci.item_id
		WHERE `+f+` ORDER BY i.slug`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			rows.Close()
			return err
		}
		slugs[id] = append(slugs[id], slug)
	}
	rows.Close()
	if _, err := io.WriteString(w, "\xef\xbb\xbf"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(Columns); err != nil {
		return err
	}
	coord := func(ok bool, v float64) string {
		if !ok {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	for _, c := range list {
		hol := ""
		if c.Hours.OpenOnHolidays && len(s.words.Yes) > 0 {
			hol = s.words.Yes[0]
		}
		if err := cw.Write([]string{c.Slug, c.Name, c.Kind, c.Address, c.Postcode, c.City, coord(c.HasGeo, c.Latitude), coord(c.HasGeo, c.Longitude),
			c.Phone, c.Email, c.AccessRules, c.HoursText, c.ClosuresTxt, hol, strings.Join(slugs[c.ID], ", ")}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
