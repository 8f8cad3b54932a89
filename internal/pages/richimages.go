package pages

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"

	"portique/internal/access"
	"portique/internal/db"
)

// Pictures inside rich text. The editor uploads a picture into the page
// (UploadRichImage: the same checks, sizes and storage as an image block)
// and writes <img src="/medias/{id}/960" alt="…" width="…" height="…"> into
// the text. The sanitiser keeps an <img> only with such a src; saving
// refuses a picture that is not the page's own (saveDraft); publishing
// makes the pictures the text shows visible to the page's visitors
// (markPublishedImages); the web layer adds srcset when it draws the text.

// richImageSrc is the only src an <img> of rich text may have: a picture
// of the site at one of its kept widths (0: the largest).
var richImageSrc = regexp.MustCompile(`^/medias/[1-9][0-9]{0,17}/(0|480|960|1600)$`)

// RichImageSrc is the src the editor writes for picture id.
func RichImageSrc(id int64) string { return fmt.Sprintf("/medias/%d/%d", id, ImageWidths[1]) }

// RichImage is a picture found in rich text.
type RichImage struct {
	ID     int64
	Alt    string
	HasAlt bool // an alt attribute is present (alt="" is the explicit "decorative" choice)
	Width  int
	Height int
}

// RichImages lists the pictures of (sanitised) rich text, in order.
func RichImages(in string) []RichImage {
	if !strings.Contains(in, "<img") {
		return nil
	}
	var out []RichImage
	z := html.NewTokenizer(strings.NewReader(in))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tok.Data != "img" {
			continue
		}
		var img RichImage
		for _, a := range tok.Attr {
			switch a.Key {
			case "src":
				img.ID = richImageID(a.Val)
			case "alt":
				img.Alt, img.HasAlt = a.Val, true
			case "width":
				img.Width, _ = strconv.Atoi(a.Val)
			case "height":
				img.Height, _ = strconv.Atoi(a.Val)
			}
		}
		if img.ID > 0 {
			out = append(out, img)
		}
	}
}

// richImageID is the picture id of a rich-text src, or 0.
func richImageID(src string) int64 {
	if !richImageSrc.MatchString(src) {
		return 0
	}
	rest := strings.TrimPrefix(src, "/medias/")
	id, err := strconv.ParseInt(rest[:strings.IndexByte(rest, '/')], 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// dropBareImages removes the <img> the sanitiser left without a src (one
// from elsewhere): an image that shows nothing is not kept.
func dropBareImages(in string) string {
	if !strings.Contains(in, "<img") {
		return in
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(in))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		raw := z.Raw()
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			name, hasAttr := z.TagName()
			if string(name) == "img" {
				keep := false
				for hasAttr {
					var k []byte
					k, _, hasAttr = z.TagAttr()
					if string(k) == "src" {
						keep = true
					}
				}
				if !keep {
					continue
				}
			}
		}
		b.Write(raw)
	}
}

// richImageErrors checks the pictures of the text blocks: each must be one
// of page pageID's (a picture of another page would show to people who may
// not see that page, or vanish with it) and have an alt attribute (alt=""
// says "decorative"). q is the caller's transaction.
func richImageErrors(ctx context.Context, q db.Querier, pageID int64, blocks []Block) error {
	for i, b := range blocks {
		if b.Type != BlockText {
			continue
		}
		for _, img := range RichImages(b.HTML) {
			key := fmt.Sprintf("blocks.%d.html", i)
			if !img.HasAlt {
				return invalid(key, "pages.error.rich_image_alt")
			}
			if utf8.RuneCountInString(img.Alt) > MaxAlt {
				return invalid(key, "pages.error.alt_long")
			}
			var n int
			if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM images WHERE id = ? AND page_id = ?", img.ID, pageID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return invalid(key, "pages.error.image_foreign")
			}
		}
	}
	return nil
}

// richImageIDs are the ids of the pictures the text blocks show.
func richImageIDs(blocks []Block) []any {
	var ids []any
	for _, b := range blocks {
		if b.Type == BlockText {
			for _, img := range RichImages(b.HTML) {
				ids = append(ids, img.ID)
			}
		}
	}
	return ids
}

// UploadRichImage stores a picture for the rich text of a page (Edit on
// the page), checked and resized like an image block's (ReadImage). alt is
// required unless decorative, the explicit choice of an empty alternative
// (RGAA 1.2). The right is checked before a byte is read.
func (s *Store) UploadRichImage(ctx context.Context, a access.Actor, pageID int64, filename, alt string, decorative bool, r io.Reader) (*Image, error) {
	if !decorative {
		return s.UploadImage(ctx, a, pageID, filename, alt, r)
	}
	if _, err := getLive(ctx, s.d, pageID); err != nil {
		return nil, err
	}
	if err := require(ctx, s.d, a.Principal, pageID, access.Edit); err != nil {
		return nil, err
	}
	u, err := s.readImage(filename, r)
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
