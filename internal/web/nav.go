package web

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"portique/internal/menu"
)

// mainNav builds the main menu for the viewer. When editors composed one
// (/admin/menu), it is theirs, filtered for the viewer by the menu store;
// otherwise it follows the page tree: the home page, the top-level pages
// the viewer may see (extranet sections only for their members), then the
// agenda, the document space and the register of acts. The menu is kept
// by set of groups (navCache); only the current entry is marked anew.
func (s *Server) mainNav(r *http.Request) []NavItem {
	p := principal(r)
	key := p.Key()
	v, verr := s.contentVersion(r.Context())
	var nav []NavItem
	if verr == nil {
		nav = s.navs.get(key, v, s.now())
	}
	if nav == nil {
		var err error
		if nav, err = s.buildNav(r); err != nil {
			s.log.Error("main menu", "err", err)
		} else if verr == nil {
			s.navs.put(key, v, s.scheduleLimit(r), nav)
			nav = cloneNav(nav)
		}
	}
	for i := range nav {
		nav[i].Current = current(r.URL.Path, nav[i].URL)
		// In a sub-menu, the one entry nearest the page is current (the
		// page opening a sub-menu is also its first entry).
		best := -1
		for j, c := range nav[i].Children {
			if current(r.URL.Path, c.URL) && (best < 0 || len(c.URL) > len(nav[i].Children[best].URL)) {
				best = j
			}
		}
		if best >= 0 {
			nav[i].Children[best].Current = true
			nav[i].Current = true // the entry whose sub-menu holds the page
		}
	}
	return nav
}

// buildNav is the viewer's menu, no entry current.
func (s *Server) buildNav(r *http.Request) ([]NavItem, error) {
	items, custom, err := s.menu.Menu(r.Context(), principal(r))
	if custom {
		return s.navItems(items, "sous-menu-"), err
	}
	nav, terr := s.treeNav(r)
	return nav, errors.Join(err, terr)
}

// navCache keeps the main menu by set of groups and content version, until
// the next scheduled publication: building it took four or five queries,
// a fifth of an agenda page drawn anew. The sets of groups are few; past
// navCacheMax of them the cache starts again.
type navCache struct {
	mu sync.Mutex
	m  map[string]navEntry
}

type navEntry struct {
	version int64
	until   time.Time // zero: no scheduled change
	items   []NavItem // no entry current
}

const navCacheMax = 256

// get returns a copy of the kept menu (the caller marks its current
// entry), or nil.
func (c *navCache) get(key string, version int64, now time.Time) []NavItem {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || e.version != version || (!e.until.IsZero() && !now.Before(e.until)) {
		return nil
	}
	return cloneNav(e.items)
}

func (c *navCache) put(key string, version int64, until time.Time, items []NavItem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= navCacheMax {
		c.m = map[string]navEntry{}
	}
	c.m[key] = navEntry{version: version, until: until, items: items}
}

// cloneNav copies a menu deep enough to mark its current entries.
func cloneNav(items []NavItem) []NavItem {
	out := slices.Clone(items)
	for i := range out {
		out[i].Children = slices.Clone(out[i].Children)
	}
	return out
}

// menuHTML is the main menu drawn by its partial. The drawing is a function
// of the entries alone (labels, addresses, which is current), and
// html/template spent ≈ 50 µs on it at every page (reflection at each of
// its hundred actions): it is kept by the entries themselves, so it can be
// neither stale nor another viewer's (htmlMemo).
func (s *Server) menuHTML(nav []NavItem) template.HTML {
	h, err := s.menus.draw(s, navKey(nav), "main-menu", nav)
	if err != nil {
		s.log.Error("main menu", "err", err)
	}
	return h
}

// htmlMemo keeps drawings of a partial by a key that holds everything the
// drawing shows (a pure function, so nothing kept can be stale or another
// viewer's); past htmlMemoMax drawings it starts again.
type htmlMemo[K comparable] struct {
	mu sync.RWMutex
	m  map[K]template.HTML
}

const htmlMemoMax = 512

func (c *htmlMemo[K]) get(key K) (template.HTML, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, ok := c.m[key]
	return h, ok
}

func (c *htmlMemo[K]) put(key K, h template.HTML) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= htmlMemoMax {
		c.m = map[K]template.HTML{}
	}
	c.m[key] = h
}

