// Package config holds Portique's settings: one typed Config filled from
// defaults, then PORTIQUE_* environment variables (and PORTIQUE_*_FILE for
// secrets), then command-line flags. Every subcommand reads the same settings.
package config

import (
	"sync"

	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"portique/internal/i18n"
)

// Config is every setting of the program.
type Config struct {
	Addr    string // listen address
	DataDir string // SQLite file, document bytes, outbox, secret key
	DBURL   string // PostgreSQL URL; empty means SQLite in DataDir
	BaseURL string // public URL used in emails and absolute links
	Demo    bool   // create the demo site on an empty database
	Dev     bool   // read templates and static files from disk

	SiteName   string // name of the public body, shown in the header and emails
	AdminEmail string // first administrator, created at the first start of an empty database
	TimeZone   string // zone dates are shown in

	SMTPURL  string // smtp://user:pass@host:587 or smtps://…; empty writes emails to DataDir/outbox
	MailFrom string

	TLSCert        string   // certificate file (with TLSKey)
	TLSKey         string   // key file
	ACMEDomains    []string // automatic certificates for these domains
	ACMEEmail      string
	TrustedProxies []*net.IPNet // X-Forwarded-For is believed only from these
	SecretKey      string       // HMAC key for captcha challenges; generated into DataDir when empty

	SessionIdle time.Duration // idle timeout of a session
	SessionMax  time.Duration // absolute lifetime of a session

	LockoutThreshold int           // consecutive failures that lock an account
	LockoutDuration  time.Duration // how long the lock lasts
	HashConcurrency  int           // password hashes computed at once

	AuditRetention time.Duration // audit entries older than this are purged
	ArchiveMonths  int           // documents published more than this many calendar months ago are archived
	TrashDays      int           // documents and folders in the trash longer than this many days are deleted for good
	UploadMax      int64         // largest accepted upload, in bytes

	ContactRetention time.Duration // contact form messages older than this are purged

	MapTiles       string        // tile URL template of the recycling centres' map ({z}/{x}/{y}); empty: no map
	MapAttribution string        // credit line the tile server requires (shown on the map)
	BackupDir      string        // folder of scheduled backups; empty: none
	BackupEvery    time.Duration // time between two scheduled backups
	BackupKeep     int           // scheduled backups kept

	DigestHour int // local hour (0-23) the daily notification digest goes out

	LogFormat string // text or json
	LogLevel  string // debug, info, warn, error
}

// setting describes one setting: its flag, its variable and how to set it.
type setting struct {
	flag, env, usage string
	secret           bool
	set              func(c *Config, v string) error
	def              string
}

func str(p func(c *Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func dur(p func(c *Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := parseDuration(v)
		if err != nil {
			return err
		}
		*p(c) = d
		return nil
	}
}

func integer(p func(c *Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return problem("cli.config.whole_number", v)
		}
		*p(c) = n
		return nil
	}
}

func boolean(p func(c *Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return problem("cli.config.boolean", v)
		}
		*p(c) = b
		return nil
	}
}

// parseDuration accepts Go durations plus whole days ("90d").
func parseDuration(v string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, problem("cli.config.duration", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, problem("cli.config.duration", v)
	}
	return d, nil
}

