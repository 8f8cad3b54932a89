package pages

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/i18n"
	"portique/internal/search"

	"portique/internal/valid"
)

// Store holds every query of the pages area.
type Store struct {
	d   *db.DB
	idx search.Index // nil: pages are not indexed (tests, before search is wired)

	// Now is the clock (tests freeze it).
	Now func() time.Time
	// ImageMax is the largest image upload accepted, in bytes.
	ImageMax int64

	// next is the next scheduled change as read at a content version
	// (LiveUntil); the memos keep reads that lists repeat, until the
	// content changes (and, for what the schedule decides, until the next
	// scheduled change: their keys hold it). Shared: handed out as copies.
	next       atomic.Pointer[nextChange]
	news       db.Memo[newsList]
	categories db.Memo[[]Category]
	indexes    db.Memo[*Page]
	views      db.Memo[*View]
}

// New returns the store. idx may be nil.
func New(d *db.DB, idx search.Index) *Store {
	return &Store{d: d, idx: idx, Now: time.Now, ImageMax: DefaultImageMax, news: db.Memo[newsList]{Max: 256}, views: db.Memo[*View]{Max: 512}}
}

// DB returns the database the store works on.
func (s *Store) DB() *db.DB { return s.d }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

const pageCols = `p.id, COALESCE(p.parent_id, 0), p.slug, p.path, p.position, p.title, p.menu_title,
	p.meta_description, p.in_menu, COALESCE(p.published_rev, 0), COALESCE(p.draft_rev, 0), p.published_at,
	p.trashed_at, p.created_at, p.updated_at, p.kind, p.publish_at, p.unpublish_at, p.teaser,
	COALESCE(p.news_image_id, 0), p.news_image_alt, COALESCE(p.category_id, 0)`

type scanner interface{ Scan(dest ...any) error }

// scanPage reads pageCols, then extra columns into extra.
func scanPage(r scanner, extra ...any) (*Page, error) {
	var p Page
	var pub, trashed, from, until sql.NullTime
	dest := []any{&p.ID, &p.ParentID, &p.Slug, &p.Path, &p.Position, &p.Title, &p.MenuTitle,
		&p.MetaDescription, &p.InMenu, &p.PublishedRev, &p.DraftRev, &pub, &trashed, &p.CreatedAt, &p.UpdatedAt,
		&p.Kind, &from, &until, &p.Teaser, &p.ImageID, &p.ImageAlt, &p.CategoryID}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, db.NotFound(err)
	}
	p.PublishedAt = pub.Time
	p.TrashedAt = trashed.Time
	p.PublishAt = from.Time
	p.UnpublishAt = until.Time
	return &p, nil
}

