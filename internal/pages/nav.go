package pages

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// View is what a request for a path shows.
type View struct {
	Page     *Page
	Rev      *Revision    // what to show: the published revision, or the draft for an editor
	Level    access.Level // the viewer's level on the page (for the toolbar)
	Draft    bool         // Rev is the pending draft (editor preview)
	Redirect string       // non-empty: the page moved; answer 301 to this path
}

// Show resolves path for p. It returns db.ErrNotFound when no page is there
// (or it is not published and p may not edit it) and access.ErrForbidden when p may
// not view it; the caller decides between 403 and a login redirect. preview
// asks for the pending draft, which only editors get.
//
// What it found is kept while the content does not change and until the
// next scheduled publication or unpublication (LiveUntil, in the key, as
// the groups, the path and preview are): every page view asks it. The
// caller gets its own View, Page, Revision and block list; a block's tiles
// and contact form settings are shared and must not be changed.
func (s *Store) Show(ctx context.Context, p access.Principal, path string, preview bool) (*View, error) {
	now := s.now()
	until, err := s.LiveUntil(ctx, now)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%s/%t/%t/%d/%s", p.Key(), p.LoggedIn(), preview, until.UnixNano(), CleanPath(path))
	v, err := s.views.Get(ctx, s.d, key, func() (*View, error) { return s.show(ctx, p, path, preview, now) })
	if err != nil {
		return nil, err
	}
	c := *v
	page := *v.Page
	c.Page = &page
	if v.Rev != nil {
		rev := *v.Rev
		rev.Blocks = slices.Clone(rev.Blocks)
		c.Rev = &rev
	}
	return &c, nil
}

func (s *Store) show(ctx context.Context, p access.Principal, path string, preview bool, now time.Time) (*View, error) {
	page, moved, err := s.Resolve(ctx, path)
	if err != nil {
		return nil, err
	}
	ok, err := access.Can(ctx, s.d, p, access.Page, page.ID, access.View)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("pages: view %s: %w", path, access.ErrForbidden)
	}
	if moved {
		return &View{Page: page, Redirect: page.Path}, nil
	}
	// Visitors who are not logged in never get editing tools: spare the query.
	lvl := access.View
	if p.LoggedIn() {
		if lvl, err = access.LevelOf(ctx, s.d, p, access.Page, page.ID); err != nil {
			return nil, err
		}
	}
	v := &View{Page: page, Level: lvl}
	revID := page.PublishedRev
	if lvl >= access.Edit && page.DraftRev != 0 && (preview || !page.Published()) {
		revID, v.Draft = page.DraftRev, true
	}
	if revID == 0 {
		return nil, fmt.Errorf("pages: %s not published: %w", path, db.ErrNotFound)
	}
	// Outside its publication window a page is not there for visitors;
	// its editors still see it (with a notice).
	if !v.Draft && lvl < access.Edit && !page.LiveAt(now) {
		return nil, fmt.Errorf("pages: %s scheduled: %w", path, db.ErrNotFound)
	}
	if v.Rev, err = getRevision(ctx, s.d, page.ID, revID); err != nil {
		return nil, err
	}
	return v, nil
}

// Can reports whether p holds lvl on a page (for showing tools; the store
// checks again on every change).
func (s *Store) Can(ctx context.Context, p access.Principal, id int64, lvl access.Level) (bool, error) {
	return access.Can(ctx, s.d, p, access.Page, id, lvl)
}

