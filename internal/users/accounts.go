package users

import (
	"context"
	"fmt"
	"sync"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/valid"
)

// Accounts is the store of accounts: login, recovery and passwords, and
// their administration.
type Accounts struct {
	DB               *db.DB
	Now              func() time.Time // time.Now when nil
	Hasher           *Hasher
	LockoutThreshold int           // consecutive failures that lock an account
	LockoutDuration  time.Duration // how long the lock lasts
	SiteName         string        // refused as a password
	// DeletedName is the display name a deleted account keeps, where other
	// areas show who did something (catalogue accounts.deleted_name).
	DeletedName string

	dummyOnce sync.Once
	dummy     string
}

func (s *Accounts) now() time.Time { return nowOf(s.Now) }

// Get returns a live (not deleted) account with its groups, or db.ErrNotFound.
func (s *Accounts) Get(ctx context.Context, id int64) (*User, error) { return get(ctx, s.DB, id) }

// GetByEmail returns a live account by email, or db.ErrNotFound.
func (s *Accounts) GetByEmail(ctx context.Context, email string) (*User, error) {
	u, _, err := getByEmailWithHash(ctx, s.DB, email)
	return u, err
}

// List returns live accounts ordered by name, each with its groups.
func (s *Accounts) List(ctx context.Context, f ListFilter) ([]User, error) { return list(ctx, s.DB, f) }

// Count returns the number of live accounts.
func (s *Accounts) Count(ctx context.Context) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE deleted_at IS NULL").Scan(&n)
	return n, err
}

// CountAdmins returns the number of live administrators (is the site
// initialised: portique init).
func (s *Accounts) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE is_admin = TRUE AND deleted_at IS NULL").Scan(&n)
	return n, err
}

