package pages_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"testing"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/pages"
)

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{R: 200, G: 100, B: 50, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngReader(t *testing.T, w, h int) io.Reader { return bytes.NewReader(pngBytes(t, w, h)) }

// bomb is a tiny PNG whose header claims 60000 × 60000 pixels.
func bomb(t *testing.T) []byte {
	b := pngBytes(t, 8, 8)
	// IHDR data starts at byte 16: width and height, then the chunk CRC at 29.
	binary.BigEndian.PutUint32(b[16:], 60000)
	binary.BigEndian.PutUint32(b[20:], 60000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// endless yields n bytes of a PNG-looking stream without holding them.
type endless struct{ n, off int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.off >= e.n {
		return 0, io.EOF
	}
	for i := range p {
		p[i] = 0
	}
	if e.off == 0 && len(p) >= 8 {
		copy(p, "\x89PNG\r\n\x1a\n")
	}
	k := int64(len(p))
	if e.n-e.off < k {
		k = e.n - e.off
	}
	e.off += k
	return int(k), nil
}

func TestUploadImage(t *testing.T) {
	f := newFixture(t)
	p := f.page(f.home.ID, "Photos", "galerie")
	img, err := f.s.UploadImage(f.ctx, editor, p.ID, `C:\photos\déchèterie.png`, "La déchèterie de Valence", pngReader(t, 2000, 1000))
	if err != nil {
		t.Fatal(err)
	}
	if img.Width != 2000 || img.Height != 1000 || img.Filename != "déchèterie.png" {
		t.Fatalf("image = %+v", img)
	}
	// Not shown by the published revision yet: editors only.
	_, err = f.s.ImageVariant(f.ctx, visitor.Principal, img.ID, 480)
	wantErr(t, err, db.ErrNotFound)
	if _, err := f.s.ImageVariant(f.ctx, editor.Principal, img.ID, 480); err != nil {
		t.Fatalf("editor cannot see an image of the draft: %v", err)
	}
	rev, err := f.s.SaveDraft(f.ctx, editor, p.ID, p.PublishedRev, "Photos", []pages.Block{{Type: pages.BlockImage, ImageID: img.ID, Alt: "Déchèterie"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.ImageVariant(f.ctx, visitor.Principal, img.ID, 480)
	wantErr(t, err, db.ErrNotFound)
	if _, err := f.s.Publish(f.ctx, editor, p.ID, rev.ID, ""); err != nil {
		t.Fatal(err)
	}
	for _, w := range append(pages.ImageWidths, 0) {
		v, err := f.s.ImageVariant(f.ctx, visitor.Principal, img.ID, w)
		if err != nil {
			t.Fatalf("variant %d: %v", w, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(v.Data))
		if err != nil {
			t.Fatalf("variant %d is not a PNG: %v", w, err)
		}
		want := w
		if w == 0 {
			want = pages.ImageWidths[len(pages.ImageWidths)-1]
		}
		if cfg.Width != want || v.RealWidth != want || cfg.Height != want/2 {
			t.Fatalf("variant %d is %d×%d", w, cfg.Width, cfg.Height)
		}
	}
	// Same bytes again: stored once.
	if _, err := f.s.UploadImage(f.ctx, editor, p.ID, "copie.png", "Copie", pngReader(t, 2000, 1000)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := f.d.QueryRow(f.ctx, "SELECT COUNT(*) FROM image_variants").Scan(&n); err != nil || n != len(pages.ImageWidths)+1 {
		t.Fatalf("variants stored = %d, %v", n, err)
	}

	bad := []struct {
		name string
		r    io.Reader
		alt  string
		a    access.Actor
	}{
		{"no alt", pngReader(t, 10, 10), " ", editor},
		{"not an image", bytes.NewReader([]byte("%PDF-1.7\n1 0 obj <<>> endobj")), "PDF", editor},
		{"html disguised", bytes.NewReader([]byte("<html><script>alert(1)</script></html>")), "HTML", editor},
		{"200 MB", &endless{n: 200 << 20}, "Énorme", editor},
		{"decompression bomb", bytes.NewReader(bomb(t)), "Bombe", editor},
		{"empty", bytes.NewReader(nil), "Vide", editor},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.s.UploadImage(f.ctx, c.a, p.ID, "x.png", c.alt, c.r)
			ve, ok := asValidation(err)
			if !ok || (ve.Key("file") == "" && ve.Key("alt") == "") {
				t.Fatalf("err = %v, want a French message on file or alt", err)
			}
		})
	}
	_, err = f.s.UploadImage(f.ctx, member, p.ID, "x.png", "Intrus", pngReader(t, 10, 10))
	wantErr(t, err, access.ErrForbidden)
	var imgs int
	f.d.QueryRow(f.ctx, "SELECT COUNT(*) FROM images").Scan(&imgs)
	if imgs != 2 {
		t.Fatalf("images stored = %d, want 2 (refused uploads must write nothing)", imgs)
	}

	// An image of a private page is invisible to those who may not view it.
	f.grants(p.ID, access.Grant{GroupID: gElus, Level: access.View})
	_, err = f.s.ImageVariant(f.ctx, visitor.Principal, img.ID, 480)
	wantErr(t, err, db.ErrNotFound)
	_, err = f.s.ImageVariant(f.ctx, tech.Principal, img.ID, 480)
	wantErr(t, err, db.ErrNotFound)
	if _, err := f.s.ImageVariant(f.ctx, elu.Principal, img.ID, 480); err != nil {
		t.Fatalf("elu: %v", err)
	}
	// …and gone with the trash.
	if _, err := f.s.Trash(f.ctx, admin, p.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.ImageVariant(f.ctx, admin.Principal, img.ID, 480)
	wantErr(t, err, db.ErrNotFound)
	if _, err := f.s.EmptyTrash(f.ctx, admin); err != nil {
		t.Fatal(err)
	}
	if err := f.d.QueryRow(f.ctx, "SELECT COUNT(*) FROM image_variants").Scan(&n); err != nil || n != 0 {
		t.Fatalf("variants left after purge = %d, %v", n, err)
	}
}

// Every kept size has a WebP twin of the same dimensions (lossy for a
// photo, lossless for a drawing), served to those who may see the image
// only; an image stored before WebP existed gets its WebP made on the
// first request, and kept.
func TestImageWebP(t *testing.T) {
	f := newFixture(t)
	p := f.page(f.home.ID, "Photos", "galerie")
	photo := image.NewRGBA(image.Rect(0, 0, 1000, 750))
	for y := 0; y < 750; y++ {
		for x := 0; x < 1000; x++ {
			photo.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: uint8(x ^ y), A: 255})
		}
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, photo, nil); err != nil {
		t.Fatal(err)
	}
	imgs := map[string]*pages.Image{}
	for name, data := range map[string][]byte{"photo.jpg": jpg.Bytes(), "plan.png": pngBytes(t, 700, 350)} {
		img, err := f.s.UploadImage(f.ctx, editor, p.ID, name, "Image "+name, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		imgs[name] = img
		// Not published yet: the visitor sees neither format.
		_, err = f.s.ImageWebP(f.ctx, visitor.Principal, img.ID, 480)
		wantErr(t, err, db.ErrNotFound)
	}
	for name, img := range imgs {
		for _, w := range append(pages.ImageWidths, 0) {
			kept, err := f.s.ImageVariant(f.ctx, editor.Principal, img.ID, w)
			if err != nil {
				t.Fatal(err)
			}
			v, err := f.s.ImageWebP(f.ctx, editor.Principal, img.ID, w)
			if err != nil {
				t.Fatalf("%s %d: %v", name, w, err)
			}
			if v.MediaType != "image/webp" || string(v.Data[:4]) != "RIFF" || string(v.Data[8:12]) != "WEBP" {
				t.Fatalf("%s %d: %s, %q", name, w, v.MediaType, v.Data[:12])
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(v.Data))
			if err != nil || cfg.Width != kept.RealWidth || cfg.Height != kept.Height {
				t.Fatalf("%s %d: WebP %d×%d (%v), kept size %d×%d", name, w, cfg.Width, cfg.Height, err, kept.RealWidth, kept.Height)
			}
			if v.ETag() == kept.ETag() {
				t.Fatalf("%s %d: WebP and %s share the ETag %s", name, w, kept.MediaType, v.ETag())
			}
			if name == "photo.jpg" && w == 960 && len(v.Data) >= len(kept.Data) {
				t.Errorf("the photo's WebP (%d bytes) is not lighter than its JPEG (%d bytes)", len(v.Data), len(kept.Data))
			}
		}
	}
	// The drawing is lossless: the WebP decodes to the kept PNG's pixels.
	plan := imgs["plan.png"]
	kept, _ := f.s.ImageVariant(f.ctx, editor.Principal, plan.ID, 480)
	wp, _ := f.s.ImageWebP(f.ctx, editor.Principal, plan.ID, 480)
	a, _, errA := image.Decode(bytes.NewReader(kept.Data))
	b, _, errB := image.Decode(bytes.NewReader(wp.Data))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	for y := 0; y < a.Bounds().Dy(); y += 7 {
		for x := 0; x < a.Bounds().Dx(); x += 7 {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("lossless WebP differs at %d,%d", x, y)
			}
		}
	}
	// An image from before: no WebP stored; the first request makes it.
	if _, err := f.d.Exec(f.ctx, "UPDATE image_variants SET webp = NULL WHERE sha256 = ?", plan.SHA256); err != nil {
		t.Fatal(err)
	}
	again, err := f.s.ImageWebP(f.ctx, editor.Principal, plan.ID, 960)
	if err != nil || string(again.Data[8:12]) != "WEBP" {
		t.Fatalf("legacy image: %v", err)
	}
	var stored int
	if err := f.d.QueryRow(f.ctx, "SELECT COUNT(*) FROM image_variants WHERE sha256 = ? AND webp IS NOT NULL", plan.SHA256).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("WebP kept for %d sizes (%v), want the one asked for", stored, err)
	}
	// Still unpublished: a visitor gets nothing.
	_, err = f.s.ImageWebP(f.ctx, visitor.Principal, plan.ID, 960)
	wantErr(t, err, db.ErrNotFound)
}
