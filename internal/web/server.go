// Package web is Portique's HTTP layer: one route table, middleware, thin
// handlers per area, templates and static files. Handlers parse input, ask the
// access model and call domain packages; they never hold SQL.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"portique/internal/captcha"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/i18n"
	"portique/internal/mail"
	"portique/internal/pages"
	"portique/internal/search"
	"portique/internal/users"
)

// Deps are what the server needs from the program that starts it.
type Deps struct {
	Config *config.Config
	DB     *db.DB
	Log    *slog.Logger
	Now    func() time.Time // injectable clock; time.Now when nil
	Search search.Index     // may be nil until the search engine is wired
	// SecretKey signs captcha challenges (app passes secretKey(cfg)); a
	// random key is used when empty (tests).
	SecretKey string
	// Mail sends emails; built from Config (SMTP URL or DATA/outbox) when nil.
	Mail *mail.Mailer
	// Documents is the document space; built from Config (DATA/blobs) and
	// Search when nil. app sets it to share it with the job runner.
	Documents *documents.Store
	// PasswordParams are the argon2id parameters; users.DefaultParams when
	// zero. Tests pass users.CheapParams explicitly.
	PasswordParams users.Params
}

// Server holds the dependencies shared by every handler.
type Server struct {
	cfg      *config.Config
	db       *db.DB
	log      *slog.Logger
	now      func() time.Time
	cat      *i18n.Catalog
	tmpl     *templates
	static   *staticFiles
	sessions *users.Sessions
	search   search.Index
	pages    *pages.Store
	// pageCache holds public pages rendered for anonymous visitors.
	pageCache pageCache
	handler   http.Handler
	metrics   metrics
	accounts  *users.Accounts
	mail      *mail.Mailer
	captcha   *captcha.Captcha
	docs      *documents.Store
}

// New builds the server: templates are parsed now, so a broken template stops
// the start-up rather than a request.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	cat, err := i18n.Load("fr")
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:    d.Config,
		db:     d.DB,
		log:    d.Log,
		now:    d.Now,
		cat:    cat,
		search: d.Search,
		sessions: &users.Sessions{
			DB: d.DB, Now: d.Now, Idle: d.Config.SessionIdle, Max: d.Config.SessionMax,
		},
	}
	s.pages = pages.New(d.DB, d.Search)
	s.pages.Now = d.Now
	if d.Config.UploadMax > 0 && d.Config.UploadMax < s.pages.ImageMax {
		s.pages.ImageMax = d.Config.UploadMax
	}
	if err := s.initAccounts(d); err != nil {
		return nil, err
	}
	if err := s.initDocuments(d); err != nil {
		return nil, err
	}
	if s.static, err = loadStatic(d.Config.Dev); err != nil {
		return nil, err
	}
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
	if err := s.db.SQL().PingContext(ctx); err != nil {
		return fmt.Errorf("web: database unreachable: %w", err)
	}
	return nil
}
