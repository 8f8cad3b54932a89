package users

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/valid"
)

// The SQL of accounts. These functions take the Querier of the caller's
// transaction; the stores' methods (accounts.go, groups.go…) are the API.

// userCols are the columns scanUser reads, in order.
const userCols = `u.id, u.email, u.name, u.is_admin, u.disabled, u.failed_count, u.locked_until, u.last_login_at,
	u.created_at, u.password_hash`

type scanner interface{ Scan(dest ...any) error }

func scanUser(sc scanner, hash *string) (*User, error) {
	u := &User{}
	var locked, last *time.Time
	var h string
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Admin, &u.Disabled, &u.FailedCount, &locked, &last, &u.CreatedAt, &h); err != nil {
		return nil, err
	}
	if locked != nil {
		u.LockedUntil = *locked
	}
	if last != nil {
		u.LastLoginAt = *last
	}
	u.HasPassword = h != ""
	if hash != nil {
		*hash = h
	}
	return u, nil
}

// get returns a live (not deleted) account with its groups, or db.ErrNotFound.
func get(ctx context.Context, q db.Querier, id int64) (*User, error) {
	u, _, err := getWithHash(ctx, q, id)
	return u, err
}

func getWithHash(ctx context.Context, q db.Querier, id int64) (*User, string, error) {
	var hash string
	u, err := scanUser(q.QueryRow(ctx, "SELECT "+userCols+" FROM users u WHERE u.id = ? AND u.deleted_at IS NULL", id), &hash)
	if err != nil {
		return nil, "", fmt.Errorf("users: get %d: %w", id, db.NotFound(err))
	}
	if u.Groups, err = GroupIDs(ctx, q, u.ID); err != nil {
		return nil, "", err
	}
	return u, hash, nil
}

func getByEmailWithHash(ctx context.Context, q db.Querier, email string) (*User, string, error) {
	var hash string
	u, err := scanUser(q.QueryRow(ctx, "SELECT "+userCols+" FROM users u WHERE u.email = ? AND u.deleted_at IS NULL",
		NormalizeEmail(email)), &hash)
	if err != nil {
		return nil, "", fmt.Errorf("users: get by email: %w", db.NotFound(err))
	}
	if u.Groups, err = GroupIDs(ctx, q, u.ID); err != nil {
		return nil, "", err
	}
	return u, hash, nil
}

// GroupIDs returns the ids of the groups a user belongs to. It takes the
// Querier of another domain's query (the calendar's feed resolves the
// groups of a feed's owner with it).
func GroupIDs(ctx context.Context, q db.Querier, userID int64) ([]int64, error) {
	ids, err := db.IDs(ctx, q, "SELECT group_id FROM memberships WHERE user_id = ? ORDER BY group_id", userID)
	if err != nil {
		return nil, fmt.Errorf("users: groups of %d: %w", userID, err)
	}
	return ids, nil
}

// ListFilter selects accounts for the admin list.
type ListFilter struct {
	Query   string // substring of email or name
	GroupID int64  // only members of this group (0: all)
}

func list(ctx context.Context, q db.Querier, f ListFilter) ([]User, error) {
	query := "SELECT " + userCols + " FROM users u WHERE u.deleted_at IS NULL"
	var args []any
	if s := strings.TrimSpace(f.Query); s != "" {
		query += " AND (LOWER(u.email) LIKE ? ESCAPE '\\' OR LOWER(u.name) LIKE ? ESCAPE '\\')"
		pat := "%" + escapeLike(strings.ToLower(s)) + "%"
		args = append(args, pat, pat)
	}
	if f.GroupID != 0 {
		query += " AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.group_id = ?)"
		args = append(args, f.GroupID)
	}
	query += " ORDER BY LOWER(u.name), u.id"
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("users: list: %w", err)
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// Groups of every listed account in one query.
	gm, err := allMemberships(ctx, q)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Groups = gm[out[i].ID]
	}
	return out, nil
}

func allMemberships(ctx context.Context, q db.Querier) (map[int64][]int64, error) {
	rows, err := q.Query(ctx, "SELECT user_id, group_id FROM memberships ORDER BY user_id, group_id")
	if err != nil {
		return nil, fmt.Errorf("users: memberships: %w", err)
	}
	defer rows.Close()
	m := map[int64][]int64{}
	for rows.Next() {
		var u, g int64
		if err := rows.Scan(&u, &g); err != nil {
			return nil, err
		}
		m[u] = append(m[u], g)
	}
	return m, rows.Err()
}

// create adds an account without a password (the invitation sets it) and
// returns its id. A taken email is a validation error on "email".
func create(ctx context.Context, q db.Querier, f Form, now time.Time) (int64, error) {
	if err := f.Validate(); err != nil {
		return 0, err
	}
	// Exec (not QueryRow … RETURNING) so a unique violation comes back
	// classified as db.ErrConflict.
	_, err := q.Exec(ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES (?, ?, ?, ?)",
		f.Email, f.Name, f.Admin, now.UTC())
	if errors.Is(err, db.ErrConflict) {
		return 0, valid.One("email", "accounts.email.taken")
	}
	if err != nil {
		return 0, fmt.Errorf("users: create: %w", err)
	}
	var id int64
	if err := q.QueryRow(ctx, "SELECT id FROM users WHERE email = ?", f.Email).Scan(&id); err != nil {
		return 0, fmt.Errorf("users: create: %w", err)
	}
	if err := setGroups(ctx, q, id, f.Groups); err != nil {
		return 0, err
	}
	return id, nil
}