// CountAdminsWithTwoFactor returns the number of live administrators whose
// second factor is active (the go-live checklist).
func (s *Accounts) CountAdminsWithTwoFactor(ctx context.Context) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM users u JOIN user_totp t ON t.user_id = u.id
		WHERE u.is_admin = TRUE AND u.deleted_at IS NULL AND t.confirmed_at IS NOT NULL`).Scan(&n)
	return n, err
}

// Create adds an account without a password and issues its invitation
// (valid InviteTTL): the person chooses their password through the link,
// which the caller sends (web emails it, the command line prints it). A
// taken email is a validation error on "email". Administrators only.
// Audit: user.created (userDetail) and invitation.sent (the email).
func (s *Accounts) Create(ctx context.Context, a access.Actor, f Form) (*User, Link, error) {
	if err := requireAdmin(a, "create account"); err != nil {
		return nil, Link{}, err
	}
	now := s.now()
	var u *User
	var link Link
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := create(ctx, tx, f, now)
		if err != nil {
			return err
		}
		if u, err = get(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, now, "user.created", userObject(id), userDetail(u)); err != nil {
			return err
		}
		link, err = s.invite(ctx, tx, a, u, now)
		return err
	})
	if err != nil {
		return nil, Link{}, err
	}
	return u, link, nil
}

// invite issues an invitation link for u in tx and records it.
func (s *Accounts) invite(ctx context.Context, tx *db.Tx, a access.Actor, u *User, now time.Time) (Link, error) {
	token, err := issueToken(ctx, tx, u.ID, PurposeInvite, now, InviteTTL)
	if err != nil {
		return Link{}, err
	}
	if err := audit.Record(ctx, tx, a, now, "invitation.sent", userObject(u.ID), u.Email); err != nil {
		return Link{}, err
	}
	return Link{Token: token, Expires: now.Add(InviteTTL)}, nil
}

// Invite sends a new invitation to an account that has no password yet
// (ErrHasPassword otherwise); the previous link dies. Not on one's own
// account (ErrSelf). Administrators only. Audit: invitation.sent.
func (s *Accounts) Invite(ctx context.Context, a access.Actor, id int64) (*User, Link, error) {
	if err := requireAdmin(a, "invite"); err != nil {
		return nil, Link{}, err
	}
	if id == a.UserID {
		return nil, Link{}, ErrSelf
	}
	now := s.now()
	var u *User
	var link Link
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if u, err = get(ctx, tx, id); err != nil {
			return err
		}
		if u.HasPassword {
			return ErrHasPassword
		}
		link, err = s.invite(ctx, tx, a, u, now)
		return err
	})
	if err != nil {
		return nil, Link{}, err
	}
	return u, link, nil
}

// Update changes an account's email, name, admin flag and groups. An
// administrator cannot remove their own rights (and lock everyone out of
// the administration): that is a validation error on "admin".
// Administrators only. Audit: user.updated (userDetail, after the change).
func (s *Accounts) Update(ctx context.Context, a access.Actor, id int64, f Form) error {
	if err := requireAdmin(a, "update account"); err != nil {
		return err
	}
	if id == a.UserID && !f.Admin {
		return valid.One("admin", "accounts.admin.self_admin")
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := update(ctx, tx, id, f); err != nil {
			return err
		}
		u, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "user.updated", userObject(id), userDetail(u))
	})
}

// SetDisabled disables (its sessions end at once) or re-enables an
// account; not one's own (ErrSelf). Administrators only. Audit:
// user.disabled or user.enabled (the email).
func (s *Accounts) SetDisabled(ctx context.Context, a access.Actor, id int64, disabled bool) error {
	if err := requireAdmin(a, "disable account"); err != nil {
		return err
	}
	if id == a.UserID {
		return ErrSelf
	}
	action := "user.enabled"
	if disabled {
		action = "user.disabled"
	}
	return s.change(ctx, a, id, action, func(tx *db.Tx) error { return setDisabled(ctx, tx, id, disabled) })
}

// Unlock lifts a lock and resets the failure count (one's own account
// too). Administrators and the command line. Audit: account.unlocked (the
// email).
func (s *Accounts) Unlock(ctx context.Context, a access.Actor, id int64) error {
	if err := requireAdmin(a, "unlock account"); err != nil {
		return err
	}
	return s.change(ctx, a, id, "account.unlocked", func(tx *db.Tx) error { return unlock(ctx, tx, id) })
}

// Delete removes an account's personal data; the audit trail keeps the
// trace with the email at the time. Not one's own (ErrSelf).
// Administrators only. Audit: user.deleted (the email).
func (s *Accounts) Delete(ctx context.Context, a access.Actor, id int64) error {
	if err := requireAdmin(a, "delete account"); err != nil {
		return err
	}
	if id == a.UserID {
		return ErrSelf
	}
	now := s.now()
	return s.change(ctx, a, id, "user.deleted", func(tx *db.Tx) error { return deleteUser(ctx, tx, id, s.DeletedName, now) })
}

// change runs fn on the live account id in one transaction with its audit
// entry, whose detail is the account's email before the change.
func (s *Accounts) change(ctx context.Context, a access.Actor, id int64, action string, fn func(tx *db.Tx) error) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		u, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, action, userObject(id), u.Email)
	})
}

// Rename changes the display name of the actor's own account (the
// profile). Audit: user.renamed.
func (s *Accounts) Rename(ctx context.Context, a access.Actor, name string) error {
	if !a.LoggedIn() {
		return fmt.Errorf("users: rename: %w", access.ErrForbidden)
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := rename(ctx, tx, a.UserID, name); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "user.renamed", userObject(a.UserID), "")
	})
}

// PurgeExpired deletes the one-time links past their expiry and the
// counters (rate limits, captcha replay guard) past their window: the
// hourly housekeeping.
func (s *Accounts) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.now().UTC()
	var total int64
	for _, q := range []string{
		"DELETE FROM user_tokens WHERE expires_at < ?",
		"DELETE FROM throttle WHERE reset_at < ?",
	} {
		res, err := s.DB.Exec(ctx, q, now)
		if err != nil {
			return total, fmt.Errorf("users: purge: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