// settings is the one table of settings; docs/operations/running.md documents the same table.
var settings = []setting{
	{"addr", "PORTIQUE_ADDR", "listen address", false, str(func(c *Config) *string { return &c.Addr }), "127.0.0.1:8080"},
	{"data", "PORTIQUE_DATA", "data directory (SQLite file, documents, outbox)", false, str(func(c *Config) *string { return &c.DataDir }), "./data"},
	{"db", "PORTIQUE_DB", "PostgreSQL URL; empty means SQLite in the data directory", true, str(func(c *Config) *string { return &c.DBURL }), ""},
	{"base-url", "PORTIQUE_BASE_URL", "public URL used in emails and links (default https://ADDR with TLS, else http://ADDR)", false, str(func(c *Config) *string { return &c.BaseURL }), ""},
	{"demo", "PORTIQUE_DEMO", "create the demo site when the database is empty", false, boolean(func(c *Config) *bool { return &c.Demo }), "false"},
	{"dev", "PORTIQUE_DEV", "read templates and static files from disk", false, boolean(func(c *Config) *bool { return &c.Dev }), "false"},
	{"site-name", "PORTIQUE_SITE_NAME", "name of the public body until one is set at /admin/parametres", false, str(func(c *Config) *string { return &c.SiteName }), ""},
	{"admin-email", "PORTIQUE_ADMIN_EMAIL", "first administrator, created (with an invitation link printed) when serve starts on an empty database without --demo", false, str(func(c *Config) *string { return &c.AdminEmail }), ""},
	{"timezone", "PORTIQUE_TIMEZONE", "time zone dates are shown in", false, str(func(c *Config) *string { return &c.TimeZone }), "Europe/Paris"},
	{"smtp-url", "PORTIQUE_SMTP_URL", "SMTP server (smtp://user:pass@host:587 STARTTLS, smtps://… TLS); empty writes emails to DATA/outbox", true, str(func(c *Config) *string { return &c.SMTPURL }), ""},
	{"mail-from", "PORTIQUE_MAIL_FROM", "sender address of emails", false, str(func(c *Config) *string { return &c.MailFrom }), "Portique <no-reply@localhost>"},
	{"tls-cert", "PORTIQUE_TLS_CERT", "TLS certificate file (with --tls-key)", false, str(func(c *Config) *string { return &c.TLSCert }), ""},
	{"tls-key", "PORTIQUE_TLS_KEY", "TLS private key file", false, str(func(c *Config) *string { return &c.TLSKey }), ""},
	{"acme-domains", "PORTIQUE_ACME_DOMAINS", "comma-separated domains for automatic certificates (ACME)", false, func(c *Config, v string) error {
		c.ACMEDomains = splitList(v)
		return nil
	}, ""},
	{"acme-email", "PORTIQUE_ACME_EMAIL", "contact email for the ACME account", false, str(func(c *Config) *string { return &c.ACMEEmail }), ""},
	{"trusted-proxies", "PORTIQUE_TRUSTED_PROXIES", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed", false, func(c *Config, v string) error {
		c.TrustedProxies = nil
		for _, s := range splitList(v) {
			if !strings.Contains(s, "/") {
				if strings.Contains(s, ":") {
					s += "/128"
				} else {
					s += "/32"
				}
			}
			_, n, err := net.ParseCIDR(s)
			if err != nil {
				return problem("cli.config.cidr", s)
			}
			c.TrustedProxies = append(c.TrustedProxies, n)
		}
		return nil
	}, ""},
	{"secret-key", "PORTIQUE_SECRET_KEY", "HMAC key for captcha challenges (generated into DATA/secret.key when empty)", true, str(func(c *Config) *string { return &c.SecretKey }), ""},
	{"session-idle", "PORTIQUE_SESSION_IDLE", "idle timeout of a session", false, dur(func(c *Config) *time.Duration { return &c.SessionIdle }), "2h"},
	{"session-max", "PORTIQUE_SESSION_MAX", "absolute lifetime of a session", false, dur(func(c *Config) *time.Duration { return &c.SessionMax }), "12h"},
	{"lockout-threshold", "PORTIQUE_LOCKOUT_THRESHOLD", "consecutive login failures that lock an account", false, integer(func(c *Config) *int { return &c.LockoutThreshold }), "10"},
	{"lockout-duration", "PORTIQUE_LOCKOUT_DURATION", "how long a locked account stays locked", false, dur(func(c *Config) *time.Duration { return &c.LockoutDuration }), "24h"},
	{"hash-concurrency", "PORTIQUE_HASH_CONCURRENCY", "password hashes computed at once (memory cap)", false, integer(func(c *Config) *int { return &c.HashConcurrency }), "4"},
	{"audit-retention", "PORTIQUE_AUDIT_RETENTION", "how long audit entries are kept", false, dur(func(c *Config) *time.Duration { return &c.AuditRetention }), "365d"},
	{"contact-retention", "PORTIQUE_CONTACT_RETENTION", "how long the contact form's messages are kept", false, dur(func(c *Config) *time.Duration { return &c.ContactRetention }), "365d"},
	{"archive-months", "PORTIQUE_ARCHIVE_MONTHS", "documents published more than this many calendar months ago go to the archive", false, integer(func(c *Config) *int { return &c.ArchiveMonths }), "3"},
	{"trash-days", "PORTIQUE_TRASH_DAYS", "documents and folders in the trash longer than this many days are deleted for good", false, integer(func(c *Config) *int { return &c.TrashDays }), "30"},
	{"upload-max", "PORTIQUE_UPLOAD_MAX", "largest accepted upload in bytes", false, func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return problem("cli.config.bytes", v)
		}
		c.UploadMax = n
		return nil
	}, "104857600"},
	{"map-tiles", "PORTIQUE_MAP_TILES", "tile URL template of the recycling centres' map, e.g. https://tiles.example.org/{z}/{x}/{y}.png; empty: no map", false, str(func(c *Config) *string { return &c.MapTiles }), ""},
	{"map-attribution", "PORTIQUE_MAP_ATTRIBUTION", "credit line shown on the map, as the tile server requires", false, str(func(c *Config) *string { return &c.MapAttribution }), ""},
	{"backup-dir", "PORTIQUE_BACKUP_DIR", "folder of scheduled backups (empty: no scheduled backup)", false, str(func(c *Config) *string { return &c.BackupDir }), ""},
	{"backup-every", "PORTIQUE_BACKUP_EVERY", "time between two scheduled backups", false, dur(func(c *Config) *time.Duration { return &c.BackupEvery }), "24h"},
	{"backup-keep", "PORTIQUE_BACKUP_KEEP", "scheduled backups kept (older ones are removed)", false, integer(func(c *Config) *int { return &c.BackupKeep }), "14"},
	{"digest-hour", "PORTIQUE_DIGEST_HOUR", "local hour (0-23) the daily notification digest goes out", false, func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 23 {
			return fmt.Errorf("not an hour from 0 to 23: %q", v)
		}
		c.DigestHour = n
		return nil
	}, "7"},
	{"log-format", "PORTIQUE_LOG_FORMAT", "text or json", false, str(func(c *Config) *string { return &c.LogFormat }), "text"},
	{"log-level", "PORTIQUE_LOG_LEVEL", "debug, info, warn or error", false, str(func(c *Config) *string { return &c.LogLevel }), "info"},
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Defaults returns a Config with every default applied.
func Defaults() *Config {
	c := &Config{}
	for _, s := range settings {
		if err := s.set(c, s.def); err != nil {
			panic(fmt.Sprintf("config: bad default for %s: %v", s.flag, err))
		}
	}
	return c
}

