// Package notify tells people by e-mail what changed in the places they may
// see: a new or replaced document in a folder, a new, changed or cancelled
// event in a calendar, a new private page.
//
// The shape is an outbox. A domain's mutation calls Emit inside its own
// transaction: one row says what changed and which object's grants decide
// who may see it, and a fan-out job is queued with it (internal/jobs), so
// the notification exists exactly when the change does. The fan-out job
// writes one delivery per account that may see the object and has not
// chosen "never" for the area; a delivery goes out at once (its own job) or
// in the daily digest. When a delivery is sent, the account, its preference
// and its grant are checked again: a grant withdrawn before the digest
// leaves the item out. Mail goes through internal/mail's SMTP client from
// jobs that are retried with backoff, so a mail server that is down delays
// the mail and never loses it.
//
// Every e-mail carries a one-click unsubscribe link (RFC 8058): a signed
// token naming the account and the area, which works by POST without a
// session.
package notify

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/jobs"
)

// Areas: each account chooses a mode per area.
const (
	AreaDocuments = "documents"
	AreaAgenda    = "agenda"
	AreaPages     = "pages"
)

// Areas lists the areas in the order the preferences form shows them.
var Areas = []string{AreaDocuments, AreaAgenda, AreaPages}

// AllAreas names every area in an unsubscribe link (a digest of several).
const AllAreas = "all"

// Modes of a preference.
const (
	Immediate = "immediate"
	Daily     = "daily"
	Never     = "never"
)

// Modes lists the modes in the order the form shows them.
var Modes = []string{Immediate, Daily, Never}

// DefaultMode is the mode of an account that never chose: one digest a day
// at most, which the first e-mail lets them change or stop in one click.
const DefaultMode = Daily

// Actions that Emit accepts (the catalogue has notify.action.<action>).
const (
	DocumentAdded    = "document.added"
	DocumentReplaced = "document.replaced"
	EventCreated     = "event.created"
	EventUpdated     = "event.updated"
	EventCancelled   = "event.cancelled"
	PagePublished    = "page.published"
)

var actionArea = map[string]string{
	DocumentAdded: AreaDocuments, DocumentReplaced: AreaDocuments,
	EventCreated: AreaAgenda, EventUpdated: AreaAgenda, EventCancelled: AreaAgenda,
	PagePublished: AreaPages,
}

// Change is one change to tell people about.
type Change struct {
	Action  string      // one of the actions above
	ACLKind access.Kind // whose grants decide who may see it
	ACLID   int64
	ItemID  int64  // the document, event or page
	Title   string // its title at the time
	Path    string // its address on the site ("" when it is gone)
	ActorID int64  // who made the change: not told of it
}

// Area is the preference area of the change's action.
func (c Change) Area() string { return actionArea[c.Action] }

// JobFanout is the job kind that turns an outbox row into deliveries.
const JobFanout = "notify.fanout"

// Emit records c in the outbox and queues its fan-out, in q: the caller's
// transaction (the domain's mutation), so that the notification exists if
// and only if the change does.
func Emit(ctx context.Context, q db.Querier, now time.Time, c Change) error {
	area := c.Area()
	if area == "" {
		return fmt.Errorf("notify: unknown action %q", c.Action)
	}
	var actor any
	if c.ActorID != 0 {
		actor = c.ActorID
	}
	var id int64
	if err := q.QueryRow(ctx, `INSERT INTO notify_outbox (area, action, acl_kind, acl_id, item_id, title, path, actor_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		area, c.Action, string(c.ACLKind), c.ACLID, c.ItemID, c.Title, c.Path, actor, now.UTC()).Scan(&id); err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	_, err := jobs.Enqueue(ctx, q, JobFanout, strconv.FormatInt(id, 10), now)
	return err
}

// ValidMode reports whether m is a mode.
func ValidMode(m string) bool { return m == Immediate || m == Daily || m == Never }

// ValidArea reports whether a is an area.
func ValidArea(a string) bool { return a == AreaDocuments || a == AreaAgenda || a == AreaPages }
