// Package pages is the page tree of the public site and the extranet: pages,
// their revisions (drafts and publications), blocks, slugs, redirects after a
// rename or a move, images, the trash, and the navigation built from the tree.
//
// Every page is an access node (access.Page): a page is public when Everyone
// may view it, private when only some groups may. Editing is an access grant
// too: Edit lets a group change content, add sub-pages and publish; Manage
// also lets it move, delete and change the grants of a branch. The store
// checks the access model itself on every change, so a handler cannot forget.
package pages

import (
	"errors"
	"fmt"
	"time"

	"portique/internal/db"
	"portique/internal/valid"
)

// State refusals of the store, besides the shared kinds (db.ErrNotFound for
// no such live page, revision or image; access.ErrForbidden when the actor
// lacks the level; access.ErrCycle for a move under itself). Web maps each
// once; the French text of each is in the catalogue (pages.error.*).
var (
	// ErrHomeProtected: the home page cannot be deleted or moved.
	ErrHomeProtected = errors.New("pages: the home page cannot be deleted or moved")
	// ErrNoDraft: publish or cancel without a pending draft.
	ErrNoDraft = errors.New("pages: no draft to publish")
	// ErrDraftPending: restoring an old revision while a draft is pending
	// would silently drop someone's work.
	ErrDraftPending = errors.New("pages: a draft is pending")
	// ErrParentTrashed: a page cannot be restored while its parent is in the trash.
	ErrParentTrashed = errors.New("pages: the parent page is in the trash")
	// ErrNotTrashed: restore of a page that is not in the trash.
	ErrNotTrashed = errors.New("pages: page is not in the trash")
	// ErrStale: a save or a publication based on a revision that is no
	// longer the latest (a *StaleError carries the other version). It is a
	// db.ErrConflict.
	ErrStale = fmt.Errorf("pages: the page changed in between: %w", db.ErrConflict)
)

// Validation errors are valid.Errors: form field → catalogue key (the
// French texts are in internal/i18n/fr/pages.json, keys pages.error.*). The
// web layer re-renders the form with them (422) and keeps the user's input.
func invalid(field, key string) valid.Errors { return valid.One(field, key) }

// StaleError is returned when a save is based on a revision that is no longer
// the latest: someone else saved or published in between. Theirs is that
// other version, so the editor can compare; the caller still holds the
// user's text (nothing was written). It matches ErrStale, and so
// db.ErrConflict, with errors.Is.
type StaleError struct {
	Base   int64    // revision the edit started from
	Theirs Revision // the latest revision now
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("pages: page %d changed since revision %d (now %d by %s)", e.Theirs.PageID, e.Base, e.Theirs.ID, e.Theirs.AuthorName)
}

// Unwrap makes a stale save an ErrStale (a conflict) for the error mapping.
func (e *StaleError) Unwrap() error { return ErrStale }

// Page is one node of the tree.
type Page struct {
	ID              int64
	ParentID        int64 // 0 for the home page
	Slug            string
	Path            string // "/" for the home page, "/a/b" otherwise
	Position        int
	Title           string // published title (or first draft's title before publication)
	MenuTitle       string
	MetaDescription string
	InMenu          bool  // listed in the main menu (meaningful for top-level pages)
	PublishedRev    int64 // 0 until first published
	DraftRev        int64 // 0 when no draft is pending
	PublishedAt     time.Time
	TrashedAt       time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Kind is KindPage, KindNewsIndex (the list of news, /actualites) or
	// KindNews (a news item, a child of a news index).
	Kind string
	// PublishAt and UnpublishAt bound when visitors see a published page
	// (zero: open). A news item's date is its PublishAt.
	PublishAt, UnpublishAt time.Time
	// News items only: the teaser, the picture (an image of the page) and
	// its alternative text, the category (0: none).
	Teaser     string
	ImageID    int64
	ImageAlt   string
	CategoryID int64
}

// IsHome reports whether p is the root of the tree.
func (p *Page) IsHome() bool { return p.ParentID == 0 }

// Published reports whether visitors can see p.
func (p *Page) Published() bool { return p.PublishedRev != 0 }

// Head is the revision an edit starts from: the draft if any, else the
// published one.
func (p *Page) Head() int64 {
	if p.DraftRev != 0 {
		return p.DraftRev
	}
	return p.PublishedRev
}

// NavTitle is the title shown in menus.
func (p *Page) NavTitle() string {
	if p.MenuTitle != "" {
		return p.MenuTitle
	}
	return p.Title
}

// Revision is one saved state of a page's content.
type Revision struct {
	ID          int64
	PageID      int64
	AuthorID    int64
	AuthorName  string
	CreatedAt   time.Time
	PublishedAt time.Time // zero for a draft
	Title       string
	Blocks      []Block
	Note        string
	BaseRev     int64
}

// IsDraft reports whether r was never published.
func (r *Revision) IsDraft() bool { return r.PublishedAt.IsZero() }

// Link is a page in a navigation list (menu, breadcrumb, child list, plan).
type Link struct {
	ID       int64
	ParentID int64
	Title    string
	Path     string
	Children []*Link // filled by SiteMap only
}