// links runs a query selecting (id, parent, title, menu title, path) of live,
// published pages that p may view, with extra conditions.
func (s *Store) links(ctx context.Context, p access.Principal, where string, order string, args ...any) ([]*Link, error) {
	f, fargs := p.Filter(access.Page, "p.id", access.View)
	q := `SELECT p.id, COALESCE(p.parent_id, 0), p.title, p.menu_title, p.path FROM pages p
		WHERE p.trashed_at IS NULL AND ` + liveWhere + " AND " + where + " AND " + f + " ORDER BY " + order
	all := append(liveArgs(s.now()), args...)
	rows, err := s.d.Query(ctx, q, append(all, fargs...)...)
	if err != nil {
		return nil, fmt.Errorf("pages: links: %w", err)
	}
	defer rows.Close()
	var out []*Link
	for rows.Next() {
		var l Link
		var menu string
		if err := rows.Scan(&l.ID, &l.ParentID, &l.Title, &menu, &l.Path); err != nil {
			return nil, err
		}
		if menu != "" {
			l.Title = menu
		}
		out = append(out, &l)
	}
	return out, rows.Err()
}

// MainMenu lists the published pages directly under the home page that p may
// see and that are not hidden from the menu, in their order. Extranet sections appear only for their members.
func (s *Store) MainMenu(ctx context.Context, p access.Principal) ([]*Link, error) {
	return s.links(ctx, p, "p.in_menu = TRUE AND p.parent_id = (SELECT h.id FROM pages h WHERE h.path = '/' AND h.trashed_at IS NULL)", "p.position, p.id")
}

// MenuLinks returns, among the pages ids, the live, published ones p may
// see, by id (the page entries of the editors' menu; a page p may not see
// is absent, so its title never reaches p).
func (s *Store) MenuLinks(ctx context.Context, p access.Principal, ids []int64) (map[int64]*Link, error) {
	out := map[int64]*Link{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	links, err := s.links(ctx, p, "p.id IN ("+db.In(len(ids))+")", "p.id", args...)
	for _, l := range links {
		out[l.ID] = l
	}
	return out, err
}

// MenuChildren returns the live, published sub-pages p may see of each of
// the parents, in their order (the sub-menus that follow the page tree).
func (s *Store) MenuChildren(ctx context.Context, p access.Principal, parents []int64) (map[int64][]*Link, error) {
	out := map[int64][]*Link{}
	if len(parents) == 0 {
		return out, nil
	}
	args := make([]any, len(parents))
	for i, id := range parents {
		args[i] = id
	}
	links, err := s.links(ctx, p, "p.parent_id IN ("+db.In(len(parents))+")", "p.position, p.id", args...)
	for _, l := range links {
		out[l.ParentID] = append(out[l.ParentID], l)
	}
	return out, err
}

// HidesPath reports whether the site path (a custom link of the menu) leads
// to a page, or below a page, that p may not see now (private, draft,
// scheduled): such a link is left out of p's menu.
func (s *Store) HidesPath(ctx context.Context, p access.Principal, path string) (bool, error) {
	f, fargs := p.Filter(access.Page, "p.id", access.View)
	var n int
	args := append([]any{path, path}, liveArgs(s.now())...)
	err := s.d.QueryRow(ctx, `SELECT COUNT(*) FROM pages p WHERE p.trashed_at IS NULL AND p.path <> '/'
		AND (p.path = ? OR ? LIKE p.path || '/%') AND NOT (`+liveWhere+" AND "+f+")", append(args, fargs...)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("pages: hides %s: %w", path, err)
	}
	return n > 0, nil
}

// Children lists the published sub-pages of a page that p may see.
func (s *Store) Children(ctx context.Context, p access.Principal, id int64) ([]*Link, error) {
	return s.links(ctx, p, "p.parent_id = ?", "p.position, p.id", id)
}

// Breadcrumb lists the ancestors of page that p may see, from the home page
// down, the page itself excluded.
func (s *Store) Breadcrumb(ctx context.Context, p access.Principal, page *Page) ([]*Link, error) {
	if page.IsHome() {
		return nil, nil
	}
	paths := []any{"/"}
	segs := strings.Split(strings.TrimPrefix(page.Path, "/"), "/")
	for i := 1; i < len(segs); i++ {
		paths = append(paths, "/"+strings.Join(segs[:i], "/"))
	}
	return s.links(ctx, p, "p.path IN ("+db.In(len(paths))+")", "LENGTH(p.path)", paths...)
}

// SiteMap returns the tree of published pages p may see, from the home page.
// A page hidden from p hides its branch too (its children would have no
// place in the tree).
func (s *Store) SiteMap(ctx context.Context, p access.Principal) (*Link, error) {
	all, err := s.links(ctx, p, "1=1", "p.position, p.id")
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*Link, len(all))
	var root *Link
	for _, l := range all {
		byID[l.ID] = l
		if l.ParentID == 0 {
			root = l
		}
	}
	if root == nil {
		return nil, fmt.Errorf("pages: site map: %w", db.ErrNotFound)
	}
	for _, l := range all {
		if parent, ok := byID[l.ParentID]; ok {
			parent.Children = append(parent.Children, l)
		}
	}
	return root, nil
}

