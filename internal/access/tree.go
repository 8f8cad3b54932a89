package access

import (
	"context"
	"fmt"

	"portique/internal/db"
)

// Grant gives a group a level on an object.
type Grant struct {
	GroupID int64
	Level   Level
}

// AddNode registers a new object. With parentID 0 it is a root; otherwise it
// inherits its parent's grants until SetGrants gives it its own. Call it in
// the transaction that creates the object.
func AddNode(ctx context.Context, q db.Querier, kind Kind, id, parentID int64) error {
	source := id
	var parent any
	if parentID != 0 {
		parent = parentID
		if err := q.QueryRow(ctx, "SELECT source_id FROM acl_nodes WHERE kind = ? AND id = ?", string(kind), parentID).Scan(&source); err != nil {
			return fmt.Errorf("access: parent %s %d: %w", kind, parentID, db.NotFound(err))
		}
	}
	_, err := q.Exec(ctx, "INSERT INTO acl_nodes (kind, id, parent_id, own, source_id) VALUES (?, ?, ?, ?, ?)",
		string(kind), id, parent, false, source)
	if err != nil {
		return fmt.Errorf("access: add %s %d: %w", kind, id, err)
	}
	return nil
}

// RemoveNode deletes an object's node and own grants. Its children must have
// been removed or moved first.
func RemoveNode(ctx context.Context, q db.Querier, kind Kind, id int64) error {
	if _, err := q.Exec(ctx, "DELETE FROM grants WHERE kind = ? AND object_id = ?", string(kind), id); err != nil {
		return fmt.Errorf("access: remove grants %s %d: %w", kind, id, err)
	}
	if _, err := q.Exec(ctx, "DELETE FROM acl_nodes WHERE kind = ? AND id = ?", string(kind), id); err != nil {
		return fmt.Errorf("access: remove %s %d: %w", kind, id, err)
	}
	return nil
}

// Move puts an object under a new parent (0: a root) and refreshes what it and
// its inheriting descendants inherit. Moving an object under itself or one of
// its descendants returns ErrCycle.
func Move(ctx context.Context, q db.Querier, kind Kind, id, newParentID int64) error {
	for cur := newParentID; cur != 0; {
		if cur == id {
			return ErrCycle
		}
		var next *int64
		if err := q.QueryRow(ctx, "SELECT parent_id FROM acl_nodes WHERE kind = ? AND id = ?", string(kind), cur).Scan(&next); err != nil {
			return fmt.Errorf("access: move %s %d: %w", kind, id, db.NotFound(err))
		}
		if next == nil {
			break
		}
		cur = *next
	}
	var parent any
	if newParentID != 0 {
		parent = newParentID
	}
	if _, err := q.Exec(ctx, "UPDATE acl_nodes SET parent_id = ? WHERE kind = ? AND id = ?", parent, string(kind), id); err != nil {
		return fmt.Errorf("access: move %s %d: %w", kind, id, err)
	}
	return refresh(ctx, q, kind, id)
}

// SetGrants makes an object set its own grants (replacing any it had) and
// stops it inheriting; its inheriting descendants follow. An empty list is
// allowed and means "visible to administrators only".
func SetGrants(ctx context.Context, q db.Querier, kind Kind, id int64, grants []Grant) error {
	if _, err := q.Exec(ctx, "UPDATE acl_nodes SET own = ? WHERE kind = ? AND id = ?", true, string(kind), id); err != nil {
		return fmt.Errorf("access: set grants %s %d: %w", kind, id, err)
	}
	if _, err := q.Exec(ctx, "DELETE FROM grants WHERE kind = ? AND object_id = ?", string(kind), id); err != nil {
		return fmt.Errorf("access: set grants %s %d: %w", kind, id, err)
	}
	seen := map[int64]bool{}
	for _, g := range grants {
		if g.Level < View || g.Level > Manage || seen[g.GroupID] {
			continue
		}
		seen[g.GroupID] = true
		if _, err := q.Exec(ctx, "INSERT INTO grants (kind, object_id, group_id, level) VALUES (?, ?, ?, ?)",
			string(kind), id, g.GroupID, int(g.Level)); err != nil {
			return fmt.Errorf("access: grant %s %d to group %d: %w", kind, id, g.GroupID, err)
		}
	}
	return refresh(ctx, q, kind, id)
}

