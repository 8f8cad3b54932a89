// Package audit keeps the append-only trail of security-relevant events:
// logins and failures, lockouts, recoveries, account, group and grant changes,
// downloads of confidential documents. Entries are never updated; old ones are
// purged after the retention period.
package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"portique/internal/db"
)

// Entry is one line of the trail. Detail must never contain a password, a
// token, a reset link or a session id.
type Entry struct {
	ID      int64
	At      time.Time
	ActorID int64  // 0 for anonymous or the system
	Actor   string // the actor's email at the time
	Action  string // e.g. "login.failure", see the Action* constants of callers
	Object  string // e.g. "user:12", "page:4"
	IP      string
	Detail  string
}

// Log appends an entry; At defaults to now.
func Log(ctx context.Context, q db.Querier, e Entry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	_, err := q.Exec(ctx, "INSERT INTO audit (at, actor_id, actor, action, object, ip, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
		e.At.UTC(), actor, e.Actor, e.Action, e.Object, e.IP, e.Detail)
	if err != nil {
		return fmt.Errorf("audit: log %s: %w", e.Action, err)
	}
	return nil
}

// Filter selects entries for the journal page.
type Filter struct {
	Action   string // prefix, e.g. "login." ; empty: all
	Actor    string // substring of the actor's email
	From, To time.Time
	Limit    int // default 50
	Offset   int
}

// Find returns entries newest first, and whether more follow.
func Find(ctx context.Context, q db.Querier, f Filter) ([]Entry, bool, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var where []string
	var args []any
	if f.Action != "" {
		where = append(where, "action LIKE ? ESCAPE '\\'")
		args = append(args, escapeLike(f.Action)+"%")
	}
	if f.Actor != "" {
		where = append(where, "LOWER(actor) LIKE ? ESCAPE '\\'")
		args = append(args, "%"+escapeLike(strings.ToLower(f.Actor))+"%")
	}
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, f.To.UTC())
	}
	query := "SELECT id, at, COALESCE(actor_id, 0), actor, action, object, ip, detail FROM audit"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?"
	args = append(args, f.Limit+1, f.Offset)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("audit: find: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.Actor, &e.Action, &e.Object, &e.IP, &e.Detail); err != nil {
			return nil, false, err
		}
		out = append(out, e)
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, rows.Err()
}

// Purge deletes entries older than before and returns how many went.
func Purge(ctx context.Context, q db.Querier, before time.Time) (int64, error) {
	res, err := q.Exec(ctx, "DELETE FROM audit WHERE at < ?", before.UTC())
	if err != nil {
		return 0, fmt.Errorf("audit: purge: %w", err)
	}
	return res.RowsAffected()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
