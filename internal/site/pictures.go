package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/disintegration/imaging"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/valid"
)

// The identity's other pictures, kept in site_files beside the logo: the
// favicon (the icon of the browser's tab and bookmarks) and a banner
// picture per page kind.
const (
	FileFavicon = "favicon"
	heroPrefix  = "hero_"
	// FaviconSize is the side of the square the favicon is kept in (the
	// largest size browsers and phones' home screens ask for).
	FaviconSize = 192
	// HeroWidth is the width a banner picture is kept at.
	HeroWidth = 1600
	// MaxHeroBytes is the largest banner file accepted.
	MaxHeroBytes = 8 << 20
	MaxHeroAlt   = 250
)

// HeroKinds are the page kinds that may have a banner picture: the home
// page, the content pages, the news, the agenda and the document space.
var HeroKinds = []string{"home", "page", "news", "agenda", "documents"}

// HeroAltKey is the setting that holds the alternative text of a kind's
// banner ("" with a picture: decorative, the administrator's choice).
func HeroAltKey(kind string) string { return heroPrefix + kind + "_alt" }

// SetFavicon checks an uploaded picture and keeps it as the favicon:
// square (a picture that is not is refused, rather than distorted or cut),
// at most FaviconSize pixels a side, as PNG. Refusals are valid.Errors on
// "favicon". Administrators only. Audit: site.favicon.
func (s *Store) SetFavicon(ctx context.Context, a access.Actor, r io.Reader) error {
	if err := requireAdmin(a, "set favicon"); err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxLogoBytes+1))
	if err != nil {
		return fmt.Errorf("site: read favicon: %w", err)
	}
	src, key := decodePicture(data, MaxLogoBytes)
	if key != "" {
		return valid.One(FileFavicon, key, MaxLogoBytes>>20)
	}
	b := src.Bounds()
	if d := b.Dx() - b.Dy(); d*20 > b.Dx() || -d*20 > b.Dx() { // 5 % off square at most
		return valid.One(FileFavicon, "site.error.favicon_square", b.Dx(), b.Dy())
	}
	if b.Dx() < 32 {
		return valid.One(FileFavicon, "site.error.favicon_small", b.Dx())
	}
	img := imaging.Fill(src, min(FaviconSize, b.Dx()), min(FaviconSize, b.Dx()), imaging.Center, imaging.Lanczos)
	f, err := encodePicture(img, "image/png")
	if err != nil {
		return err
	}
	return s.putFile(ctx, a, FileFavicon, f, nil, "site.favicon")
}

// SetHero keeps a banner picture for a page kind of HeroKinds, shrunk to
// HeroWidth and re-encoded as JPEG (which drops its metadata), with its
// alternative text alt, or none when decorative. Refusals are valid.Errors
// on "hero_<kind>" or "hero_<kind>_alt". Administrators only. Audit:
// site.hero.
func (s *Store) SetHero(ctx context.Context, a access.Actor, kind, alt string, decorative bool, r io.Reader) error {
	if err := requireAdmin(a, "set hero"); err != nil {
		return err
	}
	if !slices.Contains(HeroKinds, kind) {
		return valid.One("kind", "site.error.unknown")
	}
	field, altKey := heroPrefix+kind, HeroAltKey(kind)
	alt = strings.TrimSpace(alt)
	switch {
	case decorative:
		alt = ""
	case alt == "":
		return valid.One(altKey, "site.error.hero_alt")
	case utf8.RuneCountInString(alt) > MaxHeroAlt || strings.ContainsAny(alt, "\n\r"):
		return valid.One(altKey, "site.error.too_long")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxHeroBytes+1))
	if err != nil {
		return fmt.Errorf("site: read hero: %w", err)
	}
	src, key := decodePicture(data, MaxHeroBytes)
	if key != "" {
		return valid.One(field, strings.Replace(key, "logo_", "picture_", 1), MaxHeroBytes>>20)
	}
	img := image.Image(src)
	if src.Bounds().Dx() > HeroWidth {
		img = imaging.Resize(src, HeroWidth, 0, imaging.Lanczos)
	}
	f, err := encodePicture(img, "image/jpeg")
	if err != nil {
		return err
	}
	return s.putFile(ctx, a, field, f, map[string]string{altKey: alt}, "site.hero")
}

// RemovePicture removes the favicon ("favicon") or a kind's banner
// ("hero_<kind>"). Administrators only. Audit: site.picture_removed.
func (s *Store) RemovePicture(ctx context.Context, a access.Actor, key string) error {
	if err := requireAdmin(a, "remove picture"); err != nil {
		return err
	}
	if key != FileFavicon && !(strings.HasPrefix(key, heroPrefix) && slices.Contains(HeroKinds, strings.TrimPrefix(key, heroPrefix))) {
		return fmt.Errorf("site: remove %q: %w", key, db.ErrNotFound)
	}
	now := s.Now().UTC()
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM site_files WHERE key = ?", key); err != nil {
			return fmt.Errorf("site: remove %s: %w", key, err)
		}
		return audit.Record(ctx, tx, a, now, "site.picture_removed", audit.Object("site", 1), "key="+key)
	})
	s.forget()
	return err
}

// putFile writes a picture of the settings (and the settings that go with
// it) in one transaction with its audit entry.
func (s *Store) putFile(ctx context.Context, a access.Actor, key string, l *Logo, values map[string]string, action string) error {
	now := s.Now().UTC()
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO site_files (key, media_type, sha256, width, height, data, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET media_type = excluded.media_type,
			sha256 = excluded.sha256, width = excluded.width, height = excluded.height, data = excluded.data,
			updated_at = excluded.updated_at`, key, l.MediaType, l.SHA256, l.Width, l.Height, l.Data, now); err != nil {
			return fmt.Errorf("site: write %s: %w", key, err)
		}
		for k, v := range values {
			if err := put(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, now, action, audit.Object("site", 1), "key="+key+" sha256="+l.SHA256[:16])
	})
	s.forget()
	return err
}

// decodePicture checks a picture as prepareLogo does (content type, size,
// pixels announced before decoding) and decodes it; on refusal it returns
// the catalogue key of the reason (site.error.logo_*).
func decodePicture(data []byte, maxBytes int) (image.Image, string) {
	switch {
	case len(data) == 0:
		return nil, "site.error.logo_empty"
	case len(data) > maxBytes:
		return nil, "site.error.logo_large"
	}
	if !acceptedImages[mimeOf(data)] {
		return nil, "site.error.logo_type"
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, "site.error.logo_broken"
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxLogoPixels {
		return nil, "site.error.logo_pixels"
	}
	src, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, "site.error.logo_broken"
	}
	return src, ""
}

func encodePicture(img image.Image, mediaType string) (*Logo, error) {
	var buf bytes.Buffer
	var err error
	if mediaType == "image/jpeg" {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 82})
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		return nil, fmt.Errorf("site: encode picture: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	b := img.Bounds()
	return &Logo{MediaType: mediaType, SHA256: hex.EncodeToString(sum[:]), Width: b.Dx(), Height: b.Dy(), Data: buf.Bytes()}, nil
}