// getAny reads a page, trashed or not.
func getAny(ctx context.Context, q db.Querier, id int64) (*Page, error) {
	p, err := scanPage(q.QueryRow(ctx, "SELECT "+pageCols+" FROM pages p WHERE p.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("pages: get %d: %w", id, err)
	}
	return p, nil
}

// getLive reads a page that is not in the trash.
func getLive(ctx context.Context, q db.Querier, id int64) (*Page, error) {
	p, err := getAny(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !p.TrashedAt.IsZero() {
		return nil, fmt.Errorf("pages: get %d: in the trash: %w", id, db.ErrNotFound)
	}
	return p, nil
}

// Get returns a live page by id, without any permission check: callers use
// it for pages they already decided to show (or check with Can).
func (s *Store) Get(ctx context.Context, id int64) (*Page, error) { return getLive(ctx, s.d, id) }

// Home returns the home page.
func (s *Store) Home(ctx context.Context) (*Page, error) {
	p, err := scanPage(s.d.QueryRow(ctx, "SELECT "+pageCols+" FROM pages p WHERE p.path = '/' AND p.trashed_at IS NULL"))
	if err != nil {
		return nil, fmt.Errorf("pages: home: %w", err)
	}
	return p, nil
}

// Resolve finds the live page at path. When no page lives there but a page
// used to (renamed or moved), it returns that page with moved = true: the
// caller answers with a 301 to p.Path.
func (s *Store) Resolve(ctx context.Context, path string) (p *Page, moved bool, err error) {
	path = CleanPath(path)
	p, err = scanPage(s.d.QueryRow(ctx, "SELECT "+pageCols+" FROM pages p WHERE p.path = ? AND p.trashed_at IS NULL", path))
	if err == nil {
		return p, false, nil
	}
	if !errors.Is(err, db.ErrNotFound) {
		return nil, false, fmt.Errorf("pages: resolve %q: %w", path, err)
	}
	p, err = scanPage(s.d.QueryRow(ctx, "SELECT "+pageCols+` FROM page_redirects r JOIN pages p ON p.id = r.page_id
		WHERE r.old_path = ? AND p.trashed_at IS NULL`, path))
	if err != nil {
		return nil, false, fmt.Errorf("pages: resolve %q: %w", path, err)
	}
	return p, true, nil
}

// require returns access.ErrForbidden (wrapped) unless p holds at least lvl
// on page id: the access model's rule, asked once per transaction.
func require(ctx context.Context, q db.Querier, p access.Principal, id int64, lvl access.Level) error {
	return access.Require(ctx, q, p, access.Page, id, lvl)
}

// record writes the audit entry of a change to page id, in the change's
// transaction q. detail is data (key=value), never a sentence.
func (s *Store) record(ctx context.Context, q db.Querier, a access.Actor, action string, id int64, detail string) error {
	return audit.Record(ctx, q, a, s.now(), action, audit.Object("page", id), detail)
}

// NewPage is the form to create a page.
type NewPage struct {
	Title           string
	Slug            string // empty: made from the title
	MenuTitle       string
	MetaDescription string
	HideFromMenu    bool // keep a top-level page out of the main menu (legal pages…)
}

func (n *NewPage) validate() error {
	ve := valid.Errors{}
	n.Title = strings.TrimSpace(n.Title)
	n.MenuTitle = strings.TrimSpace(n.MenuTitle)
	n.MetaDescription = strings.TrimSpace(n.MetaDescription)
	n.Slug = strings.TrimSpace(n.Slug)
	checkTitle(ve, n.Title)
	if utf8.RuneCountInString(n.MenuTitle) > MaxMenuTitle {
		ve.Add("menu_title", "pages.error.menu_title_long")
	}
	if utf8.RuneCountInString(n.MetaDescription) > MaxMeta {
		ve.Add("meta_description", "pages.error.meta_long")
	}
	if len(ve) > 0 {
		return ve
	}
	return nil
}

func checkTitle(ve valid.Errors, title string) {
	switch {
	case title == "":
		ve.Add("title", "pages.error.title_required")
	case utf8.RuneCountInString(title) > MaxTitle:
		ve.Add("title", "pages.error.title_long")
	}
}

// pathTaken reports whether a live page (other than except) has path.
func pathTaken(ctx context.Context, q db.Querier, path string, except int64) (bool, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM pages WHERE path = ? AND trashed_at IS NULL AND id <> ?", path, except).Scan(&n)
	return n > 0, err
}

func errSlugTaken(path string) error {
	return invalid("slug", "pages.error.slug_taken")
}

// freeSlug checks the slug of a new child of parent. A slug the user typed
// must be valid and free; one made from the title gets a number (-2, -3…)
// until it is free and not reserved. It returns the new page's path.
func freeSlug(ctx context.Context, q db.Querier, parent *Page, slug *string, explicit bool) (string, error) {
	if explicit {
		if err := checkSlug(*slug, parent.Path); err != nil {
			return "", err
		}
	}
	base := *slug
	if len(base) > MaxSlug-6 {
		base = strings.TrimRight(base[:MaxSlug-6], "-")
	}
	for i := 2; i < 10000; i++ {
		path := childPath(parent.Path, *slug)
		if !(parent.IsHome() && Reserved[*slug]) {
			taken, err := pathTaken(ctx, q, path, 0)
			if err != nil {
				return "", err
			}
			if !taken {
				return path, nil
			}
			if explicit {
				return "", errSlugTaken(path)
			}
		}
		*slug = fmt.Sprintf("%s-%d", base, i)
	}
	return "", errSlugTaken(parent.Path)
}

// CreateHome creates the root of the tree, public and published, when the
// site has none (first start, demo), with a as its first author; it
// returns the existing home otherwise. Only an administrator (or the
// system) may start the tree.
func (s *Store) CreateHome(ctx context.Context, a access.Actor, title string) (*Page, error) {
	if !a.Admin {
		return nil, fmt.Errorf("pages: create home: %w", access.ErrForbidden)
	}
	if h, err := s.Home(ctx); err == nil {
		return h, nil
	}
	var home *Page
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		now := s.now()
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO pages (parent_id, slug, path, position, title, created_at, updated_at)
			VALUES (NULL, '', '/', 0, ?, ?, ?) RETURNING id`, title, now, now).Scan(&id); err != nil {
			return fmt.Errorf("pages: create home: %w", err)
		}
		if err := access.AddNode(ctx, tx, access.Page, id, 0); err != nil {
			return err
		}
		if err := access.SetGrants(ctx, tx, access.Page, id, []access.Grant{{GroupID: access.Everyone, Level: access.View}}); err != nil {
			return err
		}
		blocks, _ := EncodeBlocks(nil)
		var rev int64
		if err := tx.QueryRow(ctx, `INSERT INTO page_revisions (page_id, author_id, author_name, created_at, published_at, title, blocks, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, nullID(a.UserID), a.Name, now, now, title, blocks, i18n.French().T("pages.note.site_created")).Scan(&rev); err != nil {
			return fmt.Errorf("pages: create home revision: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE pages SET published_rev = ?, published_at = ? WHERE id = ?", rev, now, id); err != nil {
			return err
		}
		var err error
		home, err = getAny(ctx, tx, id)
		if err != nil {
			return err
		}
		return s.index(ctx, tx, home)
	})
	return home, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Create adds a page under parentID, as a draft (visitors see it once it is
// published). It needs Edit on the parent (checked before the input, so
// someone who may not add a page learns nothing from the form's messages);
// the page inherits the parent's grants.
func (s *Store) Create(ctx context.Context, a access.Actor, parentID int64, n NewPage) (*Page, error) {
	var page *Page
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		parent, err := getLive(ctx, tx, parentID)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a.Principal, parent.ID, access.Edit); err != nil {
			return err
		}
		if err := n.validate(); err != nil {
			return err
		}
		explicit := n.Slug != ""
		if !explicit {
			n.Slug = Slugify(n.Title)
		}
		path, err := freeSlug(ctx, tx, parent, &n.Slug, explicit)
		if err != nil {
			return err
		}
		now := s.now()
		// A page added to a news index is a news item, dated now (the
		// editor may change the date before publishing).
		kind, dated := KindPage, any(nil)
		if parent.IsNewsIndex() {
			kind, dated = KindNews, now.Truncate(Minute)
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO pages (parent_id, slug, path, position, title, menu_title, meta_description, in_menu, created_at, updated_at, kind, publish_at)
			VALUES (?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM pages WHERE parent_id = ? AND trashed_at IS NULL), ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`, parent.ID, n.Slug, path, parent.ID, n.Title, n.MenuTitle, n.MetaDescription, !n.HideFromMenu, now, now, kind, dated).Scan(&id); err != nil {
			return fmt.Errorf("pages: create: %w", err)
		}
		if err := access.AddNode(ctx, tx, access.Page, id, parent.ID); err != nil {
			return err
		}
		blocks, _ := EncodeBlocks(nil)
		var rev int64
		if err := tx.QueryRow(ctx, `INSERT INTO page_revisions (page_id, author_id, author_name, created_at, title, blocks)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, id, nullID(a.UserID), a.Name, now, n.Title, blocks).Scan(&rev); err != nil {
			return fmt.Errorf("pages: create draft: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE pages SET draft_rev = ? WHERE id = ?", rev, id); err != nil {
			return err
		}
		// The new page takes over its path from any old redirect.
		if _, err := tx.Exec(ctx, "DELETE FROM page_redirects WHERE old_path = ?", path); err != nil {
			return err
		}
		if page, err = getAny(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "page.create", id, "path="+path)
	})
	return page, err
}

// Props are the settings of a page outside its revisions.
type Props struct {
	Slug            string
	MenuTitle       string
	MetaDescription string
	HideFromMenu    bool
	// Schedule is the publication window, read in Loc (the site's zone).
	Schedule Schedule
	Loc      *time.Location
	// NewsIndex makes an ordinary page the list of its news sub-pages (and
	// back); ignored for a news item.
	NewsIndex bool
	// News holds a news item's own fields (ignored for other pages).
	News NewsProps
}

// UpdateProps changes a page's slug, menu title, description, publication
// window and, for a news item, its teaser, picture and category (Edit,
// checked before the input). A new slug changes the path of the page and
// its sub-pages; the old paths answer with a 301. Every field error comes
// at once (valid.Errors) and nothing is written then.
func (s *Store) UpdateProps(ctx context.Context, a access.Actor, id int64, pr Props) (*Page, error) {
	n := NewPage{Title: "x", Slug: pr.Slug, MenuTitle: pr.MenuTitle, MetaDescription: pr.MetaDescription}
	if pr.News.Image != nil {
		if err := s.prepare(ctx, pr.News.Image); err != nil {
			return nil, err
		}
	}
	var page *Page
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := require(ctx, tx, a.Principal, id, access.Edit); err != nil {
			return err
		}
		ve := valid.Errors{}
		if err := n.validate(); err != nil {
			ve = err.(valid.Errors)
		}
		from, until, err := ParseSchedule(pr.Schedule, pr.Loc)
		if err != nil {
			for k, m := range err.(valid.Errors) {
				ve[k] = m
			}
		}
		if p.IsNews() && from.IsZero() && ve["publish_at"].Key == "" {
			ve.Add("publish_at", "news.error.date_required")
		}
		if p.IsNews() {
			if err := s.checkNewsProps(ctx, tx, p, &pr.News, ve); err != nil {
				return err
			}
		}
		if len(ve) > 0 {
			return ve
		}
		newPath := p.Path
		if !p.IsHome() && n.Slug != p.Slug {
			parent, err := getLive(ctx, tx, p.ParentID)
			if err != nil {
				return err
			}
			if err := checkSlug(n.Slug, parent.Path); err != nil {
				return err
			}
			newPath = childPath(parent.Path, n.Slug)
			if taken, err := pathTaken(ctx, tx, newPath, id); err != nil {
				return err
			} else if taken {
				return errSlugTaken(newPath)
			}
		} else {
			n.Slug = p.Slug
		}
		kind := p.Kind
		if !p.IsNews() {
			kind = KindPage
			if pr.NewsIndex {
				kind = KindNewsIndex
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE pages SET slug = ?, menu_title = ?, meta_description = ?, in_menu = ?, updated_at = ?, publish_at = ?, unpublish_at = ?, kind = ? WHERE id = ?",
			n.Slug, n.MenuTitle, n.MetaDescription, !pr.HideFromMenu, s.now(), nullTime(from), nullTime(until), kind, id); err != nil {
			return fmt.Errorf("pages: update %d: %w", id, err)
		}
		if p.IsNews() {
			if err := s.writeNewsProps(ctx, tx, a, p, &pr.News); err != nil {
				return err
			}
		}
		if !from.Equal(p.PublishAt) || !until.Equal(p.UnpublishAt) {
			if err := s.record(ctx, tx, a, "page.schedule", id, fmt.Sprintf("publish_at=%s unpublish_at=%s", stamp(from), stamp(until))); err != nil {
				return err
			}
		}
		if newPath != p.Path {
			if err := s.rewritePaths(ctx, tx, p.Path, newPath); err != nil {
				return err
			}
			if err := s.record(ctx, tx, a, "page.rename", id, "path="+p.Path+"→"+newPath); err != nil {
				return err
			}
		}
		if page, err = getAny(ctx, tx, id); err != nil {
			return err
		}
		// The index carries the window and the teaser.
		return s.index(ctx, tx, page)
	})
	return page, err
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// stamp is a time in an audit detail ("-" for none).
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02T15:04Z")
}

