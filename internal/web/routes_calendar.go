package web

// calendarRoutes: /agenda and its feeds. Owned by the calendar area.
func (s *Server) calendarRoutes() []route {
	return nil
}
