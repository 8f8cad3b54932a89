package users

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
)

// The audit trail of accounts: every entry is written by the mutation that
// causes it, in its transaction. Actions keep the names the journal filters
// on (login., account., recovery., invitation., user., group., membership.,
// password., session.); details are data (emails, names, ids, key=value),
// never sentences.

// requireAdmin is the access rule of the administration of accounts and
// groups: administrators (and the system) only.
func requireAdmin(a access.Actor, what string) error {
	if !a.Admin {
		return fmt.Errorf("users: %s: %w", what, access.ErrForbidden)
	}
	return nil
}

// as names u as the actor of an entry (a login, a link followed), with the
// request's address from a.
func as(u *User, a access.Actor) access.Actor {
	return access.Actor{Principal: u.Principal(), Name: u.Email, IP: a.IP}
}

// claiming names who typed email, before they are known (a failed login, a
// recovery request for an unknown address).
func claiming(email string, a access.Actor) access.Actor {
	return access.Actor{Principal: a.Principal, Name: email, IP: a.IP}
}

func userObject(id int64) string  { return audit.Object("user", id) }
func groupObject(id int64) string { return audit.Object("group", id) }

// userDetail is the data of an account's entry: its email, then
// "admin=true" when it is an administrator and "groups=1,2" when it is in
// groups.
func userDetail(u *User) string {
	d := u.Email
	if u.Admin {
		d += " admin=true"
	}
	if len(u.Groups) > 0 {
		ids := make([]string, len(u.Groups))
		for i, g := range u.Groups {
			ids[i] = strconv.FormatInt(g, 10)
		}
		d += " groups=" + strings.Join(ids, ",")
	}
	return d
}

// nowOf returns the store's clock, time.Now when none was set.
func nowOf(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}