// subtreeWhere selects a live page and its live descendants by path.
const subtreeWhere = "trashed_at IS NULL AND (path = ? OR path LIKE ?)"

func subtreeArgs(path string) []any {
	if path == "/" {
		return []any{"/", "/%"}
	}
	return []any{path, path + "/%"}
}

// rewritePaths moves the live subtree at oldPath to newPath, recording a
// redirect from every old path and reindexing what moved.
func (s *Store) rewritePaths(ctx context.Context, q db.Querier, oldPath, newPath string) error {
	now := s.now()
	if _, err := q.Exec(ctx, `INSERT INTO page_redirects (old_path, page_id, created_at)
		SELECT path, id, ? FROM pages WHERE `+subtreeWhere+`
		ON CONFLICT (old_path) DO UPDATE SET page_id = excluded.page_id, created_at = excluded.created_at`,
		append([]any{now}, subtreeArgs(oldPath)...)...); err != nil {
		return fmt.Errorf("pages: redirects from %s: %w", oldPath, err)
	}
	if _, err := q.Exec(ctx, "UPDATE pages SET path = CAST(? AS TEXT) || substr(path, ?) WHERE "+subtreeWhere,
		append([]any{newPath, len(oldPath) + 1}, subtreeArgs(oldPath)...)...); err != nil {
		return fmt.Errorf("pages: rewrite %s → %s: %w", oldPath, newPath, err)
	}
	// A path that is live again is no longer a redirect.
	if _, err := q.Exec(ctx, "DELETE FROM page_redirects WHERE old_path IN (SELECT path FROM pages WHERE "+subtreeWhere+")",
		subtreeArgs(newPath)...); err != nil {
		return err
	}
	return s.reindexSubtree(ctx, q, newPath)
}

