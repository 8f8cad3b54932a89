package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"
	"time"

	"portique/internal/access"
	"portique/internal/i18n"
	"portique/internal/site"
	"portique/internal/users"
)

//go:embed templates
var templateFS embed.FS

// Page is the site-wide data every template receives; each page's data is a
// typed struct embedding it.
type Page struct {
	Title     string
	SiteName  string
	Lang      string
	Path      string
	User      *users.User
	Principal access.Principal
	CSRF      string
	Flash     string // already translated
	Nav       []NavItem
	Menu      template.HTML // Nav drawn by the main-menu partial (menuHTML)
	// HeaderHTML and FooterHTML are the site header and footer drawn for
	// visitors, once per content (chromeHTML); "" for members, whose
	// header and footer name them and carry their token.
	HeaderHTML, FooterHTML template.HTML
	Breadcrumb             []NavItem
	// SessionIdleISO and SessionIdleHHMM are when the session ends without
	// activity, as the footer shows it ("" for visitors); the layout offers
	// to extend it (RGAA 13.1). Strings, not a time: a member's page view
	// leaves them as holes (holes.go).
	SessionIdleISO, SessionIdleHHMM string
	// SessionFinal: the idle end is the session's absolute end, no
	// extension is possible (the footer says so instead of offering one).
	SessionFinal bool
	// Errors holds translated field errors of a form re-rendered with 422.
	Errors map[string]string
	// BodyClass lets a page style its body (e.g. "editing").
	BodyClass string
	// Site are the site's settings; A11yStatus the conformity it declares
	// (« non conforme » until an audit is entered), LogoURL its logo ("":
	// none).
	Site       *site.Settings
	ThemeURL   string // the identity's stylesheet ("" when none)
	A11yStatus string
	LogoURL    string
	FaviconURL string     // the identity's favicon ("": the program's own)
	Banner     *imageView // the identity's banner picture of this kind of page (nil: none)
	// Failed is set by render for a 422 answer: the title then starts with
	// "Erreur : " (RGAA 8.6), whatever handler re-rendered the form.
	Failed bool
}

// NavItem is a link of the main menu or the breadcrumb. In the menu, an
// entry with Children is a disclosure (ID names its sub-menu) and URL may be
// empty (a group); External marks a link to another site.
type NavItem struct {
	Label    string
	URL      string
	Current  bool
	ID       string
	External bool
	Children []NavItem
}

// page builds the common data for a request. title is already translated.
func (s *Server) page(r *http.Request, title string) Page {
	return s.pageWithNav(r, title, s.mainNav(r))
}

// pageWithNav is page with a main menu already built (the members' page
// view cache keeps it).
func (s *Server) pageWithNav(r *http.Request, title string, nav []NavItem) Page {
	st := state(r)
	set := s.siteSettings(r.Context())
	p := Page{
		Title:      title,
		SiteName:   set.Get(site.Name),
		Site:       set,
		A11yStatus: s.cat.T("site.status." + string(set.Status())),
		Lang:       s.cat.Lang,
		Path:       r.URL.Path,
		User:       currentUser(r),
		Principal:  principal(r),
		CSRF:       st.token(),
		Flash:      s.takeFlash(r),
	}
	if set.Logo != nil {
		p.LogoURL = logoURL(set)
	}
	p.ThemeURL = themeURL(set)
	p.FaviconURL = faviconURL(set)
	if k := bannerKind(r.URL.Path); k != "" {
		p.Banner = bannerView(set, k)
	}
	if st.session != nil {
		p.SessionIdleISO, p.SessionIdleHHMM = s.idleEnd(st.session)
		p.SessionFinal = !st.session.IdleEnd.Before(st.session.ExpiresAt)
	}
	p.Nav, p.Menu = nav, s.menuHTML(nav)
	if p.User == nil {
		p.HeaderHTML, p.FooterHTML = s.chromeHTML(&p)
	}
	return p
}

// chromeKey is everything a visitor's site header and footer show: the
// menu's drawing and the settings they read, each with its length first.
func chromeKey(p *Page) string {
	var b strings.Builder
	logo := ""
	if p.Site != nil && p.Site.Logo != nil {
		l := p.Site.Logo
		logo = strconv.Itoa(l.Width) + "x" + strconv.Itoa(l.Height)
	}
	for _, f := range [...]string{string(p.Menu), p.SiteName, p.LogoURL, logo, p.A11yStatus,
		p.Site.Get(site.LogoAlt), p.Site.Get(site.Address), p.Site.Get(site.Telephone), p.Site.Get(site.ContactMail), p.Site.Get(site.Hours)} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	return b.String()
}

