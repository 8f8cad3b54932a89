package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"portique/internal/pages"
)

// Issue 13A: the editor's image dialog posts a picture to
// /pages/{id}/images: an editor gets the <img> attributes to insert; a
// picture without alternative text (and not decorative), a file that is
// not an image, a corrupt or too heavy one answers 422 with its message
// and stores nothing; someone who may not edit the page is refused; the
// published text shows the picture with its srcset to visitors.
func TestPageRichTextImageUpload(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/images", f.seances.ID)
	photo := pngData(t, 1200, 600)
	rec := f.editor.postMultipart(t, path, url.Values{"alt": {"Le bac jaune"}}, map[string][2]string{"file": {"bac.png", photo}})
	wantStatus(t, rec, 200)
	var got richImageAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("answer %q: %v", rec.Body.String(), err)
	}
	if got.ID == 0 || got.Src != pages.RichImageSrc(got.ID) || got.Alt != "Le bac jaune" || got.Width != 1200 || got.Height != 600 {
		t.Fatalf("answer = %+v", got)
	}
	deco := f.editor.postMultipart(t, path, url.Values{"alt": {""}, "decorative": {"1"}}, map[string][2]string{"file": {"frise.png", pngData(t, 300, 20)}})
	wantStatus(t, deco, 200)
	var d richImageAnswer
	json.Unmarshal(deco.Body.Bytes(), &d) //nolint:errcheck // checked below
	if d.ID == 0 || d.Alt != "" {
		t.Fatalf("decorative answer = %s", deco.Body.String())
	}

	countImages := func() int {
		var n int
		if err := f.ts.db.QueryRow(t.Context(), "SELECT COUNT(*) FROM images").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := countImages()
	for _, c := range []struct {
		name, alt, file, want string
	}{
		{"no alt", " ", photo, "Décrivez l’image"},
		{"not an image", "Un PDF", "%PDF-1.7\n1 0 obj <<>> endobj", "n’est pas une image"},
		{"corrupt", "Abîmée", photo[:80], ""},
		{"empty", "Vide", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := f.editor.postMultipart(t, path, url.Values{"alt": {c.alt}}, map[string][2]string{"file": {"x.png", c.file}})
			wantStatus(t, rec, 422)
			var a richImageAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || a.Error == "" || !strings.Contains(a.Error, c.want) {
				t.Fatalf("answer %q (%v), want a message with %q", rec.Body.String(), err, c.want)
			}
		})
	}
	f.ts.srv.pages.ImageMax = 1 << 10
	rec = f.editor.postMultipart(t, path, url.Values{"alt": {"Lourde"}}, map[string][2]string{"file": {"x.png", photo + strings.Repeat("x", 2<<10)}})
	wantStatus(t, rec, 422)
	wantBody(t, rec, `"error":`)
	f.ts.srv.pages.ImageMax = pages.DefaultImageMax
	// Access: only the page's editors upload.
	wantStatus(t, f.elu.postMultipart(t, path, url.Values{"alt": {"Intrus"}}, map[string][2]string{"file": {"x.png", photo}}), 403)
	wantStatus(t, f.visitor.postMultipart(t, path, url.Values{"alt": {"Intrus"}}, map[string][2]string{"file": {"x.png", photo}}), 303)
	wantStatus(t, f.editor.postMultipart(t, fmt.Sprintf("/pages/%d/images", f.syndicat.ID), url.Values{"alt": {"Ailleurs"}}, map[string][2]string{"file": {"x.png", photo}}), 403)
	wantStatus(t, f.editor.postMultipart(t, "/pages/999999/images", url.Values{"alt": {"Inconnue"}}, map[string][2]string{"file": {"x.png", photo}}), 404)
	if n := countImages(); n != before {
		t.Fatalf("refused uploads stored %d pictures", n-before)
	}

	// Saved in the text and published: visitors of the page see it, with srcset.
	text := fmt.Sprintf(`<p>Le bac :</p><img src="%s" alt="Le bac jaune" width="%d" height="%d"><img src="%s" alt="" width="300" height="20">`, got.Src, got.Width, got.Height, d.Src)
	form := editForm(f.seances.PublishedRev, "Séances", pages.Block{Type: "text", HTML: text})
	form.Set("op", "publish")
	wantStatus(t, f.editor.postMultipart(t, fmt.Sprintf("/pages/%d/modifier", f.seances.ID), form, nil), 303)
	page := body(t, f.elu.get(t, "/espace-elus/seances"))
	want := fmt.Sprintf(`<img src="/medias/%d/960" alt="Le bac jaune" width="1200" height="600" srcset="/medias/%d/480 480w, /medias/%d/960 960w, /medias/%d/1600 1200w" sizes="(max-width: 72rem) 100vw, 70rem" loading="lazy">`, got.ID, got.ID, got.ID, got.ID)
	if !strings.Contains(page, want) {
		i := strings.Index(page, "/medias/")
		t.Fatalf("page shows %.400s\nwant %s", page[max(i, 0):], want)
	}
	if !strings.Contains(page, fmt.Sprintf(`<img src="/medias/%d/960" alt="" width="300" height="20" srcset="/medias/%d/480 300w"`, d.ID, d.ID)) {
		t.Fatal("the decorative picture lost its empty alt or srcset")
	}
	wantStatus(t, f.elu.get(t, fmt.Sprintf("/medias/%d/480", got.ID)), 200)
	wantStatus(t, f.tech.get(t, fmt.Sprintf("/medias/%d/480", got.ID)), 404) // not a viewer of the page
}

