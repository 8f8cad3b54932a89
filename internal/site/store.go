package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	_ "image/gif" // registers GIF decoding
	_ "image/jpeg"
	"image/png"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/disintegration/imaging"
	"github.com/gabriel-vasile/mimetype"
	_ "golang.org/x/image/webp" // registers WebP decoding

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/valid"
)

// Logo limits: the file as uploaded, and the size it is kept at (a header
// shows it small; the pixel limit is read from the header before decoding).
const (
	MaxLogoBytes  = 2 << 20
	MaxLogoPixels = 25_000_000
	LogoWidth     = 480
)

// prefix is the settings table's namespace of this package.
const prefix = "site."

// Store reads and changes the site settings. Changes are for
// administrators only.
type Store struct {
	db *db.DB
	// Now is the clock (time.Now by default; services.New sets the one clock).
	Now func() time.Time
	// Defaults are shown where a setting is not set (the --site-name of the
	// command line for Name).
	Defaults map[string]string

	mu      sync.Mutex
	cached  *Settings
	version int64
}

// New returns the store on d.
func New(d *db.DB) *Store { return &Store{db: d, Now: time.Now} }

func requireAdmin(a access.Actor, what string) error {
	if !a.Admin {
		return fmt.Errorf("site: %s: %w", what, access.ErrForbidden)
	}
	return nil
}

// Current returns the settings (shared: do not change them). They are read
// once and kept while the content version does not move. The version is
// the DB's own (db.ContentVersion): it costs no query while no write went
// through this process, and moves at once after any write of it, through
// this store or not (the demo's seeding, the command line's settings set
// in the same process); another process's change shows within the DB's
// trust of one second.
func (s *Store) Current(ctx context.Context) (*Settings, error) {
	v, err := s.db.ContentVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("site: content version: %w", err)
	}
	return s.At(ctx, v)
}

// At returns the settings as of content version v or later (v is what the
// caller just read): the kept copy when it is that recent, else a fresh
// read.
func (s *Store) At(ctx context.Context, v int64) (*Settings, error) {
	s.mu.Lock()
	c, cv := s.cached, s.version
	s.mu.Unlock()
	if c != nil && cv >= v {
		return c, nil
	}
	c, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cached == nil || s.version <= v {
		s.cached, s.version = c, v
	}
	s.mu.Unlock()
	return c, nil
}

func (s *Store) load(ctx context.Context) (*Settings, error) {
	st := &Settings{Values: maps.Clone(s.Defaults)}
	if st.Values == nil {
		st.Values = map[string]string{}
	}
	rows, err := s.db.Query(ctx, "SELECT key, value FROM settings WHERE key LIKE 'site.%'")
	if err != nil {
		return nil, fmt.Errorf("site: read settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		if v != "" {
			st.Values[strings.TrimPrefix(k, prefix)] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	files, err := s.db.Query(ctx, "SELECT key, media_type, sha256, width, height, data, updated_at FROM site_files")
	if err != nil {
		return nil, fmt.Errorf("site: read files: %w", err)
	}
	defer files.Close()
	for files.Next() {
		var k string
		var l Logo
		if err := files.Scan(&k, &l.MediaType, &l.SHA256, &l.Width, &l.Height, &l.Data, &l.Updated); err != nil {
			return nil, fmt.Errorf("site: read files: %w", err)
		}
		switch {
		case k == "logo":
			st.Logo = &l
		case k == FileFavicon:
			st.Favicon = &l
		case strings.HasPrefix(k, heroPrefix) && slices.Contains(HeroKinds, strings.TrimPrefix(k, heroPrefix)):
			if st.Heroes == nil {
				st.Heroes = map[string]*Logo{}
			}
			st.Heroes[strings.TrimPrefix(k, heroPrefix)] = &l
		}
	}
	if err := files.Err(); err != nil {
		return nil, fmt.Errorf("site: read files: %w", err)
	}
	return st, nil
}

// forget drops the kept copy after a change of this process.
func (s *Store) forget() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// Set changes the given settings (key → value as typed; "" clears one),
// leaving the others as they are. Bad values are valid.Errors on their
// key; nothing is written then. Administrators only. Audit: site.settings
// with the changed keys.
func (s *Store) Set(ctx context.Context, a access.Actor, values map[string]string) error {
	if err := requireAdmin(a, "set"); err != nil {
		return err
	}
	clean, err := Validate(values)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var changed []string
		for _, k := range slices.Sorted(maps.Keys(clean)) {
			var old string
			err := tx.QueryRow(ctx, "SELECT value FROM settings WHERE key = ?", prefix+k).Scan(&old)
			if err = db.NotFound(err); err != nil && !errors.Is(err, db.ErrNotFound) {
				return fmt.Errorf("site: read %s: %w", k, err)
			}
			if old == clean[k] {
				continue
			}
			if err := put(ctx, tx, k, clean[k]); err != nil {
				return err
			}
			changed = append(changed, k)
		}
		if len(changed) == 0 {
			return nil
		}
		if err := put(ctx, tx, Updated, now.Format(time.DateOnly)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "site.settings", audit.Object("site", 1), "changed="+strings.Join(changed, ","))
	})
	s.forget()
	return err
}

