package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"portique/internal/db"
	"portique/internal/valid"
)

// Login throttles shared by every instance. They slow password spraying
// (one address trying many accounts) without ever locking an account.
var (
	// IPFailureLimit failed logins from one address within IPFailureWindow
	// make further attempts from it refused until the window ends.
	IPFailureLimit  = 30
	IPFailureWindow = 15 * time.Minute
)

// ErrLoginFailed is the one answer to a failed login, whatever the reason
// (unknown email, wrong password, locked, disabled, no password yet).
var ErrLoginFailed = errors.New("users: login failed")

// ErrThrottled means the client address made too many failed attempts.
var ErrThrottled = errors.New("users: too many attempts")

// Accounts holds what the login, recovery and password flows need.
type Accounts struct {
	DB               *db.DB
	Now              func() time.Time
	Hasher           *Hasher
	LockoutThreshold int           // consecutive failures that lock an account
	LockoutDuration  time.Duration // how long the lock lasts
	SiteName         string        // refused as a password

	dummyOnce sync.Once
	dummy     string
}

// dummyHash is verified against when there is no real hash to check, so an
// unknown email costs the same time as a wrong password.
func (a *Accounts) dummyHash(ctx context.Context) string {
	a.dummyOnce.Do(func() {
		h, err := a.Hasher.Hash(ctx, "portique-dummy-password-"+NewToken())
		if err == nil {
			a.dummy = h
		}
	})
	return a.dummy
}

// LoginResult tells the caller what happened beyond success or failure.
type LoginResult struct {
	User *User // the account, on success
	// LockedNow is set when this failure locked the account: its owner is
	// to be told by email (with a link to recovery).
	LockedNow *User
}

// Login checks an email and password. Every failure returns ErrLoginFailed
// after about the same work (one hash, one write); ErrThrottled is returned
// before any check when the address is over its limit.
func (a *Accounts) Login(ctx context.Context, email, password, ip string) (LoginResult, error) {
	now := a.Now().UTC()
	ipKey := "login-ip:" + ip
	if n, err := Hits(ctx, a.DB, ipKey, now); err != nil {
		return LoginResult{}, err
	} else if n >= IPFailureLimit {
		return LoginResult{}, ErrThrottled
	}
	u, hash, err := getByEmailWithHash(ctx, a.DB, email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return LoginResult{}, err
	}
	check := hash
	if u == nil || check == "" {
		check = a.dummyHash(ctx)
	}
	ok, rehash, err := a.Hasher.Verify(ctx, check, password)
	if err != nil && !errors.Is(err, ErrMalformedHash) {
		return LoginResult{}, err
	}
	usable := u != nil && hash != "" && !u.Disabled && !u.Locked(now)
	if ok && usable {
		if rehash {
			if nh, err := a.Hasher.Hash(ctx, password); err == nil {
				a.DB.Exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", nh, u.ID) //nolint:errcheck // retried at next login
			}
		}
		if _, err := a.DB.Exec(ctx, "UPDATE users SET failed_count = 0, locked_until = NULL, last_login_at = ? WHERE id = ?", now, u.ID); err != nil {
			return LoginResult{}, fmt.Errorf("users: login: %w", err)
		}
		u.FailedCount, u.LockedUntil, u.LastLoginAt = 0, time.Time{}, now
		return LoginResult{User: u}, nil
	}
	// A failure: count it for the address, and for the account (or, for an
	// unknown email, in a counter of its own so the work is the same).
	if _, err := Hit(ctx, a.DB, ipKey, IPFailureWindow, now); err != nil {
		return LoginResult{}, err
	}
	var res LoginResult
	switch {
	case u == nil:
		if _, err := Hit(ctx, a.DB, "login-email:"+HashToken(NormalizeEmail(email)), a.LockoutDuration, now); err != nil {
			return LoginResult{}, err
		}
	case u.Locked(now):
		// Already locked: the lock is not extended (an attacker could
		// otherwise keep an account locked forever by retrying).
	default:
		locked, err := a.recordFailure(ctx, u.ID, now)
		if err != nil {
			return LoginResult{}, err
		}
		if locked {
			u.LockedUntil = now.Add(a.LockoutDuration)
			res.LockedNow = u
		}
	}
	return res, ErrLoginFailed
}

