// Package web is Portique's HTTP layer: one route table, middleware, thin
// handlers per area, templates and static files. Handlers parse input, ask the
// access model and call domain packages; they never hold SQL.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"portique/internal/acts"
	"portique/internal/app/services"
	"portique/internal/audit"
	"portique/internal/calendar"
	"portique/internal/captcha"
	"portique/internal/centres"
	"portique/internal/collecte"
	"portique/internal/config"
	"portique/internal/contact"
	"portique/internal/convocations"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/guide"
	"portique/internal/i18n"
	"portique/internal/mail"
	"portique/internal/menu"
	"portique/internal/notify"
	"portique/internal/pages"
	"portique/internal/search"
	"portique/internal/site"
	"portique/internal/users"
)

// Deps are the services the server uses, built by the program
// (services.New): web builds no store of its own.
type Deps = services.Deps

// Server holds the dependencies shared by every handler.
type Server struct {
	cfg      *config.Config
	db       *db.DB // Ping and ContentVersion only: web holds no SQL
	log      *slog.Logger
	now      func() time.Time
	cat      *i18n.Catalog
	tmpl     *templates
	static   *staticFiles
	sessions *users.Sessions
	search   search.Index
	pages    *pages.Store
	calendar *calendar.Store
	// pageCache holds public pages rendered for anonymous visitors.
	pageCache pageCache
	// navs keeps the main menu by set of groups, menus its drawings
	// (nav.go).
	navs  navCache
	menus htmlMemo[string]
	// cards keeps drawn news cards (news_show.go), trees the documents'
	// folder trees (documents_list.go).
	cards htmlMemo[cardKey]
	trees htmlMemo[treeKey]
	// docRows: the rows of the documents tables, by what each shows;
	// headers and footers: visitors' site header and footer (chromeHTML).
	docRows          htmlMemo[docRowKey]
	headers, footers htmlMemo[string]
	// months: the agenda's month grids (calendar_views.go).
	months db.Memo[monthDrawn]
	// marks are the holes of members' page views (holes.go).
	marks    holeMarks
	handler  http.Handler
	metrics  metrics
	accounts *users.Accounts
	groups   *users.Groups
	mail     *mail.Mailer
	captcha  *captcha.Captcha
	docs     *documents.Store
	acts     *acts.Store // the register of acts
	audits   *audit.Trail
	guide    *guide.Store
	centres  *centres.Store
	// secHeaders are the security headers of every response (the
	// Content-Security-Policy among them), made once.
	secHeaders http.Header
	collecte   *collecte.Store
	notify     *notify.Store
	convs      *convocations.Store
	contact    *contact.Store // the contact form's messages
	site       *site.Store    // the site's settings
	menu       *menu.Store    // the main menu editors compose
}

// New builds the server on the services d: templates are parsed now, so a
// broken template stops the start-up rather than a request.
func New(d *Deps) (*Server, error) {
	cat, err := i18n.Load("fr")
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      d.Config,
		db:       d.DB,
		log:      d.Log,
		now:      d.Now,
		cat:      cat,
		search:   d.Search,
		sessions: d.Sessions,
		pages:    d.Pages,
		calendar: d.Calendar,
		months:   db.Memo[monthDrawn]{Max: 512},
		accounts: d.Accounts,
		groups:   d.Groups,
		mail:     d.Mail,
		captcha:  d.Captcha,
		docs:     d.Documents,
		acts:     d.Acts,
		audits:   d.Audit,
		guide:    d.Guide,
		centres:  d.Centres,
		secHeaders: securityHeaders(contentSecurityPolicy(d.Config.MapTileOrigin()),
			d.Config.TLS() || strings.HasPrefix(d.Config.BaseURL, "https://")),
		collecte: d.Collecte,
		notify:   d.Notify,
		convs:    d.Convocations,
		contact:  d.Contact,
		site:     d.Site,
		menu:     d.Menu,
	}
	if s.static, err = loadStatic(d.Config.Dev); err != nil {
		return nil, err
	}
	s.marks = newHoleMarks()
	if s.tmpl, err = parseTemplates(d.Config.Dev, s.funcs()); err != nil {
		return nil, err
	}
	s.metrics.started = d.Now()
	s.handler = s.buildHandler()
	return s, nil
}

// ServeHTTP makes the server an http.Handler (used by tests through the full
// middleware chain).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// HTTPServer wraps the handler with timeouts suited to a public site: slow
// clients cannot hold connections, and big uploads still have time.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Minute, // uploads of large documents
		WriteTimeout:      30 * time.Minute, // downloads of large documents
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Ping checks the database, for /healthz.
func (s *Server) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		return fmt.Errorf("web: database unreachable: %w", err)
	}
	return nil
}