// Flags registers every setting on fs and returns a function that, after
// fs.Parse, builds the Config: defaults, then environment (getenv), then the
// flags given on the command line.
func Flags(fs *flag.FlagSet, getenv func(string) string) func() (*Config, error) {
	given := map[string]*string{}
	for _, s := range settings {
		v := new(string)
		given[s.flag] = v
		file, def := "", ""
		if s.secret {
			file = text("cli.setting.help_file", s.env)
		}
		if s.def != "" {
			def = text("cli.setting.help_default", s.def)
		}
		help := text("cli.setting.help", s.describe(), s.env, file, def)
		set := func(x string) error { *v = x; return nil }
		if s.def == "true" || s.def == "false" {
			fs.BoolFunc(s.flag, help, set) // --demo alone means true
		} else {
			fs.Func(s.flag, help, set)
		}
	}
	return func() (*Config, error) {
		c := Defaults()
		var errs []error
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for _, s := range settings {
			val, from := "", ""
			if set[s.flag] {
				val, from = *given[s.flag], "--"+s.flag
			} else if e := getenv(s.env); e != "" {
				val, from = e, s.env
			} else if s.secret && getenv(s.env+"_FILE") != "" {
				b, err := os.ReadFile(getenv(s.env + "_FILE"))
				if err != nil {
					errs = append(errs, fmt.Errorf("%s_FILE: %w", s.env, err))
					continue
				}
				val, from = strings.TrimSpace(string(b)), s.env+"_FILE"
			} else {
				continue
			}
			if err := s.set(c, val); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", from, err))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		return c, c.Validate()
	}
}

// Validate checks cross-field rules and fills derived values.
func (c *Config) Validate() error {
	var errs []error
	if c.BaseURL == "" {
		c.BaseURL = c.defaultBaseURL()
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, problem("cli.config.base_url", c.BaseURL))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, problem("cli.config.tls_pair"))
	}
	if c.TLSCert != "" && len(c.ACMEDomains) > 0 {
		errs = append(errs, problem("cli.config.tls_or_acme"))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, problem("cli.config.timezone", c.TimeZone))
	}
	if c.ArchiveMonths < 1 {
		errs = append(errs, problem("cli.config.archive_months"))
	}
	if c.ContactRetention < 24*time.Hour {
		errs = append(errs, errors.New("contact-retention must be at least 1d"))
	}
	if c.TrashDays < 1 {
		errs = append(errs, problem("cli.config.trash_days"))
	}
	if c.LockoutThreshold < 1 {
		errs = append(errs, problem("cli.config.lockout_threshold"))
	}
	if c.HashConcurrency < 1 {
		errs = append(errs, problem("cli.config.hash_concurrency"))
	}
	if c.SessionIdle <= 0 || c.SessionMax < c.SessionIdle {
		errs = append(errs, problem("cli.config.session"))
	}
	if c.BackupEvery < time.Second {
		errs = append(errs, problem("cli.config.backup_every"))
	}
	if c.BackupKeep < 1 {
		errs = append(errs, problem("cli.config.backup_keep"))
	}
	if c.BackupDir != "" {
		if abs, err := filepath.Abs(c.BackupDir); err == nil {
			c.BackupDir = abs
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, problem("cli.config.log_format", c.LogFormat))
	}
	if c.MapTiles != "" && c.MapTileOrigin() == "" {
		errs = append(errs, problem("cli.config.map_tiles", c.MapTiles))
	}
	if c.DataDir == "" {
		errs = append(errs, problem("cli.config.data_dir"))
	} else if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	return errors.Join(errs...)
}

