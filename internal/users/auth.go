package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
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

// ErrThrottled means the client address made too many attempts (logins,
// recovery requests).
var ErrThrottled = errors.New("users: too many attempts")

// dummyHash is verified against when there is no real hash to check, so an
// unknown email costs the same time as a wrong password.
func (s *Accounts) dummyHash(ctx context.Context) string {
	s.dummyOnce.Do(func() {
		h, err := s.Hasher.Hash(ctx, "portique-dummy-password-"+NewToken())
		if err == nil {
			s.dummy = h
		}
	})
	return s.dummy
}

// LoginResult tells the caller what happened beyond success or failure.
type LoginResult struct {
	User *User // the account, on success
	// LockedNow is set when this failure locked the account: its owner is
	// to be told by email (with a link to recovery).
	LockedNow *User
	// Pending is set instead of User when the password was right and the
	// account has a second factor: the login waits for a code (LoginCode),
	// no session is to be opened yet.
	Pending Link
}

// Login checks an email and password typed by a (a visitor: only the
// request's address counts). Every failure returns ErrLoginFailed after
// about the same work (one hash, one transaction); ErrThrottled is returned
// before any check when the address is over its limit.
//
// An account with a second factor gets no session from the password
// alone: the result holds a Pending link instead (LoginCode takes it with
// the code), and the failure count is not reset until the code is right,
// so a known password does not buy unlimited code guesses.
//
// Audit, in the transaction of what it records: login.throttled,
// login.failure (the actor is the email typed; the object is the account
// when this failure locked it) and account.locked, or login.success, or
// login.code_required.
func (s *Accounts) Login(ctx context.Context, a access.Actor, email, password string) (LoginResult, error) {
	now := s.now().UTC()
	email = NormalizeEmail(email)
	ipKey := "login-ip:" + a.IP
	if n, err := hits(ctx, s.DB, ipKey, now); err != nil {
		return LoginResult{}, err
	} else if n >= IPFailureLimit {
		if err := audit.Record(ctx, s.DB, claiming(email, a), now, "login.throttled", "", ""); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, ErrThrottled
	}
	u, hash, err := getByEmailWithHash(ctx, s.DB, email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return LoginResult{}, err
	}
	check := hash
	if u == nil || check == "" {
		check = s.dummyHash(ctx)
	}
	ok, rehash, err := s.Hasher.Verify(ctx, check, password)
	if err != nil && !errors.Is(err, ErrMalformedHash) {
		return LoginResult{}, err
	}
	if ok && u != nil && hash != "" && !u.Disabled && !u.Locked(now) {
		return s.loggedIn(ctx, a, u, password, rehash, now)
	}
	// A failure: count it for the address, and for the account (or, for an
	// unknown email, in a counter of its own so the work is the same).
	var res LoginResult
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res = LoginResult{}
		if _, err := hit(ctx, tx, ipKey, IPFailureWindow, now); err != nil {
			return err
		}
		switch {
		case u == nil:
			if _, err := hit(ctx, tx, "login-email:"+HashToken(email), s.LockoutDuration, now); err != nil {
				return err
			}
		case u.Locked(now):
			// Already locked: the lock is not extended (an attacker could
			// otherwise keep an account locked forever by retrying).
		default:
			locked, err := s.recordFailure(ctx, tx, u.ID, now)
			if err != nil {
				return err
			}
			if locked {
				lu := *u
				lu.LockedUntil = now.Add(s.LockoutDuration)
				res.LockedNow = &lu
			}
		}
		obj := ""
		if res.LockedNow != nil {
			obj = userObject(u.ID)
		}
		if err := audit.Record(ctx, tx, claiming(email, a), now, "login.failure", obj, ""); err != nil {
			return err
		}
		if res.LockedNow != nil {
			return audit.Record(ctx, tx, as(u, a), now, "account.locked", userObject(u.ID), "")
		}
		return nil
	})
	if err != nil {
		return LoginResult{}, err
	}
	return res, ErrLoginFailed
}

// loggedIn records a right password: an outdated hash is replaced; then,
// without a second factor, the failure count is reset and login.success
// written; with one, a pending login is issued.
func (s *Accounts) loggedIn(ctx context.Context, a access.Actor, u *User, password string, rehash bool, now time.Time) (LoginResult, error) {
	var nh string
	if rehash {
		// A failure here is retried at the next login.
		nh, _ = s.Hasher.Hash(ctx, password)
	}
	var pending Link
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pending = Link{}
		if nh != "" {
			if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", nh, u.ID); err != nil {
				return err
			}
		}
		if on, err := hasTwoFactor(ctx, tx, u.ID); err != nil {
			return err
		} else if on {
			token, err := issueToken(ctx, tx, u.ID, PurposeLoginCode, now, LoginCodeTTL)
			if err != nil {
				return err
			}
			pending = Link{Token: token, Expires: now.Add(LoginCodeTTL)}
			return audit.Record(ctx, tx, as(u, a), now, "login.code_required", userObject(u.ID), "")
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET failed_count = 0, locked_until = NULL, last_login_at = ? WHERE id = ?", now, u.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, as(u, a), now, "login.success", userObject(u.ID), "")
	})
	if err != nil {
		return LoginResult{}, fmt.Errorf("users: login: %w", err)
	}
	if pending.Token != "" {
		return LoginResult{Pending: pending}, nil
	}
	u.FailedCount, u.LockedUntil, u.LastLoginAt = 0, time.Time{}, now
	return LoginResult{User: u}, nil
}

