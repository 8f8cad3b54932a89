package web

import (
	"net/http"
	"strconv"
	"strings"

	"portique/internal/menu"
)

// mainNav builds the main menu for the viewer. When editors composed one
// (/admin/menu), it is theirs, filtered for the viewer by the menu store;
// otherwise it follows the page tree: the home page, the top-level pages
// the viewer may see (extranet sections only for their members), then the
// agenda, the document space and the register of acts.
func (s *Server) mainNav(r *http.Request) []NavItem {
	items, custom, err := s.menu.Menu(r.Context(), principal(r))
	if err != nil {
		s.log.Error("main menu", "err", err)
	}
	var nav []NavItem
	if custom {
		nav = s.navItems(items, "sous-menu-")
	} else {
		nav = s.treeNav(r)
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
func (s *Server) treeNav(r *http.Request) []NavItem {
	items := []NavItem{{Label: s.cat.T("site.home"), URL: "/"}}
	links, err := s.pages.MainMenu(r.Context(), principal(r))
	if err != nil {
		s.log.Error("main menu", "err", err)
	}
	for _, l := range links {
		items = append(items, NavItem{Label: l.Title, URL: l.Path})
	}
	return append(items,
		NavItem{Label: s.cat.T("site.agenda"), URL: "/agenda"},
		NavItem{Label: s.cat.T("site.documents"), URL: "/documents"},
		NavItem{Label: s.cat.T("acts.nav"), URL: "/actes"},
	)
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
