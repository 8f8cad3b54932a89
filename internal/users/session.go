package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
)

// ErrNoSession means the cookie names no live session (unknown, expired,
// idle too long, or its account is disabled).
var ErrNoSession = errors.New("users: no session")

// Sessions stores server-side sessions in the database, so they survive a
// restart and are shared by every instance on PostgreSQL.
type Sessions struct {
	DB   *db.DB
	Now  func() time.Time // time.Now when nil
	Idle time.Duration    // idle timeout
	Max  time.Duration    // absolute lifetime

	// recent keeps the sessions looked up lately (see lookupRecent).
	mu     sync.Mutex
	recent map[string]*recentSession
}

// recentSession is a session as a lookup found it, with the count of the
// database's writes then (db.DB.Writes).
type recentSession struct {
	writes int64
	at     time.Time // wall clock
	ses    Session
}

// Recent lookups are served again without the two queries of a lookup
// while the database saw no write at all since (a logout, a withdrawn
// group, a disabled account, a password change are all writes) and for at
// most sessionTrust (a change made by another process: the command line,
// another instance), and never past the session's idle or absolute end,
// nor when its idle deadline is due for a refresh.
const (
	sessionTrust     = time.Second
	maxRecentSession = 4096 // past it, the recent lookups are forgotten at once
)

func (s *Sessions) lookupRecent(hash string, now time.Time) *Session {
	s.mu.Lock()
	r := s.recent[hash]
	s.mu.Unlock()
	if r == nil || r.writes != s.DB.Writes() || time.Since(r.at) >= sessionTrust {
		return nil
	}
	if !now.Before(r.ses.ExpiresAt) || !now.Before(r.ses.IdleEnd) || now.Sub(r.ses.LastSeenAt) > time.Minute || now.Before(r.ses.LastSeenAt) {
		return nil
	}
	ses := r.ses
	u := *r.ses.User
	u.Groups = slices.Clone(u.Groups)
	ses.User = &u
	return &ses
}

func (s *Sessions) remember(hash string, writes int64, ses *Session) {
	r := &recentSession{writes: writes, at: time.Now(), ses: *ses}
	u := *ses.User
	u.Groups = slices.Clone(u.Groups)
	r.ses.User = &u
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recent == nil || len(s.recent) >= maxRecentSession {
		s.recent = map[string]*recentSession{}
	}
	s.recent[hash] = r
}

func (s *Sessions) now() time.Time { return nowOf(s.Now) }

// NewToken returns a random URL-safe token with 256 bits of entropy.
func NewToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashToken is how tokens (sessions, resets, invitations, feeds) are stored.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Create starts a session for a user and returns the cookie value. A new id
// is issued at every login (no fixation).
func (s *Sessions) Create(ctx context.Context, userID int64, ip, userAgent string) (string, error) {
	token := NewToken()
	now := s.now().UTC()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	_, err := s.DB.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, HashToken(token), userID, NewToken(), now, now, now.Add(s.Max), ip, userAgent)
	if err != nil {
		return "", fmt.Errorf("users: create session: %w", err)
	}
	return token, nil
}