// recordFailure counts a failure and locks the account when the count
// reaches the threshold; it reports whether this call locked it (only one
// concurrent request does, so the owner gets one email).
func (s *Accounts) recordFailure(ctx context.Context, q db.Querier, id int64, now time.Time) (bool, error) {
	// While the account is locked, failures are not counted: otherwise
	// attempts that raced the lock (read "not locked" just before it) would
	// count towards a second lock and a second email.
	var n int
	err := q.QueryRow(ctx, `UPDATE users SET failed_count = failed_count + 1
		WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?) RETURNING failed_count`, id, now.UTC()).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("users: record failure: %w", err)
	}
	if n < s.LockoutThreshold {
		return false, nil
	}
	// The count starts again after the lock, so the lock is not renewed by
	// the first failure once it ends.
	res, err := q.Exec(ctx, "UPDATE users SET locked_until = ?, failed_count = 0 WHERE id = ? AND failed_count >= ?",
		now.Add(s.LockoutDuration), id, s.LockoutThreshold)
	if err != nil {
		return false, fmt.Errorf("users: lock: %w", err)
	}
	k, _ := res.RowsAffected()
	return k == 1, nil
}

// CheckNewPassword applies the password policy to a new password and its
// confirmation (fields "password" and "confirm").
func (s *Accounts) CheckNewPassword(u *User, password, confirm string) error {
	errs := valid.Errors{}
	ctxWords := []string{s.SiteName, "portique"}
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

// ChangePassword is the profile form of the actor's own account: the
// current password is required (field "current"), the new one follows the
// policy. Every session but keepSession ends, pending links die, and the
// account is unlocked. Audit: password.change_failed (reason=current_wrong)
// or password.changed.
func (s *Accounts) ChangePassword(ctx context.Context, a access.Actor, current, password, confirm, keepSession string) error {
	if !a.LoggedIn() {
		return fmt.Errorf("users: change password: %w", access.ErrForbidden)
	}
	now := s.now()
	u, hash, err := getWithHash(ctx, s.DB, a.UserID)
	if err != nil {
		return fmt.Errorf("users: change password: %w", err)
	}
	if hash == "" {
		hash = s.dummyHash(ctx)
	}
	ok, _, err := s.Hasher.Verify(ctx, hash, current)
	if err != nil && !errors.Is(err, ErrMalformedHash) {
		return err
	}
	if !ok {
		if err := audit.Record(ctx, s.DB, a, now, "password.change_failed", userObject(u.ID), "reason=current_wrong"); err != nil {
			return err
		}
		return valid.One("current", "accounts.password.current_wrong")
	}
	if err := s.CheckNewPassword(u, password, confirm); err != nil {
		return err
	}
	h, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := setPasswordHash(ctx, tx, u.ID, h); err != nil {
			return err
		}
		if err := deleteSessionsOf(ctx, tx, u.ID, keepSession); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "password.changed", userObject(u.ID), "")
	})
}

// PeekToken returns the account a live link belongs to, without using it
// (to show the form of the link); ErrTokenInvalid otherwise.
func (s *Accounts) PeekToken(ctx context.Context, token, purpose string) (*User, error) {
	return peekToken(ctx, s.DB, token, purpose, s.now())
}

// UseToken sets a password through an emailed link (reset or invitation),
// followed by a (a visitor: their address counts): the token is used once,
// in the same transaction as the new password, so a refused password
// leaves the link usable. Every session of the account ends. It returns
// the account. Audit: invitation.accepted or recovery.completed, the
// account being the actor.
func (s *Accounts) UseToken(ctx context.Context, a access.Actor, token, purpose, password, confirm string) (*User, error) {
	now := s.now()
	u, err := peekToken(ctx, s.DB, token, purpose, now)
	if err != nil {
		return nil, err
	}
	if err := s.CheckNewPassword(u, password, confirm); err != nil {
		return nil, err
	}
	h, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return nil, err
	}
	action := "recovery.completed"
	if purpose == PurposeInvite {
		action = "invitation.accepted"
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := consumeToken(ctx, tx, token, purpose, now); err != nil {
			return err
		}
		if err := setPasswordHash(ctx, tx, u.ID, h); err != nil {
			return err
		}
		if err := deleteSessionsOf(ctx, tx, u.ID, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, as(u, a), now, action, userObject(u.ID), "")
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