// PublicPage is an entry of /sitemap.xml.
type PublicPage struct {
	Path    string
	Updated string // W3C date (YYYY-MM-DD) of the last publication
}

// PublicPages lists the published pages anonymous visitors may see, for
// /sitemap.xml. Private pages never appear, whoever asks.
func (s *Store) PublicPages(ctx context.Context) ([]PublicPage, error) {
	f, fargs := access.Anonymous().Filter(access.Page, "p.id", access.View)
	rows, err := s.d.Query(ctx, `SELECT p.path, p.published_at, p.publish_at FROM pages p
		WHERE p.trashed_at IS NULL AND `+liveWhere+" AND "+f+" ORDER BY p.path", append(liveArgs(s.now()), fargs...)...)
	if err != nil {
		return nil, fmt.Errorf("pages: public pages: %w", err)
	}
	defer rows.Close()
	var out []PublicPage
	for rows.Next() {
		var pp PublicPage
		var at, from sql.NullTime
		if err := rows.Scan(&pp.Path, &at, &from); err != nil {
			return nil, err
		}
		// A page scheduled after its last publication changed for
		// visitors when it appeared.
		if from.Valid && from.Time.After(at.Time) {
			at = from
		}
		if at.Valid {
			pp.Updated = at.Time.UTC().Format("2006-01-02")
		}
		out = append(out, pp)
	}
	return out, rows.Err()
}

// Targets lists the live pages under which a can add or move pages (Edit),
// drafts included, in tree order, leaving out the subtree of exclude (0:
// none): the choices of the move form.
func (s *Store) Targets(ctx context.Context, p access.Principal, exclude int64) ([]*Link, error) {
	f, fargs := p.Filter(access.Page, "p.id", access.Edit)
	where := "p.trashed_at IS NULL AND " + f
	args := fargs
	if exclude != 0 {
		ex, err := getLive(ctx, s.d, exclude)
		if err != nil {
			return nil, err
		}
		where += " AND p.path <> ? AND p.path NOT LIKE ?"
		args = append(args, ex.Path, ex.Path+"/%")
	}
	rows, err := s.d.Query(ctx, "SELECT p.id, COALESCE(p.parent_id, 0), p.title, p.path FROM pages p WHERE "+where+" ORDER BY p.path", args...)
	if err != nil {
		return nil, fmt.Errorf("pages: targets: %w", err)
	}
	defer rows.Close()
	var out []*Link
	for rows.Next() {
		var l Link
		if err := rows.Scan(&l.ID, &l.ParentID, &l.Title, &l.Path); err != nil {
			return nil, err
		}
		out = append(out, &l)
	}
	return out, rows.Err()
}

// Siblings lists the live children of a page in order, drafts included,
// without permission filter (the move form shows positions among them to
// someone who may edit the parent).
func (s *Store) Siblings(ctx context.Context, parentID int64) ([]*Page, error) {
	rows, err := s.d.Query(ctx, "SELECT "+pageCols+" FROM pages p WHERE p.parent_id = ? AND p.trashed_at IS NULL ORDER BY p.position, p.id", parentID)
	if err != nil {
		return nil, fmt.Errorf("pages: siblings: %w", err)
	}
	return scanPages(rows)
}
