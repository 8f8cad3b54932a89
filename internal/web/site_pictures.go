package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"portique/internal/pages"
	"portique/internal/site"
	"portique/internal/valid"
)

// The identity's favicon and banner pictures (site/pictures.go): served
// under names made of their hash (cached for a year, a change gives a new
// name), changed at /admin/parametres.

// fileName is the served name of a picture of the settings.
func fileName(prefix string, l *site.Logo) string {
	ext := ".png"
	if l.MediaType == "image/jpeg" {
		ext = ".jpg"
	}
	return prefix + l.SHA256[:12] + ext
}

// faviconURL is the address of the favicon, "" when none is set (the
// program's own icon then).
func faviconURL(set *site.Settings) string {
	if set.Favicon == nil {
		return ""
	}
	return "/site/favicon/" + fileName("", set.Favicon)
}

// bannerView is the banner picture of a page kind, nil when none.
func bannerView(set *site.Settings, kind string) *imageView {
	l, alt := set.Hero(kind)
	if l == nil {
		return nil
	}
	return &imageView{Src: "/site/bandeau/" + fileName(kind+"-", l), Alt: alt, Width: l.Width, Height: l.Height}
}

// bannerKind is the page kind of the pages that are not of the tree and
// show a banner (their index only, not their forms).
func bannerKind(path string) string {
	switch path {
	case "/agenda":
		return "agenda"
	case "/documents":
		return "documents"
	}
	return ""
}

// siteFavicon serves the favicon under its hashed name.
func (s *Server) siteFavicon(w http.ResponseWriter, r *http.Request) error {
	set := s.siteSettings(r.Context())
	if set.Favicon == nil || r.PathValue("name") != fileName("", set.Favicon) {
		return s.notFound(w, r)
	}
	return servePicture(w, r, set.Favicon)
}

// siteBanner serves a kind's banner picture under its hashed name.
func (s *Server) siteBanner(w http.ResponseWriter, r *http.Request) error {
	set := s.siteSettings(r.Context())
	kind, _, _ := strings.Cut(r.PathValue("name"), "-")
	l, _ := set.Hero(kind)
	if l == nil || r.PathValue("name") != fileName(kind+"-", l) {
		return s.notFound(w, r)
	}
	return servePicture(w, r, l)
}

func servePicture(w http.ResponseWriter, r *http.Request, l *site.Logo) error {
	h := w.Header()
	h.Set("ETag", l.ETag())
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	if r.Header.Get("If-None-Match") == l.ETag() {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", l.MediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodHead {
		w.Write(l.Data) //nolint:errcheck // the client went away
	}
	return nil
}

// adminFavicon receives the favicon (multipart; its CSRF token is in the URL).
func (s *Server) adminFavicon(w http.ResponseWriter, r *http.Request) error {
	return s.pictureUpload(w, r, site.MaxLogoBytes, site.FileFavicon, func() error {
		f, _, err := r.FormFile(site.FileFavicon)
		if err != nil {
			return valid.One(site.FileFavicon, "site.error.logo_empty")
		}
		defer f.Close()
		return s.site.SetFavicon(r.Context(), s.actor(r), f)
	}, "site.flash.favicon")
}

// adminBanner receives the banner picture of a page kind.
func (s *Server) adminBanner(w http.ResponseWriter, r *http.Request) error {
	return s.pictureUpload(w, r, site.MaxHeroBytes, "hero_"+r.URL.Query().Get("type"), func() error {
		kind := r.URL.Query().Get("type")
		if !slices.Contains(site.HeroKinds, kind) {
			return errBadRequest
		}
		f, _, err := r.FormFile("hero_" + kind)
		if err != nil {
			return valid.One("hero_"+kind, "site.error.logo_empty")
		}
		defer f.Close()
		return s.site.SetHero(r.Context(), s.actor(r), kind, r.PostFormValue(site.HeroAltKey(kind)), r.PostFormValue("decorative") == "1", f)
	}, "site.flash.banner")
}

// pictureUpload reads a multipart form of at most maxBytes, runs save and
// answers: the settings page again with the refusal (field is the file's
// field), or back to the settings with flash.
func (s *Server) pictureUpload(w http.ResponseWriter, r *http.Request, maxBytes int, field string, save func() error, flash string) error {
	r.Body = http.MaxBytesReader(w, r.Body, int64(maxBytes)+64<<10)
	if err := r.ParseMultipartForm(int64(maxBytes) + 64<<10); err != nil {
		var maxErr *http.MaxBytesError
		if !errors.As(err, &maxErr) {
			return errBadRequest
		}
		return s.unprocessable(w, r, "site_settings", s.siteSettingsData(r, nil), valid.One(field, "site.error.logo_large", maxBytes>>20))
	}
	defer r.MultipartForm.RemoveAll() //nolint:errcheck // temporary files
	err := save()
	if ve, ok := formErrors(err); ok {
		p := s.siteSettingsData(r, nil)
		for i := range p.Banners {
			if k := p.Banners[i].Kind; r.URL.Query().Get("type") == k {
				p.Banners[i].Alt = strings.TrimSpace(r.PostFormValue(site.HeroAltKey(k)))
			}
		}
		return s.unprocessable(w, r, "site_settings", p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, flash, "/admin/parametres")
}

// adminPictureRemove removes the favicon or a kind's banner (field "key").
func (s *Server) adminPictureRemove(w http.ResponseWriter, r *http.Request) error {
	if err := s.site.RemovePicture(r.Context(), s.actor(r), r.PostFormValue("key")); err != nil {
		return err
	}
	return s.seeOther(w, r, "site.flash.picture_removed", "/admin/parametres")
}

// bannerField is one page kind's banner in the settings form.
type bannerField struct {
	Kind, Label string
	Current     *imageView // nil: none
	Alt         string
	Decorative  bool
}

func (s *Server) bannerFields(set *site.Settings) []bannerField {
	out := make([]bannerField, 0, len(site.HeroKinds))
	for _, k := range site.HeroKinds {
		f := bannerField{Kind: k, Label: s.cat.T("site.banner.kind." + k), Current: bannerView(set, k)}
		if f.Current != nil {
			f.Alt, f.Decorative = f.Current.Alt, f.Current.Alt == ""
		}
		out = append(out, f)
	}
	return out
}

// pageBanner is the identity's banner of a page of the tree (home, news or
// content page). On the home page, a hero block without a picture of its
// own shows it instead (then there is no separate banner).
func (s *Server) pageBanner(r *http.Request, p *pages.Page, blocks []blockView) *imageView {
	kind := "page"
	switch {
	case p.IsHome():
		kind = "home"
	case p.IsNews() || p.IsNewsIndex():
		kind = "news"
	}
	b := bannerView(s.siteSettings(r.Context()), kind)
	if b == nil {
		return nil
	}
	for i := range blocks {
		if h := blocks[i].Hero; h != nil && h.Image == nil {
			h.Image = b
			return nil
		}
	}
	return b
}
