// Package users owns accounts, groups, memberships, sessions, passwords,
// lockout and one-time tokens (invitations and password resets).
//
// Its stores are Accounts (login, recovery, passwords and the
// administration of accounts), Groups (groups and memberships), Sessions
// and Throttle (the shared counters). Each holds its database; every
// mutation takes the access.Actor who makes it, checks that they may, and
// writes its audit entry in the transaction of the change.
package users

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/valid"
)

// User is an account. Accounts are created by administrators only.
type User struct {
	ID          int64
	Email       string
	Name        string
	Admin       bool
	Disabled    bool
	FailedCount int
	LockedUntil time.Time // zero when not locked
	LastLoginAt time.Time // zero when never logged in
	CreatedAt   time.Time
	HasPassword bool
	Groups      []int64 // groups the account belongs to (not the pseudo-groups)
	// TwoFactor: the account has an active second factor; TwoFactorRequired:
	// one of its groups requires one. Both are set by Sessions.Lookup.
	TwoFactor, TwoFactorRequired bool
}

// MustEnrol reports whether the account is to be sent to two-factor
// enrolment, and kept there: a group requires it and it has none.
func (u *User) MustEnrol() bool { return u != nil && u.TwoFactorRequired && !u.TwoFactor }

// Principal returns the user as the access model sees it.
func (u *User) Principal() access.Principal {
	if u == nil {
		return access.Anonymous()
	}
	return access.Member(u.ID, u.Admin, u.Groups)
}

// Locked reports whether the account is locked at now.
func (u *User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// Group is a named set of accounts that receives grants.
type Group struct {
	ID      int64
	Name    string
	Builtin bool // Tout le monde, Membres: cannot be renamed or deleted
	Members int  // number of members (0 for pseudo-groups)
	// RequireTwoFactor: its members must use two-factor login.
	RequireTwoFactor bool
}

// Session is a logged-in browser. The cookie value is never stored: only its hash.
type Session struct {
	IDHash     string
	User       *User
	CSRF       string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute end
	IdleEnd    time.Time // when it ends without activity
	IP         string
	UserAgent  string
}

// Link is a one-time link to send (by email, or printed by the command
// line): its token, which is stored hashed only, and when it stops working.
// The zero Link means there is nothing to send.
type Link struct {
	Token   string
	Expires time.Time
}

// Errors of the users stores (besides db.ErrNotFound, access.ErrForbidden
// and valid.Errors).
var (
	// ErrBuiltin means the pseudo-groups Tout le monde and Membres cannot be
	// renamed, deleted or given members.
	ErrBuiltin = errors.New("users: built-in group")
	// ErrSelf: an administrator may not disable, delete or re-invite their
	// own account. It is a refusal of access (it wraps access.ErrForbidden).
	ErrSelf = fmt.Errorf("users: not on one's own account: %w", access.ErrForbidden)
	// ErrHasPassword: an invitation is only for an account that has no
	// password yet.
	ErrHasPassword = errors.New("users: the account already has a password")
)

// Form is what an administrator enters to create or edit an account.
type Form struct {
	Email  string
	Name   string
	Admin  bool
	Groups []int64 // real groups; pseudo-groups are ignored
}

// Validate checks the form and normalises it; field keys are "email",
// "name".
func (f *Form) Validate() error {
	f.Email = NormalizeEmail(f.Email)
	f.Name = strings.TrimSpace(f.Name)
	errs := CheckEmail(f.Email)
	if errs == nil {
		errs = valid.Errors{}
	}
	if f.Name == "" {
		errs.Add("name", "accounts.name.required")
	} else if utf8.RuneCountInString(f.Name) > 100 {
		errs.Add("name", "accounts.name.too_long")
	}
	return errs.Err()
}

// NormalizeEmail lower-cases and trims an address; accounts are unique by it.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail returns the error of an email field ("email"), or nil when the
// (normalised) address is acceptable.
func CheckEmail(email string) valid.Errors {
	switch {
	case email == "":
		return valid.One("email", "accounts.email.required")
	case !ValidEmail(email):
		return valid.One("email", "accounts.email.invalid")
	}
	return nil
}

// ValidEmail accepts a bare address (no display name), of a sane length.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\r\n\t\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	_, domain, ok := strings.Cut(s, "@")
	return ok && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// validName checks a display name (field "name").
func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", valid.One("name", "accounts.name.required")
	case utf8.RuneCountInString(name) > 100:
		return "", valid.One("name", "accounts.name.too_long")
	}
	return name, nil
}
