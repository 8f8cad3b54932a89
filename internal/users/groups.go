package users

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/db"
	"portique/internal/valid"
)

// ErrBuiltin means the pseudo-groups Tout le monde and Membres cannot be
// renamed, deleted or given members.
var ErrBuiltin = errors.New("users: built-in group")

// ListGroups returns every group, built-in ones first, with member counts.
func ListGroups(ctx context.Context, q db.Querier) ([]Group, error) {
	rows, err := q.Query(ctx, `SELECT g.id, g.name, g.builtin, (SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.group_id = g.id AND u.deleted_at IS NULL)
		FROM groups g ORDER BY g.builtin DESC, LOWER(g.name), g.id`)
	if err != nil {
		return nil, fmt.Errorf("users: list groups: %w", err)
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.Name, &g.Builtin, &g.Members); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// GetGroup returns one group, or db.ErrNotFound.
func GetGroup(ctx context.Context, q db.Querier, id int64) (*Group, error) {
	var g Group
	err := q.QueryRow(ctx, `SELECT g.id, g.name, g.builtin, (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id)
		FROM groups g WHERE g.id = ?`, id).Scan(&g.ID, &g.Name, &g.Builtin, &g.Members)
	if err != nil {
		return nil, fmt.Errorf("users: group %d: %w", id, db.NotFound(err))
	}
	return &g, nil
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

// CreateGroup adds a group and returns its id; a taken name is a validation
// error on "name".
func CreateGroup(ctx context.Context, q db.Querier, name string, now time.Time) (int64, error) {
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

// RenameGroup renames a group (not a built-in one).
func RenameGroup(ctx context.Context, q db.Querier, id int64, name string) error {
	name, err := validGroupName(name)
	if err != nil {
		return err
	}
	g, err := GetGroup(ctx, q, id)
	if err != nil {
		return err
	}
	if g.Builtin {
		return ErrBuiltin
	}
	if _, err := q.Exec(ctx, "UPDATE groups SET name = ? WHERE id = ?", name, id); err != nil {
		if errors.Is(err, db.ErrConflict) {
			return valid.One("name", "accounts.group.name_taken")
		}
		return fmt.Errorf("users: rename group %d: %w", id, err)
	}
	return nil
}

// DeleteGroup deletes a group (not a built-in one); its memberships and
// grants go with it.
func DeleteGroup(ctx context.Context, q db.Querier, id int64) error {
	g, err := GetGroup(ctx, q, id)
	if err != nil {
		return err
	}
	if g.Builtin {
		return ErrBuiltin
	}
	if _, err := q.Exec(ctx, "DELETE FROM groups WHERE id = ? AND builtin = FALSE", id); err != nil {
		return fmt.Errorf("users: delete group %d: %w", id, err)
	}
	return nil
}

// AddMember puts an account in a group (no-op when already there).
func AddMember(ctx context.Context, q db.Querier, groupID, userID int64) error {
	g, err := GetGroup(ctx, q, groupID)
	if err != nil {
		return err
	}
	if g.Builtin {
		return ErrBuiltin
	}
	if _, err := Get(ctx, q, userID); err != nil {
		return err
	}
	_, err = q.Exec(ctx, "INSERT INTO memberships (user_id, group_id) VALUES (?, ?)", userID, groupID)
	if err != nil && !errors.Is(err, db.ErrConflict) {
		return fmt.Errorf("users: add member: %w", err)
	}
	return nil
}

// RemoveMember takes an account out of a group.
func RemoveMember(ctx context.Context, q db.Querier, groupID, userID int64) error {
	if _, err := q.Exec(ctx, "DELETE FROM memberships WHERE user_id = ? AND group_id = ?", userID, groupID); err != nil {
		return fmt.Errorf("users: remove member: %w", err)
	}
	return nil
}

// Members returns the live accounts of a group, by name.
func Members(ctx context.Context, q db.Querier, groupID int64) ([]User, error) {
	rows, err := q.Query(ctx, "SELECT "+userCols+` FROM users u JOIN memberships m ON m.user_id = u.id
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
