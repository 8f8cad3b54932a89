package web

// pageRoutes: the page tree, site search, plan du site, sitemap.
// Owned by the pages area.
func (s *Server) pageRoutes() []route {
	return []route{
		{"GET /{$}", public, s.home},
	}
}
