package web

// menuRoutes: the main menu editors compose. Owned by the menu area. The
// menu store checks the right (Edit on the menu) on every read and change;
// who holds it is the administrators' choice.
func (s *Server) menuRoutes() []route {
	return []route{
		{"GET /admin/menu", member, s.menuAdmin},
		{"POST /admin/menu", member, s.menuAdd},
		{"POST /admin/menu/droits", admin, s.menuGrantsSave},
		{"GET /admin/menu/{id}", member, s.menuEdit},
		{"POST /admin/menu/{id}", member, s.menuUpdate},
		{"POST /admin/menu/{id}/monter", member, s.menuMoveUp},
		{"POST /admin/menu/{id}/descendre", member, s.menuMoveDown},
		{"POST /admin/menu/{id}/supprimer", member, s.menuDelete},
	}
}
