package collecte

import (
	"context"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the site's zone must not depend on the host's zoneinfo

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/pages"
	"portique/internal/search"
)

// Indexer is the part of search.Index the area needs: communes are found by
// the site search. A nil Indexer indexes nothing.
type Indexer interface {
	Replace(ctx context.Context, q db.Querier, kind string, id int64, docs []search.Doc) error
	Delete(ctx context.Context, q db.Querier, kind string, id int64) error
}

// Store holds all the area's SQL.
type Store struct {
	db    *db.DB
	index Indexer
	// Now is the clock (time.Now by default).
	Now func() time.Time
	// Location is the site's time zone: it says which day "today" is
	// (Europe/Paris by default).
	Location *time.Location
}

// New returns a store on d; index may be nil.
func New(d *db.DB, index Indexer) *Store {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.UTC
	}
	return &Store{db: d, index: index, Now: time.Now, Location: loc}
}

// Today is the site's current civil date.
func (s *Store) Today() time.Time { return Day(s.Now(), s.Location) }

// Level returns p's level on the area (for showing tools; decisions use
// the checks of each method).
func (s *Store) Level(ctx context.Context, p access.Principal) (access.Level, error) {
	return access.LevelOf(ctx, s.db, p, Area, NodeID)
}

// CheckEdit returns access.ErrForbidden unless p may change the collection
// days: the management pages open on the same rule as the changes.
func (s *Store) CheckEdit(ctx context.Context, p access.Principal) error {
	return requireEdit(ctx, s.db, p)
}

// requireView is the reading rule: View on the area's node.
func requireView(ctx context.Context, q db.Querier, p access.Principal) error {
	if err := access.Require(ctx, q, p, Area, NodeID, access.View); err != nil {
		return fmt.Errorf("collecte: read: %w", err)
	}
	return nil
}

// requireEdit is the rule of every change: Edit on the area's node.
func requireEdit(ctx context.Context, q db.Querier, p access.Principal) error {
	if err := access.Require(ctx, q, p, Area, NodeID, access.Edit); err != nil {
		return fmt.Errorf("collecte: change: %w", err)
	}
	return nil
}

const communeColumns = "c.id, c.name, c.slug, c.insee, c.postcodes, c.notice, c.updated_at"

func scanCommune(sc interface{ Scan(...any) error }, extra ...any) (Commune, error) {
	var c Commune
	var pcs string
	err := sc.Scan(append([]any{&c.ID, &c.Name, &c.Slug, &c.INSEE, &pcs, &c.Notice, &c.UpdatedAt}, extra...)...)
	c.Postcodes = strings.Fields(pcs)
	return c, err
}

// Communes lists every commune by name, each with its number of schedules
// (p needs View).
func (s *Store) Communes(ctx context.Context, p access.Principal) ([]Commune, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+communeColumns+`, (SELECT COUNT(*) FROM collecte_schedules sc WHERE sc.commune_id = c.id)
		FROM collecte_communes c ORDER BY c.slug, c.id`)
	if err != nil {
		return nil, fmt.Errorf("collecte: communes: %w", err)
	}
	defer rows.Close()
	var out []Commune
	for rows.Next() {
		var n int
		c, err := scanCommune(rows, &n)
		if err != nil {
			return nil, err
		}
		c.Schedules = n
		out = append(out, c)
	}
	return out, rows.Err()
}

// maxLookup bounds the communes a lookup returns.
const maxLookup = 50

