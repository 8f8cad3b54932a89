package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/app/services"
	"portique/internal/backup"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/extract"
	"portique/internal/jobs"
	"portique/internal/search"
	"portique/internal/web"
)

// serve runs the web site until ctx ends (SIGINT/SIGTERM), then shuts down
// gracefully, letting requests in flight finish.
func serve(ctx context.Context, e Env, args []string) error {
	cfg, _, err := settings(e, "serve", args, nil)
	if err != nil {
		return err
	}
	// The log goes out in batches, warnings at once (logwriter.go).
	lw := newLogWriter(e.Stderr)
	defer lw.Close() // last: what the other deferred calls log is written too
	log := newLogger(cfg, lw)
	slog.SetDefault(log)
	// A small site should stay small: unless the operator set GOMEMLIMIT,
	// the garbage collector works harder past 48 MiB of heap instead of
	// letting it grow with the number of connections. It is a soft limit:
	// nothing fails past it. (Text extraction runs in child processes.)
	// At 32 MiB, the visitors' page cache full and a crawler's misses made
	// the collector run almost without pause: 1.3 ms of CPU per miss of
	// the agenda against 0.6 ms at 48 MiB (docs/dev/performance.md).
	if e.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20)
	}
	// Below that limit, the collector runs when the heap has grown by twice
	// what it kept (GOGC=200), not once: a page served from the cache
	// allocates 3.6 KB, and at GOGC=100 collecting after them cost it
	// 1.4–3.5 µs more, of 25 (docs/dev/performance.md). The limit still
	// bounds the heap.
	if e.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	key, err := secretKey(cfg)
	if err != nil {
		return err
	}
	if err := search.Check(ctx, d); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	svc, err := services.New(cfg, d, services.Options{Log: log, Now: e.Now, SecretKey: key})
	if err != nil {
		return err
	}
	runners, err := extractionJobs(cfg, d, svc.Documents, svc.Acts, log, e.Now)
	if err != nil {
		return err
	}
	// E-mails have their own runner (notifications, digests, convocations,
	// invitations of an import, the contact form's messages): a backlog of
	// text extractions (minutes after a big upload) must not hold them
	// back, and a mail server that is down makes them wait, not give up.
	mailRunner, err := notifyJobs(ctx, d, svc, log, e.Now)
	if err != nil {
		return err
	}
	svc.Contact.RegisterJobs(mailRunner)

	if cfg.Demo {
		if err := seedDemo(ctx, e, cfg, d, log, svc.Search, svc.Documents, svc.Acts); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		// A convened comité with answers, and the accounts' notification
		// preferences (once: nothing when a session exists).
		if err := svc.Convocations.SeedDemo(ctx, svc.Notify, e.Now()); err != nil {
			return fmt.Errorf("demo convocations: %w", err)
		}
	} else if err := firstStart(ctx, e, cfg, d); err != nil {
		return err
	}
	srv, err := web.New(svc)
	if err != nil {
		return err
	}
	hs := srv.HTTPServer(cfg.Addr)
	ln, err := listen(cfg, hs)
	if err != nil {
		return err
	}
	go housekeeping(ctx, cfg, d, svc, log, e.Now)
	go reindexIfStale(ctx, d, svc.Search, svc.Documents, log) // search answers meanwhile
	// Background jobs stop with ctx; a job cut short is retried after its
	// lease, here or on another instance.
	// Background jobs (text extraction, OCR, the contact form's e-mails):
	// each runner has its own workers.
	for _, runner := range append(runners, mailRunner) {
		defer runner.Start(ctx)()
	}
	go purgeBlobs(ctx, svc.Documents, log)
	if cfg.BackupDir != "" {
		sched := &backup.Schedule{Dir: cfg.BackupDir, Every: cfg.BackupEvery, Keep: cfg.BackupKeep,
			Source: backupSource(cfg, d, e.Now), Log: log}
		stopped := make(chan struct{})
		go func() { sched.Run(ctx); close(stopped) }()
		defer func() { <-stopped }() // a backup cut short removes its partial file before the database closes
	}
	log.Info("portique listening", "addr", ln.Addr().String(), "url", cfg.BaseURL, "db", string(d.Dialect()), "version", Version)
	if e.Ready != nil {
		e.Ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	svc.Mail.Wait() // emails queued by the last requests still go out
	return nil
}

