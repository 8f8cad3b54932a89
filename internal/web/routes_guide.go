package web

// guideRoutes: the sorting guide "Où jeter ?" (public pages, instant
// suggestions) and its management pages. Owned by the guide area. The
// guide's store checks the access model (View to read, Edit to change,
// Manage for the rights); guards only send visitors to the login page early.
// Public pages are served to visitors from the page cache.
func (s *Server) guideRoutes() []route {
	return []route{
		{"GET /ou-jeter", public, s.cachedForVisitors(s.guideIndex)},
		{"GET /ou-jeter/suggestions", public, s.guideSuggest},
		{"GET /ou-jeter/{slug}", public, s.cachedForVisitors(s.guideItem)},
		{"GET /ou-jeter/{slug}/image", public, s.guideImage},

		{"GET /ou-jeter/gestion", member, s.guideManage},
		{"GET /ou-jeter/gestion/nouveau", member, s.guideNew},
		{"POST /ou-jeter/gestion", member, s.guideCreate},
		{"GET /ou-jeter/gestion/{id}/modifier", member, s.guideEdit},
		{"POST /ou-jeter/gestion/{id}/modifier", member, s.guideUpdate},
		{"GET /ou-jeter/gestion/{id}/supprimer", member, s.guideDeleteConfirm},
		{"POST /ou-jeter/gestion/{id}/supprimer", member, s.guideDelete},
		{"GET /ou-jeter/gestion/export.csv", member, s.guideExport},
		{"GET /ou-jeter/gestion/import", member, s.guideImportForm},
		{"POST /ou-jeter/gestion/import", member, s.guideImportPreview},
		{"POST /ou-jeter/gestion/import/confirmer", member, s.guideImportApply},
		{"GET /ou-jeter/gestion/droits", member, s.guideRights},
		{"POST /ou-jeter/gestion/droits", member, s.guideRightsSave},
	}
}
