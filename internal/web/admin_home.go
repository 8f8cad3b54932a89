package web

import "net/http"

// adminTool is one entry of the /admin dashboard: a link and a short French
// help text saying what it does and who sees the result.
type adminTool struct {
	URL, Label, Help string
}

type adminHomePage struct {
	Page
	Tools     []adminTool
	Checklist []checkItem // before going live (site_settings.go)
	Missing   int         // items of Checklist not done
}

// adminTools lists the administration tools. Other areas add their entry
// here (one line each) when they add an admin page.
func (s *Server) adminTools() []adminTool {
	t := s.cat.T
	return []adminTool{
		{"/admin/utilisateurs", t("accounts.admin.users"), t("accounts.admin.users_help")},
		{"/admin/groupes", t("accounts.admin.groups"), t("accounts.admin.groups_help")},
		{"/admin/journal", t("accounts.admin.journal"), t("accounts.admin.journal_help")},
		{"/admin/agenda", t("calendar.admin.title"), t("calendar.admin.tool_help")},
		{"/admin/corbeille", t("accounts.admin.pages_trash"), t("accounts.admin.pages_trash_help")},
		{"/documents/corbeille", t("documents.trash.link"), t("accounts.admin.documents_trash_help")},
		{"/collecte/gestion", t("collecte.admin.tool"), t("collecte.admin.tool_help")},
		{"/admin/messages", t("contact.inbox.title"), t("contact.admin.tool_help")},
		{"/admin/menu", t("menu.admin.title"), t("menu.admin.tool_help")},
		{"/admin/parametres", t("site.admin.tool"), t("site.admin.tool_help")},
	}
}

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) error {
	p := &adminHomePage{Page: s.page(r, s.cat.T("accounts.admin.title")), Tools: s.adminTools(), Checklist: s.goLiveChecklist(r.Context())}
	for _, c := range p.Checklist {
		if !c.Done {
			p.Missing++
		}
	}
	s.render(w, r, http.StatusOK, "admin_home", p)
	return nil
}
