package web

// centreRoutes: the directory of recycling centres and drop-off points
// (public pages with "open now") and its management pages. Owned by the
// centres area; the directory's store checks the access model. Public
// pages are served to visitors from the page cache, which never keeps
// them past the next opening or closing.
func (s *Server) centreRoutes() []route {
	return []route{
		{"GET /decheteries", public, s.cachedForVisitors(s.centreIndex)},
		{"GET /decheteries/{slug}", public, s.cachedForVisitors(s.centreShow)},

		{"GET /decheteries/gestion", member, s.centreManage},
		{"GET /decheteries/gestion/nouveau", member, s.centreNew},
		{"POST /decheteries/gestion", member, s.centreCreate},
		{"GET /decheteries/gestion/{id}/modifier", member, s.centreEdit},
		{"POST /decheteries/gestion/{id}/modifier", member, s.centreUpdate},
		{"GET /decheteries/gestion/{id}/supprimer", member, s.centreDeleteConfirm},
		{"POST /decheteries/gestion/{id}/supprimer", member, s.centreDelete},
		{"GET /decheteries/gestion/export.csv", member, s.centreExport},
		{"GET /decheteries/gestion/import", member, s.centreImportForm},
		{"POST /decheteries/gestion/import", member, s.centreImportPreview},
		{"POST /decheteries/gestion/import/confirmer", member, s.centreImportApply},
		{"GET /decheteries/gestion/droits", member, s.centreRights},
		{"POST /decheteries/gestion/droits", member, s.centreRightsSave},
	}
}