// Issue 13A: the editor scripts' words come from the catalogue: every
// t("key") of web/editor (and every toolbar button id) has its
// "editor.rte." entry, the edit page hands them all over in
// <script type="application/json" id="rte-texts">, and no French string
// is left in the scripts.
func TestEditorTextsFromCatalogue(t *testing.T) {
	dir := filepath.Join("..", "..", "web", "editor")
	files, err := filepath.Glob(filepath.Join(dir, "*.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no editor scripts in %s: %v", dir, err)
	}
	calls := regexp.MustCompile(`\bt\("([a-z0-9_]+)"`)
	ids := regexp.MustCompile(`\{ id: "([a-z0-9_]+)"`)
	french := regexp.MustCompile(`"[^"\n]*[àâçéèêëîïôûùüÿœ’«»][^"\n]*"`)
	f := newSite(t)
	texts := f.ts.srv.editorTexts()
	used := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		var keys []string
		for _, m := range calls.FindAllStringSubmatch(src, -1) {
			keys = append(keys, m[1])
		}
		if filepath.Base(file) == "editor.js" {
			for _, m := range ids.FindAllStringSubmatch(src, -1) {
				keys = append(keys, m[1])
			}
		}
		for _, k := range keys {
			used++
			if !f.ts.srv.cat.Has(editorTextsPrefix + k) {
				t.Errorf("%s uses t(%q): no %q in the catalogue", filepath.Base(file), k, editorTextsPrefix+k)
			}
			if texts[k] == "" {
				t.Errorf("%s: %q is not handed to the scripts", filepath.Base(file), k)
			}
		}
		for _, line := range strings.Split(src, "\n") {
			if code, _, _ := strings.Cut(line, "//"); french.MatchString(code) {
				t.Errorf("%s: French text in the script: %s", filepath.Base(file), strings.TrimSpace(line))
			}
		}
	}
	if used < 20 {
		t.Fatalf("found only %d texts used: the scan is broken", used)
	}
	page := body(t, f.editor.get(t, fmt.Sprintf("/pages/%d/modifier", f.seances.ID)))
	if f.ts.srv.static.exists("dist/editor.js") {
		i := strings.Index(page, `<script type="application/json" id="rte-texts">`)
		if i < 0 {
			t.Fatal("the edit page does not hand the texts over")
		}
		rest := page[i+len(`<script type="application/json" id="rte-texts">`):]
		var m map[string]string
		if err := json.Unmarshal([]byte(rest[:strings.Index(rest, "</script>")]), &m); err != nil || m["bold"] != "Gras" || len(m) != len(texts) {
			t.Fatalf("texts handed over: %v (%v)", m, err)
		}
	}
}