// draw returns the partial name drawn with data, kept under key (not in
// dev mode, where the templates are read at each page).
func (c *htmlMemo[K]) draw(s *Server, key K, name string, data any) (template.HTML, error) {
	if h, ok := c.get(key); ok {
		return h, nil
	}
	h, err := s.partialHTML(name, data)
	if err == nil && !s.tmpl.dev {
		c.put(key, h)
	}
	return h, err
}

// navKey writes out every field of a menu that its drawing shows, each
// string with its length first (no two menus have the same key).
func navKey(nav []NavItem) string {
	var b strings.Builder
	var add func([]NavItem)
	add = func(items []NavItem) {
		b.WriteString(strconv.Itoa(len(items)))
		b.WriteByte('[')
		for _, it := range items {
			for _, f := range [...]string{it.Label, it.URL, it.ID} {
				b.WriteString(strconv.Itoa(len(f)))
				b.WriteByte(':')
				b.WriteString(f)
			}
			flags := byte('0')
			if it.Current {
				flags |= 1
			}
			if it.External {
				flags |= 2
			}
			b.WriteByte(flags)
			add(it.Children)
		}
		b.WriteByte(']')
	}
	add(nav)
	return b.String()
}

// current reports whether the page at path is u or below it.
func current(path, u string) bool {
	if u == "" || !strings.HasPrefix(u, "/") {
		return false
	}
	return path == u || (u != "/" && strings.HasPrefix(path, u+"/"))
}

// navItems turns the menu store's items into links; a top entry with a
// sub-menu gets an id (its disclosure's) and, when it is itself a page, that
// page as the first entry of its sub-menu (the button only opens it).
func (s *Server) navItems(items []menu.Item, prefix string) []NavItem {
	label := func(it menu.Item) string {
		if it.Label != "" {
			return it.Label
		}
		return s.cat.T(it.LabelKey)
	}
	out := make([]NavItem, 0, len(items))
	for i, it := range items {
		n := NavItem{Label: label(it), URL: it.URL, External: !menu.Internal(it.URL)}
		if len(it.Children) > 0 {
			n.ID = prefix + strconv.Itoa(i+1)
			if it.URL != "" {
				n.Children = append(n.Children, NavItem{Label: n.Label, URL: it.URL, External: n.External})
			}
			for _, c := range it.Children {
				n.Children = append(n.Children, NavItem{Label: label(c), URL: c.URL, External: !menu.Internal(c.URL)})
			}
		}
		out = append(out, n)
	}
	return out
}

// treeNav is the menu that follows the page tree (no menu composed).
func (s *Server) treeNav(r *http.Request) ([]NavItem, error) {
	items := []NavItem{{Label: s.cat.T("site.home"), URL: "/"}}
	links, err := s.pages.MainMenu(r.Context(), principal(r))
	for _, l := range links {
		items = append(items, NavItem{Label: l.Title, URL: l.Path})
	}
	return append(items,
		NavItem{Label: s.cat.T("site.agenda"), URL: "/agenda"},
		NavItem{Label: s.cat.T("site.documents"), URL: "/documents"},
		NavItem{Label: s.cat.T("acts.nav"), URL: "/actes"},
	), err
}

// ownCrumbs are the templates that draw a trail of their own (the document
// space's folder path): render gives them no default breadcrumb.
var ownCrumbs = map[string]bool{
	"documents_index": true, "documents_show": true, "documents_grants": true,
	"documents_folder_delete": true, "documents_purge": true,
	"home": true, "error": true,
}

// defaultCrumbs gives every page below the home a breadcrumb that starts at
// the home page: a page that set none gets Accueil › its title; a trail
// that starts lower gets Accueil in front.
func (s *Server) defaultCrumbs(name string, p *Page) {
	if p.Path == "/" || ownCrumbs[name] {
		return
	}
	home := NavItem{Label: s.cat.T("site.home"), URL: "/"}
	switch {
	case len(p.Breadcrumb) > 0 && p.Breadcrumb[0].URL != "/":
		p.Breadcrumb = append([]NavItem{home}, p.Breadcrumb...)
	case p.Breadcrumb == nil && p.Title != "":
		p.Breadcrumb = []NavItem{home, {Label: p.Title, Current: true}}
	}
}
