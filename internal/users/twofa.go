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

// PurposeLoginCode is the one-time token of a login waiting for its second
// factor: the password was right, no session exists yet. It lives
// LoginCodeTTL, in a cookie of its own.
const PurposeLoginCode = "login-code"

// LoginCodeTTL is how long the second step of a login may wait.
const LoginCodeTTL = 5 * time.Minute

// State refusals of two-factor login.
var (
	// ErrTwoFactorOn: enrolment is refused while a second factor is active
	// (disable it first, or ask an administrator to reset it).
	ErrTwoFactorOn = errors.New("users: two-factor login already active")
	// ErrTwoFactorOff: there is no active second factor to disable, renew
	// or reset.
	ErrTwoFactorOff = errors.New("users: no active two-factor login")
	// ErrTwoFactorRequired: a group of the account requires two-factor
	// login, so its owner cannot disable it.
	ErrTwoFactorRequired = errors.New("users: two-factor login required by a group")
)

// TwoFactor is the state of an account's second factor.
type TwoFactor struct {
	Enabled      bool
	Since        time.Time // when it was confirmed
	Pending      bool      // a secret awaits its first code (enrolment under way)
	RecoveryLeft int       // unused recovery codes
	Required     bool      // a group of the account requires it
}

// TwoFactorOf returns the state of the second factor of account id.
func (s *Accounts) TwoFactorOf(ctx context.Context, id int64) (TwoFactor, error) {
	var tf TwoFactor
	var confirmed *time.Time
	err := s.DB.QueryRow(ctx, "SELECT confirmed_at FROM user_totp WHERE user_id = ?", id).Scan(&confirmed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return tf, fmt.Errorf("users: two-factor state %d: %w", id, err)
	case confirmed != nil:
		tf.Enabled, tf.Since = true, *confirmed
	default:
		tf.Pending = true
	}
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = ? AND used_at IS NULL", id).Scan(&tf.RecoveryLeft); err != nil {
		return tf, fmt.Errorf("users: two-factor state %d: %w", id, err)
	}
	if tf.Required, err = twoFactorRequired(ctx, s.DB, id); err != nil {
		return tf, err
	}
	return tf, nil
}

// TwoFactorStates returns, for every account that has a second factor or
// is required to, whether it is enabled and required (the admin list; one
// query each, whatever the number of accounts). RecoveryLeft is not set.
func (s *Accounts) TwoFactorStates(ctx context.Context) (map[int64]TwoFactor, error) {
	out := map[int64]TwoFactor{}
	for _, q := range []struct {
		sql string
		set func(*TwoFactor)
	}{
		{"SELECT user_id FROM user_totp WHERE confirmed_at IS NOT NULL", func(tf *TwoFactor) { tf.Enabled = true }},
		{`SELECT DISTINCT m.user_id FROM memberships m JOIN groups g ON g.id = m.group_id WHERE g.require_2fa = TRUE`,
			func(tf *TwoFactor) { tf.Required = true }},
	} {
		ids, err := db.IDs(ctx, s.DB, q.sql)
		if err != nil {
			return nil, fmt.Errorf("users: two-factor states: %w", err)
		}
		for _, id := range ids {
			tf := out[id]
			q.set(&tf)
			out[id] = tf
		}
	}
	return out, nil
}

// twoFactorRequired reports whether a group of account id requires
// two-factor login.
func twoFactorRequired(ctx context.Context, q db.Querier, id int64) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM memberships m JOIN groups g ON g.id = m.group_id
		WHERE m.user_id = ? AND g.require_2fa = TRUE`, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("users: two-factor required %d: %w", id, err)
	}
	return n > 0, nil
}

// hasTwoFactor reports whether account id has a confirmed second factor.
func hasTwoFactor(ctx context.Context, q db.Querier, id int64) (bool, error) {
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM user_totp WHERE user_id = ? AND confirmed_at IS NOT NULL", id).Scan(&n); err != nil {
		return false, fmt.Errorf("users: two-factor %d: %w", id, err)
	}
	return n > 0, nil
}

// BeginEnrolment gives the actor's own account a new secret, not yet
// active (a previous unfinished one is replaced): it becomes the second
// factor once ConfirmEnrolment sees a code from it. ErrTwoFactorOn when one
// is already active. Audit: twofa.enrol_started.
func (s *Accounts) BeginEnrolment(ctx context.Context, a access.Actor) (Enrolment, error) {
	if !a.LoggedIn() {
		return Enrolment{}, fmt.Errorf("users: begin enrolment: %w", access.ErrForbidden)
	}
	now := s.now().UTC()
	var e Enrolment
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		u, err := get(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		if on, err := hasTwoFactor(ctx, tx, u.ID); err != nil {
			return err
		} else if on {
			return ErrTwoFactorOn
		}
		if e, err = newEnrolment(s.SiteName, u.Email); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_totp (user_id, secret, created_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = 0
			WHERE user_totp.confirmed_at IS NULL`, u.ID, e.Secret, now); err != nil {
			return fmt.Errorf("users: begin enrolment: %w", err)
		}
		return audit.Record(ctx, tx, a, now, "twofa.enrol_started", userObject(u.ID), "")
	})
	return e, err
}

