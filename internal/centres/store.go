package centres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/guide"
	"portique/internal/search"
	"portique/internal/valid"
)

// Indexer is the part of search.Index the directory needs. A nil Indexer
// indexes nothing.
type Indexer interface {
	Replace(ctx context.Context, q db.Querier, kind string, id int64, docs []search.Doc) error
	Delete(ctx context.Context, q db.Querier, kind string, id int64) error
}

// Store holds all the directory's SQL and its permission checks.
type Store struct {
	db    *db.DB
	index Indexer
	words *Words
	// Now is the clock (time.Now by default; services.New sets the one clock).
	Now func() time.Time
	// forItem keeps ForItem's answers while the content does not change
	// (parsing the hours was most of an item page's cost). Shared: handed
	// out as copies of the list.
	forItem db.Memo[[]Centre]
}

// New returns the directory's store on d; index may be nil. words are the
// words of the hours' text (from the catalogue).
func New(d *db.DB, index Indexer, words *Words) *Store {
	return &Store{db: d, index: index, words: words, Now: time.Now, forItem: db.Memo[[]Centre]{Max: 512}}
}

// DB returns the database the store runs on.
func (s *Store) DB() *db.DB { return s.db }

// Words returns the words of the hours' text.
func (s *Store) Words() *Words { return s.words }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Level returns p's level on the directory, for showing tools.
func (s *Store) Level(ctx context.Context, p access.Principal) (access.Level, error) {
	return access.LevelOf(ctx, s.db, p, Kind, NodeID)
}

func view(ctx context.Context, q db.Querier, p access.Principal) error {
	return access.Require(ctx, q, p, Kind, NodeID, access.View)
}

const centreCols = `c.id, c.slug, c.name, c.kind, c.address, c.postcode, c.city, c.latitude, c.longitude,
	c.phone, c.email, c.access_rules, c.hours, c.closures, c.open_on_holidays, c.created_at, c.updated_at`

