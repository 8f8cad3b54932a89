// Package services builds, in one place, every service Portique runs on: the
// store of each domain (pages, calendar, documents, accounts and sessions,
// the audit trail), the search index, mail and the captcha, all on one
// database and one clock. The program (package app), the web layer's tests
// and the benchmark wire them through New, so they run on the same parts.
//
// It lives under app because app is what builds; web only uses the Deps it
// is handed. (web's own tests build through here too, which a constructor
// inside app could not offer: app imports web.)
package services

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"portique/internal/acts"
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
	"portique/internal/jobs"
	"portique/internal/mail"
	"portique/internal/menu"
	"portique/internal/notify"
	"portique/internal/pages"
	"portique/internal/search"
	"portique/internal/site"
	"portique/internal/users"
)

// Deps are the services, built once at start-up and shared by every
// request. Nothing in it is built per request.
type Deps struct {
	Config *config.Config
	Log    *slog.Logger
	// Now is the one clock: every store below was given it.
	Now func() time.Time
	// DB is the database; web uses it only to check it answers (/healthz)
	// and to read the content version (its page cache), through methods.
	DB *db.DB

	Search    search.Index // nil when Options.NoSearch
	Pages     *pages.Store
	Calendar  *calendar.Store
	Documents *documents.Store
	Acts      *acts.Store    // the register of acts (publicité des actes)
	Guide     *guide.Store   // the sorting guide "Où jeter ?"
	Centres   *centres.Store // recycling centres and drop-off points
	Accounts  *users.Accounts
	Groups    *users.Groups
	Sessions  *users.Sessions
	Audit     *audit.Trail
	Mail      *mail.Mailer
	Captcha   *captcha.Captcha
	Collecte  *collecte.Store
	Notify    *notify.Store // e-mail notifications (jobs: RegisterMailJobs)
	// Convocations are the sessions (comité, bureau…) of events.
	Convocations *convocations.Store
	Contact      *contact.Store // the contact form's messages and inbox
	Site         *site.Store    // the site's settings (name, logo, legal mentions, audit)
	Menu         *menu.Store    // the main menu editors compose
}

// Options are what differs between the program and its tests.
type Options struct {
	Log *slog.Logger     // slog.Default() when nil
	Now func() time.Time // time.Now when nil
	// SecretKey signs captcha challenges (app passes the data directory's
	// key); a random key is used when empty (tests).
	SecretKey string
	// Mail is the mailer; built from Config (SMTP URL or DATA/outbox) when
	// nil. Tests pass one that talks to their SMTP server.
	Mail *mail.Mailer
	// PasswordParams are the argon2id parameters; users.DefaultParams when
	// zero. Tests pass users.CheapParams.
	PasswordParams users.Params
	// NoSearch leaves the stores without a search index (tests of other
	// areas that do not need one; the program always has one).
	NoSearch bool
}

