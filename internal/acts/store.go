package acts

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/calendar"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/search"
)

// Events finds a calendar event with the calendar's own access rule (the
// calendar store); a session links to one only when its author may see it.
type Events interface {
	Event(ctx context.Context, p access.Principal, id int64) (calendar.Event, access.Level, error)
}

// Store is the register's data access: all its SQL is in this package.
type Store struct {
	db    *db.DB
	blobs *documents.Blobs
	index search.Index
	// Events checks and names the calendar events sessions link to (nil:
	// sessions cannot link to events).
	Events Events
	// Now is the clock; Location the zone whose days date acts and
	// deadlines (Europe/Paris for the site).
	Now      func() time.Time
	Location *time.Location
	// UploadMax bounds one file (default 100 MB).
	UploadMax int64
	// Wake is called after an extraction job is queued (the job runner's
	// Wake, so a new file is read at once).
	Wake func()
}

// New returns the store of the register, storing files in blobs
// (content-addressed, outside anything served statically). index may be nil
// (nothing indexed).
func New(d *db.DB, blobs *documents.Blobs, index search.Index) *Store {
	return &Store{db: d, blobs: blobs, index: index, Now: time.Now, Location: time.UTC, UploadMax: 100 << 20}
}

// Blobs is where the files of acts are stored.
func (s *Store) Blobs() *documents.Blobs { return s.blobs }

// Today is the current day in the site's zone, YYYY-MM-DD.
func (s *Store) Today() string { return s.Now().In(s.Location).Format(time.DateOnly) }

// Level is p's level on the register (which tools to show; decisions use
// the rule inside each method).
func (s *Store) Level(ctx context.Context, p access.Principal) (access.Level, error) {
	return access.LevelOf(ctx, s.db, p, Register, RegisterID)
}

// need returns access.ErrForbidden unless p holds lvl on the register.
func need(ctx context.Context, q db.Querier, p access.Principal, lvl access.Level, what string) error {
	if err := access.Require(ctx, q, p, Register, RegisterID, lvl); err != nil {
		return fmt.Errorf("acts: %s: %w", what, err)
	}
	return nil
}

// visible is THE rule of the register for one act row "a" joined with its
// publication "p": edit (or more) on the register sees every act, drafts
// included; view sees the published acts that are public. It is the
// access model's own fragment (Principal.Filter), used by every list,
// count, export and single read.
func visible(p access.Principal) (string, []any) {
	if p.Admin {
		return "1=1", nil
	}
	id := itoa(RegisterID)
	ed, edArgs := p.Filter(Register, id, access.Edit)
	vw, vwArgs := p.Filter(Register, id, access.View)
	return "((" + ed + ") OR (p.act_id IS NOT NULL AND a.public = TRUE AND (" + vw + ")))", append(edArgs, vwArgs...)
}

const actFrom = ` FROM acts a LEFT JOIN act_publications p ON p.act_id = a.id`

const actCols = `a.id, a.kind, a.number, a.act_date, a.subject, COALESCE(a.session_id, 0), a.matter_code,
	a.vote_members, a.vote_present, a.vote_for, a.vote_against, a.vote_abstain,
	a.signer_first, a.signer_last, a.signer_title, a.individual, a.public, a.budget_year, a.budget_name, a.pref_date,
	a.filename, a.media_type, a.size, a.sha256, a.blob_key, COALESCE(a.corrects_id, 0),
	a.withdrawn_at, a.withdrawn_reason, a.text_status, a.pages, a.created_at, a.updated_at,
	p.published_at, p.publisher_first, p.publisher_last, p.publisher_title, p.sha256, p.size`

type scanner interface{ Scan(dest ...any) error }

func scanAct(sc scanner) (Act, error) {
	var a Act
	var kind string
	var corrects int64
	var members, present, pour, contre, abst sql.NullInt64
	var withdrawn, pubAt sql.NullTime
	var pFirst, pLast, pTitle, pSHA sql.NullString
	var pSize sql.NullInt64
	err := sc.Scan(&a.ID, &kind, &a.Number, &a.Date, &a.Subject, &a.SessionID, &a.MatterCode,
		&members, &present, &pour, &contre, &abst,
		&a.Signer.First, &a.Signer.Last, &a.Signer.Title, &a.Individual, &a.Public, &a.BudgetYear, &a.BudgetName, &a.PrefDate,
		&a.Filename, &a.MediaType, &a.Size, &a.SHA256, &a.BlobKey, &corrects,
		&withdrawn, &a.Withdrawn, &a.TextStatus, &a.Pages, &a.CreatedAt, &a.UpdatedAt,
		&pubAt, &pFirst, &pLast, &pTitle, &pSHA, &pSize)
	if err != nil {
		return a, err
	}
	a.Kind = Kind(kind)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	if members.Valid {
		a.Vote = &Vote{Members: int(members.Int64), Present: int(present.Int64), For: int(pour.Int64), Against: int(contre.Int64), Abstain: int(abst.Int64)}
	}
	if corrects != 0 {
		a.Corrects = &Ref{ID: corrects}
	}
	if withdrawn.Valid {
		t := withdrawn.Time.UTC()
		a.WithdrawnAt = &t
	}
	if pubAt.Valid {
		a.Publication = &Publication{At: pubAt.Time.UTC(), Publisher: Person{First: pFirst.String, Last: pLast.String, Title: pTitle.String},
			SHA256: pSHA.String, Size: pSize.Int64}
	}
	return a, nil
}

