package calendar

import (
	"context"
	"fmt"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/users"
)

// Personal feed tokens: a random secret in the URL /agenda/flux/{token}.ics.
// Only its SHA-256 is stored, so a database leak gives no working URL. One
// token per account; a new one replaces the old, revoking it at once.

// hashToken is the one token hash of the program (sessions, resets, feeds).
func hashToken(token string) string { return users.HashToken(token) }

// requireAccount refuses feed tokens to anyone but a logged-in account (a
// token is always its actor's own).
func requireAccount(a access.Actor) error {
	if !a.LoggedIn() {
		return fmt.Errorf("calendar: feed token without an account: %w", access.ErrForbidden)
	}
	return nil
}

// NewFeedToken creates (or replaces) the feed token of a's account, with its
// audit entry, and returns it. It is shown once; afterwards only
// FeedTokenInfo is known. The audit entry never holds the token.
func (s *Store) NewFeedToken(ctx context.Context, a access.Actor) (string, error) {
	if err := requireAccount(a); err != nil {
		return "", err
	}
	token := users.NewToken()
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM calendar_feed_tokens WHERE user_id = ?", a.UserID); err != nil {
			return err
		}
		now := s.Now()
		if _, err := tx.Exec(ctx, "INSERT INTO calendar_feed_tokens (token_hash, user_id, created_at) VALUES (?, ?, ?)",
			hashToken(token), a.UserID, now.UTC()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "calendar.feed_created", audit.Object("user", a.UserID), "")
	})
	if err != nil {
		return "", fmt.Errorf("calendar: new feed token: %w", err)
	}
	return token, nil
}

// RevokeFeedToken deletes the feed token of a's account, with its audit
// entry: the old URL stops at once.
func (s *Store) RevokeFeedToken(ctx context.Context, a access.Actor) error {
	if err := requireAccount(a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM calendar_feed_tokens WHERE user_id = ?", a.UserID); err != nil {
			return fmt.Errorf("calendar: revoke feed token: %w", err)
		}
		return audit.Record(ctx, tx, a, s.Now(), "calendar.feed_revoked", audit.Object("user", a.UserID), "")
	})
}

// FeedTokenInfo tells whether the account has a feed token and since when.
func (s *Store) FeedTokenInfo(ctx context.Context, userID int64) (bool, time.Time, error) {
	var at time.Time
	err := s.db.QueryRow(ctx, "SELECT created_at FROM calendar_feed_tokens WHERE user_id = ?", userID).Scan(&at)
	if err != nil {
		if db.NotFound(err) == db.ErrNotFound {
			return false, time.Time{}, nil
		}
		return false, time.Time{}, err
	}
	return true, at, nil
}

// FeedPrincipal resolves a feed token to the principal whose calendars the
// feed shows. Unknown or revoked tokens, and tokens of disabled or deleted
// accounts, are db.ErrNotFound.
func (s *Store) FeedPrincipal(ctx context.Context, token string) (access.Principal, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 100 {
		return access.Principal{}, db.ErrNotFound
	}
	var uid int64
	var admin bool
	err := s.db.QueryRow(ctx, `SELECT u.id, u.is_admin FROM calendar_feed_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND u.disabled = FALSE AND u.deleted_at IS NULL`, hashToken(token)).Scan(&uid, &admin)
	if err != nil {
		return access.Principal{}, db.NotFound(err)
	}
	groups, err := users.GroupIDs(ctx, s.db, uid)
	if err != nil {
		return access.Principal{}, err
	}
	s.db.Exec(ctx, "UPDATE calendar_feed_tokens SET last_used_at = ? WHERE token_hash = ?", s.Now().UTC(), hashToken(token)) //nolint:errcheck // best effort
	return access.Member(uid, admin, groups), nil
}
