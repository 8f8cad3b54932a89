package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portique/internal/access"
	"portique/internal/browsertest"
	"portique/internal/pages"
)

// An editor edits a paragraph in place with the rich-text editor, adds an
// image with its alternative text and publishes; a visitor sees the new
// text; the history shows two revisions and restoring the first works.
// axe-core finds no WCAG 2.1 A/AA violation in view mode and in edit mode.
func TestBrowserPageEditing(t *testing.T) {
	site := browsertest.Start(t, browsertest.Options{})
	ctx := context.Background()
	gEd := site.CreateGroup(t, "Communication")
	editorID := site.CreateUser(t, "communication@sydrav.example", "Claire Rédaction", false, gEd)

	st := pages.New(site.DB, nil)
	adm := access.Actor{Principal: access.Member(0, true, nil), Name: "système"}
	home, err := st.CreateHome(ctx, access.System(), "Accueil")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetGrants(ctx, adm, home.ID, false, []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: gEd, Level: access.Manage}}); err != nil {
		t.Fatal(err)
	}
	p, err := st.Create(ctx, adm, home.ID, pages.NewPage{Title: "Déchèteries", Slug: "infos-decheteries"})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := st.SaveDraft(ctx, adm, p.ID, p.DraftRev, "Déchèteries", []pages.Block{{Type: pages.BlockText, HTML: "<p>Horaires d’hiver : 9 h – 17 h.</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, adm, p.ID, rev.ID, "Première version"); err != nil {
		t.Fatal(err)
	}

	// A small photo on disk for the upload.
	img := image.NewRGBA(image.Rect(0, 0, 800, 400))
	for x := 0; x < 800; x++ {
		img.Set(x, x%400, color.RGBA{R: 30, G: 120, B: 60, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "decheterie.png")
	if err := os.WriteFile(photo, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	bctx := site.Browser(t)
	site.LoginAs(t, bctx, editorID)
	if st := site.Go(t, bctx, "/infos-decheteries"); st != http.StatusOK {
		t.Fatalf("GET /decheteries = %d", st)
	}
	if !browsertest.Exists(t, bctx, "nav.page-toolbar") {
		t.Fatal("no editing toolbar for the editor")
	}
	browsertest.AssertAccessible(t, bctx)

	// Edit mode: the paragraph becomes a rich-text editor in place.
	browsertest.Submit(t, bctx, `nav.page-toolbar a[href$="/modifier"]`)
	openTextBlocks(t, bctx)
	browsertest.AssertAccessible(t, bctx)
	browsertest.Run(t, bctx, "type in the editor",
		chromedp.Click(chromedp.CSS(".rte-content")),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent("Horaires d’été : 9 h – 18 h."),
	)
	// Make it bold with the toolbar, by keyboard-free click.
	browsertest.Run(t, bctx, "select and bold",
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.Click(chromedp.CSS(".rte-bold")),
	)
	if html := browsertest.Eval[string](t, bctx, `document.querySelector('textarea[name="blocks.0.html"]').value`); !strings.Contains(html, "<strong>Horaires d’été") {
		t.Fatalf("textarea not synced with the editor: %q", html)
	}

	// Add an image block (the form re-renders without saving, the text kept).
	browsertest.Run(t, bctx, "choose image block", chromedp.SetValue(chromedp.CSS("#add_type"), "image"))
	browsertest.Submit(t, bctx, `button[name="op"][value="add"]`)
	openTextBlocks(t, bctx)
	if txt := browsertest.Text(t, bctx, ".rte-content"); !strings.Contains(txt, "Horaires d’été") {
		t.Fatalf("text lost when adding a block: %q", txt)
	}
	browsertest.Run(t, bctx, "attach the photo", chromedp.SetUploadFiles(chromedp.CSS(`input[name="blocks.1.file"]`), []string{photo}))
	browsertest.Run(t, bctx, "alt text", chromedp.WaitVisible(chromedp.CSS(`input[name="blocks.1.alt"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="blocks.1.alt"]`), "Entrée de la déchèterie de Valence"))
	browsertest.Run(t, bctx, "note", chromedp.SendKeys(chromedp.CSS("#note"), "Horaires d’été"))
	if st := browsertest.Submit(t, bctx, `button[name="op"][value="publish"]`); st != http.StatusOK {
		t.Fatalf("publish = %d", st)
	}
	if loc := browsertest.Location(t, bctx); loc != "/infos-decheteries" {
		t.Fatalf("after publishing the editor is on %s", loc)
	}

	// A visitor sees the new text and the image with its alternative text.
	vctx := site.Browser(t)
	site.Go(t, vctx, "/infos-decheteries")
	if txt := browsertest.Text(t, vctx, "article.page-content"); !strings.Contains(txt, "Horaires d’été : 9 h – 18 h.") || strings.Contains(txt, "hiver") {
		t.Fatalf("visitor sees %q", txt)
	}
	// The image is lazy-loaded: bring it into view and wait for it.
	alt := browsertest.Eval[string](t, vctx, `new Promise((resolve) => {
		const i = document.querySelector("article img");
		if (!i) return resolve("no image");
		const done = () => resolve(i.naturalWidth > 0 ? i.alt : "not loaded");
		if (i.complete && i.naturalWidth > 0) return done();
		i.addEventListener("load", done);
		i.addEventListener("error", done);
		i.scrollIntoView();
		setTimeout(done, 5000);
	})`)
	if alt != "Entrée de la déchèterie de Valence" {
		t.Fatalf("image alt = %q (or image not loaded)", alt)
	}
	if browsertest.Exists(t, vctx, "nav.page-toolbar") {
		t.Fatal("visitor sees the editing toolbar")
	}
	browsertest.AssertAccessible(t, vctx)

	// History: two revisions; restore the first.
	site.Go(t, bctx, fmt.Sprintf("/pages/%d/historique", p.ID))
	if n := browsertest.Eval[int](t, bctx, `document.querySelectorAll("main tbody tr").length`); n != 2 {
		t.Fatalf("history rows = %d, want 2", n)
	}
	browsertest.AssertAccessible(t, bctx)
	browsertest.Submit(t, bctx, `form[action$="/restaurer"] button`)
	site.Go(t, vctx, "/infos-decheteries")
	if txt := browsertest.Text(t, vctx, "article.page-content"); !strings.Contains(txt, "Horaires d’hiver") {
		t.Fatalf("after restore visitor sees %q", txt)
	}
}
