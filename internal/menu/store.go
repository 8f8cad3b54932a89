package menu

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/pages"
)

// Store holds all the menu's SQL and its permission checks.
type Store struct {
	db    *db.DB
	pages *pages.Store
	// Now is the clock (time.Now by default; services.New sets the one clock).
	Now func() time.Time
}

// New returns the menu's store on d; pg decides which pages a visitor sees.
func New(d *db.DB, pg *pages.Store) *Store {
	return &Store{db: d, pages: pg, Now: time.Now}
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Level returns p's level on the menu, for showing tools.
func (s *Store) Level(ctx context.Context, p access.Principal) (access.Level, error) {
	return access.LevelOf(ctx, s.db, p, Kind, NodeID)
}

const entryCols = "e.id, COALESCE(e.parent_id, 0), e.position, e.kind, COALESCE(e.page_id, 0), e.area, e.label, e.url, e.subpages"

// all reads every entry as a tree of top-level entries in order.
func all(ctx context.Context, q db.Querier) ([]*Entry, error) {
	rows, err := q.Query(ctx, "SELECT "+entryCols+" FROM menu_entries e ORDER BY e.position, e.id")
	if err != nil {
		return nil, fmt.Errorf("menu: entries: %w", err)
	}
	defer rows.Close()
	var flat []*Entry
	for rows.Next() {
		var e Entry
		var kind string
		if err := rows.Scan(&e.ID, &e.ParentID, &e.Position, &kind, &e.PageID, &e.Area, &e.Label, &e.URL, &e.Subpages); err != nil {
			return nil, err
		}
		e.Kind = EntryKind(kind)
		flat = append(flat, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byID := map[int64]*Entry{}
	var top []*Entry
	for _, e := range flat {
		if e.ParentID == 0 {
			byID[e.ID] = e
			top = append(top, e)
		}
	}
	for _, e := range flat {
		if parent := byID[e.ParentID]; e.ParentID != 0 && parent != nil {
			parent.Children = append(parent.Children, e)
		}
	}
	return top, nil
}

func version(ctx context.Context, q db.Querier) (int64, error) {
	var v int64
	if err := q.QueryRow(ctx, "SELECT v FROM menu_version WHERE id = 1").Scan(&v); err != nil {
		return 0, fmt.Errorf("menu: version: %w", err)
	}
	return v, nil
}

// Entries returns the stored menu and its version (the forms carry it) for
// an editor (Edit on the menu). A page entry's title is filled only when the
// editor may see the page.
func (s *Store) Entries(ctx context.Context, p access.Principal) ([]*Entry, int64, error) {
	if err := access.Require(ctx, s.db, p, Kind, NodeID, access.Edit); err != nil {
		return nil, 0, err
	}
	v, err := version(ctx, s.db)
	if err != nil {
		return nil, 0, err
	}
	top, err := all(ctx, s.db)
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	walk(top, func(e *Entry) {
		if e.Kind == KindPage {
			ids = append(ids, e.PageID)
		}
	})
	links, err := s.pages.MenuLinks(ctx, p, ids)
	if err != nil {
		return nil, 0, err
	}
	walk(top, func(e *Entry) {
		if l := links[e.PageID]; e.Kind == KindPage && l != nil {
			e.PageTitle = l.Title
		}
	})
	return top, v, nil
}

func walk(top []*Entry, f func(*Entry)) {
	for _, e := range top {
		f(e)
		for _, c := range e.Children {
			f(c)
		}
	}
}

// Item is an entry of the menu as a visitor sees it. Label is empty when
// LabelKey (a catalogue key: a built-in area's name) gives it.
type Item struct {
	Label, LabelKey, URL string
	Children             []Item
}

// Menu returns the menu p sees and whether editors composed one (false: no
// entry is stored, the site shows the menu that follows the page tree).
// Pages p may not see, custom links into them, and groups left empty are
// left out.
func (s *Store) Menu(ctx context.Context, p access.Principal) ([]Item, bool, error) {
	top, err := all(ctx, s.db)
	if err != nil || len(top) == 0 {
		return nil, false, err
	}
	var ids, parents []int64
	hidden := map[string]bool{}
	walk(top, func(e *Entry) {
		switch {
		case e.Kind == KindPage:
			ids = append(ids, e.PageID)
			if e.Subpages && len(e.Children) == 0 {
				parents = append(parents, e.PageID)
			}
		case e.Kind == KindLink && Internal(e.URL):
			hidden[sitePath(e.URL)] = false
		}
	})
	links, err := s.pages.MenuLinks(ctx, p, ids)
	if err != nil {
		return nil, true, err
	}
	subs, err := s.pages.MenuChildren(ctx, p, parents)
	if err != nil {
		return nil, true, err
	}
	for path := range hidden {
		if hidden[path], err = s.pages.HidesPath(ctx, p, path); err != nil {
			return nil, true, err
		}
	}
	item := func(e *Entry) (Item, bool) {
		switch e.Kind {
		case KindPage:
			l := links[e.PageID]
			if l == nil {
				return Item{}, false
			}
			it := Item{Label: e.Label, URL: l.Path}
			if it.Label == "" {
				it.Label = l.Title
			}
			return it, true
		case KindArea:
			a, ok := AreaByKey(e.Area)
			if !ok {
				return Item{}, false
			}
			return Item{Label: e.Label, LabelKey: a.LabelKey, URL: a.Path}, true
		case KindLink:
			if Internal(e.URL) && hidden[sitePath(e.URL)] {
				return Item{}, false
			}
			return Item{Label: e.Label, URL: e.URL}, true
		case KindGroup:
			return Item{Label: e.Label}, true
		}
		return Item{}, false
	}
	var out []Item
	for _, e := range top {
		it, ok := item(e)
		if !ok {
			continue
		}
		for _, c := range e.Children {
			if ci, ok := item(c); ok {
				it.Children = append(it.Children, ci)
			}
		}
		if len(e.Children) == 0 && e.Kind == KindPage && e.Subpages {
			for _, l := range subs[e.PageID] {
				it.Children = append(it.Children, Item{Label: l.Title, URL: l.Path})
			}
		}
		if e.Kind == KindGroup && len(it.Children) == 0 {
			continue // a group with nothing p may see
		}
		out = append(out, it)
	}
	return out, true, nil
}

// change runs f in a transaction after checking the actor's right and the
// menu's version, then moves the version on and records the audit entry
// f describes (action, entry id, detail).
func (s *Store) change(ctx context.Context, a access.Actor, base int64, f func(tx *db.Tx) (string, int64, string, error)) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Edit); err != nil {
			return err
		}
		v, err := version(ctx, tx)
		if err != nil {
			return err
		}
		if v != base {
			return fmt.Errorf("menu: version %d, form %d: %w", v, base, ErrStale)
		}
		action, id, detail, err := f(tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE menu_version SET v = v + 1 WHERE id = 1"); err != nil {
			return fmt.Errorf("menu: version: %w", err)
		}
		return audit.Record(ctx, tx, a, s.now(), action, audit.Object("menu_entry", id), detail)
	})
}

