package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"portique/internal/acts"
	"portique/internal/app/services"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/i18n"
	"portique/internal/mail"
	"portique/internal/site"
	"portique/internal/users"
)

// errIntegrity is the exit error of `portique actes verify` when a
// published file no longer matches its fingerprint.
var errIntegrity = errors.New("actes verify: published files do not match their fingerprint")

// actesCommand runs `portique actes verify`: it recomputes the fingerprint
// of every published file of the register, prints the result, writes it
// where the act pages and the secretariat's screen show it, mails the
// administrators when a file does not match, and exits non-zero then.
func actesCommand(ctx context.Context, e Env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New(say("cli.actes.usage"))
	}
	return withDB(ctx, e, "actes verify", args[1:], func(cfg *config.Config, d *db.DB) error {
		blobs, err := acts.NewBlobs(cfg.DataDir)
		if err != nil {
			return err
		}
		store := acts.New(d, blobs, nil)
		store.Now, store.Location = e.Now, cfg.Location()
		cat := catalogue()
		rep, err := store.Verify(ctx)
		if err != nil {
			return err
		}
		printReport(e.Stdout, cat, rep)
		if len(rep.Failures) == 0 {
			return nil
		}
		m, err := mail.New(mail.Config{SMTPURL: cfg.SMTPURL, From: cfg.MailFrom, Log: slog.New(slog.NewTextHandler(e.Stderr, nil)), Now: e.Now,
			OutboxDir: filepath.Join(cfg.DataDir, "outbox")})
		if err != nil {
			return err
		}
		if err := alertAdmins(ctx, d, m, cat, cfg, rep); err != nil {
			return err
		}
		return errIntegrity
	})
}

func printReport(w io.Writer, cat *i18n.Catalog, rep acts.Report) {
	if len(rep.Failures) == 0 {
		fmt.Fprintln(w, cat.T("acts.verify.ok", rep.Files))
		return
	}
	fmt.Fprintln(w, cat.T("acts.verify.failures", rep.Files, len(rep.Failures)))
	for _, f := range rep.Failures {
		fmt.Fprintln(w, failureLine(cat, f))
	}
}

func failureLine(cat *i18n.Catalog, f acts.Failure) string {
	which := cat.T("acts.verify.main")
	if f.FileNo != 0 {
		which = cat.T("acts.verify.annex", f.FileNo)
	}
	return cat.T("acts.verify.failure", f.Number, f.ActID, which, f.Want, f.Found)
}

// alertAdmins mails every live administrator the list of the files that
// failed the integrity check.
func alertAdmins(ctx context.Context, d *db.DB, m *mail.Mailer, cat *i18n.Catalog, cfg *config.Config, rep acts.Report) error {
	list, err := (&users.Accounts{DB: d}).List(ctx, users.ListFilter{})
	if err != nil {
		return err
	}
	name := cat.T("site.default_name")
	if set, err := services.Site(cfg, d, nil, cat).Current(ctx); err == nil {
		name = set.Get(site.Name)
	}
	var lines strings.Builder
	for _, f := range rep.Failures {
		lines.WriteString(failureLine(cat, f) + "\n    " + cfg.BaseURL + acts.URL(f.ActID) + "\n")
	}
	var errs []error
	for _, u := range list {
		if !u.Admin || u.Disabled {
			continue
		}
		msg := mail.Message{To: u.Email, Subject: cat.T("acts.mail.subject", name),
			Text: cat.T("acts.mail.body", len(rep.Failures), lines.String(), cfg.BaseURL+"/actes/gestion", name)}
		if err := m.Send(ctx, msg); err != nil {
			errs = append(errs, fmt.Errorf("alert %s: %w", u.Email, err))
		}
	}
	return errors.Join(errs...)
}

// verifyActsDaily runs the register's integrity check once a day (the
// hourly housekeeping calls it; one instance claims each day's run) and
// alerts the administrators when a file does not match.
func verifyActsDaily(ctx context.Context, cfg *config.Config, d *db.DB, store *acts.Store, m *mail.Mailer, log *slog.Logger) {
	ok, err := store.ClaimDailyVerify(ctx)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			log.Error("acts: claim integrity check", "err", err)
		}
		return
	}
	rep, err := store.Verify(ctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("acts: integrity check", "err", err)
		}
		return
	}
	if len(rep.Failures) == 0 {
		log.Info("acts: integrity check", "files", rep.Files)
		return
	}
	log.Error("acts: integrity check found altered files", "files", rep.Files, "failures", len(rep.Failures))
	if err := alertAdmins(ctx, d, m, catalogue(), cfg, rep); err != nil {
		log.Error("acts: integrity alert", "err", err)
	}
}
