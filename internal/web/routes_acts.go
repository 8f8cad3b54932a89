package web

import "net/http"

// actsRoutes: the register of acts. The public register, the act and
// session pages and the open-data export are public pages served from the
// visitors' page cache; who sees a draft, prepares, publishes or withdraws
// is decided by the acts store through the register's grants (the guards
// here only say whether an account is needed at all).
//
// /actes/{id}/{action} is one pattern dispatched by actGetAction and
// actPostAction (ServeMux would see /actes/{id}/telecharger and
// /actes/seances/{id} as conflicting patterns). An annex is downloaded at
// /actes/{id}/telecharger?annexe=N.
func (s *Server) actsRoutes() []route {
	return []route{
		{"GET /actes", public, s.cachedForVisitors(s.actsIndex)},
		{"GET /actes/deliberations.csv", public, s.cachedForVisitors(s.actsCSV)},
		{"GET /actes/deliberations.json", public, s.cachedForVisitors(s.actsJSON)},
		{"GET /actes/seances/{id}", public, s.cachedForVisitors(s.actsSession)},
		{"GET /actes/{id}", public, s.cachedForVisitors(s.actShow)},
		// telecharger (anyone who may see the act); modifier, publier,
		// retirer, rectifier (the secretariat)
		{"GET /actes/{id}/{action}", public, s.actGetAction},
		// modifier | supprimer | publier | retirer
		{"POST /actes/{id}/{action}", member, s.actPostAction},

		{"GET /actes/gestion", member, s.actsManage},
		{"GET /actes/gestion/nouveau", member, s.actNew},
		{"POST /actes/gestion/nouveau", member, s.actCreate},
		{"GET /actes/gestion/seances/nouvelle", member, s.actsSessionNew},
		{"POST /actes/gestion/seances/nouvelle", member, s.actsSessionCreate},
		{"GET /actes/seances/{id}/modifier", member, s.actsSessionEdit},
		{"POST /actes/seances/{id}/modifier", member, s.actsSessionSave},
		{"POST /actes/seances/{id}/supprimer", member, s.actsSessionDelete},
		{"GET /actes/gestion/parametres", member, s.actsSettings},
		{"POST /actes/gestion/parametres", member, s.actsSettingsSave},
		{"POST /actes/gestion/droits", admin, s.actsGrantsSave},
	}
}

func (s *Server) actGetAction(w http.ResponseWriter, r *http.Request) error {
	h := map[string]handlerFunc{
		"telecharger": s.actDownload,
		"modifier":    s.actEdit,
		"publier":     s.actPublishForm,
		"retirer":     s.actWithdrawForm,
		"rectifier":   s.actCorrectForm,
	}[r.PathValue("action")]
	if h == nil {
		return s.notFound(w, r)
	}
	return h(w, r)
}

func (s *Server) actPostAction(w http.ResponseWriter, r *http.Request) error {
	h := map[string]handlerFunc{
		"modifier":  s.actSave,
		"supprimer": s.actDelete,
		"publier":   s.actPublish,
		"retirer":   s.actWithdraw,
	}[r.PathValue("action")]
	if h == nil {
		return s.notFound(w, r)
	}
	return h(w, r)
}