// Act returns one act p may see, with its session, annexes, the act it
// rectifies, the published acts rectifying it and its failed integrity
// checks. db.ErrNotFound when there is none or p may not see it (a draft is
// not told apart from nothing).
func (s *Store) Act(ctx context.Context, p access.Principal, id int64) (Act, error) {
	return s.act(ctx, s.db, p, id)
}

func (s *Store) act(ctx context.Context, q db.Querier, p access.Principal, id int64) (Act, error) {
	f, args := visible(p)
	a, err := scanAct(q.QueryRow(ctx, "SELECT "+actCols+actFrom+" WHERE a.id = ? AND "+f, append([]any{id}, args...)...))
	if err != nil {
		return a, fmt.Errorf("acts: act %d: %w", id, db.NotFound(err))
	}
	if a.Annexes, err = annexes(ctx, q, id); err != nil {
		return a, err
	}
	if a.SessionID != 0 {
		ss, err := s.sessionRow(ctx, q, a.SessionID)
		if err != nil {
			return a, err
		}
		a.Session = &ss
	}
	if a.Corrects != nil {
		// The act rectified is published (the store checks it), so
		// whoever sees the correction may be told its number.
		var kind string
		if err := q.QueryRow(ctx, "SELECT kind, number, act_date FROM acts WHERE id = ?", a.Corrects.ID).Scan(&kind, &a.Corrects.Number, &a.Corrects.Date); err != nil {
			return a, fmt.Errorf("acts: rectified act of %d: %w", id, err)
		}
		a.Corrects.Kind = Kind(kind)
	}
	rows, err := q.Query(ctx, "SELECT a.id, a.kind, a.number, a.act_date"+actFrom+" WHERE a.corrects_id = ? AND p.act_id IS NOT NULL AND "+f+" ORDER BY p.published_at, a.id",
		append([]any{id}, args...)...)
	if err != nil {
		return a, fmt.Errorf("acts: corrections of %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Ref
		var kind string
		if err := rows.Scan(&r.ID, &kind, &r.Number, &r.Date); err != nil {
			return a, err
		}
		r.Kind = Kind(kind)
		a.CorrectedBy = append(a.CorrectedBy, r)
	}
	if err := rows.Err(); err != nil {
		return a, err
	}
	rows.Close()
	if a.Published() {
		if a.Failures, err = failures(ctx, q, id); err != nil {
			return a, err
		}
	}
	return a, nil
}

func annexes(ctx context.Context, q db.Querier, id int64) ([]Annex, error) {
	rows, err := q.Query(ctx, "SELECT position, title, filename, media_type, size, sha256, blob_key FROM act_annexes WHERE act_id = ? ORDER BY position", id)
	if err != nil {
		return nil, fmt.Errorf("acts: annexes of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Annex
	for rows.Next() {
		var x Annex
		if err := rows.Scan(&x.Position, &x.Title, &x.Filename, &x.MediaType, &x.Size, &x.SHA256, &x.BlobKey); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

func failures(ctx context.Context, q db.Querier, id int64) ([]Check, error) {
	rows, err := q.Query(ctx, "SELECT file_no, checked_at, found FROM act_checks WHERE act_id = ? AND ok = FALSE ORDER BY file_no", id)
	if err != nil {
		return nil, fmt.Errorf("acts: checks of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Check
	for rows.Next() {
		var c Check
		if err := rows.Scan(&c.FileNo, &c.CheckedAt, &c.Found); err != nil {
			return nil, err
		}
		c.CheckedAt = c.CheckedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// Find lists the acts p may see that match f, newest first, with the
// number of matches. With f.Text, the words are searched inside the acts
// through the site's index (at most search.MaxLimit best hits are kept)
// and snippets are returned by act id.
func (s *Store) Find(ctx context.Context, p access.Principal, f Filter) ([]Act, int, map[int64]string, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	vis, args := visible(p)
	conds := []string{vis}
	var snippets map[int64]string
	var order []int64
	if t := strings.TrimSpace(f.Text); t != "" {
		if s.index == nil {
			return nil, 0, nil, nil
		}
		q := search.Query{Text: t, Kinds: []string{SearchKind}, Limit: search.MaxLimit}
		res, err := s.index.Search(ctx, p, q)
		if err != nil {
			return nil, 0, nil, err
		}
		if len(res.Hits) == 0 {
			return nil, 0, nil, nil
		}
		snippets = map[int64]string{}
		for _, h := range res.Hits {
			snippets[h.ID] = h.Snippet
			order = append(order, h.ID)
		}
		conds = append(conds, "a.id IN ("+db.In(len(order))+")")
		args = append(args, db.Args(order)...)
	}
	if f.Kind != "" {
		conds = append(conds, "a.kind = ?")
		args = append(args, string(f.Kind))
	}
	if f.Year > 0 {
		conds = append(conds, "a.act_date >= ? AND a.act_date < ?")
		args = append(args, fmt.Sprintf("%04d-01-01", f.Year), fmt.Sprintf("%04d-01-01", f.Year+1))
	}
	if f.SessionID != 0 {
		conds = append(conds, "a.session_id = ?")
		args = append(args, f.SessionID)
	}
	if f.From != "" {
		conds = append(conds, "a.act_date >= ?")
		args = append(args, f.From)
	}
	if f.To != "" {
		conds = append(conds, "a.act_date <= ?")
		args = append(args, f.To)
	}
	if f.Drafts {
		conds = append(conds, "p.act_id IS NULL")
	}
	where := " WHERE " + strings.Join(conds, " AND ")
	var total int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*)"+actFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, nil, fmt.Errorf("acts: count: %w", err)
	}
	query := "SELECT " + actCols + actFrom + where + " ORDER BY a.act_date DESC, a.id DESC"
	if order == nil {
		query += " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, max(f.Offset, 0))
	}
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("acts: find: %w", err)
	}
	defer rows.Close()
	var out []Act
	for rows.Next() {
		a, err := scanAct(rows)
		if err != nil {
			return nil, 0, nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, nil, err
	}
	if order != nil {
		// Best hits first, then the page asked for.
		rank := map[int64]int{}
		for i, id := range order {
			rank[id] = i
		}
		sortByRank(out, rank)
		lo := min(max(f.Offset, 0), len(out))
		hi := min(lo+f.Limit, len(out))
		out = out[lo:hi]
	}
	if err := s.attachSessions(ctx, out); err != nil {
		return nil, 0, nil, err
	}
	return out, total, snippets, nil
}

func sortByRank(acts []Act, rank map[int64]int) {
	for i := 1; i < len(acts); i++ {
		for j := i; j > 0 && rank[acts[j].ID] < rank[acts[j-1].ID]; j-- {
			acts[j], acts[j-1] = acts[j-1], acts[j]
		}
	}
}

// attachSessions fills the session summary of listed acts.
func (s *Store) attachSessions(ctx context.Context, list []Act) error {
	cache := map[int64]*Session{}
	for i := range list {
		id := list[i].SessionID
		if id == 0 {
			continue
		}
		if cache[id] == nil {
			ss, err := s.sessionRow(ctx, s.db, id)
			if err != nil {
				return err
			}
			cache[id] = &ss
		}
		list[i].Session = cache[id]
	}
	return nil
}

// Years lists the years holding acts p may see, newest first.
func (s *Store) Years(ctx context.Context, p access.Principal) ([]int, error) {
	vis, args := visible(p)
	rows, err := s.db.Query(ctx, "SELECT DISTINCT SUBSTR(a.act_date, 1, 4)"+actFrom+" WHERE "+vis+" ORDER BY 1 DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("acts: years: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var y string
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		var n int
		fmt.Sscanf(y, "%d", &n)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Open returns a file of an act p may see, opened for reading: file 0 is
// the act's own file, n its annex n.
func (s *Store) Open(ctx context.Context, p access.Principal, id int64, fileNo int) (Act, File, *os.File, error) {
	a, err := s.Act(ctx, p, id)
	if err != nil {
		return a, File{}, nil, err
	}
	f := a.File
	if fileNo != 0 {
		found := false
		for _, x := range a.Annexes {
			if x.Position == fileNo {
				f, found = x.File, true
			}
		}
		if !found {
			return a, File{}, nil, db.ErrNotFound
		}
	}
	h, err := s.blobs.Open(f.BlobKey)
	if err != nil {
		return a, f, nil, fmt.Errorf("acts: open file of %d: %w", id, err)
	}
	return a, f, h, nil
}

// Grants returns the grants of the register (administrators only).
func (s *Store) Grants(ctx context.Context, p access.Principal) ([]access.Grant, error) {
	if !p.Admin {
		return nil, fmt.Errorf("acts: grants: %w", access.ErrForbidden)
	}
	g, _, err := access.Grants(ctx, s.db, Register, RegisterID)
	return g, err
}

// SetGrants replaces the grants of the register (administrators only):
// who reads the public register, who prepares and who publishes.
func (s *Store) SetGrants(ctx context.Context, a access.Actor, grants []access.Grant) error {
	if !a.Admin {
		return fmt.Errorf("acts: set grants: %w", access.ErrForbidden)
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.SetGrants(ctx, tx, Register, RegisterID, grants); err != nil {
			return err
		}
		var parts []string
		for _, g := range grants {
			parts = append(parts, fmt.Sprintf("group:%d=%s", g.GroupID, g.Level))
		}
		return audit.Record(ctx, tx, a, s.Now(), "register.grants", audit.Object("register", RegisterID), strings.Join(parts, " "))
	})
}

// Settings returns the register's open-data settings.
func (s *Store) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	err := s.db.QueryRow(ctx, "SELECT coll_name, coll_siret, pref_id FROM act_register WHERE id = 1").Scan(&st.CollName, &st.CollSIRET, &st.PrefID)
	return st, err
}
