package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"portique/internal/backup"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/search"
)

// backupCommand writes an archive of the site, or checks one:
//
//	portique backup --to FILE [settings]
//	portique backup verify FILE
//
// The site may keep serving meanwhile (see package backup).
func backupCommand(ctx context.Context, e Env, args []string) error {
	if len(args) > 0 && args[0] == "verify" {
		return backupVerify(e, args[1:])
	}
	var to string
	cfg, fs, err := settings(e, "backup", args, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", say("cli.backup.flag.to"))
	})
	if err != nil {
		return err
	}
	if to == "" || fs.NArg() > 0 {
		return failure("cli.backup.usage")
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	m, err := backup.WriteFile(ctx, to, backupSource(cfg, d, e.Now))
	if err != nil {
		return explain(err)
	}
	fmt.Fprintln(e.Stdout, say("cli.backup.done", to, len(m.Tables), m.Rows(), m.DataFiles(),
		float64(m.Bytes())/(1<<20), time.Since(start).Seconds()))
	return nil
}

// backupSource is what a backup of the configured site reads: the
// database, the data directory without the SQLite files and without the
// scheduled backups' folder when it lies inside.
func backupSource(cfg *config.Config, d *db.DB, now func() time.Time) backup.Source {
	p := cfg.SQLitePath()
	skip := []string{p, p + "-wal", p + "-shm", p + "-journal"}
	if cfg.BackupDir != "" {
		if abs, err := filepath.Abs(cfg.BackupDir); err == nil {
			skip = append(skip, abs)
		}
	}
	return backup.Source{DB: d, DataDir: cfg.DataDir, Skip: skip, Version: Version, Now: now}
}

func backupVerify(e Env, args []string) error {
	if len(args) != 1 {
		return failure("cli.backup.verify_usage")
	}
	m, err := backup.VerifyFile(args[0])
	if err != nil {
		return explain(err)
	}
	fmt.Fprintln(e.Stdout, say("cli.backup.verified", args[0], m.Version, m.Engine,
		m.CreatedAt.In(time.Local).Format("2006-01-02 15:04:05"), len(m.Tables), m.Rows(), m.DataFiles()))
	return nil
}

// restoreCommand restores an archive into an empty site:
//
//	portique restore --from FILE [--force] [settings]
//
// The settings say where (--data, --db): restoring an archive taken on
// SQLite with --db postgres://… moves the site to PostgreSQL.
func restoreCommand(ctx context.Context, e Env, args []string) error {
	var from string
	var force bool
	cfg, fs, err := settings(e, "restore", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", say("cli.restore.flag.from"))
		fs.BoolVar(&force, "force", false, say("cli.restore.flag.force"))
	})
	if err != nil {
		return err
	}
	if from == "" || fs.NArg() > 0 {
		return failure("cli.restore.usage")
	}
	start := time.Now()
	m, err := backup.Restore(ctx, from, restoreTarget(cfg, force, e.Now))
	if err != nil {
		return explain(err)
	}
	engine := "sqlite"
	if cfg.DBURL != "" {
		engine = "postgres"
	}
	fmt.Fprintln(e.Stdout, say("cli.restore.done", from, m.Engine, engine, len(m.Tables), m.Rows(), m.DataFiles(),
		time.Since(start).Seconds()))
	return nil
}

// restoreTarget is where a restore of the configured site writes; the
// search index is rebuilt as `portique reindex` does.
func restoreTarget(cfg *config.Config, force bool, now func() time.Time) backup.Target {
	return backup.Target{
		DBURL: cfg.DBURL, SQLitePath: cfg.SQLitePath(), DataDir: cfg.DataDir, Force: force,
		Reindex: func(ctx context.Context, d *db.DB) error {
			idx := search.New(d)
			docs, err := documents.FromConfig(cfg, d, idx)
			if err != nil {
				return err
			}
			docs.Now = now
			_, err = reindexAll(ctx, d, idx, docs)
			return err
		},
	}
}

// explain gives a refusal of package backup its French text.
func explain(err error) error {
	var be *backup.Error
	if !errors.As(err, &be) {
		return err
	}
	msg := say(be.Key, be.Args...)
	if be.Err != nil && !errors.Is(be.Err, backup.ErrCorrupt) && !errors.Is(be.Err, backup.ErrNotEmpty) && !errors.Is(be.Err, backup.ErrNewerSchema) {
		return fmt.Errorf("%s : %w", msg, be.Err)
	}
	return fmt.Errorf("%s%w", msg, quiet{be})
}

// quiet keeps an error inspectable (errors.Is) without adding its text.
type quiet struct{ err error }

func (quiet) Error() string   { return "" }
func (q quiet) Unwrap() error { return q.err }
