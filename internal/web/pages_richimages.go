package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"portique/internal/pages"
)

// Pictures inside rich text (issue 13A): the editor's image dialog posts
// one picture to /pages/{id}/images and writes the <img> it answers into
// the text; the page draws each such <img> with its srcset. Without
// JavaScript an image block is the way to show a picture.

// richImageAnswer is the JSON answer of pageRichImage.
type richImageAnswer struct {
	ID     int64  `json:"id,omitempty"`
	Src    string `json:"src,omitempty"`
	Alt    string `json:"alt"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	Error  string `json:"error,omitempty"` // a refusal in words (catalogue), status 422
}

// pageRichImage stores a picture for the rich text of page {id} (Edit):
// the fields alt and decorative, then the file, streamed (the store
// checks the right before it reads a byte). A refused picture (not an
// image, too big, too many pixels, no alternative) answers 422 with its
// message; the text is untouched, so nothing is lost.
func (s *Server) pageRichImage(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.pages.ImageMax+(1<<20))
	mr, err := r.MultipartReader()
	if err != nil {
		return s.richImageRefused(w, "file", "pages.error.image_required")
	}
	var alt string
	var decorative bool
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return s.richImageRefused(w, "file", "pages.error.image_required")
		}
		if err != nil {
			return fmt.Errorf("%w: %w", errTooLarge, err)
		}
		switch part.FormName() {
		case "alt":
			b, _ := io.ReadAll(io.LimitReader(part, 4<<10))
			alt = string(b)
		case "decorative":
			decorative = true
		case "file":
			img, err := s.pages.UploadRichImage(r.Context(), s.actor(r), id, part.FileName(), alt, decorative, part)
			if ve, ok := formErrors(err); ok {
				for f, m := range ve {
					return s.richImageRefused(w, f, m.Key, m.Args...)
				}
			}
			if err != nil {
				return err
			}
			v := imageViewOf(img, img.Alt)
			return writeJSON(w, http.StatusOK, richImageAnswer{ID: img.ID, Src: pages.RichImageSrc(img.ID), Alt: img.Alt, Width: v.Width, Height: v.Height})
		}
	}
}

// richImageRefused answers the image dialog with a refusal in words.
func (s *Server) richImageRefused(w http.ResponseWriter, _ string, key string, args ...any) error {
	return writeJSON(w, http.StatusUnprocessableEntity, richImageAnswer{Error: s.cat.T(key, args...)})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// richTextView draws sanitised rich text for a page: each picture of the
// site gets the srcset of its kept widths (as an image block), sizes and
// lazy loading. The text is parsed, never matched with patterns.
func richTextView(in string) template.HTML {
	if !strings.Contains(in, "<img") {
		return template.HTML(in) //nolint:gosec // sanitised by the caller
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(in))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return template.HTML(b.String()) //nolint:gosec // sanitised input, attributes escaped by Token.String
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			b.Write(z.Raw())
			continue
		}
		raw := string(z.Raw())
		tok := z.Token()
		if tok.Data != "img" {
			b.WriteString(raw)
			continue
		}
		var id int64
		width := 0
		for _, a := range tok.Attr {
			switch a.Key {
			case "src":
				if rest, ok := strings.CutPrefix(a.Val, "/medias/"); ok {
					id, _ = strconv.ParseInt(rest[:max(strings.IndexByte(rest, '/'), 0)], 10, 64)
				}
			case "width":
				width, _ = strconv.Atoi(a.Val)
			}
		}
		if id > 0 {
			if width <= 0 {
				width = pages.ImageWidths[len(pages.ImageWidths)-1]
			}
			v := imageViewOf(&pages.Image{ID: id, Width: width, Height: 1}, "")
			tok.Attr = append(tok.Attr,
				html.Attribute{Key: "srcset", Val: v.Srcset},
				html.Attribute{Key: "sizes", Val: "(max-width: 72rem) 100vw, 70rem"},
				html.Attribute{Key: "loading", Val: "lazy"})
		}
		tok.Type = html.StartTagToken
		b.WriteString(tok.String())
	}
}

// editorTextsPrefix: the catalogue keys of the editor scripts' words.
const editorTextsPrefix = "editor.rte."

// editorTexts are the texts the editor scripts write (toolbar labels,
// prompts, announcements), by key without editorTextsPrefix: web/editor/
// texts.js reads them from the edit page, so the scripts hold no French.
func (s *Server) editorTexts() map[string]string {
	out := map[string]string{}
	for _, k := range s.cat.Keys() {
		if rest, ok := strings.CutPrefix(k, editorTextsPrefix); ok {
			out[rest] = s.cat.T(k)
		}
	}
	return out
}
