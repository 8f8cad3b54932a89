package web

import (
	"net/http"
	"strings"
)

// mainNav builds the main menu for the viewer. The pages area replaces the
// body with the top-level pages the viewer may see; the agenda and document
// space links stay.
func (s *Server) mainNav(r *http.Request) []NavItem {
	items := []NavItem{
		{Label: s.cat.T("site.home"), URL: "/"},
		{Label: s.cat.T("site.agenda"), URL: "/agenda"},
		{Label: s.cat.T("site.documents"), URL: "/documents"},
	}
	for i := range items {
		u := items[i].URL
		items[i].Current = r.URL.Path == u || (u != "/" && strings.HasPrefix(r.URL.Path, u+"/"))
	}
	return items
}
