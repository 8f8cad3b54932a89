package web

// pageRoutes: the page tree, its editing tools, images, the trash, site
// search, plan du site and sitemap. Owned by the pages area. The store checks
// the access model on every change; the guards here only send anonymous
// visitors to the login page early.
func (s *Server) pageRoutes() []route {
	return []route{
		{"GET /recherche", public, s.cachedForVisitors(s.searchShow)},
		{"GET /plan-du-site", public, s.siteMapShow},
		{"GET /sitemap.xml", public, s.sitemapXML},
		{"GET /medias/{id}/{size}", public, s.pageImage},

		{"GET /pages/liens", member, s.pageLinks},
		{"GET /pages/{id}/modifier", member, s.pageEdit},
		{"POST /pages/{id}/images", member, s.pageRichImage},
		{"POST /pages/{id}/modifier", member, s.pageSave},
		{"POST /pages/{id}/publier", member, s.pagePublish},
		{"POST /pages/{id}/annuler", member, s.pageCancel},
		{"POST /pages/{id}/depublier", member, s.pageUnpublish},
		{"GET /pages/{id}/ajouter", member, s.pageNew},
		{"POST /pages/{id}/ajouter", member, s.pageCreate},
		{"GET /pages/{id}/proprietes", member, s.pageProps},
		{"POST /pages/{id}/proprietes", member, s.pagePropsSave},
		{"GET /pages/{id}/deplacer", member, s.pageMoveForm},
		{"POST /pages/{id}/deplacer", member, s.pageMove},
		{"GET /pages/{id}/supprimer", member, s.pageDeleteForm},
		{"POST /pages/{id}/supprimer", member, s.pageDelete},
		{"GET /pages/{id}/historique", member, s.pageHistory},
		{"GET /pages/{id}/historique/comparer", member, s.pageDiff},
		{"POST /pages/{id}/historique/{rev}/restaurer", member, s.pageRestoreRevision},
		{"GET /pages/{id}/droits", member, s.pageRights},
		{"POST /pages/{id}/droits", member, s.pageRightsSave},

		{"POST /pages/accueil", admin, s.pageCreateHome},
		{"GET /admin/corbeille", admin, s.trashShow},
		{"POST /admin/corbeille/vider", admin, s.trashEmpty},
		{"POST /admin/corbeille/{id}/restaurer", admin, s.trashRestore},
		{"POST /admin/corbeille/{id}/supprimer", admin, s.trashPurge},

		// The page tree: last and least specific. Anonymous visitors are
		// served from the page cache (see pagecache.go).
		{"GET /{$}", public, s.cachedForVisitors(s.pageShow)},
		{"GET /{path...}", public, s.cachedForVisitors(s.pageShow)},
	}
}