// chromeHTML draws a visitor's site header and footer, kept by everything
// they show (htmlMemo): with the menu already kept, they were a good part
// of what every page missing from the visitors' cache still drew.
func (s *Server) chromeHTML(p *Page) (header, footer template.HTML) {
	key := chromeKey(p)
	var err error
	if header, err = s.headers.draw(s, key, "site-header", p); err != nil {
		s.log.Error("site header", "err", err)
	}
	if footer, err = s.footers.draw(s, key, "site-footer", p); err != nil {
		s.log.Error("site footer", "err", err)
	}
	return header, footer
}

// idleEnd is when a session ends without activity, as the footer shows it.
func (s *Server) idleEnd(ses *users.Session) (iso, hhmm string) {
	t := ses.IdleEnd.In(s.cfg.Location())
	return t.Format(time.RFC3339), t.Format("15:04")
}

// templates holds the page templates, parsed once at start-up (or at each
// render in dev mode), in ONE template set: the partials are parsed and
// escaped once for every page. Each page's own templates ("content",
// "head", "scripts"…) are kept under "<page>/<name>", and each page has a
// copy of the layout, "<page>/base", whose calls point at them. (One set per
// page, each a clone of the layout and every partial, held 40 MB of parse
// trees for 87 pages: past the soft heap limit, the garbage collector then
// ran without pause.)
type templates struct {
	dev   bool
	funcs template.FuncMap
	mu    sync.RWMutex
	set   *template.Template            // layout, partials and every page's templates
	pages map[string]*template.Template // page name → its "<page>/base"
}

func templateSource(dev bool) fs.FS {
	if dev {
		if _, err := os.Stat("internal/web/templates"); err == nil {
			return os.DirFS("internal/web/templates")
		}
	}
	sub, _ := fs.Sub(templateFS, "templates")
	return sub
}

func parseTemplates(dev bool, funcs template.FuncMap) (*templates, error) {
	t := &templates{dev: dev, funcs: funcs}
	if err := t.load(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *templates) load() error {
	src := templateSource(t.dev)
	set := template.New("").Funcs(t.funcs)
	var err error
	for _, dir := range []string{"layout", "partials"} {
		if set, err = set.ParseFS(src, dir+"/*.html"); err != nil {
			return fmt.Errorf("web: parse %s templates: %w", dir, err)
		}
	}
	base := set.Lookup("base")
	if base == nil || base.Tree == nil {
		return fmt.Errorf("web: no base layout")
	}
	files, err := fs.Glob(src, "pages/*.html")
	if err != nil {
		return err
	}
	pages := make(map[string]*template.Template, len(files))
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		// The page alone, parsed with the same functions; its templates
		// are then added to the shared set under the page's name.
		own, err := template.New("").Funcs(t.funcs).ParseFS(src, f)
		if err != nil {
			return fmt.Errorf("web: parse %s: %w", f, err)
		}
		defined := map[string]string{}
		for _, x := range own.Templates() {
			if x.Tree != nil && x.Name() != "" {
				defined[x.Name()] = name + "/" + x.Name()
			}
		}
		for local, full := range defined {
			tree := own.Lookup(local).Tree
			renameCalls(tree.Root, defined)
			tree.Name, tree.ParseName = full, full
			if _, err := set.AddParseTree(full, tree); err != nil {
				return fmt.Errorf("web: add %s: %w", full, err)
			}
		}
		layout := base.Tree.Copy()
		renameCalls(layout.Root, defined)
		layout.Name = name + "/base"
		pt, err := set.AddParseTree(layout.Name, layout)
		if err != nil {
			return fmt.Errorf("web: add %s: %w", layout.Name, err)
		}
		pages[name] = pt
	}
	t.mu.Lock()
	t.set, t.pages = set, pages
	t.mu.Unlock()
	return nil
}

// renameCalls points the {{template}} calls of a parse tree at the names
// of to (a page's own templates); other calls (partials) are left alone.
func renameCalls(n parse.Node, to map[string]string) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			renameCalls(c, to)
		}
	case *parse.TemplateNode:
		if full, ok := to[n.Name]; ok {
			n.Name = full
		}
	case *parse.IfNode:
		renameCalls(n.List, to)
		renameCalls(n.ElseList, to)
	case *parse.RangeNode:
		renameCalls(n.List, to)
		renameCalls(n.ElseList, to)
	case *parse.WithNode:
		renameCalls(n.List, to)
		renameCalls(n.ElseList, to)
	}
}

// Names lists the page templates (for the test that renders every one).
func (t *templates) Names() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]string, 0, len(t.pages))
	for n := range t.pages {
		out = append(out, n)
	}
	return out
}

// render executes the page template name into a buffer first, so a template
// error becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	buf, err := s.execute(status, name, data)
	if err != nil {
		s.log.Error("render", "template", name, "err", err)
		if name == "error" {
			http.Error(w, s.cat.T("error.title.500"), http.StatusInternalServerError)
			return
		}
		s.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	defer putRenderBuffer(buf)
	writeHTML(w, r, status, buf)
}

