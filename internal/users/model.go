// Package users owns accounts, groups, memberships, sessions, passwords,
// lockout and one-time tokens (invitations and password resets).
package users

import (
	"time"

	"portique/internal/access"
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
}

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
