package guide

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/search"
	"portique/internal/valid"
)

// Indexer is the part of search.Index the guide needs to keep the site
// search in step with its items. A nil Indexer indexes nothing.
type Indexer interface {
	Replace(ctx context.Context, q db.Querier, kind string, id int64, docs []search.Doc) error
	Delete(ctx context.Context, q db.Querier, kind string, id int64) error
}

// Store holds all the guide's SQL and its permission checks.
type Store struct {
	db    *db.DB
	index Indexer
	// Now is the clock (time.Now by default; services.New sets the one clock).
	Now func() time.Time

	mu   sync.Mutex
	snap *snapshot

	// Reads every item page repeats, kept while the content does not
	// change (db.Memo). Shared: handed out as copies.
	streams db.Memo[[]Stream]
	items   db.Memo[*Item]
	levels  db.Memo[access.Level]
}

// New returns the guide's store on d; index may be nil.
func New(d *db.DB, index Indexer) *Store {
	return &Store{db: d, index: index, Now: time.Now, items: db.Memo[*Item]{Max: 512}}
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Level returns p's level on the guide, for showing tools (decisions are
// taken by each method).
func (s *Store) Level(ctx context.Context, p access.Principal) (access.Level, error) {
	return s.levels.Get(ctx, s.db, p.Key(), func() (access.Level, error) { return access.LevelOf(ctx, s.db, p, Kind, NodeID) })
}

// view checks that p may read the guide.
func view(ctx context.Context, q db.Querier, p access.Principal) error {
	return access.Require(ctx, q, p, Kind, NodeID, access.View)
}

// Streams lists the streams in display order. They are not secret: the
// list carries no item.
func (s *Store) Streams(ctx context.Context) ([]Stream, error) {
	out, err := s.streams.Get(ctx, s.db, "", func() ([]Stream, error) { return s.readStreams(ctx) })
	return slices.Clone(out), err
}

func (s *Store) readStreams(ctx context.Context) ([]Stream, error) {
	rows, err := s.db.Query(ctx, "SELECT code, label, advice, position FROM guide_streams ORDER BY position, code")
	if err != nil {
		return nil, fmt.Errorf("guide: streams: %w", err)
	}
	defer rows.Close()
	var out []Stream
	for rows.Next() {
		var st Stream
		if err := rows.Scan(&st.Code, &st.Label, &st.Advice, &st.Position); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

func streamSet(ctx context.Context, q db.Querier) (map[string]string, error) {
	rows, err := q.Query(ctx, "SELECT code, label FROM guide_streams")
	if err != nil {
		return nil, fmt.Errorf("guide: streams: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, l string
		if err := rows.Scan(&c, &l); err != nil {
			return nil, err
		}
		out[c] = l
	}
	return out, rows.Err()
}

const itemCols = "i.id, i.slug, i.name, i.synonyms, i.stream, i.instructions, i.image IS NOT NULL, i.image_alt, i.created_at, i.updated_at"

func scanItem(sc interface{ Scan(...any) error }) (*Item, error) {
	var it Item
	var syn string
	if err := sc.Scan(&it.ID, &it.Slug, &it.Name, &syn, &it.Stream, &it.Instructions, &it.HasImage, &it.ImageAlt, &it.CreatedAt, &it.UpdatedAt); err != nil {
		return nil, err
	}
	if syn != "" {
		it.Synonyms = strings.Split(syn, "\n")
	}
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	return &it, nil
}

// List returns every item, by name, for someone who may view the guide.
func (s *Store) List(ctx context.Context, p access.Principal) ([]Item, error) {
	if err := view(ctx, s.db, p); err != nil {
		return nil, err
	}
	return listItems(ctx, s.db)
}

func listItems(ctx context.Context, q db.Querier) ([]Item, error) {
	rows, err := q.Query(ctx, "SELECT "+itemCols+" FROM guide_items i ORDER BY i.name, i.id")
	if err != nil {
		return nil, fmt.Errorf("guide: list: %w", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *it)
	}
	return out, rows.Err()
}

// Get returns the item with this slug, for someone who may view the guide.
func (s *Store) Get(ctx context.Context, p access.Principal, slug string) (*Item, error) {
	it, err := s.items.Get(ctx, s.db, p.Key()+"/"+slug, func() (*Item, error) { return s.readItem(ctx, p, slug) })
	if err != nil {
		return nil, err
	}
	c := *it
	c.Synonyms = slices.Clone(it.Synonyms)
	return &c, nil
}

func (s *Store) readItem(ctx context.Context, p access.Principal, slug string) (*Item, error) {
	if err := view(ctx, s.db, p); err != nil {
		return nil, err
	}
	it, err := scanItem(s.db.QueryRow(ctx, "SELECT "+itemCols+" FROM guide_items i WHERE i.slug = ?", slug))
	if err != nil {
		return nil, fmt.Errorf("guide: get %q: %w", slug, db.NotFound(err))
	}
	return it, nil
}

// GetByID returns an item by id, for someone who may view the guide.
func (s *Store) GetByID(ctx context.Context, p access.Principal, id int64) (*Item, error) {
	if err := view(ctx, s.db, p); err != nil {
		return nil, err
	}
	return getByID(ctx, s.db, id)
}

func getByID(ctx context.Context, q db.Querier, id int64) (*Item, error) {
	it, err := scanItem(q.QueryRow(ctx, "SELECT "+itemCols+" FROM guide_items i WHERE i.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("guide: item %d: %w", id, db.NotFound(err))
	}
	return it, nil
}

// Image returns an item's picture and its media type (db.ErrNotFound when
// it has none).
func (s *Store) Image(ctx context.Context, p access.Principal, slug string) ([]byte, string, error) {
	if err := view(ctx, s.db, p); err != nil {
		return nil, "", err
	}
	var data []byte
	var mt string
	err := s.db.QueryRow(ctx, "SELECT image, image_type FROM guide_items WHERE slug = ? AND image IS NOT NULL", slug).Scan(&data, &mt)
	if err != nil {
		return nil, "", fmt.Errorf("guide: image of %q: %w", slug, db.NotFound(err))
	}
	return data, mt, nil
}

// Create adds an item (Edit on the guide).
func (s *Store) Create(ctx context.Context, a access.Actor, in Input) (*Item, error) {
	var out *Item
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Edit); err != nil {
			return err
		}
		streams, err := streamSet(ctx, tx)
		if err != nil {
			return err
		}
		slug, ve := in.clean(keys(streams))
		img, imgType := imageErrors(ve, &in)
		if len(ve) > 0 {
			return ve
		}
		now := s.now()
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO guide_items (slug, name, synonyms, stream, instructions, image, image_type, image_alt, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			slug, in.Name, in.Synonyms, in.Stream, in.Instructions, img, imgType, in.ImageAlt, now, now).Scan(&id)
		if errors.Is(err, db.ErrConflict) {
			return valid.One("slug", "guide.error.slug_taken", slug)
		}
		if err != nil {
			return fmt.Errorf("guide: create: %w", err)
		}
		if out, err = getByID(ctx, tx, id); err != nil {
			return err
		}
		if err := s.indexItem(ctx, tx, out, streams); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "guide.item.create", audit.Object("guide_item", id), "slug="+slug)
	})
	return out, err
}

// Update changes an item (Edit on the guide). An input built on another
// version than the stored one is refused with a form error, so two editors
// cannot overwrite each other unknowingly.
func (s *Store) Update(ctx context.Context, a access.Actor, id int64, in Input) (*Item, error) {
	var out *Item
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Edit); err != nil {
			return err
		}
		cur, err := getByID(ctx, tx, id)
		if err != nil {
			return err
		}
		streams, err := streamSet(ctx, tx)
		if err != nil {
			return err
		}
		slug, ve := in.clean(keys(streams))
		img, imgType := imageErrors(ve, &in)
		if in.Version != "" && in.Version != cur.Version() {
			ve.Add("", "guide.error.stale")
		}
		if !cur.HasImage && img == nil && in.ImageAlt != "" {
			in.ImageAlt = ""
		}
		if len(ve) > 0 {
			return ve
		}
		now := s.now()
		if now.Equal(cur.UpdatedAt) {
			now = now.Add(time.Microsecond) // the version must move
		}
		q := `UPDATE guide_items SET slug = ?, name = ?, synonyms = ?, stream = ?, instructions = ?, image_alt = ?, updated_at = ?`
		args := []any{slug, in.Name, in.Synonyms, in.Stream, in.Instructions, in.ImageAlt, now}
		switch {
		case img != nil:
			q += ", image = ?, image_type = ?"
			args = append(args, img, imgType)
		case in.RemoveImage:
			q += ", image = NULL, image_type = ''"
			args[5] = ""
		}
		_, err = tx.Exec(ctx, q+" WHERE id = ?", append(args, id)...)
		if errors.Is(err, db.ErrConflict) {
			return valid.One("slug", "guide.error.slug_taken", slug)
		}
		if err != nil {
			return fmt.Errorf("guide: update %d: %w", id, err)
		}
		if out, err = getByID(ctx, tx, id); err != nil {
			return err
		}
		if err := s.indexItem(ctx, tx, out, streams); err != nil {
			return err
		}
		detail := "slug=" + slug
		if slug != cur.Slug {
			detail = "slug=" + cur.Slug + "→" + slug
		}
		return audit.Record(ctx, tx, a, now, "guide.item.update", audit.Object("guide_item", id), detail)
	})
	return out, err
}

