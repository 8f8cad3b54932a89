package pages_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/pages"
)

// Issue 13A: the sanitiser keeps an <img> of rich text only with a src of
// the site's own pictures, with its alt, width and height; anything else
// is dropped.
func TestSanitizeRichImages(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<img src="/medias/5/960" alt="Un bac jaune" width="960" height="720">`, `<img src="/medias/5/960" alt="Un bac jaune" width="960" height="720">`},
		{`<img src="/medias/5/960" alt="" width="960" height="720">`, `<img src="/medias/5/960" alt="" width="960" height="720">`},
		{`<img src="/medias/5/960" alt="x" width="100%" title="t" style="border:0" class="c" loading="lazy">`, `<img src="/medias/5/960" alt="x">`},
		{`<p>a<img src="https://evil.example/x.png" alt="x">b</p>`, `<p>ab</p>`},
		{`<img src="/medias/5/960/../../admin" alt="x">`, ``},
		{`<img src="/medias/5/961" alt="x">`, ``},
		{`<img src="//evil.example/medias/5/960" alt="x">`, ``},
		{`<img src="data:image/png;base64,iVBORw0KGgo=" alt="x">`, ``},
		{`<img alt="sans source">`, ``},
		{`<img src="/medias/5/960" srcset="https://evil.example/x 1x" alt="x">`, `<img src="/medias/5/960" alt="x">`},
	}
	for _, c := range cases {
		if got := pages.SanitizeHTML(c.in); got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if txt := pages.PlainText(`<p>Le bac :</p><img src="/medias/7/960" alt="Un bac jaune &amp; son couvercle"><img src="/medias/8/960" alt=""><p>Fin.</p>`); txt != "Le bac :\nUn bac jaune & son couvercle\nFin." {
		t.Fatalf("PlainText = %q (a picture reads as its alt, a decorative one as nothing)", txt)
	}
	got := pages.RichImages(`<p>x</p><img src="/medias/7/960" alt="" width="480" height="240"><img src="/medias/8/0" alt="B">`)
	want := []pages.RichImage{{ID: 7, HasAlt: true, Width: 480, Height: 240}, {ID: 8, Alt: "B", HasAlt: true}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("RichImages = %+v, want %+v", got, want)
	}
}

// FuzzRichImages: whatever the input, the pictures found in sanitised text
// have a positive id, and the sanitised text only holds <img> with the
// site's own src.
func FuzzRichImages(f *testing.F) {
	f.Add(`<img src="/medias/5/960" alt="x" width="1" height="2">`)
	f.Add(`<img src="/medias/99999999999999999999/960" alt="x">`)
	f.Add(`<img src=/medias/1/0 alt>`)
	f.Fuzz(func(t *testing.T, in string) {
		out := pages.SanitizeHTML(in)
		checkSafe(t, in, out)
		for _, img := range pages.RichImages(out) {
			if img.ID <= 0 {
				t.Fatalf("RichImages(%q): id %d", out, img.ID)
			}
		}
		if strings.Count(out, "<img") != len(pages.RichImages(out)) {
			t.Fatalf("Sanitize(%q) = %q keeps an <img> that is not one of the site's", in, out)
		}
	})
}

// Issue 13A: a picture uploaded for the rich text is stored like an image
// block's (variants); saving text that shows it works, publishing makes it
// visible to visitors; a picture of another page, or one without an alt
// attribute, is refused with a message on the text; the decorative choice
// stores an empty alternative; only editors upload.
func TestRichTextImages(t *testing.T) {
	f := newFixture(t)
	p := f.page(f.home.ID, "Tri", "le tri")
	other := f.page(f.home.ID, "Autre", "autre")
	img, err := f.s.UploadRichImage(f.ctx, editor, p.ID, "bac.png", "Un bac jaune", false, pngReader(t, 1200, 600))
	if err != nil {
		t.Fatal(err)
	}
	deco, err := f.s.UploadRichImage(f.ctx, editor, p.ID, "frise.png", "ignoré", true, pngReader(t, 300, 30))
	if err != nil {
		t.Fatal(err)
	}
	if img.Alt != "Un bac jaune" || deco.Alt != "" || deco.Width != 300 {
		t.Fatalf("stored %+v and %+v", img, deco)
	}
	if _, err := f.s.UploadRichImage(f.ctx, editor, p.ID, "x.png", " ", false, pngReader(t, 10, 10)); err == nil {
		t.Fatal("an image without alt and not decorative was accepted")
	} else {
		wantField(t, err, "alt")
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"not an image", []byte("%PDF-1.7\n")}, {"bomb", bomb(t)}, {"truncated", pngBytes(t, 50, 50)[:60]}} {
		_, err := f.s.UploadRichImage(f.ctx, editor, p.ID, "x.png", "", true, bytes.NewReader(c.data))
		wantField(t, err, "file")
	}
	_, err = f.s.UploadRichImage(f.ctx, member, p.ID, "x.png", "", true, pngReader(t, 10, 10))
	wantErr(t, err, access.ErrForbidden)
	_, err = f.s.UploadRichImage(f.ctx, visitor, p.ID, "x.png", "Intrus", false, pngReader(t, 10, 10))
	wantErr(t, err, access.ErrForbidden)

	text := fmt.Sprintf(`<p>Le bac :</p><img src="%s" alt="Un bac jaune" width="1200" height="600"><img src="%s" alt="" width="300" height="30">`,
		pages.RichImageSrc(img.ID), pages.RichImageSrc(deco.ID))
	cur := f.get(p.ID)
	rev, err := f.s.SaveDraft(f.ctx, editor, p.ID, cur.PublishedRev, "Tri", []pages.Block{{Type: pages.BlockText, HTML: text}})
	if err != nil {
		t.Fatal(err)
	}
	if rev.Blocks[0].HTML != text {
		t.Fatalf("stored %s\nwant %s", rev.Blocks[0].HTML, text)
	}
	_, err = f.s.ImageVariant(f.ctx, visitor.Principal, img.ID, 480)
	wantErr(t, err, db.ErrNotFound) // a draft's picture: editors only
	if _, err := f.s.Publish(f.ctx, editor, p.ID, rev.ID, ""); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{img.ID, deco.ID} {
		if _, err := f.s.ImageVariant(f.ctx, visitor.Principal, id, 480); err != nil {
			t.Fatalf("visitor cannot see picture %d of the published text: %v", id, err)
		}
	}

	// A picture of another page, or without alt: refused on the text, nothing saved.
	foreign, err := f.s.UploadRichImage(f.ctx, editor, other.ID, "autre.png", "Autre", false, pngReader(t, 10, 10))
	if err != nil {
		t.Fatal(err)
	}
	base := f.get(p.ID).PublishedRev
	for _, bad := range []string{
		fmt.Sprintf(`<img src="%s" alt="Autre">`, pages.RichImageSrc(foreign.ID)),
		`<img src="/medias/999999/960" alt="Inconnue">`,
		fmt.Sprintf(`<img src="%s">`, pages.RichImageSrc(img.ID)),
	} {
		_, err := f.s.SaveDraft(f.ctx, editor, p.ID, base, "Tri", []pages.Block{{Type: pages.BlockText, HTML: "<p>a</p>"}, {Type: pages.BlockText, HTML: bad}})
		wantField(t, err, "blocks.1.html")
	}
	if got := f.get(p.ID).DraftRev; got != 0 && got != base {
		t.Fatalf("a refused save left draft %d", got)
	}
	// Unpublished from the text: no longer public.
	rev, err = f.s.SaveDraft(f.ctx, editor, p.ID, base, "Tri", []pages.Block{{Type: pages.BlockText, HTML: "<p>sans image</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Publish(f.ctx, editor, p.ID, rev.ID, ""); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.ImageVariant(f.ctx, visitor.Principal, img.ID, 480)
	wantErr(t, err, db.ErrNotFound)
}
