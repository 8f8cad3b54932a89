package web

// collecteRoutes: the collection days by commune. Owned by the collecte
// area. The public pages, the lookup list and the feeds go through the
// visitors' page cache (their text changes with the date: they also expire
// at midnight, see cacheUntil). Management is for members; collecte.Store
// checks Edit on the area for every change, and Manage (administrators) to
// choose the editors.
func (s *Server) collecteRoutes() []route {
	return []route{
		{"GET /collecte", public, s.cachedForVisitors(s.collecteIndex)},
		{"GET /collecte/communes.json", public, s.cachedForVisitors(s.collecteCommunesJSON)},
		{"GET /collecte/couleurs.css", public, s.cachedForVisitors(s.collecteColours)},

		{"GET /collecte/gestion", member, s.collecteManage},
		{"POST /collecte/gestion/communes", member, s.collecteCommuneCreate},
		{"GET /collecte/gestion/communes/{id}", member, s.collecteCommuneEdit},
		{"POST /collecte/gestion/communes/{id}", member, s.collecteCommuneUpdate},
		{"GET /collecte/gestion/communes/{id}/supprimer", member, s.collecteCommuneDeleteConfirm},
		{"POST /collecte/gestion/communes/{id}/supprimer", member, s.collecteCommuneDelete},
		{"POST /collecte/gestion/communes/{id}/secteurs", member, s.collecteSectorCreate},
		{"POST /collecte/gestion/secteurs/{id}", member, s.collecteSectorUpdate},
		{"GET /collecte/gestion/secteurs/{id}/supprimer", member, s.collecteSectorDeleteConfirm},
		{"POST /collecte/gestion/secteurs/{id}/supprimer", member, s.collecteSectorDelete},
		{"GET /collecte/gestion/communes/{id}/calendriers/nouveau", member, s.collecteScheduleNew},
		{"POST /collecte/gestion/communes/{id}/calendriers", member, s.collecteScheduleCreate},
		{"GET /collecte/gestion/calendriers/{id}", member, s.collecteScheduleEdit},
		{"POST /collecte/gestion/calendriers/{id}", member, s.collecteScheduleUpdate},
		{"POST /collecte/gestion/calendriers/{id}/supprimer", member, s.collecteScheduleDelete},
		{"GET /collecte/gestion/flux", member, s.collecteStreams},
		{"POST /collecte/gestion/flux", member, s.collecteStreamCreate},
		{"POST /collecte/gestion/flux/{id}", member, s.collecteStreamUpdate},
		{"GET /collecte/gestion/flux/{id}/supprimer", member, s.collecteStreamDeleteConfirm},
		{"POST /collecte/gestion/flux/{id}/supprimer", member, s.collecteStreamDelete},
		{"GET /collecte/gestion/exceptions", member, s.collecteExceptions},
		{"POST /collecte/gestion/exceptions", member, s.collecteExceptionSet},
		{"POST /collecte/gestion/exceptions/{id}/supprimer", member, s.collecteExceptionDelete},
		{"GET /collecte/gestion/import", member, s.collecteImportForm},
		{"POST /collecte/gestion/import", member, s.collecteImportPreview},
		{"POST /collecte/gestion/import/confirmer", member, s.collecteImportApply},
		{"GET /collecte/gestion/export/{file}", member, s.collecteExport},
		{"GET /admin/collecte", admin, s.collecteRights},
		{"POST /admin/collecte", admin, s.collecteRightsSave},

		// A commune, a sector, their yearly calendar and feeds:
		// /collecte/{commune}[/{secteur}][/calendrier[/{année}] | /{flux}.ics]
		{"GET /collecte/{path...}", public, s.cachedForVisitors(s.collecteShow)},
	}
}
