package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"portique/internal/site"
	"portique/internal/valid"
)

// siteSettings returns the site's settings; when the database cannot say,
// the defaults (the page still renders, the error is logged).
//
// A page rendered for the visitors' cache reads them at the content
// version it is kept under (never older), so a change made by another
// process (portique settings set, another instance) cannot be cached as
// current; other pages may show them up to two seconds late.
func (s *Server) siteSettings(ctx context.Context) *site.Settings {
	var set *site.Settings
	var err error
	if l, ok := ctx.Value(cacheLimitKey{}).(*cacheLimit); ok {
		set, err = s.site.At(ctx, l.version)
	} else {
		set, err = s.site.Current(ctx)
	}
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("site settings", "err", err)
		}
		vals := map[string]string{}
		for k, v := range s.site.Defaults {
			vals[k] = v
		}
		return &site.Settings{Values: vals}
	}
	return set
}

// siteName is the name of the body, for titles, e-mails and feeds.
func (s *Server) siteName(ctx context.Context) string { return s.siteSettings(ctx).Get(site.Name) }

// siteField is one input of the settings form.
type siteField struct {
	Key, Label, Help, Value, Error string
	Long                           bool // a textarea
	Type, Autocomplete             string
}

type siteSection struct {
	Title, Intro string
	Fields       []siteField
}

type siteSettingsPage struct {
	Page
	Sections []siteSection
	Status   string
	LogoURL  string // "" when none
	LogoAlt  string
	CSRFURL  string // the logo form's action with its CSRF token (multipart)
	// The favicon ("" when none) and the banners per page kind (site_pictures.go).
	FaviconURL              string
	Banners                 []bannerField
	FaviconCSRF, BannerCSRF string // the multipart forms' actions with their CSRF token
}

// The sections of the form: every key of site.Fields but the logo's
// alternative text (sent with the logo) is in one of them.
var siteSections = []struct {
	title, intro string
	keys         []string
}{
	{"site.settings.identity", "", []string{site.Name, site.Address, site.ContactMail, site.Telephone, site.Hours, site.Siret}},
	{"site.settings.colours", "site.settings.colours_intro", []string{site.Primary, site.Secondary}},
	{"site.settings.publisher", "", []string{site.Director, site.HostName, site.HostAddress, site.Privacy}},
	{"site.settings.audit", "site.settings.audit_intro", []string{site.AuditDate, site.AuditRate, site.AuditBy, site.AuditPages,
		site.AuditTools, site.AuditEnv, site.NonCompliant, site.Derogations, site.Exempt, site.PlanURL}},
}

func (s *Server) siteSettingsData(r *http.Request, typed url.Values) *siteSettingsPage {
	set := s.siteSettings(r.Context())
	p := &siteSettingsPage{Page: s.page(r, s.cat.T("site.settings.title")), LogoAlt: set.Get(site.LogoAlt),
		CSRFURL: "/admin/parametres/logo?csrf=" + url.QueryEscape(state(r).token()),
		Status:  s.cat.T("site.status." + string(set.Status()))}
	if set.Logo != nil {
		p.LogoURL = logoURL(set)
	}
	p.FaviconURL, p.Banners = faviconURL(set), s.bannerFields(set)
	p.FaviconCSRF = "/admin/parametres/favicon?csrf=" + url.QueryEscape(state(r).token())
	p.BannerCSRF = "/admin/parametres/bandeau?csrf=" + url.QueryEscape(state(r).token())
	for _, sec := range siteSections {
		out := siteSection{Title: s.cat.T(sec.title)}
		if sec.intro != "" {
			out.Intro = s.cat.T(sec.intro)
		}
		for _, k := range sec.keys {
			f, _ := site.FieldOf(k)
			sf := siteField{Key: k, Label: s.cat.T("site.field." + k), Long: f.Kind == site.LongText, Type: "text"}
			if s.cat.Has("site.field." + k + ".help") {
				sf.Help = s.cat.T("site.field." + k + ".help")
			}
			switch f.Kind {
			case site.Email:
				sf.Type, sf.Autocomplete = "email", "email"
			case site.Phone:
				sf.Type, sf.Autocomplete = "tel", "tel"
			case site.Date:
				sf.Type = "date"
			case site.URL:
				sf.Type, sf.Autocomplete = "url", "url"
			case site.Colour:
				sf.Type = "color"
			}
			if k == site.Name {
				sf.Autocomplete = "organization"
			}
			// The stored value; the name shows what visitors see.
			sf.Value = set.Get(k)
			if typed != nil {
				sf.Value = typed.Get(k)
			}
			out.Fields = append(out.Fields, sf)
		}
		p.Sections = append(p.Sections, out)
	}
	return p
}

func logoURL(set *site.Settings) string { return "/site/logo?v=" + set.Logo.SHA256[:12] }

func (s *Server) adminSettings(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "site_settings", s.siteSettingsData(r, nil))
	return nil
}