// New builds every service on d from the settings.
func New(cfg *config.Config, d *db.DB, o Options) (*Deps, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	s := &Deps{Config: cfg, Log: o.Log, Now: o.Now, DB: d}
	if !o.NoSearch {
		s.Search = search.New(d)
	}

	s.Pages = pages.New(d, s.Search)
	s.Pages.Now = o.Now
	if cfg.UploadMax > 0 && cfg.UploadMax < s.Pages.ImageMax {
		s.Pages.ImageMax = cfg.UploadMax
	}

	s.Calendar = calendar.New(d, s.Search)
	s.Calendar.Now = o.Now

	s.Collecte = collecte.New(d, s.Search)
	s.Collecte.Now = o.Now
	s.Collecte.Location = cfg.Location()

	docs, err := documents.FromConfig(cfg, d, s.Search)
	if err != nil {
		return nil, err
	}
	docs.Now = o.Now
	s.Documents = docs

	actBlobs, err := acts.NewBlobs(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s.Acts = acts.New(d, actBlobs, s.Search)
	s.Acts.Now = o.Now
	s.Acts.Location = cfg.Location()
	s.Acts.Events = s.Calendar
	if cfg.UploadMax > 0 {
		s.Acts.UploadMax = cfg.UploadMax
	}

	cat, err := i18n.Load("fr")
	if err != nil {
		return nil, err
	}
	s.Site = Site(cfg, d, o.Now, cat)
	s.Accounts, s.Groups = accounts(cfg, d, o, cat)
	// A new password may not be the body's name (the name at start-up).
	if set, err := s.Site.Current(context.Background()); err == nil {
		s.Accounts.SiteName = set.Get(site.Name)
	}

	s.Guide = guide.New(d, s.Search)
	s.Guide.Now = o.Now
	s.Centres = centres.New(d, s.Search, centres.WordsFrom(cat.T))
	s.Centres.Now = o.Now
	s.Sessions = &users.Sessions{DB: d, Now: o.Now, Idle: cfg.SessionIdle, Max: cfg.SessionMax}
	s.Audit = &audit.Trail{DB: d}

	s.Mail = o.Mail
	if s.Mail == nil {
		m, err := mail.New(mail.Config{
			SMTPURL: cfg.SMTPURL, From: cfg.MailFrom, Log: o.Log, Now: o.Now,
			OutboxDir: filepath.Join(cfg.DataDir, "outbox"),
		})
		if err != nil {
			return nil, err
		}
		s.Mail = m
	}

	s.Menu = menu.New(d, s.Pages)
	s.Menu.Now = o.Now

	s.Contact = contact.New(d)
	s.Contact.Now = o.Now
	s.Contact.Limiter = &users.Throttle{DB: d}
	s.Contact.Retention = cfg.ContactRetention
	s.Contact.Mail = s.Mail
	// The body's name at start-up (the site settings, else --site-name).
	s.Contact.BaseURL, s.Contact.SiteName = cfg.BaseURL, s.Accounts.SiteName
	if cfg.UploadMax > 0 && cfg.UploadMax < s.Contact.MaxFileSize {
		s.Contact.MaxFileSize = cfg.UploadMax
	}

	key := o.SecretKey
	if key == "" {
		var b [32]byte
		rand.Read(b[:]) //nolint:errcheck // never fails
		key = hex.EncodeToString(b[:])
	}
	s.Notify = &notify.Store{DB: d, Accounts: s.Accounts, Mail: s.Mail, Cat: cat, Signer: notify.NewSigner(key),
		BaseURL: strings.TrimRight(cfg.BaseURL, "/"), SiteName: cfg.SiteName, Location: cfg.Location(),
		DigestHour: cfg.DigestHour, Now: o.Now, Log: o.Log}
	s.Convocations = &convocations.Store{DB: d, Calendar: s.Calendar, Documents: s.Documents, Accounts: s.Accounts,
		Groups: s.Groups, Notify: s.Notify, Now: o.Now}
	s.Notify.Hooks = append(s.Notify.Hooks, s.Convocations.Hook)
	// The captcha asks and reads its question with the catalogue's words.
	s.Captcha = &captcha.Captcha{Key: key, Replay: &users.Throttle{DB: d}, Now: o.Now,
		Numbers: strings.Fields(cat.T("accounts.captcha.numbers"))}
	return s, nil
}

// Site builds the store of the site's settings: where the name is not set,
// --site-name, else the catalogue's neutral name (never a demo body's).
func Site(cfg *config.Config, d *db.DB, now func() time.Time, cat *i18n.Catalog) *site.Store {
	st := site.New(d)
	if now != nil {
		st.Now = now
	}
	name := strings.TrimSpace(cfg.SiteName)
	if name == "" {
		name = cat.T("site.default_name")
	}
	st.Defaults = map[string]string{site.Name: name}
	return st
}

// Accounts builds the stores of accounts and groups as New does, for the
// command line, which needs nothing else (New also prepares the documents'
// directories and the mailer).
func Accounts(cfg *config.Config, d *db.DB, o Options) (*users.Accounts, *users.Groups, error) {
	cat, err := i18n.Load("fr")
	if err != nil {
		return nil, nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	a, g := accounts(cfg, d, o, cat)
	return a, g, nil
}

func accounts(cfg *config.Config, d *db.DB, o Options, cat *i18n.Catalog) (*users.Accounts, *users.Groups) {
	params := o.PasswordParams
	if params == (users.Params{}) {
		params = users.DefaultParams
	}
	a := &users.Accounts{
		DB: d, Now: o.Now, Hasher: users.NewHasher(params, cfg.HashConcurrency),
		LockoutThreshold: cfg.LockoutThreshold, LockoutDuration: cfg.LockoutDuration,
		SiteName: cfg.SiteName,
		// The name a deleted account keeps is shown where other areas say
		// who did something: a text of the catalogue.
		DeletedName: cat.T("accounts.deleted_name"),
	}
	return a, &users.Groups{DB: d, Now: o.Now}
}

// RegisterMailJobs gives r the jobs that send e-mail (notifications and
// digests, convocations, invitations of an import).
func (s *Deps) RegisterMailJobs(r *jobs.Runner) {
	s.Notify.RegisterJobs(r)
	s.Convocations.RegisterJobs(r)
}