// PendingEnrolment returns the secret being set up on the actor's own
// account (to show it again, as a QR code or text); db.ErrNotFound when
// none is. An active secret is never shown again.
func (s *Accounts) PendingEnrolment(ctx context.Context, a access.Actor) (Enrolment, error) {
	if !a.LoggedIn() {
		return Enrolment{}, fmt.Errorf("users: pending enrolment: %w", access.ErrForbidden)
	}
	var secret, email string
	err := s.DB.QueryRow(ctx, `SELECT t.secret, u.email FROM user_totp t JOIN users u ON u.id = t.user_id
		WHERE t.user_id = ? AND t.confirmed_at IS NULL AND u.deleted_at IS NULL`, a.UserID).Scan(&secret, &email)
	if err != nil {
		return Enrolment{}, fmt.Errorf("users: pending enrolment: %w", db.NotFound(err))
	}
	return enrolmentOf(s.SiteName, email, secret)
}

// ConfirmEnrolment activates the secret being set up on the actor's own
// account when code is its current code (field "code"), and returns the
// recovery codes, to be shown once: only their hashes are kept. A wrong
// code during enrolment does not count towards the lock (it proves
// nothing, the person just got the secret). Audit: twofa.enrol_failed or
// twofa.enabled.
func (s *Accounts) ConfirmEnrolment(ctx context.Context, a access.Actor, code string) ([]string, error) {
	if !a.LoggedIn() {
		return nil, fmt.Errorf("users: confirm enrolment: %w", access.ErrForbidden)
	}
	now := s.now().UTC()
	kind, c := ParseCode(code)
	if kind != CodeTOTP {
		return nil, valid.One("code", "twofa.code.format_app")
	}
	var secret string
	err := s.DB.QueryRow(ctx, "SELECT secret FROM user_totp WHERE user_id = ? AND confirmed_at IS NULL", a.UserID).Scan(&secret)
	if err != nil {
		return nil, fmt.Errorf("users: confirm enrolment: %w", db.NotFound(err))
	}
	step, ok := matchStep(secret, c, now)
	if !ok {
		if err := audit.Record(ctx, s.DB, a, now, "twofa.enrol_failed", userObject(a.UserID), ""); err != nil {
			return nil, err
		}
		return nil, valid.One("code", "twofa.code.wrong")
	}
	codes := newRecoveryCodes(RecoveryCodeCount)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE user_totp SET confirmed_at = ?, last_step = ? WHERE user_id = ? AND confirmed_at IS NULL AND secret = ?",
			now, step, a.UserID, secret)
		if err != nil {
			return fmt.Errorf("users: confirm enrolment: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrTwoFactorOn // confirmed (or restarted) by a concurrent request
		}
		if err := replaceRecoveryCodes(ctx, tx, a.UserID, codes, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "twofa.enabled", userObject(a.UserID), "")
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

func replaceRecoveryCodes(ctx context.Context, q db.Querier, uid int64, codes []string, now time.Time) error {
	if _, err := q.Exec(ctx, "DELETE FROM user_recovery_codes WHERE user_id = ?", uid); err != nil {
		return fmt.Errorf("users: recovery codes: %w", err)
	}
	for _, c := range codes {
		if _, err := q.Exec(ctx, "INSERT INTO user_recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
			uid, hashRecoveryCode(c), now); err != nil {
			return fmt.Errorf("users: recovery codes: %w", err)
		}
	}
	return nil
}

// useCode checks a code typed by the owner of account uid and, when it is
// right, uses it up in q's transaction: an app code moves the account's
// last step forward (so neither it nor an older one works again), a
// recovery code is marked used. It reports how the code was accepted
// ("totp", "recovery"), or "" when it was not.
func useCode(ctx context.Context, q db.Querier, uid int64, code string, now time.Time) (string, error) {
	kind, c := ParseCode(code)
	switch kind {
	case CodeTOTP:
		var secret string
		var last int64
		err := q.QueryRow(ctx, "SELECT secret, last_step FROM user_totp WHERE user_id = ? AND confirmed_at IS NOT NULL", uid).Scan(&secret, &last)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("users: check code: %w", err)
		}
		step, ok := matchStep(secret, c, now)
		if !ok || step <= last {
			return "", nil
		}
		// The condition makes two concurrent uses of one code accept once.
		res, err := q.Exec(ctx, "UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ?", step, uid, step)
		if err != nil {
			return "", fmt.Errorf("users: check code: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return "", nil
		}
		return "totp", nil
	case CodeRecovery:
		res, err := q.Exec(ctx, "UPDATE user_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
			now, uid, hashRecoveryCode(c))
		if err != nil {
			return "", fmt.Errorf("users: check code: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return "", nil
		}
		return "recovery", nil
	}
	return "", nil
}

// LoginCode is the second step of a login (see Login): pending is the
// token the first step issued, code what the person typed (from the app,
// or a recovery code). On success the token is used up and the result is
// that of a login. A wrong code counts, like a wrong password, towards the
// address's throttle and the account's lock (ErrLoginFailed, LockedNow
// when this failure locked it; the pending login then ends). An unknown,
// used or expired token is ErrTokenInvalid, as is a login whose account
// got locked meanwhile; ErrThrottled comes before any check.
//
// Audit: login.throttled; login.failure (detail "step=code") and
// account.locked; or login.success (detail "2fa=totp" or "2fa=recovery").
func (s *Accounts) LoginCode(ctx context.Context, a access.Actor, pending, code string) (LoginResult, error) {
	now := s.now().UTC()
	ipKey := "login-ip:" + a.IP
	u, err := peekToken(ctx, s.DB, pending, PurposeLoginCode, now)
	if err != nil {
		return LoginResult{}, err
	}
	if n, err := hits(ctx, s.DB, ipKey, now); err != nil {
		return LoginResult{}, err
	} else if n >= IPFailureLimit {
		if err := audit.Record(ctx, s.DB, as(u, a), now, "login.throttled", userObject(u.ID), "step=code"); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, ErrThrottled
	}
	if u.Locked(now) {
		s.DB.Exec(ctx, "DELETE FROM user_tokens WHERE token_hash = ?", HashToken(pending)) //nolint:errcheck // it expires anyway
		return LoginResult{}, ErrTokenInvalid
	}
	var res LoginResult
	var how string
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res = LoginResult{}
		var err error
		if how, err = useCode(ctx, tx, u.ID, code, now); err != nil {
			return err
		}
		if how != "" {
			if _, err := consumeToken(ctx, tx, pending, PurposeLoginCode, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE users SET failed_count = 0, locked_until = NULL, last_login_at = ? WHERE id = ?", now, u.ID); err != nil {
				return err
			}
			return audit.Record(ctx, tx, as(u, a), now, "login.success", userObject(u.ID), "2fa="+how)
		}
		if _, err := hit(ctx, tx, ipKey, IPFailureWindow, now); err != nil {
			return err
		}
		locked, err := s.failedCode(ctx, tx, a, u, now)
		if err != nil {
			return err
		}
		if locked {
			lu := *u
			lu.LockedUntil = now.Add(s.LockoutDuration)
			res.LockedNow = &lu
			if _, err := tx.Exec(ctx, "DELETE FROM user_tokens WHERE token_hash = ?", HashToken(pending)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return LoginResult{}, err
	}
	if how == "" {
		return res, ErrLoginFailed
	}
	u.FailedCount, u.LockedUntil, u.LastLoginAt = 0, time.Time{}, now
	u.TwoFactor = true
	return LoginResult{User: u}, nil
}

// failedCode counts a wrong code of u towards the lock and records
// login.failure (step=code), and account.locked when it locked the account.
func (s *Accounts) failedCode(ctx context.Context, tx *db.Tx, a access.Actor, u *User, now time.Time) (bool, error) {
	locked, err := s.recordFailure(ctx, tx, u.ID, now)
	if err != nil {
		return false, err
	}
	if err := audit.Record(ctx, tx, as(u, a), now, "login.failure", userObject(u.ID), "step=code"); err != nil {
		return false, err
	}
	if locked {
		return true, audit.Record(ctx, tx, as(u, a), now, "account.locked", userObject(u.ID), "")
	}
	return false, nil
}

// ownCode checks a code typed by the actor on their own account, for a
// change of their second factor (disable it, renew the recovery codes):
// a wrong code counts towards the lock like at login and is a validation
// error on "code"; a right one is used up in tx.
func (s *Accounts) ownCode(ctx context.Context, tx *db.Tx, a access.Actor, u *User, code string, now time.Time) (bool, error) {
	how, err := useCode(ctx, tx, u.ID, code, now)
	if err != nil || how != "" {
		return how != "", err
	}
	_, err = s.failedCode(ctx, tx, a, u, now)
	return false, err
}

// changeOwn runs change on the actor's own account, with an active second
// factor, once code is checked (see ownCode). The wrong-code outcome is
// committed (the failure counts) and returned as a field error.
func (s *Accounts) changeOwn(ctx context.Context, a access.Actor, code string, change func(tx *db.Tx, u *User, now time.Time) error) error {
	if !a.LoggedIn() {
		return fmt.Errorf("users: two-factor change: %w", access.ErrForbidden)
	}
	now := s.now().UTC()
	wrong := false
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		wrong = false
		u, err := get(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		if on, err := hasTwoFactor(ctx, tx, u.ID); err != nil {
			return err
		} else if !on {
			return ErrTwoFactorOff
		}
		ok, err := s.ownCode(ctx, tx, a, u, code, now)
		if err != nil {
			return err
		}
		if !ok {
			wrong = true
			return nil
		}
		return change(tx, u, now)
	})
	if err != nil {
		return err
	}
	if wrong {
		return valid.One("code", "twofa.code.wrong")
	}
	return nil
}

// DisableTwoFactor removes the second factor of the actor's own account;
// a current code (or a recovery code) is required, field "code". Refused
// with ErrTwoFactorRequired when a group of the account requires it.
// Audit: twofa.disabled.
func (s *Accounts) DisableTwoFactor(ctx context.Context, a access.Actor, code string) error {
	if req, err := twoFactorRequired(ctx, s.DB, a.UserID); err != nil {
		return err
	} else if req {
		return ErrTwoFactorRequired
	}
	return s.changeOwn(ctx, a, code, func(tx *db.Tx, u *User, now time.Time) error {
		if err := deleteTwoFactor(ctx, tx, u.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "twofa.disabled", userObject(u.ID), "")
	})
}

// RenewRecoveryCodes replaces the recovery codes of the actor's own
// account with new ones, returned to be shown once; a current code is
// required (field "code"). Audit: twofa.codes_renewed.
func (s *Accounts) RenewRecoveryCodes(ctx context.Context, a access.Actor, code string) ([]string, error) {
	codes := newRecoveryCodes(RecoveryCodeCount)
	err := s.changeOwn(ctx, a, code, func(tx *db.Tx, u *User, now time.Time) error {
		if err := replaceRecoveryCodes(ctx, tx, u.ID, codes, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "twofa.codes_renewed", userObject(u.ID), "")
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// ResetTwoFactor removes the second factor of account id (a member who
// lost their phone and their recovery codes): they log in with their
// password alone, or are asked to enrol again if a group requires it. The
// caller emails them. ErrTwoFactorOff when there is none; not on one's own
// account (ErrSelf: that would skip the code DisableTwoFactor asks).
// Administrators and the command line. Audit: twofa.reset (the email).
func (s *Accounts) ResetTwoFactor(ctx context.Context, a access.Actor, id int64) (*User, error) {
	if err := requireAdmin(a, "reset two-factor"); err != nil {
		return nil, err
	}
	if id == a.UserID {
		return nil, ErrSelf
	}
	now := s.now()
	var u *User
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if u, err = get(ctx, tx, id); err != nil {
			return err
		}
		if on, err := hasTwoFactor(ctx, tx, id); err != nil {
			return err
		} else if !on {
			return ErrTwoFactorOff
		}
		if err := deleteTwoFactor(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "twofa.reset", userObject(id), u.Email)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// deleteTwoFactor removes the secret, the recovery codes and any login
// waiting for a code of account id.
func deleteTwoFactor(ctx context.Context, q db.Querier, id int64) error {
	for _, stmt := range []string{
		"DELETE FROM user_totp WHERE user_id = ?",
		"DELETE FROM user_recovery_codes WHERE user_id = ?",
		"DELETE FROM user_tokens WHERE user_id = ? AND purpose = '" + PurposeLoginCode + "'",
	} {
		if _, err := q.Exec(ctx, stmt, id); err != nil {
			return fmt.Errorf("users: remove two-factor %d: %w", id, err)
		}
	}
	return nil
}

// SetTwoFactorRequired makes two-factor login compulsory, or optional, for
// the members of group id (not a built-in one: ErrBuiltin). Audit:
// group.twofa_required or group.twofa_optional (the name).
func (s *Groups) SetTwoFactorRequired(ctx context.Context, a access.Actor, id int64, required bool) error {
	if err := requireAdmin(a, "group two-factor"); err != nil {
		return err
	}
	action := "group.twofa_optional"
	if required {
		action = "group.twofa_required"
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		g, err := getRealGroup(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE groups SET require_2fa = ? WHERE id = ?", required, id); err != nil {
			return fmt.Errorf("users: group two-factor %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, now, action, groupObject(id), g.Name)
	})
}