// defaultBaseURL is the public URL when --base-url is not set: https when
// the server terminates TLS itself (its first ACME domain, or the listen
// address), so that links in e-mails and logs never point to plain http
// on a TLS site.
func (c *Config) defaultBaseURL() string {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		host, port = c.Addr, ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	scheme, std := "http", "80"
	if c.TLS() {
		scheme, std = "https", "443"
	}
	if len(c.ACMEDomains) > 0 {
		host = c.ACMEDomains[0]
	}
	if port != "" && port != std {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host
}

// TLS reports whether the server terminates TLS itself.
func (c *Config) TLS() bool { return c.TLSCert != "" || len(c.ACMEDomains) > 0 }

// SecureCookies reports whether cookies must be Secure (and __Host- named):
// when serving TLS, or when the public URL is https (TLS at a proxy).
func (c *Config) SecureCookies() bool {
	return c.TLS() || strings.HasPrefix(c.BaseURL, "https://")
}

// Location returns the display time zone (UTC when the name is unknown).
// Zones are loaded once per name: loading reads the zone database, which
// cost a page of the agenda more than its SQL.
func (c *Config) Location() *time.Location {
	if v, ok := zones.Load(c.TimeZone); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	zones.Store(c.TimeZone, loc)
	return loc
}

// zones are the loaded time zones by name.
var zones sync.Map

// MapTileOrigin is the origin of the map's tile server for the
// Content-Security-Policy (a {s} subdomain becomes *), or "" when no valid
// tile URL is set.
func (c *Config) MapTileOrigin() string {
	t := c.MapTiles
	if t == "" || !strings.Contains(t, "{z}") || !strings.Contains(t, "{x}") || !strings.Contains(t, "{y}") {
		return ""
	}
	u, err := url.Parse(strings.NewReplacer("{s}", "s", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(t))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(u.Host, " ;'\"") {
		return ""
	}
	host := u.Host
	if strings.Contains(t, "{s}.") {
		host = "*." + strings.SplitN(host, ".", 2)[1]
	}
	return u.Scheme + "://" + host
}

// SQLitePath is the database file used when no PostgreSQL URL is set.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "portique.db") }

// The command line speaks French: the descriptions of the settings and the
// reasons a value is refused are texts of the catalogue (cli.json; the
// names of flags and variables stay as they are, scripts use them).
var catalogue = sync.OnceValue(func() *i18n.Catalog { return i18n.MustLoad("fr") })

func text(key string, args ...any) string { return catalogue().T(key, args...) }

// problem is a refusal whose message is the text of key.
func problem(key string, args ...any) error { return errors.New(text(key, args...)) }

// describe is the French description of a setting (cli.setting.FLAG); a
// setting added without one shows its English usage.
func (s setting) describe() string {
	if k := "cli.setting." + s.flag; catalogue().Has(k) {
		return text(k)
	}
	return s.usage
}

// Settings lists flag, variable, default and description of every setting,
// for the documentation check and `portique help`.
func Settings() [][4]string {
	out := make([][4]string, 0, len(settings))
	for _, s := range settings {
		out = append(out, [4]string{s.flag, s.env, s.def, s.describe()})
	}
	return out
}