// extractionJobs builds the job runners that extract and indexes the
// uploaded files (documents and the register's acts), in child processes of
// this very binary (`portique extract-worker`): one runner for ordinary
// files, and beside it one for the slow work (optical character recognition
// of scans, and the register's PDFs, often scans), so an ordinary document
// never waits behind a scan.
func extractionJobs(cfg *config.Config, d *db.DB, docs *documents.Store, register *acts.Store, log *slog.Logger, now func() time.Time) ([]*jobs.Runner, error) {
	cache := filepath.Join(cfg.DataDir, "cache", "pdfium")
	plain, err := extract.NewChild(cache)
	if err != nil {
		return nil, err
	}
	plain.Options.OCR = false
	ocr, err := extract.NewChild(cache)
	if err != nil {
		return nil, err
	}
	runner := func() *jobs.Runner {
		r := jobs.NewRunner(d)
		r.Log = log
		r.Now = now
		return r
	}
	fast, slow := runner(), runner()
	docs.RegisterJobs(fast, plain)
	if extract.OCRAvailable() {
		docs.RegisterOCRJobs(slow, ocr)
	}
	register.RegisterJobs(slow, ocr) // the register of acts' PDFs
	return []*jobs.Runner{fast, slow}, nil
}

// reindexIfStale rebuilds the search index once when it was built by an
// older analyser (search.AnalyzerVersion: e.g. after an upgrade that made
// « déchetterie » and « déchèterie » one word), then records the version.
// Search keeps answering during the rebuild (it replaces objects one by one).
func reindexIfStale(ctx context.Context, d *db.DB, idx search.Index, docs *documents.Store, log *slog.Logger) {
	stale, err := search.AnalyzerStale(ctx, d)
	if err != nil || !stale {
		if err != nil {
			log.Error("search index version", "err", err)
		}
		return
	}
	log.Info("search index built by an older analyser: rebuilding it", "version", search.AnalyzerVersion)
	n, err := reindexAll(ctx, d, idx, docs)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("search index rebuild", "err", err)
		}
		return
	}
	log.Info("search index rebuilt", "objects", n)
}

// listen opens the listener: plain TCP, TLS with a certificate pair, or TLS
// with automatic ACME certificates (then port 80 must reach this process for
// the HTTP-01 challenge, which the autocert manager answers on :80).
func listen(cfg *config.Config, hs *http.Server) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("TLS certificate: %w", err)
		}
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		return tls.NewListener(ln, hs.TLSConfig), nil
	case len(cfg.ACMEDomains) > 0:
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(cfg.ACMEDomains...),
			Cache:      autocert.DirCache(filepath.Join(cfg.DataDir, "acme")),
			Email:      cfg.ACMEEmail,
		}
		go http.ListenAndServe(":80", m.HTTPHandler(nil)) //nolint:errcheck,gosec // challenge + redirect to https
		hs.TLSConfig = m.TLSConfig()
		hs.TLSConfig.MinVersion = tls.VersionTLS12
		return tls.NewListener(ln, hs.TLSConfig), nil
	}
	return ln, nil
}

// purgeBlobs removes, every hour, document files no row refers to (an
// upload whose database write failed) and stale temporary upload files.
func purgeBlobs(ctx context.Context, docs *documents.Store, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := docs.PurgeOrphans(ctx, time.Hour); err != nil && ctx.Err() == nil {
			log.Error("purge document files", "err", err)
		} else if n > 0 {
			log.Info("document files purged", "files", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// housekeeping runs periodic chores every hour: purge the audit trail past
// its retention, drop expired sessions, tokens and rate-limit counters, and
// delete for good what has stayed in the document trash past --trash-days.
func housekeeping(ctx context.Context, cfg *config.Config, d *db.DB, svc *services.Deps, log *slog.Logger, now func() time.Time) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		purgeTrash(ctx, svc.Documents, log)
		verifyActsDaily(ctx, cfg, d, svc.Acts, svc.Mail, log)
		t := now().UTC()
		if n, err := svc.Audit.Purge(ctx, t.Add(-cfg.AuditRetention)); err != nil {
			log.Error("audit purge", "err", err)
		} else if n > 0 {
			log.Info("audit purged", "entries", n)
		}
		if _, err := svc.Sessions.Purge(ctx); err != nil {
			log.Error("housekeeping", "err", err)
		}
		if _, err := svc.Accounts.PurgeExpired(ctx); err != nil {
			log.Error("housekeeping", "err", err)
		}
		contactHousekeeping(ctx, svc, log)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// purgeTrash deletes for good the documents and folders that have stayed in
// the trash past --trash-days; the store writes one audit entry each, the
// system being the actor.
func purgeTrash(ctx context.Context, docs *documents.Store, log *slog.Logger) {
	purged, err := docs.PurgeExpired(ctx, access.System())
	if err != nil && ctx.Err() == nil {
		log.Error("trash purge", "err", err)
	}
	if len(purged) > 0 {
		log.Info("trash purged", "items", len(purged))
	}
}

// contactHousekeeping purges the contact form's messages past
// --contact-retention and queues again the e-mails whose retries ran out.
func contactHousekeeping(ctx context.Context, svc *services.Deps, log *slog.Logger) {
	if n, err := svc.Contact.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
		log.Error("contact purge", "err", err)
	} else if n > 0 {
		log.Info("contact messages purged", "messages", n)
	}
	if _, err := svc.Contact.RequeueUnsent(ctx); err != nil && ctx.Err() == nil {
		log.Error("contact requeue", "err", err)
	}
}
