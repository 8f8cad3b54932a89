package web

// accountRoutes: log in and out, password recovery, invitations, /mon-compte.
// Owned by the accounts area.
func (s *Server) accountRoutes() []route {
	return nil
}
