// Package access is THE permission model of Portique. Groups receive grants of
// a level (view < edit < manage) on objects (pages, folders, calendars).
// Pages and folders inherit the grants of their parent unless they set their
// own. Nothing is visible without a grant; administrators bypass every check.
//
// There is one rule, written once, as an SQL fragment (Filter). Can, used for a
// single object, runs that same fragment, so a listing, a count or a search
// filtered with Filter can never show what a direct request would refuse.
package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"portique/internal/db"
)

// Level is what a grant allows. Higher levels include lower ones.
type Level int

// The levels, in order.
const (
	None   Level = 0
	View   Level = 1
	Edit   Level = 2
	Manage Level = 3
)

// String returns the level's stable name (used in forms and the audit trail).
func (l Level) String() string {
	switch l {
	case View:
		return "view"
	case Edit:
		return "edit"
	case Manage:
		return "manage"
	}
	return "none"
}

// ParseLevel is the inverse of Level.String; unknown names are None.
func ParseLevel(s string) Level {
	switch s {
	case "view":
		return View
	case "edit":
		return Edit
	case "manage":
		return Manage
	}
	return None
}

// Kind is the kind of an access-controlled object.
type Kind string

// The kinds of objects that carry grants.
const (
	Page     Kind = "page"
	Folder   Kind = "folder"
	Calendar Kind = "calendar"
)

// Built-in pseudo-groups (rows of the groups table with fixed ids).
const (
	// Everyone includes anonymous visitors: a grant to it makes an object public.
	Everyone int64 = 1
	// Members is every logged-in account.
	Members int64 = 2
)

// The errors of the access model, shared by every domain so that the web
// layer maps each meaning once.
var (
	// ErrForbidden: the person asking lacks the level an action needs. Every
	// domain returns it (wrapped with context); web answers 403, or sends an
	// anonymous visitor to the login page.
	ErrForbidden = errors.New("forbidden")
	// ErrCycle: an object cannot be moved under itself or its descendants.
	ErrCycle = errors.New("access: an object cannot be moved under itself")
)

// Principal is who is asking: an anonymous visitor or a logged-in account
// with its groups (Everyone and Members included).
type Principal struct {
	UserID int64
	Admin  bool
	Groups []int64
}

// Anonymous is a visitor who is not logged in.
func Anonymous() Principal { return Principal{Groups: []int64{Everyone}} }

// Member builds the principal of a logged-in account from its own groups.
func Member(userID int64, admin bool, groups []int64) Principal {
	g := make([]int64, 0, len(groups)+2)
	g = append(g, Everyone, Members)
	for _, id := range groups {
		if id != Everyone && id != Members && !slices.Contains(g, id) {
			g = append(g, id)
		}
	}
	return Principal{UserID: userID, Admin: admin, Groups: g}
}

// Actor is who makes a change: what they may do (the Principal) and how the
// audit trail names them. Every domain's mutations take an Actor and write
// their audit entry in their own transaction.
type Actor struct {
	Principal
	Name string // the account's e-mail at the time; "" for the system
	IP   string // the request's client address; "" for the command line and the system
}

// System is the actor of housekeeping and command-line changes: it holds
// every right, like an administrator.
func System() Actor { return Actor{Principal: Principal{Admin: true}} }

// LoggedIn reports whether the principal is an account.
func (p Principal) LoggedIn() bool { return p.UserID != 0 }

// Key names what the access model decides from: the administrator flag
// and the groups, in order ("|admin|1|2…"; the account itself plays no
// part). Two principals with the same key see the same things, so caches
// of what someone may see are kept by it.
func (p Principal) Key() string {
	g := slices.Clone(p.Groups)
	slices.Sort(g)
	var b strings.Builder
	if p.Admin {
		b.WriteString("|admin")
	}
	for _, id := range g {
		b.WriteString("|")
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// Filter returns an SQL boolean expression, and its arguments, that is true
// when p holds at least min on the object of the given kind whose id is the
// SQL expression idExpr (for example "d.folder_id"). Use it in every list,
// count, feed and search query over such objects.
func (p Principal) Filter(kind Kind, idExpr string, min Level) (string, []any) {
	return p.FilterExpr("?", idExpr, min, string(kind))
}

// FilterExpr is Filter for rows of mixed kinds (the search index): kindExpr is
// an SQL expression giving the kind. kindArgs are the arguments of kindExpr.
func (p Principal) FilterExpr(kindExpr, idExpr string, min Level, kindArgs ...any) (string, []any) {
	if p.Admin {
		return "1=1", nil
	}
	if min < View {
		min = View
	}
	groups := p.Groups
	if len(groups) == 0 {
		groups = []int64{Everyone}
	}
	var b strings.Builder
	b.WriteString("EXISTS (SELECT 1 FROM acl_nodes acl_n JOIN grants acl_g ON acl_g.kind = acl_n.kind AND acl_g.object_id = acl_n.source_id WHERE acl_n.kind = ")
	b.WriteString(kindExpr)
	b.WriteString(" AND acl_n.id = ")
	b.WriteString(idExpr)
	b.WriteString(" AND acl_g.level >= ? AND acl_g.group_id IN (")
	b.WriteString(db.In(len(groups)))
	b.WriteString("))")
	args := make([]any, 0, len(kindArgs)+1+len(groups))
	args = append(args, kindArgs...)
	args = append(args, int(min))
	for _, g := range groups {
		args = append(args, g)
	}
	return b.String(), args
}

// Can reports whether p holds at least min on one object. It runs the very
// fragment Filter returns. An object without a node is visible to nobody but
// administrators.
func Can(ctx context.Context, q db.Querier, p Principal, kind Kind, id int64, min Level) (bool, error) {
	if p.Admin {
		return true, nil
	}
	f, args := p.Filter(kind, "o.id", min)
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM acl_nodes o WHERE o.kind = ? AND o.id = ? AND "+f,
		append([]any{string(kind), id}, args...)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("access: can %s %d: %w", kind, id, err)
	}
	return n > 0, nil
}

// Require returns ErrForbidden (wrapped with the object) unless p holds at
// least min on the object. It is Can for the mutations of every domain.
func Require(ctx context.Context, q db.Querier, p Principal, kind Kind, id int64, min Level) error {
	ok, err := Can(ctx, q, p, kind, id, min)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("access: %s on %s %d: %w", min, kind, id, ErrForbidden)
	}
	return nil
}

// LevelOf returns the highest level p holds on an object (None when none),
// for deciding which tools to show. Decisions to allow use Can.
func LevelOf(ctx context.Context, q db.Querier, p Principal, kind Kind, id int64) (Level, error) {
	if p.Admin {
		return Manage, nil
	}
	groups := p.Groups
	if len(groups) == 0 {
		groups = []int64{Everyone}
	}
	args := []any{string(kind), id}
	for _, g := range groups {
		args = append(args, g)
	}
	var lvl int
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(g.level), 0) FROM acl_nodes n
		JOIN grants g ON g.kind = n.kind AND g.object_id = n.source_id
		WHERE n.kind = ? AND n.id = ? AND g.group_id IN (`+db.In(len(groups))+`)`, args...).Scan(&lvl)
	if err != nil {
		return None, fmt.Errorf("access: level of %s %d: %w", kind, id, err)
	}
	return Level(lvl), nil
}
