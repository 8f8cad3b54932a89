package pages

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/gif" // registers GIF decoding
	"image/jpeg"
	"image/png"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/disintegration/imaging"
	"github.com/gabriel-vasile/mimetype"
	"github.com/gen2brain/webp"
	_ "golang.org/x/image/webp" // registers WebP decoding

	"portique/internal/access"
	"portique/internal/db"
)

// Image limits. The pixel limit is checked from the file header, before
// anything is decoded, so a small file claiming a huge picture (an image
// bomb) is refused without allocating it.
const (
	DefaultImageMax = 20 << 20 // bytes
	MaxImageSide    = 10000    // pixels
	MaxImagePixels  = 40_000_000
)

// ImageWidths are the sizes kept of every image: the page shows the
// smallest that fits, and srcset lets the browser pick. Width 0 is the
// largest kept (the original, reduced to the last width if bigger).
var ImageWidths = []int{480, 960, 1600}

// acceptedImages are the media types accepted for upload (sniffed from the
// bytes, never trusted from the name or the browser).
var acceptedImages = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// Image is an uploaded picture of a page.
type Image struct {
	ID       int64
	PageID   int64
	SHA256   string
	Filename string
	Width    int
	Height   int
	Size     int64
	Alt      string
}

// Variant is one stored size of an image.
type Variant struct {
	SHA256    string
	Width     int // size class asked for (0: the largest)
	RealWidth int
	Height    int
	MediaType string
	Data      []byte
	// WebP is the same picture encoded as WebP (nil until the first
	// request of it: ImageWebP encodes and keeps it).
	WebP []byte
}

// ETag identifies the bytes of a variant for HTTP caching.
func (v *Variant) ETag() string {
	if v.MediaType == "image/webp" {
		return fmt.Sprintf(`"%s-%d-webp"`, v.SHA256[:16], v.Width)
	}
	return fmt.Sprintf(`"%s-%d"`, v.SHA256[:16], v.Width)
}

// Upload is a picture read and checked for a page (ReadImage), not stored
// yet: Save and AddImages store it.
type Upload struct {
	Filename  string
	Alt       string
	Data      []byte
	MediaType string
	Width     int
	Height    int
	SHA256    string
	variants  []Variant // made by prepare, before the transaction
	prepared  bool
}

// ReadImage reads and checks an uploaded picture; nothing is written. alt is
// the default alternative text, required. The bytes are read up to the
// store's ImageMax; a non-image, a file that is too big, or a picture with
// too many pixels (read from its header, before anything is decoded) is
// refused with valid.Errors on "alt" or "file".
func (s *Store) ReadImage(filename, alt string, r io.Reader) (*Upload, error) {
	alt = strings.TrimSpace(alt)
	if alt == "" {
		return nil, invalid("alt", "pages.error.alt_required")
	}
	if utf8.RuneCountInString(alt) > MaxAlt {
		return nil, invalid("alt", "pages.error.alt_long")
	}
	u, err := s.readImage(filename, r)
	if err != nil {
		return nil, err
	}
	u.Alt = alt
	return u, nil
}

// readImage reads and checks the bytes of an uploaded picture (ReadImage
// without its alternative text).
func (s *Store) readImage(filename string, r io.Reader) (*Upload, error) {
	limit := s.ImageMax
	if limit <= 0 {
		limit = DefaultImageMax
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("pages: read upload: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, invalid("file", "pages.error.image_heavy")
	}
	if len(data) == 0 {
		return nil, invalid("file", "pages.error.image_required")
	}
	mt := mimetype.Detect(data).String()
	if i := strings.IndexByte(mt, ';'); i > 0 {
		mt = mt[:i]
	}
	if !acceptedImages[mt] {
		return nil, invalid("file", "pages.error.image_type")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, invalid("file", "pages.error.image_broken")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide ||
		int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, invalid("file", "pages.error.image_pixels")
	}
	sum := sha256.Sum256(data)
	return &Upload{Filename: cleanFilename(filename), Data: data, MediaType: mt,
		Width: cfg.Width, Height: cfg.Height, SHA256: hex.EncodeToString(sum[:])}, nil
}

// prepare makes the stored sizes of an upload whose bytes the site does not
// hold yet. It decodes the picture, so it runs outside any transaction.
func (s *Store) prepare(ctx context.Context, u *Upload) error {
	if u.prepared {
		return nil
	}
	var have int
	if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM image_variants WHERE sha256 = ?", u.SHA256).Scan(&have); err != nil {
		return err
	}
	if have == 0 {
		v, err := makeVariants(u.SHA256, u.MediaType, u.Data)
		if err != nil {
			return invalid("file", "pages.error.image_broken")
		}
		u.variants = v
	}
	u.prepared = true
	return nil
}

