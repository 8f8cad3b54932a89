package users

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/valid"
)

// Groups is the store of groups and memberships. Its mutations are for
// administrators only.
type Groups struct {
	DB  *db.DB
	Now func() time.Time // time.Now when nil
}

func (s *Groups) now() time.Time { return nowOf(s.Now) }

// List returns every group, built-in ones first, with member counts.
func (s *Groups) List(ctx context.Context) ([]Group, error) {
	rows, err := s.DB.Query(ctx, `SELECT g.id, g.name, g.builtin, g.require_2fa, (SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.group_id = g.id AND u.deleted_at IS NULL)
		FROM groups g ORDER BY g.builtin DESC, LOWER(g.name), g.id`)
	if err != nil {
		return nil, fmt.Errorf("users: list groups: %w", err)
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.Name, &g.Builtin, &g.RequireTwoFactor, &g.Members); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Get returns one group, or db.ErrNotFound.
func (s *Groups) Get(ctx context.Context, id int64) (*Group, error) { return getGroup(ctx, s.DB, id) }

func getGroup(ctx context.Context, q db.Querier, id int64) (*Group, error) {
	var g Group
	err := q.QueryRow(ctx, `SELECT g.id, g.name, g.builtin, g.require_2fa, (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id)
		FROM groups g WHERE g.id = ?`, id).Scan(&g.ID, &g.Name, &g.Builtin, &g.RequireTwoFactor, &g.Members)
	if err != nil {
		return nil, fmt.Errorf("users: group %d: %w", id, db.NotFound(err))
	}
	return &g, nil
}

// getRealGroup is getGroup refusing the built-in groups (ErrBuiltin).
func getRealGroup(ctx context.Context, q db.Querier, id int64) (*Group, error) {
	g, err := getGroup(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if g.Builtin {
		return nil, fmt.Errorf("users: group %d: %w", id, ErrBuiltin)
	}
	return g, nil
}

func validGroupName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", valid.One("name", "accounts.group.name_required")
	case utf8.RuneCountInString(name) > 80:
		return "", valid.One("name", "accounts.group.name_too_long")
	}
	return name, nil
}

// Create adds a group and returns its id; a taken name is a validation
// error on "name". Audit: group.created (the name).
func (s *Groups) Create(ctx context.Context, a access.Actor, name string) (int64, error) {
	if err := requireAdmin(a, "create group"); err != nil {
		return 0, err
	}
	now := s.now()
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if id, err = createGroup(ctx, tx, name, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "group.created", groupObject(id), strings.TrimSpace(name))
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

func createGroup(ctx context.Context, q db.Querier, name string, now time.Time) (int64, error) {
	name, err := validGroupName(name)
	if err != nil {
		return 0, err
	}
	if _, err := q.Exec(ctx, "INSERT INTO groups (name, created_at) VALUES (?, ?)", name, now.UTC()); err != nil {
		if errors.Is(err, db.ErrConflict) {
			return 0, valid.One("name", "accounts.group.name_taken")
		}
		return 0, fmt.Errorf("users: create group: %w", err)
	}
	var id int64
	if err := q.QueryRow(ctx, "SELECT id FROM groups WHERE name = ?", name).Scan(&id); err != nil {
		return 0, fmt.Errorf("users: create group: %w", err)
	}
	return id, nil
}

// Rename renames a group (not a built-in one: ErrBuiltin). Audit:
// group.renamed ("old → new").
func (s *Groups) Rename(ctx context.Context, a access.Actor, id int64, name string) error {
	if err := requireAdmin(a, "rename group"); err != nil {
		return err
	}
	name, err := validGroupName(name)
	if err != nil {
		return err
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		g, err := getRealGroup(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE groups SET name = ? WHERE id = ?", name, id); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return valid.One("name", "accounts.group.name_taken")
			}
			return fmt.Errorf("users: rename group %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, now, "group.renamed", groupObject(id), g.Name+" → "+name)
	})
}

// Delete deletes a group (not a built-in one: ErrBuiltin); its memberships
// and grants go with it, its members stay. Audit: group.deleted (the name).
func (s *Groups) Delete(ctx context.Context, a access.Actor, id int64) error {
	if err := requireAdmin(a, "delete group"); err != nil {
		return err
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		g, err := getRealGroup(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM groups WHERE id = ? AND builtin = FALSE", id); err != nil {
			return fmt.Errorf("users: delete group %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, now, "group.deleted", groupObject(id), g.Name)
	})
}

// AddMember puts an account in a group (no-op when already there). A
// built-in group is ErrBuiltin; an unknown group or account db.ErrNotFound.
// Audit: membership.added (the account's object as detail).
func (s *Groups) AddMember(ctx context.Context, a access.Actor, groupID, userID int64) error {
	if err := requireAdmin(a, "add member"); err != nil {
		return err
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := getRealGroup(ctx, tx, groupID); err != nil {
			return err
		}
		if _, err := get(ctx, tx, userID); err != nil {
			return err
		}
		// ON CONFLICT DO NOTHING rather than a caught unique violation: on
		// PostgreSQL a failed statement would abort the transaction.
		if _, err := tx.Exec(ctx, "INSERT INTO memberships (user_id, group_id) VALUES (?, ?) ON CONFLICT DO NOTHING", userID, groupID); err != nil {
			return fmt.Errorf("users: add member: %w", err)
		}
		return audit.Record(ctx, tx, a, now, "membership.added", groupObject(groupID), userObject(userID))
	})
}

// RemoveMember takes an account out of a group. Audit: membership.removed.
func (s *Groups) RemoveMember(ctx context.Context, a access.Actor, groupID, userID int64) error {
	if err := requireAdmin(a, "remove member"); err != nil {
		return err
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := getGroup(ctx, tx, groupID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM memberships WHERE user_id = ? AND group_id = ?", userID, groupID); err != nil {
			return fmt.Errorf("users: remove member: %w", err)
		}
		return audit.Record(ctx, tx, a, now, "membership.removed", groupObject(groupID), userObject(userID))
	})
}

// Members returns the live accounts of a group, by name.
func (s *Groups) Members(ctx context.Context, groupID int64) ([]User, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+userCols+` FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE m.group_id = ? AND u.deleted_at IS NULL ORDER BY LOWER(u.name), u.id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("users: members of %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// ByName returns the group an administrator means by name, as the command
// line names groups: the same trimming as Create, the exact name first,
// else the one group whose name matches ignoring case. The built-in groups
// are not found (nobody is added to them). db.ErrNotFound when none.
func (s *Groups) ByName(ctx context.Context, name string) (*Group, error) {
	name = strings.TrimSpace(name)
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var match *Group
	for i := range all {
		g := &all[i]
		if g.Builtin {
			continue
		}
		if g.Name == name {
			return g, nil
		}
		if strings.EqualFold(g.Name, name) {
			match = g
		}
	}
	if match == nil {
		return nil, fmt.Errorf("users: group %q: %w", name, db.ErrNotFound)
	}
	return match, nil
}
