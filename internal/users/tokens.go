package users

import (
	"context"
	"errors"
	"fmt"
	"time"

	"portique/internal/db"
)

// Purposes of one-time tokens sent by email.
const (
	PurposeReset  = "reset"
	PurposeInvite = "invite"
)

// Lifetimes of one-time tokens.
const (
	ResetTTL  = time.Hour
	InviteTTL = 72 * time.Hour
)

// ErrTokenInvalid means a token is unknown, used, expired, replaced by a
// newer one, or its account is gone or disabled. Callers show one message for
// all of these.
var ErrTokenInvalid = errors.New("users: invalid or expired link")

// ValidTokenFormat reports whether s looks like a token from NewToken (43
// characters of unpadded base64url), so garbage never reaches the database.
func ValidTokenFormat(s string) bool {
	if len(s) != 43 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// issueToken creates a one-time token for a user and returns it (it is
// stored hashed only). Any earlier token of the same purpose dies: only the
// newest link works.
func issueToken(ctx context.Context, q db.Querier, userID int64, purpose string, now time.Time, ttl time.Duration) (string, error) {
	if _, err := q.Exec(ctx, "DELETE FROM user_tokens WHERE user_id = ? AND purpose = ?", userID, purpose); err != nil {
		return "", fmt.Errorf("users: issue token: %w", err)
	}
	token := NewToken()
	now = now.UTC()
	_, err := q.Exec(ctx, "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		HashToken(token), userID, purpose, now, now.Add(ttl))
	if err != nil {
		return "", fmt.Errorf("users: issue token: %w", err)
	}
	return token, nil
}

// peekToken returns the account a live token belongs to, without using it.
func peekToken(ctx context.Context, q db.Querier, token, purpose string, now time.Time) (*User, error) {
	if !ValidTokenFormat(token) {
		return nil, ErrTokenInvalid
	}
	var uid int64
	err := q.QueryRow(ctx, `SELECT t.user_id FROM user_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.purpose = ? AND t.used_at IS NULL AND t.expires_at > ?
		AND u.deleted_at IS NULL AND u.disabled = FALSE`, HashToken(token), purpose, now.UTC()).Scan(&uid)
	if errors.Is(db.NotFound(err), db.ErrNotFound) {
		return nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("users: peek token: %w", err)
	}
	return get(ctx, q, uid)
}

// consumeToken uses a live token once and returns its account id. Run it
// in the transaction that acts on the token, so a failure leaves it usable.
func consumeToken(ctx context.Context, q db.Querier, token, purpose string, now time.Time) (int64, error) {
	u, err := peekToken(ctx, q, token, purpose, now)
	if err != nil {
		return 0, err
	}
	res, err := q.Exec(ctx, "UPDATE user_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", now.UTC(), HashToken(token))
	if err != nil {
		return 0, fmt.Errorf("users: consume token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, ErrTokenInvalid // used by a concurrent request
	}
	return u.ID, nil
}
