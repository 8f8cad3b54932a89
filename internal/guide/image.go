package guide

import (
	"bytes"
	"image"
	_ "image/gif" // registers GIF decoding
	"image/jpeg"
	"image/png"

	"github.com/disintegration/imaging"
	"github.com/gabriel-vasile/mimetype"
	_ "golang.org/x/image/webp" // registers WebP decoding
)

// ImageWidth is the largest width an item's picture is kept at (it is
// shown beside the instructions, never full screen).
const ImageWidth = 640

var acceptedImages = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// prepareImage checks an uploaded picture by its content (not its name),
// turns it upright, shrinks it to ImageWidth and re-encodes it (which drops
// EXIF data such as a GPS position). Drawings (PNG, GIF) stay PNG, photos
// become JPEG. On refusal it returns the catalogue key of the reason.
func prepareImage(data []byte) (out []byte, mediaType, errKey string, args []any) {
	if len(data) == 0 {
		return nil, "", "guide.error.image_empty", nil
	}
	if len(data) > MaxImageBytes {
		return nil, "", "guide.error.image_large", []any{MaxImageBytes >> 20}
	}
	mt := mimetype.Detect(data).String()
	if !acceptedImages[mt] {
		return nil, "", "guide.error.image_type", nil
	}
	src, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, "", "guide.error.image_broken", nil
	}
	img := image.Image(src)
	if src.Bounds().Dx() > ImageWidth {
		img = imaging.Resize(src, ImageWidth, 0, imaging.Lanczos)
	}
	var buf bytes.Buffer
	outType := "image/jpeg"
	if mt == "image/png" || mt == "image/gif" {
		outType = "image/png"
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 82})
	}
	if err != nil {
		return nil, "", "guide.error.image_broken", nil
	}
	return buf.Bytes(), outType, "", nil
}
