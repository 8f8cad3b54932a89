package web

import "net/http"

// documentRoutes: the document space. Who may do what is decided by the
// documents store through the access model (folder grants); the guards here
// only say whether an account is needed at all (shielded: anonymous
// visitors who find nothing are asked to log in).
//
// /documents/{id}/{action} is one pattern dispatched by documentAction:
// ServeMux would see /documents/{id}/telecharger and /documents/dossiers/{id}
// as conflicting patterns.
func (s *Server) documentRoutes() []route {
	return []route{
		{"GET /documents", shielded, s.cachedForVisitors(s.documentIndex)},
		{"GET /documents/dossiers/{id}", shielded, s.cachedForVisitors(s.documentFolder)},
		{"GET /documents/archives", shielded, s.cachedForVisitors(s.documentArchive)},
		{"GET /documents/archives/dossiers/{id}", shielded, s.cachedForVisitors(s.documentArchiveFolder)},
		{"GET /documents/recherche", shielded, s.documentSearch},
		{"GET /documents/corbeille", admin, s.documentTrash},
		{"GET /documents/{id}", shielded, s.documentShow},
		// GET /documents/{id}/telecharger (?inline=1 for PDFs, ?version=N for editors)
		{"GET /documents/{id}/{action}", shielded, s.documentGetAction},
		// POST /documents/{id}/renommer | date | epingler | deplacer | remplacer | supprimer | restaurer
		{"POST /documents/{id}/{action}", member, s.documentPostAction},

		{"POST /documents/dossiers", member, s.folderCreate},
		{"POST /documents/dossiers/{id}/envoi", member, s.documentUpload},
		{"POST /documents/dossiers/{id}/renommer", member, s.folderRename},
		{"GET /documents/dossiers/{id}/droits", member, s.folderGrants},
		{"POST /documents/dossiers/{id}/droits", member, s.folderGrantsSave},
		{"POST /documents/dossiers/{id}/deplacer", member, s.folderMove},
		{"GET /documents/dossiers/{id}/supprimer", member, s.folderDeleteConfirm},
		{"POST /documents/dossiers/{id}/supprimer", member, s.folderDelete},

		// The trash (administrators): a folder comes back with what left
		// with it; {kind} is "dossiers" or "documents".
		{"POST /documents/corbeille/dossiers/{id}/restaurer", admin, s.folderRestore},
		{"GET /documents/corbeille/{kind}/{id}/supprimer", admin, s.purgeConfirm},
		{"POST /documents/corbeille/{kind}/{id}/supprimer", admin, s.purge},
	}
}

func (s *Server) documentGetAction(w http.ResponseWriter, r *http.Request) error {
	if r.PathValue("action") == "telecharger" {
		return s.documentDownload(w, r)
	}
	return s.notFound(w, r)
}

func (s *Server) documentPostAction(w http.ResponseWriter, r *http.Request) error {
	h := map[string]handlerFunc{
		"renommer":  s.documentRename,
		"date":      s.documentSetDate,
		"epingler":  s.documentPin,
		"deplacer":  s.documentMove,
		"remplacer": s.documentReplace,
		"supprimer": s.documentDelete,
		"restaurer": s.documentRestore, // administrators only (checked by the store)
	}[r.PathValue("action")]
	if h == nil {
		return s.notFound(w, r)
	}
	return h(w, r)
}
