package web

// siteRoutes: the site's settings (administrators) and the pages built from
// them, which every site has (mentions légales, accessibility statement).
// Owned by the site area. These paths win over pages of the tree with the
// same address.
func (s *Server) siteRoutes() []route {
	return []route{
		{"GET /mentions-legales", public, s.cachedForVisitors(s.legalNotice)},
		{"GET /accessibilite", public, s.cachedForVisitors(s.accessibilityStatement)},
		{"GET /site/logo", public, s.siteLogo},
		{"GET /site/theme/{name}", public, s.siteTheme},
		{"GET /site/favicon/{name}", public, s.siteFavicon},
		{"GET /site/bandeau/{name}", public, s.siteBanner},

		{"GET /admin/parametres", admin, s.adminSettings},
		{"POST /admin/parametres", admin, s.adminSettingsSave},
		{"POST /admin/parametres/logo", admin, s.adminLogo},
		{"POST /admin/parametres/logo/retirer", admin, s.adminLogoRemove},
		{"POST /admin/parametres/favicon", admin, s.adminFavicon},
		{"POST /admin/parametres/bandeau", admin, s.adminBanner},
		{"POST /admin/parametres/image/retirer", admin, s.adminPictureRemove},
	}
}
