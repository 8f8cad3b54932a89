package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"portique/internal/pages"
)

// A page draws its pictures as <picture>: WebP sizes first, the JPEG/PNG
// sizes in the <img> with sizes, width and height (no layout shift); the
// first picture loads at once, the next ones lazily. The WebP files are
// served like the others: to those who may view the page only.
func TestPagePictures(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	form := editForm(f.seances.PublishedRev, "Séances",
		pages.Block{Type: "image", Alt: "Salle du conseil"}, pages.Block{Type: "image", Alt: "Plan d’accès"})
	form.Set("op", "publish")
	rec := f.editor.postMultipart(t, path, form, map[string][2]string{
		"blocks.0.file": {"salle.png", pngData(t, 1200, 600)},
		"blocks.1.file": {"plan.png", pngData(t, 700, 350)},
	})
	wantStatus(t, rec, http.StatusSeeOther)
	rec = f.elu.get(t, "/espace-elus/seances")
	wantStatus(t, rec, http.StatusOK)
	page := rec.Body.String()
	pics := regexp.MustCompile(`<picture><source type="image/webp" srcset="([^"]+)" sizes="([^"]+)"><img src="(/medias/\d+/960)" srcset="([^"]+)" sizes="([^"]+)" alt="([^"]*)" width="(\d+)" height="(\d+)"( loading="lazy")?></picture>`).FindAllStringSubmatch(page, -1)
	if len(pics) != 2 {
		t.Fatalf("%d <picture> drawn, want 2:\n%.2000s", len(pics), page)
	}
	first, second := pics[0], pics[1]
	var id int64
	fmt.Sscanf(first[3], "/medias/%d/", &id)
	if want := fmt.Sprintf("/medias/%d/480.webp 480w, /medias/%d/960.webp 960w, /medias/%d/1600.webp 1200w", id, id, id); first[1] != want {
		t.Errorf("WebP srcset = %q, want %q", first[1], want)
	}
	if want := fmt.Sprintf("/medias/%d/480 480w, /medias/%d/960 960w, /medias/%d/1600 1200w", id, id, id); first[4] != want {
		t.Errorf("srcset = %q, want %q", first[4], want)
	}
	if first[2] != first[5] || first[2] == "" {
		t.Errorf("sizes %q (source) and %q (img)", first[2], first[5])
	}
	if first[6] != "Salle du conseil" || first[7] != "1200" || first[8] != "600" {
		t.Errorf("first picture: alt %q, %s×%s", first[6], first[7], first[8])
	}
	if first[9] != "" || second[9] == "" {
		t.Errorf("loading: first %q, second %q; want the first at once, the second lazily", first[9], second[9])
	}
	if !regexp.MustCompile(`^/medias/\d+/480\.webp 480w, /medias/\d+/960\.webp 700w$`).MatchString(second[1]) {
		t.Errorf("a 700 px picture offers %q, want its 480 size and itself whole (700w)", second[1])
	}
	webp := fmt.Sprintf("/medias/%d/480.webp", id)
	rec = f.elu.get(t, webp)
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "image/webp" || !strings.HasPrefix(rec.Body.String(), "RIFF") {
		t.Fatalf("Content-Type = %q, body %.12q", ct, rec.Body.String())
	}
	etag := rec.Header().Get("ETag")
	if png := f.elu.get(t, fmt.Sprintf("/medias/%d/480", id)); png.Header().Get("ETag") == etag || png.Header().Get("Content-Type") != "image/png" {
		t.Errorf("PNG and WebP: ETags %q and %q, PNG type %q", png.Header().Get("ETag"), etag, png.Header().Get("Content-Type"))
	}
	// The image of a private page is not served to others, in any format.
	wantStatus(t, f.tech.get(t, webp), http.StatusNotFound)
	wantStatus(t, f.visitor.get(t, webp), http.StatusNotFound)
	for _, bad := range []string{"480.gif", "480.webp.webp", "abc.webp", ".webp", "481.webp"} {
		wantStatusPath(t, f.elu.get(t, fmt.Sprintf("/medias/%d/%s", id, bad)), http.StatusNotFound, bad)
	}
}
