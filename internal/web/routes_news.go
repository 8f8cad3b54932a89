package web

// newsRoutes: the news feeds and the categories of news. Owned by the news
// area. The news index and its items are pages (routes_pages.go serves
// them, through the visitors' page cache); the pages store checks the
// access model on every change.
func (s *Server) newsRoutes() []route {
	return []route{
		{"GET /actualites/flux.rss", public, s.cachedForVisitors(s.newsFeed("rss"))},
		{"GET /actualites/flux.atom", public, s.cachedForVisitors(s.newsFeed("atom"))},
		{"GET /pages/{id}/categories", member, s.newsCategories},
		{"POST /pages/{id}/categories", member, s.newsCategoryAdd},
	}
}
