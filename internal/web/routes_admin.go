package web

// adminRoutes: /admin (accounts, groups, audit trail). Owned by the accounts
// area; other areas add their own admin pages in their route files and their
// entry to adminTools.
func (s *Server) adminRoutes() []route {
	return []route{
		{"GET /admin", admin, s.adminHome},
		{"GET /admin/utilisateurs", admin, s.adminUsers},
		{"GET /admin/utilisateurs/nouveau", admin, s.adminUserNew},
		{"POST /admin/utilisateurs", admin, s.adminUserCreate},
		{"GET /admin/utilisateurs/{id}", admin, s.adminUserEdit},
		{"POST /admin/utilisateurs/{id}", admin, s.adminUserUpdate},
		{"POST /admin/utilisateurs/{id}/desactiver", admin, s.adminUserDisable},
		{"POST /admin/utilisateurs/{id}/reactiver", admin, s.adminUserEnable},
		{"POST /admin/utilisateurs/{id}/deverrouiller", admin, s.adminUserUnlock},
		{"POST /admin/utilisateurs/{id}/invitation", admin, s.adminUserReinvite},
		{"GET /admin/utilisateurs/{id}/supprimer", admin, s.adminUserDeleteConfirm},
		{"POST /admin/utilisateurs/{id}/supprimer", admin, s.adminUserDelete},
		{"GET /admin/groupes", admin, s.adminGroups},
		{"POST /admin/groupes", admin, s.adminGroupCreate},
		{"GET /admin/groupes/{id}", admin, s.adminGroupEdit},
		{"POST /admin/groupes/{id}", admin, s.adminGroupRename},
		{"POST /admin/groupes/{id}/membres", admin, s.adminGroupAddMember},
		{"POST /admin/groupes/{id}/membres/{uid}/retirer", admin, s.adminGroupRemoveMember},
		{"GET /admin/groupes/{id}/supprimer", admin, s.adminGroupDeleteConfirm},
		{"POST /admin/groupes/{id}/supprimer", admin, s.adminGroupDelete},
		{"GET /admin/journal", admin, s.adminJournal},
	}
}