func put(ctx context.Context, q db.Querier, key, value string) error {
	_, err := q.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, prefix+key, value)
	if err != nil {
		return fmt.Errorf("site: write %s: %w", key, err)
	}
	return nil
}

// SetLogo checks an uploaded picture, keeps it (shrunk to LogoWidth,
// re-encoded, which drops its metadata) with its alternative text alt.
// Refusals are valid.Errors on "logo" or "logo_alt". Administrators only.
// Audit: site.logo (the hash).
func (s *Store) SetLogo(ctx context.Context, a access.Actor, alt string, r io.Reader) error {
	if err := requireAdmin(a, "set logo"); err != nil {
		return err
	}
	alt = strings.TrimSpace(alt)
	if alt == "" {
		return valid.One(LogoAlt, "site.error.logo_alt")
	}
	if utf8.RuneCountInString(alt) > 200 || strings.ContainsAny(alt, "\n\r") {
		return valid.One(LogoAlt, "site.error.too_long")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxLogoBytes+1))
	if err != nil {
		return fmt.Errorf("site: read logo: %w", err)
	}
	l, key := prepareLogo(data)
	if key != "" {
		return valid.One("logo", key, MaxLogoBytes>>20)
	}
	now := s.Now().UTC()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO site_files (key, media_type, sha256, width, height, data, updated_at)
			VALUES ('logo', ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET media_type = excluded.media_type,
			sha256 = excluded.sha256, width = excluded.width, height = excluded.height, data = excluded.data,
			updated_at = excluded.updated_at`, l.MediaType, l.SHA256, l.Width, l.Height, l.Data, now); err != nil {
			return fmt.Errorf("site: write logo: %w", err)
		}
		if err := put(ctx, tx, LogoAlt, alt); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "site.logo", audit.Object("site", 1), "sha256="+l.SHA256[:16])
	})
	s.forget()
	return err
}

// RemoveLogo removes the logo. Administrators only. Audit: site.logo_removed.
func (s *Store) RemoveLogo(ctx context.Context, a access.Actor) error {
	if err := requireAdmin(a, "remove logo"); err != nil {
		return err
	}
	now := s.Now().UTC()
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM site_files WHERE key = 'logo'"); err != nil {
			return fmt.Errorf("site: remove logo: %w", err)
		}
		return audit.Record(ctx, tx, a, now, "site.logo_removed", audit.Object("site", 1), "")
	})
	s.forget()
	return err
}

func mimeOf(data []byte) string { return mimetype.Detect(data).String() }

var acceptedImages = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// prepareLogo checks a picture by its content (never its name), refuses a
// header announcing too many pixels before decoding anything, shrinks it to
// LogoWidth and re-encodes it as PNG. On refusal it returns the catalogue
// key of the reason.
func prepareLogo(data []byte) (*Logo, string) {
	src, key := decodePicture(data, MaxLogoBytes)
	if key != "" {
		return nil, key
	}
	img := src
	if src.Bounds().Dx() > LogoWidth {
		img = imaging.Resize(src, LogoWidth, 0, imaging.Lanczos)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, "site.error.logo_broken"
	}
	sum := sha256.Sum256(buf.Bytes())
	b := img.Bounds()
	return &Logo{MediaType: "image/png", SHA256: hex.EncodeToString(sum[:]), Width: b.Dx(), Height: b.Dy(), Data: buf.Bytes()}, ""
}