// storeImage writes a prepared upload into page pageID and its audit entry,
// in the caller's transaction q: the caller has checked Edit on the page.
func (s *Store) storeImage(ctx context.Context, q db.Querier, a access.Actor, pageID int64, u *Upload) (*Image, error) {
	for _, v := range u.variants {
		if _, err := q.Exec(ctx, `INSERT INTO image_variants (sha256, width, real_width, real_height, media_type, data)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256, width) DO NOTHING`, v.SHA256, v.Width, v.RealWidth, v.Height, v.MediaType, v.Data); err != nil {
			return nil, fmt.Errorf("pages: store image variant: %w", err)
		}
	}
	img := &Image{PageID: pageID, SHA256: u.SHA256, Filename: u.Filename, Width: u.Width, Height: u.Height, Size: int64(len(u.Data)), Alt: u.Alt}
	if err := q.QueryRow(ctx, `INSERT INTO images (page_id, sha256, filename, width, height, size, alt, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, pageID, img.SHA256, img.Filename, img.Width, img.Height, img.Size, img.Alt,
		nullID(a.UserID), s.now()).Scan(&img.ID); err != nil {
		return nil, fmt.Errorf("pages: store image: %w", err)
	}
	return img, s.record(ctx, q, a, "page.image_upload", pageID, fmt.Sprintf("image=%d file=%q", img.ID, img.Filename))
}

// AddImages stores checked uploads into a page (Edit), in one transaction
// with one access check, and returns them by the same keys (the index of
// their image block): the edit form keeps the pictures chosen in a form it
// shows again (a structure change, a mistake to correct), so nothing sent
// is lost. A picture that cannot be decoded is a field error of its block
// ("blocks.N.file").
func (s *Store) AddImages(ctx context.Context, a access.Actor, pageID int64, uploads map[int]*Upload) (map[int]*Image, error) {
	keys := slices.Sorted(maps.Keys(uploads))
	for _, i := range keys {
		if err := s.prepare(ctx, uploads[i]); err != nil {
			return nil, fieldOf(i, err)
		}
	}
	out := make(map[int]*Image, len(uploads))
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := getLive(ctx, tx, pageID); err != nil {
			return err
		}
		if err := require(ctx, tx, a.Principal, pageID, access.Edit); err != nil {
			return err
		}
		for _, i := range keys {
			img, err := s.storeImage(ctx, tx, a, pageID, uploads[i])
			if err != nil {
				return err
			}
			out[i] = img
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// KeepImages stores the new pictures of an edit that was not saved (a
// structure change of the form, input to correct, a stale save), in one
// transaction (Edit), and puts their ids into e's blocks: the form shown
// again keeps them, so nothing sent is lost.
func (s *Store) KeepImages(ctx context.Context, a access.Actor, pageID int64, e *Edit) error {
	if len(e.Uploads) == 0 {
		return nil
	}
	imgs, err := s.AddImages(ctx, a, pageID, e.Uploads)
	if err != nil {
		return err
	}
	e.Blocks = slices.Clone(e.Blocks)
	for i, img := range imgs {
		e.Blocks[i].ImageID = img.ID
	}
	e.Uploads = nil
	return nil
}

// UploadImage stores a picture in a page (Edit on the page): ReadImage,
// then AddImages. The right is checked before a byte is read, so nobody
// who may not edit the page makes the server read or decode megabytes.
func (s *Store) UploadImage(ctx context.Context, a access.Actor, pageID int64, filename, alt string, r io.Reader) (*Image, error) {
	if _, err := getLive(ctx, s.d, pageID); err != nil {
		return nil, err
	}
	if err := require(ctx, s.d, a.Principal, pageID, access.Edit); err != nil {
		return nil, err
	}
	u, err := s.ReadImage(filename, alt, r)
	if err != nil {
		return nil, err
	}
	if err := s.prepare(ctx, u); err != nil {
		return nil, err
	}
	imgs, err := s.AddImages(ctx, a, pageID, map[int]*Upload{0: u})
	if err != nil {
		return nil, err
	}
	return imgs[0], nil
}

func cleanFilename(name string) string {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return strings.ToValidUTF8(name, "")
}

// makeVariants decodes the picture (turned upright from its EXIF
// orientation) and encodes each kept size: PNG and GIF stay PNG (they may
// be transparent or drawn), photos become JPEG. Their WebP twins (lossless
// for drawings, lossy for photos) are left to the first request of each
// (ImageWebP): libwebp on WebAssembly takes about 0.4 s a size, which an
// upload (and the demo's seed, with its pictures) should not wait for. A
// size that comes out as the same picture as the one before (a small
// original) reuses its bytes. EXIF data (GPS position…) is dropped by
// re-encoding.
func makeVariants(hash, mt string, data []byte) ([]Variant, error) {
	src, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, err
	}
	outType := "image/jpeg"
	if mt == "image/png" || mt == "image/gif" {
		outType = "image/png"
	}
	var out []Variant
	widths := append([]int{}, ImageWidths...)
	widths = append(widths, 0)
	for _, w := range widths {
		target := w
		if w == 0 {
			target = ImageWidths[len(ImageWidths)-1]
		}
		img := image.Image(src)
		if src.Bounds().Dx() > target {
			img = imaging.Resize(src, target, 0, imaging.Lanczos)
		}
		if n := len(out); n > 0 && out[n-1].RealWidth == img.Bounds().Dx() {
			v := out[n-1]
			v.Width = w
			out = append(out, v)
			continue
		}
		var buf bytes.Buffer
		if outType == "image/png" {
			err = png.Encode(&buf, img)
		} else {
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 82})
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Variant{SHA256: hash, Width: w, RealWidth: img.Bounds().Dx(), Height: img.Bounds().Dy(), MediaType: outType, Data: buf.Bytes()})
	}
	return out, nil
}

// encodeWebP encodes a kept size as WebP: lossless for a drawing (kept as
// PNG), quality 80 for a photo (kept as JPEG at 82, which it matches by
// eye). The encoder is libwebp compiled to WebAssembly (gen2brain/webp on
// wazero): no C library, the binary stays static.
func encodeWebP(img image.Image, keptAs string) ([]byte, error) {
	var buf bytes.Buffer
	opt := webp.Options{Quality: 80, Method: 4}
	if keptAs == "image/png" {
		opt = webp.Options{Lossless: true, Method: 4, Exact: true}
	}
	if err := webp.Encode(&buf, img, opt); err != nil {
		return nil, fmt.Errorf("pages: webp: %w", err)
	}
	return buf.Bytes(), nil
}

// GetImage returns an image's record for p: viewers of the page see the
// images its published revision shows; its editors see every image of the
// page (drafts, old revisions). Otherwise it is "not found", so an image id
// reveals nothing.
func (s *Store) GetImage(ctx context.Context, p access.Principal, id int64) (*Image, error) {
	var img Image
	var published bool
	err := s.d.QueryRow(ctx, `SELECT i.id, i.page_id, i.sha256, i.filename, i.width, i.height, i.size, i.alt, i.published
		FROM images i JOIN pages p ON p.id = i.page_id WHERE i.id = ? AND p.trashed_at IS NULL`, id).
		Scan(&img.ID, &img.PageID, &img.SHA256, &img.Filename, &img.Width, &img.Height, &img.Size, &img.Alt, &published)
	if err != nil {
		return nil, fmt.Errorf("pages: image %d: %w", id, db.NotFound(err))
	}
	need := access.Edit
	if published {
		need = access.View
	}
	ok, err := access.Can(ctx, s.d, p, access.Page, img.PageID, need)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("pages: image %d: %w", id, db.ErrNotFound)
	}
	return &img, nil
}

// markPublishedImages records which images of a page its newly published
// blocks show.
func markPublishedImages(ctx context.Context, q db.Querier, pageID int64, blocks []Block) error {
	// A news item's picture (teaser, list, feed) shows with the page.
	if _, err := q.Exec(ctx, "UPDATE images SET published = (id = COALESCE((SELECT news_image_id FROM pages WHERE id = ?), 0)) WHERE page_id = ?", pageID, pageID); err != nil {
		return fmt.Errorf("pages: images of %d: %w", pageID, err)
	}
	ids := richImageIDs(blocks) // the pictures inside the text
	for _, b := range blocks {
		if ShowsImage(b.Type) && b.ImageID > 0 {
			ids = append(ids, b.ImageID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, "UPDATE images SET published = TRUE WHERE page_id = ? AND id IN ("+db.In(len(ids))+")", append([]any{pageID}, ids...)...)
	return err
}

// ImageVariant returns the bytes of an image at a size class (one of
// ImageWidths, or 0 for the largest), when p may view the image's page.
func (s *Store) ImageVariant(ctx context.Context, p access.Principal, id int64, width int) (*Variant, error) {
	img, err := s.GetImage(ctx, p, id)
	if err != nil {
		return nil, err
	}
	v := Variant{SHA256: img.SHA256, Width: width}
	err = s.d.QueryRow(ctx, "SELECT real_width, real_height, media_type, data FROM image_variants WHERE sha256 = ? AND width = ?", img.SHA256, width).
		Scan(&v.RealWidth, &v.Height, &v.MediaType, &v.Data)
	if err != nil {
		return nil, fmt.Errorf("pages: image %d width %d: %w", id, width, db.NotFound(err))
	}
	return &v, nil
}

// ImageWebP returns the WebP bytes of an image at a size class, when p may
// view the image's page (as ImageVariant). The WebP is encoded from the
// kept size on the first request of each size, and kept.
func (s *Store) ImageWebP(ctx context.Context, p access.Principal, id int64, width int) (*Variant, error) {
	img, err := s.GetImage(ctx, p, id)
	if err != nil {
		return nil, err
	}
	v := Variant{SHA256: img.SHA256, Width: width, MediaType: "image/webp"}
	var kept []byte
	var keptAs string
	err = s.d.QueryRow(ctx, "SELECT real_width, real_height, media_type, data, webp FROM image_variants WHERE sha256 = ? AND width = ?", img.SHA256, width).
		Scan(&v.RealWidth, &v.Height, &keptAs, &kept, &v.WebP)
	if err != nil {
		return nil, fmt.Errorf("pages: image %d width %d: %w", id, width, db.NotFound(err))
	}
	if len(v.WebP) == 0 {
		pic, _, err := image.Decode(bytes.NewReader(kept))
		if err != nil {
			return nil, fmt.Errorf("pages: image %d width %d: decode kept size: %w", id, width, err)
		}
		if v.WebP, err = encodeWebP(pic, keptAs); err != nil {
			return nil, err
		}
		if _, err := s.d.Exec(ctx, "UPDATE image_variants SET webp = ? WHERE sha256 = ? AND width = ? AND webp IS NULL", v.WebP, img.SHA256, width); err != nil {
			return nil, fmt.Errorf("pages: keep webp of image %d: %w", id, err)
		}
	}
	v.Data = v.WebP
	return &v, nil
}

// PageImages lists the images uploaded into a page (Edit), newest first,
// for the editor's picker.
func (s *Store) PageImages(ctx context.Context, p access.Principal, pageID int64) ([]Image, error) {
	if err := require(ctx, s.d, p, pageID, access.Edit); err != nil {
		return nil, err
	}
	rows, err := s.d.Query(ctx, "SELECT id, page_id, sha256, filename, width, height, size, alt FROM images WHERE page_id = ? ORDER BY id DESC", pageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Image
	for rows.Next() {
		var img Image
		if err := rows.Scan(&img.ID, &img.PageID, &img.SHA256, &img.Filename, &img.Width, &img.Height, &img.Size, &img.Alt); err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	return out, rows.Err()
}
