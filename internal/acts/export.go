package acts

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"

	"portique/internal/access"
)

// SCDLVersion is the version of the SCDL « Délibérations » schema the
// export follows (schema.data.gouv.fr, scdl/deliberations).
const SCDLVersion = "2.1.5"

// SCDLFields are the columns of the SCDL « Délibérations » schema, in its
// order.
var SCDLFields = []string{"COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM",
	"DELIB_OBJET", "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE", "VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR",
	"VOTE_CONTRE", "VOTE_ABSTENTION", "DELIB_URL"}

// SCDLRow is one deliberation as the SCDL schema lays it out; empty
// strings are the schema's missing values.
type SCDLRow map[string]string

// Deliberations returns the published deliberations p may see (the
// public, for the open-data export), oldest first, as SCDL rows. base is
// the site's public URL (DELIB_URL is the permanent download address).
func (s *Store) Deliberations(ctx context.Context, p access.Principal, base string) ([]SCDLRow, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	var out []SCDLRow
	for offset := 0; ; offset += 200 {
		list, _, _, err := s.Find(ctx, p, Filter{Kind: Deliberation, Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			if !a.Published() {
				continue // drafts are seen by the secretariat, never exported
			}
			out = append(out, scdlRow(st, a, base))
		}
		if len(list) < 200 {
			break
		}
	}
	// Find lists newest first; the export reads in order of adoption.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

func scdlRow(st Settings, a Act, base string) SCDLRow {
	r := SCDLRow{
		"COLL_NOM": st.CollName, "COLL_SIRET": st.CollSIRET, "DELIB_ID": a.Number, "DELIB_DATE": a.Date,
		"DELIB_MATIERE_CODE": a.MatterCode, "DELIB_OBJET": a.Subject,
		"BUDGET_ANNEE": a.BudgetYear, "BUDGET_NOM": a.BudgetName, "PREF_DATE": a.PrefDate,
		"DELIB_URL": base + FileURL(a.ID),
	}
	if m := a.Matter(); m.Code != "" {
		r["DELIB_MATIERE_NOM"] = m.SCDLName()
	}
	if a.PrefDate != "" {
		r["PREF_ID"] = st.PrefID
	}
	if v := a.Vote; v != nil {
		r["VOTE_EFFECTIF"] = strconv.Itoa(v.Members)
		r["VOTE_REEL"] = strconv.Itoa(v.Present)
		r["VOTE_POUR"] = strconv.Itoa(v.For)
		r["VOTE_CONTRE"] = strconv.Itoa(v.Against)
		r["VOTE_ABSTENTION"] = strconv.Itoa(v.Abstain)
	}
	return r
}

// WriteCSV writes rows as the schema's CSV: UTF-8, comma-separated, a
// header line with the schema's field names.
func WriteCSV(w io.Writer, rows []SCDLRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SCDLFields); err != nil {
		return err
	}
	rec := make([]string, len(SCDLFields))
	for _, r := range rows {
		for i, f := range SCDLFields {
			rec[i] = r[f]
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the same data as JSON: the schema's name and version,
// and one object per deliberation with the schema's field names (integers
// as numbers, missing values left out).
func WriteJSON(w io.Writer, rows []SCDLRow) error {
	type doc struct {
		Schema  string           `json:"schema"`
		Version string           `json:"version"`
		Data    []map[string]any `json:"data"`
	}
	d := doc{Schema: "scdl/deliberations", Version: SCDLVersion, Data: []map[string]any{}}
	for _, r := range rows {
		o := map[string]any{}
		for _, f := range SCDLFields {
			v := r[f]
			if v == "" {
				continue
			}
			switch f {
			case "VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION":
				n, _ := strconv.Atoi(v)
				o[f] = n
			default:
				o[f] = v
			}
		}
		d.Data = append(d.Data, o)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
