// Package audit keeps the append-only trail of security-relevant events:
// logins and failures, lockouts, recoveries, account, group and grant changes,
// downloads of confidential documents. Entries are never updated; old ones are
// purged after the retention period.
//
// The one policy: a change and its audit entry commit together. Each domain
// writes its entry with Record inside the transaction of the change, so a
// change is never without its trace and a trace never without its change.
// Trail is the store of the journal's reads and of the purge.
package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
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

// Object names an object of the trail: "page:4", "user:12".
func Object(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// Record appends the entry of a change made by a, at the time at, with q
// the transaction of that change.
func Record(ctx context.Context, q db.Querier, a access.Actor, at time.Time, action, object, detail string) error {
	return Log(ctx, q, Entry{At: at, ActorID: a.UserID, Actor: a.Name, Action: action, Object: object, IP: a.IP, Detail: detail})
}

// Trail reads and purges the trail (the journal page, housekeeping).
type Trail struct {
	DB *db.DB
}

// Find returns entries newest first, and whether more follow.
func (t *Trail) Find(ctx context.Context, f Filter) ([]Entry, bool, error) { return Find(ctx, t.DB, f) }

// Purge deletes entries older than before and returns how many went.
func (t *Trail) Purge(ctx context.Context, before time.Time) (int64, error) {
	return Purge(ctx, t.DB, before)
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