// Lookup returns the live session of a cookie value and refreshes its idle
// deadline (at most once a minute, to spare writes).
func (s *Sessions) Lookup(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	now := s.now().UTC()
	idHash := HashToken(token)
	if ses := s.lookupRecent(idHash, now); ses != nil {
		return ses, nil
	}
	writes := s.DB.Writes() // before the queries: a write meanwhile is not missed
	ses := &Session{IDHash: idHash, User: &User{}}
	u := ses.User
	var locked, last *time.Time
	var hash string
	err := s.DB.QueryRow(ctx, `SELECT s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent,
			u.id, u.email, u.name, u.is_admin, u.disabled, u.failed_count, u.locked_until, u.last_login_at, u.created_at, u.password_hash,
			EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL),
			EXISTS (SELECT 1 FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = u.id AND g.require_2fa = TRUE)
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND u.deleted_at IS NULL`, ses.IDHash).Scan(
		&ses.CSRF, &ses.CreatedAt, &ses.LastSeenAt, &ses.ExpiresAt, &ses.IP, &ses.UserAgent,
		&u.ID, &u.Email, &u.Name, &u.Admin, &u.Disabled, &u.FailedCount, &locked, &last, &u.CreatedAt, &hash,
		&u.TwoFactor, &u.TwoFactorRequired)
	if err != nil {
		if errors.Is(db.NotFound(err), db.ErrNotFound) {
			return nil, ErrNoSession
		}
		return nil, fmt.Errorf("users: lookup session: %w", err)
	}
	if locked != nil {
		u.LockedUntil = *locked
	}
	if last != nil {
		u.LastLoginAt = *last
	}
	u.HasPassword = hash != ""
	ses.IdleEnd = ses.LastSeenAt.Add(s.Idle)
	if u.Disabled || !now.Before(ses.ExpiresAt) || !now.Before(ses.IdleEnd) {
		s.DB.Exec(ctx, "DELETE FROM sessions WHERE id_hash = ?", ses.IDHash) //nolint:errcheck // best effort clean-up
		return nil, ErrNoSession
	}
	if now.Sub(ses.LastSeenAt) > time.Minute {
		if _, err := s.DB.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", now, ses.IDHash); err != nil {
			return nil, fmt.Errorf("users: touch session: %w", err)
		}
		ses.LastSeenAt = now
		ses.IdleEnd = now.Add(s.Idle)
	}
	if ses.IdleEnd.After(ses.ExpiresAt) {
		ses.IdleEnd = ses.ExpiresAt
	}
	groups, err := GroupIDs(ctx, s.DB, u.ID)
	if err != nil {
		return nil, err
	}
	u.Groups = groups
	if s.DB.Writes() != writes {
		writes = -1 // the touch above, or another write: do not keep
	}
	s.remember(idHash, writes, ses)
	return ses, nil
}

// Extend pushes the idle deadline of a session to now + Idle (RGAA 13.1:
// the person can extend a session before it ends).
func (s *Sessions) Extend(ctx context.Context, idHash string) error {
	_, err := s.DB.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", s.now().UTC(), idHash)
	return err
}

// Delete ends one session without a trace: the session a new login
// replaces (the login itself is recorded).
func (s *Sessions) Delete(ctx context.Context, idHash string) error {
	_, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE id_hash = ?", idHash)
	return err
}

// Logout ends the session idHash of the actor. Audit: logout.
func (s *Sessions) Logout(ctx context.Context, a access.Actor, idHash string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE id_hash = ? AND user_id = ?", idHash, a.UserID); err != nil {
			return fmt.Errorf("users: logout: %w", err)
		}
		return audit.Record(ctx, tx, a, s.now(), "logout", userObject(a.UserID), "")
	})
}

// Revoke ends one session of the actor's own (the "sessions" list of
// /mon-compte); a hash belonging to someone else is db.ErrNotFound.
// Audit: session.revoked.
func (s *Sessions) Revoke(ctx context.Context, a access.Actor, idHash string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id_hash = ?", a.UserID, idHash)
		if err != nil {
			return fmt.Errorf("users: revoke session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("users: revoke session: %w", db.ErrNotFound)
		}
		return audit.Record(ctx, tx, a, s.now(), "session.revoked", userObject(a.UserID), "")
	})
}

// ListForUser returns the live sessions of a user, newest first.
func (s *Sessions) ListForUser(ctx context.Context, userID int64) ([]Session, error) {
	now := s.now()
	rows, err := s.DB.Query(ctx, `SELECT id_hash, created_at, last_seen_at, expires_at, ip, user_agent
		FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY last_seen_at DESC`, userID, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("users: list sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var ses Session
		if err := rows.Scan(&ses.IDHash, &ses.CreatedAt, &ses.LastSeenAt, &ses.ExpiresAt, &ses.IP, &ses.UserAgent); err != nil {
			return nil, err
		}
		ses.IdleEnd = ses.LastSeenAt.Add(s.Idle)
		if ses.IdleEnd.After(now) {
			out = append(out, ses)
		}
	}
	return out, rows.Err()
}

// Purge deletes the sessions past their end or idle too long (the hourly
// housekeeping) and returns how many went.
func (s *Sessions) Purge(ctx context.Context) (int64, error) {
	now := s.now().UTC()
	res, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?", now, now.Add(-s.Idle))
	if err != nil {
		return 0, fmt.Errorf("users: purge sessions: %w", err)
	}
	return res.RowsAffected()
}

// deleteSessionsOf ends every session of a user except keepHash ("" for all).
func deleteSessionsOf(ctx context.Context, q db.Querier, userID int64, keepHash string) error {
	_, err := q.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?", userID, keepHash)
	if err != nil {
		return fmt.Errorf("users: end sessions of %d: %w", userID, err)
	}
	return nil
}
