package web

// contactRoutes: the contact form blocks' submissions and the inbox.
// Owned by the contact area. Submitting is open to whoever may see the
// form's page (the handler asks the pages store), rate-limited per client
// address; the inbox is for administrators and the groups granted Manage
// on it (the contact store checks it on every read and change).
func (s *Server) contactRoutes() []route {
	return []route{
		{"POST /formulaire-contact/{page}/{block}", public, s.contactSubmit},

		{"GET /admin/messages", member, s.contactInbox},
		{"GET /admin/messages/export.csv", member, s.contactExport},
		{"GET /admin/messages/droits", admin, s.contactRights},
		{"POST /admin/messages/droits", admin, s.contactRightsSave},
		{"GET /admin/messages/{id}", member, s.contactMessage},
		{"POST /admin/messages/{id}/statut", member, s.contactMessageStatus},
		{"GET /admin/messages/{id}/pieces/{file}", member, s.contactAttachment},
	}
}