// check validates in for a, the page included: it must exist and a must
// see it (a forged or private id is a field error, never a title).
func (s *Store) check(ctx context.Context, a access.Actor, in *Input) error {
	errs := in.normalize()
	if in.Kind == KindPage && errs["page"].Key == "" {
		links, err := s.pages.MenuLinks(ctx, a.Principal, []int64{in.PageID})
		if err != nil {
			return err
		}
		if links[in.PageID] == nil {
			errs.Add("page", "menu.error.page")
		}
	}
	return errs.Err()
}

// parentOK checks that parent is a top-level entry (one level of sub-menu).
func parentOK(ctx context.Context, q db.Querier, parent int64) error {
	if parent == 0 {
		return nil
	}
	var pp sql.NullInt64
	err := q.QueryRow(ctx, "SELECT parent_id FROM menu_entries WHERE id = ?", parent).Scan(&pp)
	if err != nil {
		return fmt.Errorf("menu: parent %d: %w", parent, db.NotFound(err))
	}
	if pp.Valid {
		return fmt.Errorf("menu: parent %d is a sub-entry: %w", parent, db.ErrNotFound)
	}
	return nil
}

func detail(in Input) string {
	parts := []string{"kind=" + string(in.Kind)}
	if in.ParentID != 0 {
		parts = append(parts, fmt.Sprintf("parent=%d", in.ParentID))
	}
	switch in.Kind {
	case KindPage:
		parts = append(parts, fmt.Sprintf("page=%d", in.PageID))
	case KindArea:
		parts = append(parts, "area="+in.Area)
	case KindLink:
		parts = append(parts, "url="+in.URL)
	}
	if in.Label != "" {
		parts = append(parts, "label="+in.Label)
	}
	return strings.Join(parts, " ")
}

