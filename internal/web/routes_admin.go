package web

// adminRoutes: /admin (accounts, groups, audit trail, settings). Owned by the
// accounts area; other areas add their own admin pages in their route files.
func (s *Server) adminRoutes() []route {
	return nil
}