func (s *Server) adminSettingsSave(w http.ResponseWriter, r *http.Request) error {
	values := map[string]string{}
	for _, sec := range siteSections {
		for _, k := range sec.keys {
			values[k] = r.PostFormValue(k)
		}
	}
	err := s.site.Set(r.Context(), s.actor(r), values)
	if ve, ok := formErrors(err); ok {
		p := s.siteSettingsData(r, r.PostForm)
		s.withErrors(&p.Page, ve)
		for i := range p.Sections {
			for j := range p.Sections[i].Fields {
				p.Sections[i].Fields[j].Error = p.Errors[p.Sections[i].Fields[j].Key]
			}
		}
		return s.unprocessable(w, r, "site_settings", p, nil)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "site.flash.saved", "/admin/parametres")
}

// adminLogo receives the logo (multipart; its CSRF token is in the URL).
func (s *Server) adminLogo(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, site.MaxLogoBytes+64<<10)
	if err := r.ParseMultipartForm(site.MaxLogoBytes + 64<<10); err != nil {
		var maxErr *http.MaxBytesError
		if !errors.As(err, &maxErr) {
			return errBadRequest
		}
		return s.logoRefused(w, r, valid.One("logo", "site.error.logo_large", site.MaxLogoBytes>>20))
	}
	defer r.MultipartForm.RemoveAll() //nolint:errcheck // temporary files
	alt := r.PostFormValue(site.LogoAlt)
	f, _, err := r.FormFile("logo")
	if err != nil {
		return s.logoRefused(w, r, valid.One("logo", "site.error.logo_empty"))
	}
	defer f.Close()
	err = s.site.SetLogo(r.Context(), s.actor(r), alt, f)
	if ve, ok := formErrors(err); ok {
		return s.logoRefused(w, r, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "site.flash.logo", "/admin/parametres")
}

func (s *Server) logoRefused(w http.ResponseWriter, r *http.Request, ve valid.Errors) error {
	p := s.siteSettingsData(r, nil)
	if r.MultipartForm != nil {
		p.LogoAlt = strings.TrimSpace(r.PostFormValue(site.LogoAlt))
	}
	return s.unprocessable(w, r, "site_settings", p, ve)
}

func (s *Server) adminLogoRemove(w http.ResponseWriter, r *http.Request) error {
	if err := s.site.RemoveLogo(r.Context(), s.actor(r)); err != nil {
		return err
	}
	return s.seeOther(w, r, "site.flash.logo_removed", "/admin/parametres")
}

// siteLogo serves the logo to everyone (it is in every page's header).
func (s *Server) siteLogo(w http.ResponseWriter, r *http.Request) error {
	set := s.siteSettings(r.Context())
	if set.Logo == nil {
		return s.notFound(w, r)
	}
	l := set.Logo
	h := w.Header()
	h.Set("ETag", l.ETag())
	h.Set("Cache-Control", "public, max-age=3600")
	if r.Header.Get("If-None-Match") == l.ETag() {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", l.MediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(l.Data) //nolint:errcheck // the client went away
	return nil
}

// checkItem is one line of the "before going live" checklist.
type checkItem struct {
	Label string
	Done  bool
	URL   string // where it is fixed ("" when it is a setting of the program)
}

// goLiveChecklist says what a production site still lacks. Other areas
// add their line here.
func (s *Server) goLiveChecklist(ctx context.Context) []checkItem {
	set := s.siteSettings(ctx)
	twofa, err := s.accounts.CountAdminsWithTwoFactor(ctx)
	if err != nil {
		s.log.Error("go-live checklist", "err", err)
	}
	t := s.cat.T
	field := func(k string) string { return "/admin/parametres#" + k }
	named := set.Has(site.Name) && set.Get(site.Name) != s.cat.T("site.default_name")
	return []checkItem{
		{t("site.checklist.name"), named, field(site.Name)},
		{t("site.checklist.logo"), set.Logo != nil && set.Has(site.LogoAlt), "/admin/parametres#logo"},
		{t("site.checklist.address"), set.Has(site.Address), field(site.Address)},
		{t("site.checklist.contact"), set.Has(site.ContactMail), field(site.ContactMail)},
		{t("site.checklist.siret"), set.Has(site.Siret), field(site.Siret)},
		{t("site.checklist.director"), set.Has(site.Director), field(site.Director)},
		{t("site.checklist.host"), set.Has(site.HostName) && set.Has(site.HostAddress), field(site.HostName)},
		{t("site.checklist.audit"), set.Audited(), field(site.AuditDate)},
		{t("site.checklist.twofa"), twofa > 0, twofaURL},
		{t("site.checklist.https"), strings.HasPrefix(s.cfg.BaseURL, "https://"), ""},
		{t("site.checklist.backup"), s.cfg.BackupDir != "", ""},
	}
}
