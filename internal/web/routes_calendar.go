package web

// calendarRoutes: /agenda, its events, feeds and admin pages. Owned by the
// calendar area. Permission decisions are taken by calendar.Store (view on a
// calendar to read, edit to write); guards here only say who may try.
func (s *Server) calendarRoutes() []route {
	return []route{
		{"GET /agenda", public, s.cachedForVisitors(s.calendarView)},
		{"GET /agenda/couleurs.css", public, s.calendarColours},
		{"GET /agenda/public.ics", public, s.calendarPublicFeed},
		{"GET /agenda/flux/{file}", public, s.calendarFeed},
		{"GET /agenda/evenements/nouveau", member, s.calendarEventNew},
		{"POST /agenda/evenements", member, s.calendarEventCreate},
		{"GET /agenda/evenements/{file}", public, s.calendarEventShow}, // {id} or {id}.ics
		{"GET /agenda/evenements/{id}/modifier", member, s.calendarEventEdit},
		{"POST /agenda/evenements/{id}/modifier", member, s.calendarEventUpdate},
		{"GET /agenda/evenements/{id}/supprimer", member, s.calendarEventDeleteConfirm},
		{"POST /agenda/evenements/{id}/supprimer", member, s.calendarEventDelete},
		{"POST /agenda/evenements/{id}/annuler", member, s.calendarOccurrenceCancel},
		{"POST /agenda/evenements/{id}/retablir", member, s.calendarOccurrenceRestore},
		{"POST /mon-compte/agenda", member, s.calendarFeedTokenNew},
		{"POST /mon-compte/agenda/revoquer", member, s.calendarFeedTokenRevoke},
		{"GET /admin/agenda", admin, s.calendarAdmin},
		{"POST /admin/agenda/agendas", admin, s.calendarAdminCreate},
		{"POST /admin/agenda/agendas/{id}", admin, s.calendarAdminUpdate},
		{"GET /admin/agenda/agendas/{id}/supprimer", admin, s.calendarAdminDeleteConfirm},
		{"POST /admin/agenda/agendas/{id}/supprimer", admin, s.calendarAdminDelete},
		{"GET /admin/agenda/attributs", admin, s.calendarAttributes},
		{"POST /admin/agenda/attributs", admin, s.calendarAttributeCreate},
		{"POST /admin/agenda/attributs/{id}", admin, s.calendarAttributeUpdate},
		{"POST /admin/agenda/attributs/{id}/supprimer", admin, s.calendarAttributeDelete},
	}
}
