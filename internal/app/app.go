// Package app is the program: it reads the settings, opens the database and
// runs a subcommand (serve, migrate, user, version…). main only calls Run, so
// tests can start the real program.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/extract"
	"portique/internal/i18n"
)

// Version is set at build time with -ldflags "-X portique/internal/app.Version=…".
var Version = "dev"

// Env is what a command runs with; tests pass their own.
type Env struct {
	Args   []string // without the program name
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
	// Ready, when set, receives the listening address once serve accepts
	// connections (tests and the benchmark use it).
	Ready func(addr string)
}

// The command line speaks French, like the rest of the program: its texts
// are in internal/i18n/fr/cli.json (the names of commands and flags stay
// as they are: scripts use them).
var catalogue = sync.OnceValue(func() *i18n.Catalog { return i18n.MustLoad("fr") })

// say returns the text of key, formatted with args.
func say(key string, args ...any) string { return catalogue().T(key, args...) }

// failure is an error whose message is the text of key.
func failure(key string, args ...any) error { return errors.New(say(key, args...)) }

// wrap prefixes err with the text of key, keeping err inspectable.
func wrap(err error, key string, args ...any) error {
	return fmt.Errorf("%s : %w", say(key, args...), err)
}

// command is one subcommand.
type command struct {
	summary string // catalogue key
	run     func(ctx context.Context, e Env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":    {"cli.cmd.serve", serve},
		"migrate":  {"cli.cmd.migrate", migrate},
		"version":  {"cli.cmd.version", version},
		"reindex":  {"cli.cmd.reindex", reindex},
		"actes":    {"cli.cmd.actes", actesCommand},
		"user":     {"cli.cmd.user", userCommand},
		"backup":   {"cli.cmd.backup", backupCommand},
		"restore":  {"cli.cmd.restore", restoreCommand},
		"init":     {"cli.cmd.init", initCommand},
		"group":    {"cli.cmd.group", groupCommand},
		"settings": {"cli.cmd.settings", settingsCommand},
		// Started by the server itself, once per file, with time and memory limits.
		extract.Subcommand: {"cli.cmd.extract_worker", extractWorker},
	}
}

// extractWorker is the child process of text extraction (see package
// extract): it writes its result on the process's standard output.
func extractWorker(ctx context.Context, e Env, args []string) error {
	if code := extract.RunChild(args); code != 0 {
		return failure("cli.error.extract_exit", code)
	}
	return nil
}

// Run runs the subcommand named by the first argument ("serve" when none).
func Run(ctx context.Context, e Env) error {
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if e.Stdout == nil {
		e.Stdout = os.Stdout
	}
	if e.Stderr == nil {
		e.Stderr = os.Stderr
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	name, args := "serve", e.Args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(e.Stdout)
		return nil
	}
	cmd, ok := commands()[name]
	if !ok {
		usage(e.Stderr)
		return failure("cli.error.unknown_command", name)
	}
	if err := cmd.run(ctx, e, args); !errors.Is(err, errHelp) {
		return err
	}
	return nil // COMMAND -h: the help was printed
}

// errHelp ends a command whose help was asked for (-h, --help): Run
// returns nil, the program exits 0.
var errHelp = errors.New("help")

// commandUsage prints a command's flags with their French descriptions.
func commandUsage(w io.Writer, name string, fs *flag.FlagSet) {
	fmt.Fprintln(w, say("cli.usage.command", name))
	fs.VisitAll(func(f *flag.Flag) { fmt.Fprintf(w, "  --%-20s %s\n", f.Name, f.Usage) })
}

var (
	flagUndefined = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	flagValue     = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]*): (.*)$`)
	flagArgument  = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
)

// flagError says in French what the flag package refused (its messages
// are English); a setting's own reason (already French) is kept.
func flagError(err error) string {
	msg := err.Error()
	if m := flagUndefined.FindStringSubmatch(msg); m != nil {
		return say("cli.error.unknown_flag", m[1])
	}
	if m := flagValue.FindStringSubmatch(msg); m != nil {
		return say("cli.error.flag_value", m[1], m[2]) + " : " + m[3]
	}
	if m := flagArgument.FindStringSubmatch(msg); m != nil {
		return say("cli.error.flag_argument", m[1])
	}
	return msg
}

func usage(w io.Writer) {
	fmt.Fprintln(w, say("cli.usage"))
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, say(cmds[n].summary))
	}
	fmt.Fprintln(w, say("cli.usage.settings"))
	for _, s := range config.Settings() {
		fmt.Fprintf(w, "  --%-18s %-28s %s\n", s[0], s[1], s[2])
	}
}

// settings parses the shared settings plus a command's own flags.
func settings(e Env, name string, args []string, own func(fs *flag.FlagSet)) (*config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("portique "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the flag package's messages are English: ours are printed instead
	fs.Usage = func() {}
	build := config.Flags(fs, e.Getenv)
	if own != nil {
		own(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandUsage(e.Stdout, name, fs)
			return nil, nil, errHelp
		}
		return nil, nil, failure("cli.error.help_hint", flagError(err), name)
	}
	cfg, err := build()
	if err != nil {
		return nil, nil, wrap(err, "cli.error.settings")
	}
	return cfg, fs, nil
}

// newLogger builds the one logger of the program, writing through lw
// (warnings at once: flushOnWarn).
func newLogger(cfg *config.Config, lw *logWriter) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler = slog.NewTextHandler(lw, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(lw, opts)
	}
	return slog.New(flushOnWarn{h, lw})
}

// openDB opens and migrates the configured database.
func openDB(ctx context.Context, cfg *config.Config) (*db.DB, error) {
	// The data directory holds the database, the documents and the secret
	// key: its owner only may enter it (0700), also when an earlier version
	// created it wider.
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, wrap(err, "cli.error.data_dir")
	}
	if err := os.Chmod(cfg.DataDir, 0o700); err != nil {
		return nil, wrap(err, "cli.error.data_dir")
	}
	d, err := db.Open(ctx, cfg.DBURL, cfg.SQLitePath())
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// secretKey returns the configured key, or the one kept in the data
// directory (created on first start, readable by the owner only).
func secretKey(cfg *config.Config) (string, error) {
	if cfg.SecretKey != "" {
		return cfg.SecretKey, nil
	}
	p := filepath.Join(cfg.DataDir, "secret.key")
	if b, err := os.ReadFile(p); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		return "", err
	}
	key := hex.EncodeToString(k[:])
	if err := os.WriteFile(p, []byte(key+"\n"), 0o600); err != nil {
		return "", wrap(err, "cli.error.write", p)
	}
	return key, nil
}

// withDB parses a command's settings, opens and migrates the database, and
// runs fn with them; the database is closed afterwards.
func withDB(ctx context.Context, e Env, name string, args []string, fn func(*config.Config, *db.DB) error) error {
	cfg, _, err := settings(e, name, args, nil)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	return fn(cfg, d)
}

func migrate(ctx context.Context, e Env, args []string) error {
	return withDB(ctx, e, "migrate", args, func(_ *config.Config, d *db.DB) error {
		fmt.Fprintln(e.Stdout, say("cli.migrate.done", d.Dialect()))
		return nil
	})
}

func version(ctx context.Context, e Env, args []string) error {
	fmt.Fprintf(e.Stdout, "portique %s\n", Version)
	return nil
}