// Inherit drops an object's own grants: it follows its parent again. A root
// that inherits has no grants at all (administrators only).
func Inherit(ctx context.Context, q db.Querier, kind Kind, id int64) error {
	if _, err := q.Exec(ctx, "DELETE FROM grants WHERE kind = ? AND object_id = ?", string(kind), id); err != nil {
		return fmt.Errorf("access: inherit %s %d: %w", kind, id, err)
	}
	if _, err := q.Exec(ctx, "UPDATE acl_nodes SET own = ? WHERE kind = ? AND id = ?", false, string(kind), id); err != nil {
		return fmt.Errorf("access: inherit %s %d: %w", kind, id, err)
	}
	return refresh(ctx, q, kind, id)
}

// Grants returns the grants that apply to an object (its own or inherited)
// and whether they are its own.
func Grants(ctx context.Context, q db.Querier, kind Kind, id int64) ([]Grant, bool, error) {
	var own bool
	var source int64
	if err := q.QueryRow(ctx, "SELECT own, source_id FROM acl_nodes WHERE kind = ? AND id = ?", string(kind), id).Scan(&own, &source); err != nil {
		return nil, false, fmt.Errorf("access: grants of %s %d: %w", kind, id, db.NotFound(err))
	}
	rows, err := q.Query(ctx, "SELECT group_id, level FROM grants WHERE kind = ? AND object_id = ? ORDER BY group_id", string(kind), source)
	if err != nil {
		return nil, false, fmt.Errorf("access: grants of %s %d: %w", kind, id, err)
	}
	defer rows.Close()
	var out []Grant
	for rows.Next() {
		var g Grant
		var lvl int
		if err := rows.Scan(&g.GroupID, &lvl); err != nil {
			return nil, false, err
		}
		g.Level = Level(lvl)
		out = append(out, g)
	}
	return out, own, rows.Err()
}

// refresh recomputes source_id for a node and its inheriting descendants.
func refresh(ctx context.Context, q db.Querier, kind Kind, id int64) error {
	var own bool
	var parent *int64
	if err := q.QueryRow(ctx, "SELECT own, parent_id FROM acl_nodes WHERE kind = ? AND id = ?", string(kind), id).Scan(&own, &parent); err != nil {
		return fmt.Errorf("access: refresh %s %d: %w", kind, id, db.NotFound(err))
	}
	source := id
	if !own && parent != nil {
		if err := q.QueryRow(ctx, "SELECT source_id FROM acl_nodes WHERE kind = ? AND id = ?", string(kind), *parent).Scan(&source); err != nil {
			return fmt.Errorf("access: refresh %s %d: %w", kind, id, db.NotFound(err))
		}
	}
	if _, err := q.Exec(ctx, "UPDATE acl_nodes SET source_id = ? WHERE kind = ? AND id = ?", source, string(kind), id); err != nil {
		return err
	}
	return propagate(ctx, q, kind, id, source)
}

// propagate hands source down to the children of id that inherit, and on.
func propagate(ctx context.Context, q db.Querier, kind Kind, id, source int64) error {
	rows, err := q.Query(ctx, "SELECT id FROM acl_nodes WHERE kind = ? AND parent_id = ? AND own = ?", string(kind), id, false)
	if err != nil {
		return err
	}
	var children []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		children = append(children, c)
	}
	rows.Close()
	if len(children) == 0 {
		return nil
	}
	if _, err := q.Exec(ctx, "UPDATE acl_nodes SET source_id = ? WHERE kind = ? AND parent_id = ? AND own = ?", source, string(kind), id, false); err != nil {
		return err
	}
	for _, c := range children {
		if err := propagate(ctx, q, kind, c, source); err != nil {
			return err
		}
	}
	return nil
}
