package web

import (
	"net/http"
	"strings"
)

// mainNav builds the main menu for the viewer: the home page, the top-level
// pages of the tree the viewer may see (extranet sections only for their
// members), then the agenda and the document space.
func (s *Server) mainNav(r *http.Request) []NavItem {
	items := []NavItem{{Label: s.cat.T("site.home"), URL: "/"}}
	links, err := s.pages.MainMenu(r.Context(), principal(r))
	if err != nil {
		s.log.Error("main menu", "err", err)
	}
	for _, l := range links {
		items = append(items, NavItem{Label: l.Title, URL: l.Path})
	}
	items = append(items,
		NavItem{Label: s.cat.T("site.agenda"), URL: "/agenda"},
		NavItem{Label: s.cat.T("site.documents"), URL: "/documents"},
		NavItem{Label: s.cat.T("acts.nav"), URL: "/actes"},
	)
	for i := range items {
		u := items[i].URL
		items[i].Current = r.URL.Path == u || (u != "/" && strings.HasPrefix(r.URL.Path, u+"/"))
	}
	return items
}