// update changes an account's email, name, admin flag and groups.
func update(ctx context.Context, q db.Querier, id int64, f Form) error {
	if err := f.Validate(); err != nil {
		return err
	}
	res, err := q.Exec(ctx, "UPDATE users SET email = ?, name = ?, is_admin = ? WHERE id = ? AND deleted_at IS NULL",
		f.Email, f.Name, f.Admin, id)
	if errors.Is(err, db.ErrConflict) {
		return valid.One("email", "accounts.email.taken")
	}
	if err != nil {
		return fmt.Errorf("users: update %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("users: update %d: %w", id, db.ErrNotFound)
	}
	return setGroups(ctx, q, id, f.Groups)
}

// setGroups replaces the (real) groups of an account.
func setGroups(ctx context.Context, q db.Querier, userID int64, groups []int64) error {
	if _, err := q.Exec(ctx, "DELETE FROM memberships WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("users: set groups: %w", err)
	}
	seen := map[int64]bool{}
	for _, g := range groups {
		if g == access.Everyone || g == access.Members || g <= 0 || seen[g] {
			continue
		}
		seen[g] = true
		if _, err := q.Exec(ctx, "INSERT INTO memberships (user_id, group_id) SELECT ?, id FROM groups WHERE id = ? AND builtin = FALSE", userID, g); err != nil {
			return fmt.Errorf("users: set groups: %w", err)
		}
	}
	return nil
}

// setDisabled disables or re-enables an account. Disabling ends its
// sessions at once.
func setDisabled(ctx context.Context, q db.Querier, id int64, disabled bool) error {
	res, err := q.Exec(ctx, "UPDATE users SET disabled = ? WHERE id = ? AND deleted_at IS NULL", disabled, id)
	if err != nil {
		return fmt.Errorf("users: disable %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("users: disable %d: %w", id, db.ErrNotFound)
	}
	if disabled {
		return deleteSessionsOf(ctx, q, id, "")
	}
	return nil
}

// unlock lifts a lock and resets the failure count.
func unlock(ctx context.Context, q db.Querier, id int64) error {
	res, err := q.Exec(ctx, "UPDATE users SET locked_until = NULL, failed_count = 0 WHERE id = ? AND deleted_at IS NULL", id)
	if err != nil {
		return fmt.Errorf("users: unlock %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("users: unlock %d: %w", id, db.ErrNotFound)
	}
	return nil
}

// deleteUser removes an account. The row stays (soft delete: the audit
// trail refers to it) but its personal data, password, sessions, tokens and
// memberships go, and its email is freed for a new account. name is the
// display name it keeps (where other areas show who did something).
func deleteUser(ctx context.Context, q db.Querier, id int64, name string, now time.Time) error {
	res, err := q.Exec(ctx, `UPDATE users SET deleted_at = ?, email = ?, name = ?, password_hash = '', disabled = TRUE,
		is_admin = FALSE, locked_until = NULL, failed_count = 0 WHERE id = ? AND deleted_at IS NULL`,
		now.UTC(), "supprime-"+strconv.FormatInt(id, 10)+"@invalid", name, id)
	if err != nil {
		return fmt.Errorf("users: delete %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("users: delete %d: %w", id, db.ErrNotFound)
	}
	for _, stmt := range []string{
		"DELETE FROM sessions WHERE user_id = ?",
		"DELETE FROM user_tokens WHERE user_id = ?",
		"DELETE FROM memberships WHERE user_id = ?",
		"DELETE FROM user_totp WHERE user_id = ?",
		"DELETE FROM user_recovery_codes WHERE user_id = ?",
	} {
		if _, err := q.Exec(ctx, stmt, id); err != nil {
			return fmt.Errorf("users: delete %d: %w", id, err)
		}
	}
	return nil
}

// rename changes the display name.
func rename(ctx context.Context, q db.Querier, id int64, name string) error {
	name, err := validName(name)
	if err != nil {
		return err
	}
	res, err := q.Exec(ctx, "UPDATE users SET name = ? WHERE id = ? AND deleted_at IS NULL", name, id)
	if err != nil {
		return fmt.Errorf("users: rename %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("users: rename %d: %w", id, db.ErrNotFound)
	}
	return nil
}

// setPasswordHash stores a new password hash. Changing the password
// unlocks the account and kills every pending reset or invitation link.
func setPasswordHash(ctx context.Context, q db.Querier, id int64, hash string) error {
	res, err := q.Exec(ctx, "UPDATE users SET password_hash = ?, failed_count = 0, locked_until = NULL WHERE id = ? AND deleted_at IS NULL", hash, id)
	if err != nil {
		return fmt.Errorf("users: set password %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("users: set password %d: %w", id, db.ErrNotFound)
	}
	if _, err := q.Exec(ctx, "DELETE FROM user_tokens WHERE user_id = ?", id); err != nil {
		return fmt.Errorf("users: set password %d: %w", id, err)
	}
	return nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
