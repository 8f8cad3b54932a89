package web

// documentRoutes: /documents. Owned by the documents area.
func (s *Server) documentRoutes() []route {
	return nil
}
