package pages

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"text/template"

	"github.com/disintegration/imaging"

	"portique/internal/access"
)

// seedPicture uploads the demo's drawing of a garden composter into page
// pageID (as the editor's image dialog does) and returns html with the
// picture inserted after the paragraph that follows the heading after.
func (s *Store) seedPicture(ctx context.Context, a access.Actor, pageID int64, html, after, alt string) (string, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, composterDrawing()); err != nil {
		return "", err
	}
	img, err := s.UploadRichImage(ctx, a, pageID, "composteur.png", alt, false, &buf)
	if err != nil {
		return "", fmt.Errorf("pages: seed picture: %w", err)
	}
	tag := fmt.Sprintf(`<img src="%s" alt="%s" width="%d" height="%d">`, RichImageSrc(img.ID), template.HTMLEscapeString(alt), img.Width, img.Height)
	i := strings.Index(html, after)
	if i < 0 {
		return html + tag, nil
	}
	j := strings.Index(html[i:], "</p>")
	if j < 0 {
		return html + tag, nil
	}
	at := i + j + len("</p>")
	return html[:at] + tag + html[at:], nil
}

// composterDrawing is a flat drawing of a wooden composter on a lawn, 640
// × 320 pixels (drawn at 960 × 480, reduced).
func composterDrawing() image.Image {
	const w, h = 960, 480
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	fill := func(x0, y0, x1, y1 int, c color.RGBA) {
		draw.Draw(m, image.Rect(x0, y0, x1, y1), &image.Uniform{c}, image.Point{}, draw.Src)
	}
	fill(0, 0, w, h, color.RGBA{200, 228, 245, 255})       // sky
	fill(0, 340, w, h, color.RGBA{96, 150, 70, 255})       // lawn
	fill(0, 400, w, h, color.RGBA{110, 80, 50, 255})       // soil
	fill(330, 140, 630, 150, color.RGBA{90, 60, 30, 255})  // lid edge
	fill(320, 110, 640, 140, color.RGBA{120, 80, 40, 255}) // lid
	for i := 0; i < 6; i++ {                               // slats
		y := 160 + i*40
		fill(340, y, 620, y+30, color.RGBA{170, 120, 70, 255})
	}
	fill(340, 150, 360, 400, color.RGBA{110, 75, 40, 255}) // posts
	fill(600, 150, 620, 400, color.RGBA{110, 75, 40, 255})
	for i := 0; i < 5; i++ { // peelings on the grass
		x := 180 + i*22
		fill(x, 360, x+14, 372, color.RGBA{230, 140, 40, 255})
	}
	return imaging.Resize(m, 640, 0, imaging.Lanczos)
}
