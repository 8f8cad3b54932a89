package web

import (
	"net/http"

	"portique/internal/site"
)

// legalPage is the data of the legal pages, built from the site settings:
// they exist on every site and never show a placeholder (a setting not
// entered leaves its line out; the checklist of /admin says what is
// missing).
type legalPage struct {
	Page
	Set         *site.Settings
	Status      string // « non conforme »…
	SiteURL     string
	AuditDate   string // in words; "" without an audit
	Established string // date of the statement in words; "" when unknown
	Reason      bool   // audited, not fully compliant: the state names its reasons
}

func (s *Server) legalData(r *http.Request, titleKey string) *legalPage {
	p := &legalPage{Page: s.page(r, s.cat.T(titleKey)), SiteURL: s.cfg.BaseURL}
	p.Set = p.Site
	p.Status = s.cat.T("site.status." + string(p.Set.Status()))
	if p.Set.Audited() {
		p.AuditDate = s.cat.Date(p.Set.Date(site.AuditDate))
		p.Established = p.AuditDate
		p.Reason = p.Set.Status() != site.FullyCompliant
	}
	if d := p.Set.Date(site.Updated); !d.IsZero() && (p.Established == "" || d.After(p.Set.Date(site.AuditDate))) {
		p.Established = s.cat.Date(d)
	}
	return p
}

// legalNotice is /mentions-legales.
func (s *Server) legalNotice(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "site_legal", s.legalData(r, "site.legal.title"))
	return nil
}

// accessibilityStatement is /accessibilite, after the legal model of the
// accessibility statement (RGAA 4.1).
func (s *Server) accessibilityStatement(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "site_accessibility", s.legalData(r, "site.a11y.title"))
	return nil
}