func (s *Store) scan(sc interface{ Scan(...any) error }) (*Centre, error) {
	var c Centre
	var lat, lon sql.NullFloat64
	if err := sc.Scan(&c.ID, &c.Slug, &c.Name, &c.Kind, &c.Address, &c.Postcode, &c.City, &lat, &lon,
		&c.Phone, &c.Email, &c.AccessRules, &c.HoursText, &c.ClosuresTxt, &c.Hours.OpenOnHolidays, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	c.HasGeo, c.Latitude, c.Longitude = lat.Valid && lon.Valid, lat.Float64, lon.Float64
	// Stored texts were checked on write; a text the parser refuses now
	// (words changed in the catalogue) shows as "no hours" rather than failing.
	c.Hours.Schedule, _ = ParseSchedule(c.HoursText, s.words)
	c.Hours.Closures, _ = ParseClosures(c.ClosuresTxt, s.words)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// List returns every centre, staffed centres first, then by name.
func (s *Store) List(ctx context.Context, p access.Principal) ([]Centre, error) {
	if err := view(ctx, s.db, p); err != nil {
		return nil, err
	}
	return s.list(ctx, s.db)
}

func (s *Store) list(ctx context.Context, q db.Querier) ([]Centre, error) {
	rows, err := q.Query(ctx, "SELECT "+centreCols+" FROM centres c ORDER BY c.kind, c.name, c.id")
	if err != nil {
		return nil, fmt.Errorf("centres: list: %w", err)
	}
	defer rows.Close()
	var out []Centre
	for rows.Next() {
		c, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// Get returns a centre by slug with the items it accepts (those of a guide
// p may view).
func (s *Store) Get(ctx context.Context, p access.Principal, slug string) (*Centre, error) {
	if err := view(ctx, s.db, p); err != nil {
		return nil, err
	}
	c, err := s.scan(s.db.QueryRow(ctx, "SELECT "+centreCols+" FROM centres c WHERE c.slug = ?", slug))
	if err != nil {
		return nil, fmt.Errorf("centres: get %q: %w", slug, db.NotFound(err))
	}
	c.Items, err = s.items(ctx, s.db, p, c.ID)
	return c, err
}

// GetByID returns a centre by id with its accepted items.
func (s *Store) GetByID(ctx context.Context, p access.Principal, id int64) (*Centre, error) {
	if err := view(ctx, s.db, p); err != nil {
		return nil, err
	}
	c, err := s.getByID(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	c.Items, err = s.items(ctx, s.db, p, id)
	return c, err
}

func (s *Store) getByID(ctx context.Context, q db.Querier, id int64) (*Centre, error) {
	c, err := s.scan(q.QueryRow(ctx, "SELECT "+centreCols+" FROM centres c WHERE c.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("centres: centre %d: %w", id, db.NotFound(err))
	}
	return c, nil
}

// items lists the guide items a centre accepts, when p may view the guide.
func (s *Store) items(ctx context.Context, q db.Querier, p access.Principal, id int64) ([]ItemRef, error) {
	f, args := p.Filter(guide.Kind, fmt.Sprint(guide.NodeID), access.View)
	rows, err := q.Query(ctx, `SELECT i.id, i.slug, i.name, i.stream FROM centre_items ci JOIN guide_items i ON i.id = ci.item_id
		WHERE ci.centre_id = ? AND `+f+` ORDER BY i.name, i.id`, append([]any{id}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("centres: items of %d: %w", id, err)
	}
	defer rows.Close()
	var out []ItemRef
	for rows.Next() {
		var it ItemRef
		if err := rows.Scan(&it.ID, &it.Slug, &it.Name, &it.Stream); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// ForItem lists the centres that accept a guide item (the item page's
// "where to take it"), for someone who may view the directory; none when
// they may not.
//
// The list is kept while the content does not change; a centre's hours and
// items are shared with other callers and must not be changed.
func (s *Store) ForItem(ctx context.Context, p access.Principal, itemID int64) ([]Centre, error) {
	out, err := s.forItem.Get(ctx, s.db, p.Key()+"/"+strconv.FormatInt(itemID, 10), func() ([]Centre, error) {
		return s.readForItem(ctx, p, itemID)
	})
	return slices.Clone(out), err
}

func (s *Store) readForItem(ctx context.Context, p access.Principal, itemID int64) ([]Centre, error) {
	if ok, err := access.Can(ctx, s.db, p, Kind, NodeID, access.View); err != nil || !ok {
		return nil, err
	}
	rows, err := s.db.Query(ctx, "SELECT "+centreCols+` FROM centres c JOIN centre_items ci ON ci.centre_id = c.id
		WHERE ci.item_id = ? ORDER BY c.kind, c.name, c.id`, itemID)
	if err != nil {
		return nil, fmt.Errorf("centres: for item %d: %w", itemID, err)
	}
	defer rows.Close()
	var out []Centre
	for rows.Next() {
		c, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// Create adds a centre (Edit on the directory).
func (s *Store) Create(ctx context.Context, a access.Actor, in Input) (*Centre, error) {
	var out *Centre
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Edit); err != nil {
			return err
		}
		id, err := s.write(ctx, tx, 0, &in)
		if err != nil {
			return err
		}
		if out, err = s.getByID(ctx, tx, id); err != nil {
			return err
		}
		if err := s.indexCentre(ctx, tx, out); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, s.now(), "centres.create", audit.Object("centre", id), "slug="+out.Slug)
	})
	return out, err
}

// Update changes a centre (Edit on the directory); an input built on
// another version is refused with a form error.
func (s *Store) Update(ctx context.Context, a access.Actor, id int64, in Input) (*Centre, error) {
	var out *Centre
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Edit); err != nil {
			return err
		}
		cur, err := s.getByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Version != "" && in.Version != cur.Version() {
			// Check the rest too, so every error shows at once.
			_, _, ve := in.clean(s.words)
			ve.Add("", "centres.error.stale")
			return ve
		}
		if _, err := s.write(ctx, tx, id, &in); err != nil {
			return err
		}
		if out, err = s.getByID(ctx, tx, id); err != nil {
			return err
		}
		if err := s.indexCentre(ctx, tx, out); err != nil {
			return err
		}
		detail := "slug=" + out.Slug
		if out.Slug != cur.Slug {
			detail = "slug=" + cur.Slug + "→" + out.Slug
		}
		return audit.Record(ctx, tx, a, s.now(), "centres.update", audit.Object("centre", id), detail)
	})
	return out, err
}

// write checks in and inserts (id 0) or updates the row and its items.
func (s *Store) write(ctx context.Context, tx *db.Tx, id int64, in *Input) (int64, error) {
	slug, h, ve := in.clean(s.words)
	lat, lon := in.coordinates(ve)
	ids := slices.Compact(slices.Sorted(slices.Values(in.ItemIDs)))
	if len(ids) > 0 {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM guide_items WHERE id IN ("+db.In(len(ids))+")", db.Args(ids)...).Scan(&n); err != nil {
			return 0, err
		}
		if n != len(ids) {
			ve.Add("objets", "centres.error.items")
		}
	}
	if len(ve) > 0 {
		return 0, ve
	}
	now := s.now()
	var err error
	if id == 0 {
		err = tx.QueryRow(ctx, `INSERT INTO centres (slug, name, kind, address, postcode, city, latitude, longitude, phone, email,
			access_rules, hours, closures, open_on_holidays, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			slug, in.Name, in.Kind, in.Address, in.Postcode, in.City, lat, lon, in.Phone, in.Email,
			in.AccessRules, in.Hours, in.Closures, h.OpenOnHolidays, now, now).Scan(&id)
	} else {
		var cur time.Time
		if err := tx.QueryRow(ctx, "SELECT updated_at FROM centres WHERE id = ?", id).Scan(&cur); err != nil {
			return 0, db.NotFound(err)
		}
		if !now.After(cur.UTC()) {
			now = cur.UTC().Add(time.Microsecond) // the version must move
		}
		_, err = tx.Exec(ctx, `UPDATE centres SET slug = ?, name = ?, kind = ?, address = ?, postcode = ?, city = ?, latitude = ?,
			longitude = ?, phone = ?, email = ?, access_rules = ?, hours = ?, closures = ?, open_on_holidays = ?, updated_at = ?
			WHERE id = ?`, slug, in.Name, in.Kind, in.Address, in.Postcode, in.City, lat, lon, in.Phone, in.Email,
			in.AccessRules, in.Hours, in.Closures, h.OpenOnHolidays, now, id)
	}
	if errors.Is(err, db.ErrConflict) {
		return 0, valid.One("slug", "centres.error.slug_taken", slug)
	}
	if err != nil {
		return 0, fmt.Errorf("centres: write %q: %w", slug, err)
	}
	if err := setItems(ctx, tx, id, ids); err != nil {
		return 0, err
	}
	return id, nil
}

func setItems(ctx context.Context, tx *db.Tx, id int64, items []int64) error {
	if _, err := tx.Exec(ctx, "DELETE FROM centre_items WHERE centre_id = ?", id); err != nil {
		return fmt.Errorf("centres: items of %d: %w", id, err)
	}
	for chunk := range slices.Chunk(items, 200) {
		values := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(chunk)), ", ")
		args := make([]any, 0, 2*len(chunk))
		for _, it := range chunk {
			args = append(args, id, it)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO centre_items (centre_id, item_id) VALUES "+values, args...); err != nil {
			return fmt.Errorf("centres: items of %d: %w", id, err)
		}
	}
	return nil
}

// Delete removes a centre (Edit on the directory).
func (s *Store) Delete(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Edit); err != nil {
			return err
		}
		cur, err := s.getByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM centres WHERE id = ?", id); err != nil {
			return fmt.Errorf("centres: delete %d: %w", id, err)
		}
		if s.index != nil {
			if err := s.index.Delete(ctx, tx, SearchKind, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, s.now(), "centres.delete", audit.Object("centre", id), "slug="+cur.Slug)
	})
}

func searchDoc(c *Centre) search.Doc {
	body := strings.Join([]string{c.Address, c.Postcode + " " + c.City, c.AccessRules}, "\n")
	return search.Doc{Kind: SearchKind, ID: c.ID, ACLKind: Kind, ACLID: NodeID, Title: c.Name, Body: body,
		URL: c.URL(), Date: c.UpdatedAt, Extra: c.City}
}

func (s *Store) indexCentre(ctx context.Context, q db.Querier, c *Centre) error {
	if s.index == nil {
		return nil
	}
	return s.index.Replace(ctx, q, SearchKind, c.ID, []search.Doc{searchDoc(c)})
}

// Reindex re-feeds the site search with every centre and returns how many.
func (s *Store) Reindex(ctx context.Context) (int, error) {
	if s.index == nil {
		return 0, nil
	}
	n := 0
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		list, err := s.list(ctx, tx)
		if err != nil {
			return err
		}
		for i := range list {
			if err := s.indexCentre(ctx, tx, &list[i]); err != nil {
				return err
			}
		}
		n = len(list)
		return nil
	})
	return n, err
}

// Grants returns who may view and edit the directory (Manage).
func (s *Store) Grants(ctx context.Context, p access.Principal) ([]access.Grant, error) {
	if err := access.Require(ctx, s.db, p, Kind, NodeID, access.Manage); err != nil {
		return nil, err
	}
	g, _, err := access.Grants(ctx, s.db, Kind, NodeID)
	return g, err
}

// SetGrants changes who may view and edit the directory (Manage).
func (s *Store) SetGrants(ctx context.Context, a access.Actor, grants []access.Grant) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Manage); err != nil {
			return err
		}
		if err := access.SetGrants(ctx, tx, Kind, NodeID, grants); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, s.now(), "centres.grants", audit.Object(string(Kind), NodeID), guide.GrantsDetail(grants))
	})
}

// ItemOptions lists the guide's items for the "accepted waste" field of the
// form (an editor of the directory sees their names even when the guide
// would be private: they choose among them).
func (s *Store) ItemOptions(ctx context.Context, p access.Principal) ([]ItemRef, error) {
	if err := access.Require(ctx, s.db, p, Kind, NodeID, access.Edit); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, "SELECT i.id, i.slug, i.name, i.stream FROM guide_items i ORDER BY i.name, i.id")
	if err != nil {
		return nil, fmt.Errorf("centres: item options: %w", err)
	}
	defer rows.Close()
	var out []ItemRef
	for rows.Next() {
		var it ItemRef
		if err := rows.Scan(&it.ID, &it.Slug, &it.Name, &it.Stream); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// RequireEdit returns access.ErrForbidden unless p may edit the directory
// (the management pages ask it before showing anything).
func (s *Store) RequireEdit(ctx context.Context, p access.Principal) error {
	return access.Require(ctx, s.db, p, Kind, NodeID, access.Edit)
}