// Add appends an entry at the end of the top level or of a sub-menu. base
// is the version the form was drawn from.
func (s *Store) Add(ctx context.Context, a access.Actor, base int64, in Input) (int64, error) {
	if err := s.check(ctx, a, &in); err != nil {
		return 0, err
	}
	var id int64
	err := s.change(ctx, a, base, func(tx *db.Tx) (string, int64, string, error) {
		if err := parentOK(ctx, tx, in.ParentID); err != nil {
			return "", 0, "", err
		}
		var pos int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM menu_entries WHERE "+parentWhere(in.ParentID), parentArgs(in.ParentID)...).Scan(&pos); err != nil {
			return "", 0, "", fmt.Errorf("menu: position: %w", err)
		}
		err := tx.QueryRow(ctx, `INSERT INTO menu_entries (parent_id, position, kind, page_id, area, label, url, subpages)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, nullID(in.ParentID), pos, string(in.Kind), nullID(in.PageID), in.Area, in.Label, in.URL, in.Subpages).Scan(&id)
		if err != nil {
			return "", 0, "", fmt.Errorf("menu: add: %w", err)
		}
		return "menu.add", id, detail(in), nil
	})
	return id, err
}

// Update changes an entry's target and label (its place stays; the parent
// in is ignored).
func (s *Store) Update(ctx context.Context, a access.Actor, base, id int64, in Input) error {
	if err := access.Require(ctx, s.db, a.Principal, Kind, NodeID, access.Edit); err != nil {
		return err
	}
	cur, err := s.entry(ctx, s.db, id)
	if err != nil {
		return err
	}
	in.ParentID = cur.ParentID
	if err := s.check(ctx, a, &in); err != nil {
		return err
	}
	return s.change(ctx, a, base, func(tx *db.Tx) (string, int64, string, error) {
		res, err := tx.Exec(ctx, `UPDATE menu_entries SET kind = ?, page_id = ?, area = ?, label = ?, url = ?, subpages = ? WHERE id = ?`,
			string(in.Kind), nullID(in.PageID), in.Area, in.Label, in.URL, in.Subpages, id)
		if err != nil {
			return "", 0, "", fmt.Errorf("menu: update %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return "", 0, "", fmt.Errorf("menu: update %d: %w", id, db.ErrNotFound)
		}
		return "menu.update", id, detail(in), nil
	})
}

// Move swaps an entry with its previous (up) or next sibling. At either end
// nothing moves and nothing is recorded.
func (s *Store) Move(ctx context.Context, a access.Actor, base, id int64, up bool) error {
	return s.change(ctx, a, base, func(tx *db.Tx) (string, int64, string, error) {
		e, err := s.entry(ctx, tx, id)
		if err != nil {
			return "", 0, "", err
		}
		cmp, order := ">", "ASC"
		if up {
			cmp, order = "<", "DESC"
		}
		var other int64
		var pos int
		args := append(parentArgs(e.ParentID), e.Position, e.Position, id)
		err = tx.QueryRow(ctx, "SELECT id, position FROM menu_entries WHERE "+parentWhere(e.ParentID)+
			" AND (position "+cmp+" ? OR (position = ? AND id "+cmp+" ?)) ORDER BY position "+order+", id "+order+" LIMIT 1", args...).Scan(&other, &pos)
		if errors.Is(err, sql.ErrNoRows) {
			return "menu.move", id, "edge", nil
		}
		if err != nil {
			return "", 0, "", fmt.Errorf("menu: move %d: %w", id, err)
		}
		if pos == e.Position {
			// Equal positions (never written by this store): spread them first.
			pos = e.Position - 1
			if !up {
				pos = e.Position + 1
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE menu_entries SET position = ? WHERE id = ?", e.Position, other); err != nil {
			return "", 0, "", err
		}
		if _, err := tx.Exec(ctx, "UPDATE menu_entries SET position = ? WHERE id = ?", pos, id); err != nil {
			return "", 0, "", err
		}
		dir := "down"
		if up {
			dir = "up"
		}
		return "menu.move", id, fmt.Sprintf("dir=%s position=%d→%d", dir, e.Position, pos), nil
	})
}

// Delete removes an entry and its sub-menu.
func (s *Store) Delete(ctx context.Context, a access.Actor, base, id int64) error {
	return s.change(ctx, a, base, func(tx *db.Tx) (string, int64, string, error) {
		e, err := s.entry(ctx, tx, id)
		if err != nil {
			return "", 0, "", err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM menu_entries WHERE parent_id = ?", id); err != nil {
			return "", 0, "", fmt.Errorf("menu: delete %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM menu_entries WHERE id = ?", id); err != nil {
			return "", 0, "", fmt.Errorf("menu: delete %d: %w", id, err)
		}
		return "menu.delete", id, detail(Input{ParentID: e.ParentID, Kind: e.Kind, PageID: e.PageID, Area: e.Area, URL: e.URL, Label: e.Label}), nil
	})
}

// Entry returns one stored entry for an editor (its form).
func (s *Store) Entry(ctx context.Context, p access.Principal, id int64) (*Entry, error) {
	if err := access.Require(ctx, s.db, p, Kind, NodeID, access.Edit); err != nil {
		return nil, err
	}
	return s.entry(ctx, s.db, id)
}

func (s *Store) entry(ctx context.Context, q db.Querier, id int64) (*Entry, error) {
	var e Entry
	var kind string
	err := q.QueryRow(ctx, "SELECT "+entryCols+" FROM menu_entries e WHERE e.id = ?", id).
		Scan(&e.ID, &e.ParentID, &e.Position, &kind, &e.PageID, &e.Area, &e.Label, &e.URL, &e.Subpages)
	if err != nil {
		return nil, fmt.Errorf("menu: entry %d: %w", id, db.NotFound(err))
	}
	e.Kind = EntryKind(kind)
	return &e, nil
}

func parentWhere(parent int64) string {
	if parent == 0 {
		return "parent_id IS NULL"
	}
	return "parent_id = ?"
}

func parentArgs(parent int64) []any {
	if parent == 0 {
		return nil
	}
	return []any{parent}
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Grants returns who may change the menu (administrators).
func (s *Store) Grants(ctx context.Context, p access.Principal) ([]access.Grant, error) {
	if err := access.Require(ctx, s.db, p, Kind, NodeID, access.Manage); err != nil {
		return nil, err
	}
	g, _, err := access.Grants(ctx, s.db, Kind, NodeID)
	return g, err
}

// SetGrants changes who may change the menu (Edit on it); administrators
// only (Manage on the menu).
func (s *Store) SetGrants(ctx context.Context, a access.Actor, grants []access.Grant) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Kind, NodeID, access.Manage); err != nil {
			return err
		}
		if err := access.SetGrants(ctx, tx, Kind, NodeID, grants); err != nil {
			return err
		}
		parts := make([]string, 0, len(grants))
		for _, g := range grants {
			parts = append(parts, fmt.Sprintf("group%d=%s", g.GroupID, g.Level))
		}
		return audit.Record(ctx, tx, a, s.now(), "menu.grants", audit.Object(string(Kind), NodeID), strings.Join(parts, " "))
	})
}