// Move puts a page under newParentID at position (0-based among its new
// siblings; negative or too large: last). Moving within the same parent
// reorders. It needs Manage on the page and Edit on the new parent; the home
// page cannot move and a page cannot go under itself or its descendants.
func (s *Store) Move(ctx context.Context, a access.Actor, id, newParentID int64, position int) error {
	return s.d.InTx(ctx, func(tx *db.Tx) error {
		p, err := getLive(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.IsHome() {
			return ErrHomeProtected
		}
		if err := require(ctx, tx, a.Principal, id, access.Manage); err != nil {
			return err
		}
		parent, err := getLive(ctx, tx, newParentID)
		if err != nil {
			return err
		}
		if parent.ID == p.ID || strings.HasPrefix(parent.Path, p.Path+"/") {
			return access.ErrCycle
		}
		if err := require(ctx, tx, a.Principal, parent.ID, access.Edit); err != nil {
			return err
		}
		if parent.ID != p.ParentID {
			if err := checkSlug(p.Slug, parent.Path); err != nil {
				return err
			}
			newPath := childPath(parent.Path, p.Slug)
			if taken, err := pathTaken(ctx, tx, newPath, id); err != nil {
				return err
			} else if taken {
				return errSlugTaken(newPath)
			}
			if err := access.Move(ctx, tx, access.Page, id, parent.ID); err != nil {
				if errors.Is(err, access.ErrCycle) {
					return access.ErrCycle
				}
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE pages SET parent_id = ?, updated_at = ? WHERE id = ?", parent.ID, s.now(), id); err != nil {
				return err
			}
			if err := s.rewritePaths(ctx, tx, p.Path, newPath); err != nil {
				return err
			}
		}
		if err := s.place(ctx, tx, parent.ID, id, position); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "page.move", id, fmt.Sprintf("path=%s parent=%s position=%d", p.Path, parent.Path, position))
	})
}