// execute draws the page template name with data into a buffer of
// renderBuffers (the caller puts it back).
func (s *Server) execute(status int, name string, data any) (*bytes.Buffer, error) {
	if s.tmpl.dev {
		if err := s.tmpl.load(); err != nil {
			s.log.Error("reload templates", "err", err)
		}
	}
	s.tmpl.mu.RLock()
	t, ok := s.tmpl.pages[name]
	s.tmpl.mu.RUnlock()
	if renderHook != nil {
		renderHook(name)
	}
	if !ok {
		return nil, fmt.Errorf("web: no template %q", name)
	}
	if _, ok := data.(pageData); !ok {
		// A page's data passed by value: draw a copy that can take the
		// default breadcrumb.
		if v := reflect.ValueOf(data); v.Kind() == reflect.Struct {
			p := reflect.New(v.Type())
			p.Elem().Set(v)
			if _, ok := p.Interface().(pageData); ok {
				data = p.Interface()
			}
		}
	}
	if pd, ok := data.(pageData); ok {
		if status == http.StatusUnprocessableEntity {
			pd.base().Failed = true
		}
		s.defaultCrumbs(name, pd.base())
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	if err := t.Execute(buf, data); err != nil {
		putRenderBuffer(buf)
		return nil, err
	}
	return buf, nil
}

// writeHTML sends a drawn page.
func writeHTML(w http.ResponseWriter, r *http.Request, status int, buf *bytes.Buffer) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes()) //nolint:errcheck // the client went away
	}
}

// renderBuffers keeps the pages' output buffers: a page is built whole
// before it is sent (so a template error can still become an error page),
// and growing a fresh buffer to a month grid's size was a fifth of the
// bytes a calendar page allocated.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 { // let the rare huge page's buffer go
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

// renderHook, set by tests, sees the name of every template rendered (the
// suite fails when a template is never rendered).
var renderHook func(name string)

// partialHTML executes a partial template (defined in templates/partials)
// into HTML, for blocks drawn before the page that holds them.
func (s *Server) partialHTML(name string, data any) (template.HTML, error) {
	s.tmpl.mu.RLock()
	t := s.tmpl.set
	s.tmpl.mu.RUnlock()
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("web: partial %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil //nolint:gosec // produced by html/template
}

// funcs are the template functions.
func (s *Server) funcs() template.FuncMap {
	loc := s.cfg.Location()
	return template.FuncMap{
		"t": func(key string, args ...any) string { return s.cat.T(key, args...) },
		// static returns the fingerprinted URL of a static file.
		"static": func(name string) string { return s.static.url(name) },
		// fonts and fontPreloads: the typeface's stylesheet and the faces
		// to preload (static.go; empty without the front-end build).
		"fonts":        func() string { return s.static.fonts },
		"fontPreloads": func() []string { return s.static.preload },
		"date":         func(t time.Time) string { return s.cat.Date(t.In(loc)) },
		"datetime":     func(t time.Time) string { return s.cat.DateTime(t.In(loc)) },
		"isodate":      func(t time.Time) string { return t.In(loc).Format("2006-01-02") },
		"isotime":      func(t time.Time) string { return t.In(loc).Format(time.RFC3339) },
		"hhmm":         func(t time.Time) string { return t.In(loc).Format("15:04") },
		"bytes":        humanBytes,
		// fieldAnchor is the id an error summary links to (a11y.go).
		"fieldAnchor": fieldAnchor,
		// folderTree nests a depth-first folder listing (a11y.go).
		"folderTree": folderTree,
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
}

// frenchDate formats "mardi 18 mars 2025" (1er for the first of the month)
// with the French catalogue's names, for helpers without the server's
// catalogue at hand.
func frenchDate(t time.Time) string { return i18n.French().Date(t) }

// FrenchMonth returns the French name of a month.
func FrenchMonth(m time.Month) string { return i18n.French().Month(m) }

// FrenchWeekday returns the French name of a weekday.
func FrenchWeekday(d time.Weekday) string { return i18n.French().Weekday(d) }

// humanBytes formats a size the French way: "1,5 Mo".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " o"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64)
	return strings.Replace(v, ".", ",", 1) + " " + string("kMGT"[exp]) + "o"
}

func itoa(n int) string { return strconv.Itoa(n) }

// Flash messages survive one redirect in a short-lived cookie holding a
// catalogue key (never free text, so nothing can be injected).
const flashCookie = "portique-flash"

// flash schedules a message (catalogue key) for the next page.
func (s *Server) flash(w http.ResponseWriter, key string) {
	if s.cat.Has(key) {
		s.setCookie(w, flashCookie, key, time.Minute)
	}
}

func (s *Server) takeFlash(r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil || !s.cat.Has(c.Value) {
		return ""
	}
	if st := state(r); st.srv != nil {
		s.clearCookie(&st.rec, flashCookie)
	}
	return s.cat.T(c.Value)
}
