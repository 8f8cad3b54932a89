package pages

import (
	"context"
	"fmt"
	"strings"

	"portique/internal/access"
	"portique/internal/db"
)

// GroupOption is a group that can receive grants, for the access form.
type GroupOption struct {
	ID      int64
	Name    string
	Builtin bool
}

// Groups lists every group, pseudo-groups (Tout le monde, Membres) first.
func (s *Store) Groups(ctx context.Context) ([]GroupOption, error) {
	rows, err := s.d.Query(ctx, "SELECT id, name, builtin FROM groups ORDER BY builtin DESC, id")
	if err != nil {
		return nil, fmt.Errorf("pages: groups: %w", err)
	}
	defer rows.Close()
	var out []GroupOption
	for rows.Next() {
		var g GroupOption
		if err := rows.Scan(&g.ID, &g.Name, &g.Builtin); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Grants returns the grants that apply to a page and whether they are its
// own (false: inherited from the parent), for someone who manages it.
func (s *Store) Grants(ctx context.Context, p access.Principal, id int64) ([]access.Grant, bool, error) {
	if _, err := getLive(ctx, s.d, id); err != nil {
		return nil, false, err
	}
	if err := require(ctx, s.d, p, id, access.Manage); err != nil {
		return nil, false, err
	}
	return access.Grants(ctx, s.d, access.Page, id)
}

// SetGrants changes who may view, edit and manage a page and its inheriting
// sub-pages (Manage). With inherit the page follows its parent again and
// grants is ignored. The home page cannot inherit (it has no parent).
func (s *Store) SetGrants(ctx context.Context, a access.Actor, id int64, inherit bool, grants []access.Grant) error {
	return s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a.Principal, id, access.Manage); err != nil {
			return err
		}
		if inherit && p.IsHome() {
			return invalid("inherit", "pages.error.home_inherit")
		}
		var detail string
		if inherit {
			err = access.Inherit(ctx, tx, access.Page, id)
			detail = "path=" + p.Path + " inherit=true"
		} else {
			err = access.SetGrants(ctx, tx, access.Page, id, grants)
			parts := make([]string, 0, len(grants))
			for _, g := range grants {
				parts = append(parts, fmt.Sprintf("%d:%s", g.GroupID, g.Level))
			}
			detail = "path=" + p.Path + " grants=" + strings.Join(parts, ",")
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, a, "page.grants", id, detail)
	})
}