// recordFailure counts a failure and locks the account when the count
// reaches the threshold; it reports whether this call locked it (only one
// concurrent request does, so the owner gets one email).
func (a *Accounts) recordFailure(ctx context.Context, id int64, now time.Time) (bool, error) {
	// While the account is locked, failures are not counted: otherwise
	// attempts that raced the lock (read "not locked" just before it) would
	// count towards a second lock and a second email.
	var n int
	err := a.DB.QueryRow(ctx, `UPDATE users SET failed_count = failed_count + 1
		WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?) RETURNING failed_count`, id, now.UTC()).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("users: record failure: %w", err)
	}
	if n < a.LockoutThreshold {
		return false, nil
	}
	// The count starts again after the lock, so the lock is not renewed by
	// the first failure once it ends.
	res, err := a.DB.Exec(ctx, "UPDATE users SET locked_until = ?, failed_count = 0 WHERE id = ? AND failed_count >= ?",
		now.Add(a.LockoutDuration), id, a.LockoutThreshold)
	if err != nil {
		return false, fmt.Errorf("users: lock: %w", err)
	}
	k, _ := res.RowsAffected()
	return k == 1, nil
}

// CheckNewPassword applies the password policy to a new password and its
// confirmation (fields "password" and "confirm").
func (a *Accounts) CheckNewPassword(u *User, password, confirm string) error {
	errs := valid.Errors{}
	ctxWords := []string{a.SiteName, "sydrav", "portique"}
	if u != nil {
		ctxWords = append(ctxWords, u.Email, u.Name)
	}
	if k := CheckPassword(password, ctxWords...); k != "" {
		errs.Add("password", k)
	} else if password != confirm {
		errs.Add("confirm", "accounts.password.mismatch")
	}
	return errs.Err()
}

// SetPassword validates and stores a new password for u. Every session but
// keepSession ("" for all) ends, pending links die, and the account is
// unlocked.
func (a *Accounts) SetPassword(ctx context.Context, q db.Querier, u *User, password, confirm, keepSession string) error {
	if err := a.CheckNewPassword(u, password, confirm); err != nil {
		return err
	}
	h, err := a.Hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	if err := SetPasswordHash(ctx, q, u.ID, h); err != nil {
		return err
	}
	return DeleteSessionsForUser(ctx, q, u.ID, keepSession)
}

// ChangePassword is the profile form: the current password is required
// (field "current").
func (a *Accounts) ChangePassword(ctx context.Context, u *User, current, password, confirm, keepSession string) error {
	var hash string
	if err := a.DB.QueryRow(ctx, "SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&hash); err != nil {
		return fmt.Errorf("users: change password: %w", db.NotFound(err))
	}
	if hash == "" {
		hash = a.dummyHash(ctx)
	}
	ok, _, err := a.Hasher.Verify(ctx, hash, current)
	if err != nil && !errors.Is(err, ErrMalformedHash) {
		return err
	}
	if !ok {
		return valid.One("current", "accounts.password.current_wrong")
	}
	return a.SetPassword(ctx, a.DB, u, password, confirm, keepSession)
}

// UseToken sets a password through an emailed link (reset or invitation):
// the token is used once, in the same transaction as the new password, so a
// refused password leaves the link usable. Every session of the account
// ends. It returns the account.
func (a *Accounts) UseToken(ctx context.Context, token, purpose, password, confirm string) (*User, error) {
	now := a.Now()
	u, err := PeekToken(ctx, a.DB, token, purpose, now)
	if err != nil {
		return nil, err
	}
	if err := a.CheckNewPassword(u, password, confirm); err != nil {
		return nil, err
	}
	h, err := a.Hasher.Hash(ctx, password)
	if err != nil {
		return nil, err
	}
	err = a.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := ConsumeToken(ctx, tx, token, purpose, now); err != nil {
			return err
		}
		if err := SetPasswordHash(ctx, tx, u.ID, h); err != nil {
			return err
		}
		return DeleteSessionsForUser(ctx, tx, u.ID, "")
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