// Lookup finds the communes whose name words start with the typed words
// (accents, case and hyphens ignored: "st marcel" finds
// "Saint-Marcel-lès-Valence"), or whose postcode or INSEE code starts with
// a typed number. Exact name matches come first. p needs View.
func (s *Store) Lookup(ctx context.Context, p access.Principal, q string) ([]Commune, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return nil, err
	}
	words := lookupWords(q)
	if len(words) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	for _, w := range words {
		where = append(where, "c.search_key LIKE ?")
		args = append(args, "% "+w+"%")
	}
	// The commune of that very name first, then those whose name starts
	// with the first word.
	args = append(args, strings.Join(words, "-"), " "+words[0]+"%", maxLookup)
	rows, err := s.db.Query(ctx, `SELECT `+communeColumns+` FROM collecte_communes c WHERE `+strings.Join(where, " AND ")+`
		ORDER BY CASE WHEN c.slug = ? THEN 0 WHEN c.search_key LIKE ? THEN 1 ELSE 2 END, c.slug LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("collecte: lookup: %w", err)
	}
	defer rows.Close()
	var out []Commune
	for rows.Next() {
		c, err := scanCommune(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// lookupWords folds what a resident typed into the words of search_key.
func lookupWords(q string) []string {
	if len(q) > 200 {
		q = q[:200]
	}
	slug := pages.Slugify(q)
	if slug == "page" && !strings.Contains(strings.ToLower(q), "page") {
		return nil // nothing usable was typed
	}
	var out []string
	for _, w := range strings.Split(slug, "-") {
		switch w {
		case "":
			continue
		case "st":
			w = "saint"
		case "ste":
			w = "sainte"
		}
		out = append(out, w)
		if len(out) == 6 {
			break
		}
	}
	return out
}

// LookupKey is what the lookup matches for a commune (the browser's
// autocomplete filters on the same words).
func LookupKey(c Commune) string { return searchKey(c.Name, c.INSEE, c.Postcodes) }

// searchKey is what Lookup matches: the words of the folded name, the
// postcodes and the INSEE code, each preceded by a space.
func searchKey(name, insee string, postcodes []string) string {
	var b strings.Builder
	b.WriteString(" ")
	for _, w := range strings.Split(pages.Slugify(name), "-") {
		b.WriteString(w + " ")
	}
	for _, pc := range postcodes {
		b.WriteString(pc + " ")
	}
	b.WriteString(strings.ToLower(insee) + " ")
	return b.String()
}

// CommuneBySlug returns a commune with its sectors (p needs View).
func (s *Store) CommuneBySlug(ctx context.Context, p access.Principal, slug string) (Commune, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return Commune{}, err
	}
	return s.communeWith(ctx, s.db, "c.slug = ?", slug)
}

// Commune returns a commune with its sectors (p needs View).
func (s *Store) Commune(ctx context.Context, p access.Principal, id int64) (Commune, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return Commune{}, err
	}
	return s.communeWith(ctx, s.db, "c.id = ?", id)
}

func (s *Store) communeWith(ctx context.Context, q db.Querier, where string, arg any) (Commune, error) {
	c, err := scanCommune(q.QueryRow(ctx, `SELECT `+communeColumns+` FROM collecte_communes c WHERE `+where, arg))
	if err != nil {
		return Commune{}, db.NotFound(err)
	}
	c.Sectors, err = sectorsOf(ctx, q, c.ID)
	return c, err
}

func sectorsOf(ctx context.Context, q db.Querier, communeID int64) ([]Sector, error) {
	rows, err := q.Query(ctx, `SELECT id, commune_id, name, slug, description, position FROM collecte_sectors
		WHERE commune_id = ? ORDER BY position, name, id`, communeID)
	if err != nil {
		return nil, fmt.Errorf("collecte: sectors of %d: %w", communeID, err)
	}
	defer rows.Close()
	var out []Sector
	for rows.Next() {
		var x Sector
		if err := rows.Scan(&x.ID, &x.CommuneID, &x.Name, &x.Slug, &x.Description, &x.Position); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Streams lists the streams in display order (p needs View).
func (s *Store) Streams(ctx context.Context, p access.Principal) ([]Stream, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return nil, err
	}
	return streams(ctx, s.db)
}

func streams(ctx context.Context, q db.Querier) ([]Stream, error) {
	rows, err := q.Query(ctx, `SELECT id, name, slug, code, colour, help, position FROM collecte_streams ORDER BY position, name, id`)
	if err != nil {
		return nil, fmt.Errorf("collecte: streams: %w", err)
	}
	defer rows.Close()
	var out []Stream
	for rows.Next() {
		var x Stream
		if err := rows.Scan(&x.ID, &x.Name, &x.Slug, &x.Code, &x.Colour, &x.Help, &x.Position); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Schedules lists every schedule of a commune, its sectors' included (p
// needs View).
func (s *Store) Schedules(ctx context.Context, p access.Principal, communeID int64) ([]Schedule, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return nil, err
	}
	return schedules(ctx, s.db, "commune_id = ?", communeID)
}

// Schedule returns one schedule (p needs View).
func (s *Store) Schedule(ctx context.Context, p access.Principal, id int64) (Schedule, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return Schedule{}, err
	}
	return getSchedule(ctx, s.db, id)
}

func getSchedule(ctx context.Context, q db.Querier, id int64) (Schedule, error) {
	list, err := schedules(ctx, q, "id = ?", id)
	if err != nil {
		return Schedule{}, err
	}
	if len(list) == 0 {
		return Schedule{}, db.ErrNotFound
	}
	return list[0], nil
}

func schedules(ctx context.Context, q db.Querier, where string, args ...any) ([]Schedule, error) {
	rows, err := q.Query(ctx, `SELECT id, commune_id, COALESCE(sector_id, 0), stream_id, rule, starts_on, COALESCE(ends_on, ''), note
		FROM collecte_schedules WHERE `+where+` ORDER BY commune_id, COALESCE(sector_id, 0), stream_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("collecte: schedules: %w", err)
	}
	defer rows.Close()
	var out []Schedule
	for rows.Next() {
		var x Schedule
		var start, end string
		if err := rows.Scan(&x.ID, &x.CommuneID, &x.SectorID, &x.StreamID, &x.Rule, &start, &end, &x.Note); err != nil {
			return nil, err
		}
		x.Start, _ = time.Parse(dateLayout, start)
		if end != "" {
			x.End, _ = time.Parse(dateLayout, end)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Exceptions lists the exceptions of the days in [from, to), with the
// names of their scope (p needs View).
func (s *Store) Exceptions(ctx context.Context, p access.Principal, from, to time.Time) ([]Exception, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return nil, err
	}
	return exceptions(ctx, s.db, "e.day >= ? AND e.day < ?", FormatDay(from), FormatDay(to))
}

// Exception returns one exception (p needs View).
func (s *Store) Exception(ctx context.Context, p access.Principal, id int64) (Exception, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return Exception{}, err
	}
	list, err := exceptions(ctx, s.db, "e.id = ?", id)
	if err != nil {
		return Exception{}, err
	}
	if len(list) == 0 {
		return Exception{}, db.ErrNotFound
	}
	return list[0], nil
}

func exceptions(ctx context.Context, q db.Querier, where string, args ...any) ([]Exception, error) {
	rows, err := q.Query(ctx, `SELECT e.id, e.day, COALESCE(e.stream_id, 0), COALESCE(e.commune_id, 0), e.action, COALESCE(e.replacement, ''), e.note,
		COALESCE(st.name, ''), COALESCE(c.name, '')
		FROM collecte_exceptions e LEFT JOIN collecte_streams st ON st.id = e.stream_id LEFT JOIN collecte_communes c ON c.id = e.commune_id
		WHERE `+where+` ORDER BY e.day, COALESCE(e.commune_id, 0), COALESCE(e.stream_id, 0)`, args...)
	if err != nil {
		return nil, fmt.Errorf("collecte: exceptions: %w", err)
	}
	defer rows.Close()
	var out []Exception
	for rows.Next() {
		var x Exception
		var day, repl string
		if err := rows.Scan(&x.ID, &day, &x.StreamID, &x.CommuneID, &x.Action, &repl, &x.Note, &x.StreamName, &x.CommuneName); err != nil {
			return nil, err
		}
		x.Day, _ = time.Parse(dateLayout, day)
		if repl != "" {
			x.Replacement, _ = time.Parse(dateLayout, repl)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
