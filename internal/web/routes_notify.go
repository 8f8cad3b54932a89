package web

import "strings"

// notifyRoutes: e-mail notification preferences and the one-click
// unsubscribe link of every notification (RFC 8058: the POST works without a
// session or a CSRF token; the signed token is the authority).
func (s *Server) notifyRoutes() []route {
	return []route{
		{"POST /mon-compte/notifications", member, s.notifyPrefsSave},
		{"GET /notifications/desabonnement/{token}", public, s.unsubscribeForm},
		{"POST /notifications/desabonnement/{token}", public, s.unsubscribeSubmit},

		// Convocations: the organiser (Edit on the event's calendar) and the
		// convened members; a member also answers through a signed link.
		{"GET /agenda/evenements/{id}/convocation", member, s.convocationPage},
		{"POST /agenda/evenements/{id}/convocation", member, s.convocationSave},
		{"POST /agenda/evenements/{id}/convocation/envoyer", member, s.convocationSend},
		{"POST /agenda/evenements/{id}/convocation/reponse", member, s.convocationAnswer},
		{"GET /agenda/evenements/{id}/convocation/presences", member, s.attendancePrint},
		{"GET /agenda/evenements/{id}/convocation/presences.csv", member, s.attendanceCSV},
		{"GET /convocations/reponse/{token}", public, s.answerLinkForm},
		{"POST /convocations/reponse/{token}", public, s.answerLinkSubmit},

		// Accounts CSV import: preview with errors per line, then all or none.
		{"GET /admin/utilisateurs/import", admin, s.importForm},
		{"POST /admin/utilisateurs/import", admin, s.importPreview},
		{"POST /admin/utilisateurs/import/confirmer", admin, s.importConfirm},
	}
}

// csrfExempt lists the state-changing paths whose authority is a signed
// token in the path, not a session: mail clients POST to them without a
// form (RFC 8058 one-click unsubscribe).
func csrfExempt(path string) bool {
	return strings.HasPrefix(path, "/notifications/desabonnement/")
}