// imageErrors checks a new picture and returns it ready to store (nil when
// there is none), adding its errors to ve.
func imageErrors(ve valid.Errors, in *Input) ([]byte, string) {
	if in.Image == nil {
		return nil, ""
	}
	data, mt, key, args := prepareImage(in.Image)
	if key != "" {
		ve.Add("image", key, args...)
		return nil, ""
	}
	if in.ImageAlt == "" {
		ve.Add("image_alt", "guide.error.image_alt_required")
	}
	return data, mt
}

// Delete removes an item (Edit on the guide); its links to recycling
// centres go with it.
func (s *Store) Delete(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Edit); err != nil {
			return err
		}
		cur, err := getByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM guide_items WHERE id = ?", id); err != nil {
			return fmt.Errorf("guide: delete %d: %w", id, err)
		}
		if s.index != nil {
			if err := s.index.Delete(ctx, tx, SearchKind, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, s.now(), "guide.item.delete", audit.Object("guide_item", id), "slug="+cur.Slug)
	})
}

// searchDoc is the site search's entry of an item.
func searchDoc(it *Item, streams map[string]string) search.Doc {
	body := []string{strings.Join(it.Synonyms, ", "), streams[it.Stream], it.Instructions}
	return search.Doc{Kind: SearchKind, ID: it.ID, ACLKind: Kind, ACLID: NodeID, Title: it.Name,
		Body: strings.Join(body, "\n"), URL: it.URL(), Date: it.UpdatedAt, Extra: streams[it.Stream]}
}

