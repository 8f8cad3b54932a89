package users

import (
	"context"
	"errors"
	"fmt"
	"time"

	"portique/internal/db"
)

// Throttle counters live in the database so every instance shares them.
// A key counts events in a fixed window that starts at its first event.

// Throttle is the store of the shared counters for other services: the
// captcha's replay guard. (Accounts keeps its own counters, for logins and
// recoveries, in the same table.)
type Throttle struct {
	DB *db.DB
}

// Hit counts one event for key and returns the count in the current window.
func (t *Throttle) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	return hit(ctx, t.DB, key, window, now)
}

// Hits returns the count of key in its current window (0 when none).
func (t *Throttle) Hits(ctx context.Context, key string, now time.Time) (int, error) {
	return hits(ctx, t.DB, key, now)
}

// Once records key until expires and reports whether it was new: the
// replay guard of captcha solutions. A key seen before returns false.
func (t *Throttle) Once(ctx context.Context, key string, expires time.Time) (bool, error) {
	_, err := t.DB.Exec(ctx, "INSERT INTO throttle (key, count, reset_at) VALUES (?, 1, ?)", key, expires.UTC())
	if errors.Is(err, db.ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("users: once: %w", err)
	}
	return true, nil
}

func hit(ctx context.Context, q db.Querier, key string, window time.Duration, now time.Time) (int, error) {
	now = now.UTC()
	var n int
	err := q.QueryRow(ctx, `INSERT INTO throttle (key, count, reset_at) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN throttle.reset_at <= ? THEN 1 ELSE throttle.count + 1 END,
			reset_at = CASE WHEN throttle.reset_at <= ? THEN ? ELSE throttle.reset_at END
		RETURNING count`, key, now.Add(window), now, now, now.Add(window)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("users: throttle hit: %w", err)
	}
	return n, nil
}

func hits(ctx context.Context, q db.Querier, key string, now time.Time) (int, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT count FROM throttle WHERE key = ? AND reset_at > ?", key, now.UTC()).Scan(&n)
	if err != nil {
		if errors.Is(db.NotFound(err), db.ErrNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("users: throttle: %w", err)
	}
	return n, nil
}