// place renumbers the live children of parentID with id at position.
func (s *Store) place(ctx context.Context, q db.Querier, parentID, id int64, position int) error {
	ids, err := db.IDs(ctx, q, "SELECT id FROM pages WHERE parent_id = ? AND trashed_at IS NULL AND id <> ? ORDER BY position, id", parentID, id)
	if err != nil {
		return err
	}
	if position < 0 || position > len(ids) {
		position = len(ids)
	}
	ids = append(ids[:position], append([]int64{id}, ids[position:]...)...)
	for i, c := range ids {
		if _, err := q.Exec(ctx, "UPDATE pages SET position = ? WHERE id = ?", i+1, c); err != nil {
			return err
		}
	}
	return nil
}

// Subtree lists a live page and all its live descendants (by path), without
// permission filter: the delete confirmation shows exactly what will go.
func (s *Store) Subtree(ctx context.Context, id int64) ([]*Page, error) {
	p, err := getLive(ctx, s.d, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.d.Query(ctx, "SELECT "+pageCols+" FROM pages p WHERE "+subtreeWhere+" ORDER BY p.path", subtreeArgs(p.Path)...)
	if err != nil {
		return nil, fmt.Errorf("pages: subtree %d: %w", id, err)
	}
	return scanPages(rows)
}

func scanPages(rows *sql.Rows) ([]*Page, error) {
	defer rows.Close()
	var out []*Page
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