func (s *Store) indexItem(ctx context.Context, q db.Querier, it *Item, streams map[string]string) error {
	if s.index == nil {
		return nil
	}
	return s.index.Replace(ctx, q, SearchKind, it.ID, []search.Doc{searchDoc(it, streams)})
}

// Reindex re-feeds the site search with every item and returns how many.
func (s *Store) Reindex(ctx context.Context) (int, error) {
	if s.index == nil {
		return 0, nil
	}
	n := 0
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		streams, err := streamSet(ctx, tx)
		if err != nil {
			return err
		}
		items, err := listItems(ctx, tx)
		if err != nil {
			return err
		}
		for i := range items {
			if err := s.indexItem(ctx, tx, &items[i], streams); err != nil {
				return err
			}
		}
		n = len(items)
		return nil
	})
	return n, err
}

// snapshotFor returns the matching snapshot of the current content.
// Reading the content version is one indexed row; the snapshot is rebuilt
// only when it moved (any change to the public content, on any instance).
func (s *Store) snapshotFor(ctx context.Context) (*snapshot, error) {
	v, err := s.db.ContentVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("guide: content version: %w", err)
	}
	s.mu.Lock()
	sn := s.snap
	s.mu.Unlock()
	if sn != nil && sn.version == v {
		return sn, nil
	}
	rows, err := s.db.Query(ctx, "SELECT id, slug, name, synonyms, stream FROM guide_items ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("guide: snapshot: %w", err)
	}
	defer rows.Close()
	var items []Item
	for rows.Next() {
		var it Item
		var syn string
		if err := rows.Scan(&it.ID, &it.Slug, &it.Name, &syn, &it.Stream); err != nil {
			return nil, err
		}
		if syn != "" {
			it.Synonyms = strings.Split(syn, "\n")
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sn = buildSnapshot(v, items)
	s.mu.Lock()
	if s.snap == nil || s.snap.version <= v {
		s.snap = sn
	}
	s.mu.Unlock()
	return sn, nil
}

// Suggest returns at most limit items for what a resident is typing (the
// instant suggestions): the last word may be unfinished.
func (s *Store) Suggest(ctx context.Context, p access.Principal, q string, limit int) ([]Match, error) {
	if err := view(ctx, s.db, p); err != nil {
		return nil, err
	}
	sn, err := s.snapshotFor(ctx)
	if err != nil {
		return nil, err
	}
	return sn.match(q, limit), nil
}

// Result is the answer of the guide's search page.
type Result struct {
	Matches []Match
	// Nearest, when nothing matches every word, are items that match some
	// of them ("Vouliez-vous dire…").
	Nearest []Match
}

// Find searches the guide for the results page (at most 50 items).
func (s *Store) Find(ctx context.Context, p access.Principal, q string) (Result, error) {
	if err := view(ctx, s.db, p); err != nil {
		return Result{}, err
	}
	sn, err := s.snapshotFor(ctx)
	if err != nil {
		return Result{}, err
	}
	res := Result{Matches: sn.match(q, 50)}
	if len(res.Matches) == 0 {
		res.Nearest = sn.nearest(q, 5)
	}
	return res, nil
}

// Grants returns who may view and edit the guide (Manage on the guide).
func (s *Store) Grants(ctx context.Context, p access.Principal) ([]access.Grant, error) {
	if err := access.Require(ctx, s.db, p, Kind, NodeID, access.Manage); err != nil {
		return nil, err
	}
	g, _, err := access.Grants(ctx, s.db, Kind, NodeID)
	return g, err
}

// SetGrants changes who may view and edit the guide (Manage on the guide).
func (s *Store) SetGrants(ctx context.Context, a access.Actor, grants []access.Grant) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Manage); err != nil {
			return err
		}
		if err := access.SetGrants(ctx, tx, Kind, NodeID, grants); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, s.now(), "guide.grants", audit.Object(string(Kind), NodeID), GrantsDetail(grants))
	})
}

// GrantsDetail is the audit detail of a grants change: group=level pairs.
func GrantsDetail(grants []access.Grant) string {
	parts := make([]string, 0, len(grants))
	for _, g := range grants {
		parts = append(parts, fmt.Sprintf("group%d=%s", g.GroupID, g.Level))
	}
	return strings.Join(parts, " ")
}

func keys(m map[string]string) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// RequireEdit returns access.ErrForbidden unless p may edit the guide (the
// management pages ask it before showing anything).
func (s *Store) RequireEdit(ctx context.Context, p access.Principal) error {
	return access.Require(ctx, s.db, p, Kind, NodeID, access.Edit)
}
