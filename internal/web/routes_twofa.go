package web

import "strings"

// twofaRoutes: two-factor login (TOTP): the second step of a login, the
// page of "Mon compte", and the administrators' reset and group rule.
func (s *Server) twofaRoutes() []route {
	return []route{
		{"GET /connexion/code", public, s.codeLoginForm},
		{"POST /connexion/code", public, s.codeLoginSubmit},
		{"GET " + twofaURL, member, s.twofaManage},
		{"POST " + twofaURL + "/activer", member, s.twofaBegin},
		{"GET " + twofaURL + "/qr.png", member, s.twofaQR},
		{"POST " + twofaURL + "/confirmer", member, s.twofaConfirm},
		{"POST " + twofaURL + "/desactiver", member, s.twofaDisable},
		{"POST " + twofaURL + "/codes", member, s.twofaRenew},
		{"POST /admin/utilisateurs/{id}/double-authentification/reinitialiser", admin, s.twofaReset},
		{"POST /admin/groupes/{id}/double-authentification", admin, s.twofaGroupRequire},
	}
}

// enrolmentOnly reports whether path stays reachable by a member who must
// enrol first (a group requires two-factor login and they have none): the
// enrolment page itself, logging out, extending the session, static files.
func enrolmentOnly(path string) bool {
	switch path {
	case twofaURL, "/deconnexion", "/session/prolonger", "/favicon.ico", "/healthz":
		return true
	}
	return strings.HasPrefix(path, twofaURL+"/") || strings.HasPrefix(path, "/static/")
}
