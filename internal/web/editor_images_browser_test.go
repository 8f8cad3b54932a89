package web_test

import (
	"bytes"
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
	"github.com/chromedp/chromedp/kb"

	"portique/internal/browsertest"
	"portique/internal/pages"
)

// pngBytes is a w×h PNG.
func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{R: 20, G: 110, B: 70, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// photoFile writes a w×h PNG into a temporary file for an upload.
func photoFile(t *testing.T, w, h int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bac-jaune.png")
	if err := os.WriteFile(path, pngBytes(t, w, h), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Issue 13A: with the keyboard only, an editor opens a text block, opens
// the toolbar's « Image » dialog, is told that the alternative text is
// required, types it, inserts the picture and publishes; visitors see the
// picture with its alt and srcset. axe finds no violation with the dialog
// open, with its error shown, and after the insertion.
func TestBrowserEditorImageKeyboard(t *testing.T) {
	site, bctx, st, p := editorSite(t, browsertest.Options{}, pages.Block{Type: pages.BlockText, HTML: "<p>Le bac :</p>"})
	photo := photoFile(t, 1200, 600)
	if code := site.Go(t, bctx, fmt.Sprintf("/pages/%d/modifier", p.ID)); code != http.StatusOK {
		t.Fatalf("edit form = %d", code)
	}
	browsertest.Run(t, bctx, "open block 1 with Enter, cursor at the end",
		chromedp.WaitReady(chromedp.CSS("form.inplace")),
		chromedp.Focus(chromedp.CSS("#block-0 .block-edit")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#block-0 .rte-content")),
		afterFocus(),
		chromedp.KeyEvent(kb.End))
	browsertest.Run(t, bctx, "the toolbar's Image button, Enter",
		chromedp.Focus(chromedp.CSS("#block-0 .rte-image")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("dialog.image-picker #ip-file")))
	if !browsertest.Eval[bool](t, bctx, `document.activeElement.id === "ip-file"`) {
		t.Fatal("the dialog did not put the focus on the file field")
	}
	browsertest.AssertAccessible(t, bctx)
	// The file chooser is the system's; the test hands it the file.
	browsertest.Run(t, bctx, "choose the file, Insérer without alt",
		chromedp.SetUploadFiles(chromedp.CSS("#ip-file"), []string{photo}),
		chromedp.Focus(chromedp.CSS(`dialog.image-picker [data-act="ok"]`)),
		chromedp.KeyEvent(kb.Enter))
	if !browsertest.Eval[bool](t, bctx, `document.activeElement.id === "ip-alt" && document.querySelector("#ip-alt").getAttribute("aria-invalid") === "true" && !document.querySelector("#ip-error").hidden`) {
		t.Fatal("Insérer without alternative text was not refused on the alt field")
	}
	if txt := browsertest.Text(t, bctx, "#ip-error"); !strings.Contains(txt, "texte alternatif") {
		t.Fatalf("error = %q", txt)
	}
	browsertest.AssertAccessible(t, bctx)
	browsertest.Run(t, bctx, "type the alt, Tab Tab to Insérer, Enter",
		chromedp.KeyEvent("Le bac jaune des emballages"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent(kb.Enter))
	html := browsertest.Eval[string](t, bctx, `new Promise((ok) => { const t0 = Date.now(); (function wait() {
		const v = document.querySelector('textarea[name="blocks.0.html"]').value;
		if (v.includes("<img") || Date.now() - t0 > 5000) return ok(v); setTimeout(wait, 50); })(); })`)
	imgs := pages.RichImages(pages.SanitizeHTML(html))
	if len(imgs) != 1 || imgs[0].Alt != "Le bac jaune des emballages" || imgs[0].Width != 1200 || imgs[0].Height != 600 {
		t.Fatalf("the text after the dialog: %s", html)
	}
	if !browsertest.Eval[bool](t, bctx, `!document.querySelector("dialog.image-picker").open && document.activeElement.closest(".rte-content") !== null`) {
		t.Fatal("the dialog stayed open or the focus did not go back to the text")
	}
	if said := browsertest.Text(t, bctx, "[data-inplace-status]"); !strings.Contains(said, "Le bac jaune des emballages") {
		t.Fatalf("insertion announced as %q", said)
	}
	browsertest.AssertAccessible(t, bctx)
	resp, err := chromedp.RunResponse(bctx, chromedp.Focus(chromedp.CSS(`.actions button[value="publish"]`)), browsertest.Press(kb.Enter))
	if err != nil || resp == nil || resp.Status != http.StatusOK {
		t.Fatalf("publish by keyboard: %v %v", resp, err)
	}
	if b := savedBlocks(t, st, p); len(b) != 1 || len(pages.RichImages(b[0].HTML)) != 1 {
		t.Fatalf("published blocks: %+v", b)
	}
	vctx := site.Browser(t)
	site.Go(t, vctx, "/horaires")
	got := browsertest.Eval[string](t, vctx, `new Promise((ok) => { const img = document.querySelector("article.page-content img[srcset]");
		if (!img) return ok("none"); const done = () => ok(img.alt + "|" + img.naturalWidth + "|" + img.getAttribute("srcset"));
		img.loading = "eager"; img.complete && img.naturalWidth ? done() : img.addEventListener("load", done); setTimeout(done, 5000); })`)
	if !strings.HasPrefix(got, "Le bac jaune des emballages|") || strings.HasPrefix(got, "Le bac jaune des emballages|0|") || !strings.Contains(got, "480w") {
		t.Fatalf("the visitor's picture (alt|natural width|srcset) = %q", got)
	}
	browsertest.AssertAccessible(t, vctx)
}

// Issue 13A: a picture pasted into the editor opens the dialog with the
// file chosen; the decorative choice inserts it with an empty alt; a file
// that is not a picture is refused in the dialog and the text is left as
// it was.
func TestBrowserEditorImagePaste(t *testing.T) {
	site, bctx, _, p := editorSite(t, browsertest.Options{}, pages.Block{Type: pages.BlockText, HTML: "<p>Avant.</p>"})
	openEditor(t, site, bctx, p)
	paste := func(what string) {
		browsertest.Run(t, bctx, "paste "+what, runJS(`(async () => {
			const e = window.portiqueEditors[0]; e.commands.focus("end");
			let blob;
			if (`+"`"+what+"`"+` === "image") {
				const c = document.createElement("canvas"); c.width = 64; c.height = 32;
				const g = c.getContext("2d"); g.fillStyle = "#0a5"; g.fillRect(0, 0, 64, 32);
				blob = await new Promise((ok) => c.toBlob(ok, "image/png"));
			} else blob = new Blob(["pas une image"], { type: "image/png" });
			const dt = new DataTransfer(); dt.items.add(new File([blob], "colle.png", { type: "image/png" }));
			e.view.dom.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
			return true; })()`), chromedp.WaitVisible(chromedp.CSS("dialog.image-picker #ip-alt")))
	}
	paste("broken")
	if n := browsertest.Eval[int](t, bctx, `document.querySelector("#ip-file").files.length`); n != 1 {
		t.Fatalf("the pasted file is not chosen in the dialog (%d files)", n)
	}
	browsertest.Run(t, bctx, "alt, insert", chromedp.KeyEvent("Cassée"), runJS(`document.querySelector('dialog.image-picker [data-act="ok"]').click()`))
	msg := browsertest.Eval[string](t, bctx, `new Promise((ok) => { const t0 = Date.now(); (function wait() {
		const e = document.querySelector("#ip-error"); if (!e.hidden || Date.now() - t0 > 5000) return ok(e.textContent); setTimeout(wait, 50); })(); })`)
	if !strings.Contains(msg, "image") {
		t.Fatalf("a broken picture: error %q", msg)
	}
	if v := browsertest.Eval[string](t, bctx, `document.querySelector('textarea[name="blocks.0.html"]').value`); v != "<p>Avant.</p>" {
		t.Fatalf("the refused picture changed the text: %s", v)
	}
	browsertest.AssertAccessible(t, bctx)
	browsertest.Run(t, bctx, "cancel", chromedp.KeyEvent(kb.Escape))

	paste("image")
	browsertest.Run(t, bctx, "decorative, insert",
		runJS(`document.querySelector("#ip-decorative").click()`),
		runJS(`document.querySelector('dialog.image-picker [data-act="ok"]').click()`))
	html := browsertest.Eval[string](t, bctx, `new Promise((ok) => { const t0 = Date.now(); (function wait() {
		const v = document.querySelector('textarea[name="blocks.0.html"]').value;
		if (v.includes("<img") || Date.now() - t0 > 5000) return ok(v); setTimeout(wait, 50); })(); })`)
	imgs := pages.RichImages(pages.SanitizeHTML(html))
	if len(imgs) != 1 || !imgs[0].HasAlt || imgs[0].Alt != "" || imgs[0].Width != 64 {
		t.Fatalf("the decorative picture: %s", html)
	}
	// Pasted HTML: a picture from elsewhere is not shown (the server would
	// not keep it); one of the site's, copied from a page, keeps its address.
	src := fmt.Sprintf("%s/medias/%d/960", strings.TrimSuffix(browsertest.Eval[string](t, bctx, `location.origin`), "/"), imgs[0].ID)
	got := browsertest.Eval[string](t, bctx, fmt.Sprintf(`(() => { const e = window.portiqueEditors[0];
		e.commands.selectAll(); e.view.pasteHTML(%q);
		return document.querySelector('textarea[name="blocks.0.html"]').value })()`,
		`<p>Collé</p><img src="https://evil.example/x.png" alt="ailleurs"><img src="`+src+`" srcset="x 1x" alt="ici" width="64" height="32">`))
	if want := fmt.Sprintf(`<p>Collé</p><img src="/medias/%d/960" alt="ici" width="64" height="32">`, imgs[0].ID); got != want {
		t.Fatalf("pasted HTML gives %s\nwant %s", got, want)
	}
}
