package web

// accountRoutes: log in and out, password recovery, invitations, /mon-compte.
// Owned by the accounts area.
func (s *Server) accountRoutes() []route {
	return []route{
		{"GET /connexion", public, s.loginForm},
		{"POST /connexion", public, s.loginSubmit},
		{"POST /deconnexion", public, s.logout},
		{"GET /mot-de-passe-oublie", public, s.forgotForm},
		{"POST /mot-de-passe-oublie", public, s.forgotSubmit},
		{"GET /mot-de-passe-oublie/defi", public, s.captchaChallenge},
		{"GET /reinitialisation/{token}", public, s.resetForm},
		{"POST /reinitialisation/{token}", public, s.resetSubmit},
		{"GET /invitation/{token}", public, s.invitationForm},
		{"POST /invitation/{token}", public, s.invitationSubmit},
		{"GET /mon-compte", member, s.profile},
		{"POST /mon-compte/nom", member, s.profileName},
		{"POST /mon-compte/mot-de-passe", member, s.profilePassword},
		{"POST /mon-compte/sessions/fermer", member, s.profileSessionRevoke},
	}
}
