package browsertest

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The contact form of the demo's /contact page, keyboard only, with
// JavaScript: an empty message gives an error summary that takes the
// focus, whose links lead to the fields; the form is then filled with the
// keyboard, a file is attached, the progress bar shows while it is sent,
// and the message reaches the form's address through the real SMTP
// client. Without JavaScript the same form works with the question of the
// captcha. axe finds nothing on the form (errors shown too), the inbox and
// the editor; no CSP violation.
func TestBrowserContactForm(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	cspWatch(t, ctx)
	if st := site.Go(t, ctx, "/contact"); st != http.StatusOK {
		t.Fatalf("GET /contact = %d", st)
	}
	AssertAccessible(t, ctx)
	if !Exists(t, ctx, ".contact-drop") {
		t.Fatal("the file field has no drop zone with JavaScript")
	}
	// An empty message, sent with Enter on the button.
	tabTo(t, ctx, "contact-1-f0")
	Run(t, ctx, "focus the button", chromedp.Focus(chromedp.CSS("#contact-1 button[type=submit]")))
	if resp, err := chromedp.RunResponse(ctx, Press(kb.Enter)); err != nil || resp == nil || resp.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty message: %v %v", resp, err)
	}
	if cls := Eval[string](t, ctx, "document.activeElement.className"); cls != "form-errors" {
		t.Fatalf("the error summary does not have the focus (%q)", cls)
	}
	AssertAccessible(t, ctx)
	Run(t, ctx, "Tab to the first link", chromedp.KeyEvent(kb.Tab))
	if href := Eval[string](t, ctx, "document.activeElement.getAttribute('href')"); href != "#contact-1-f0" {
		t.Fatalf("first link = %q", href)
	}
	// Enter on it: the focus is on the field, in the same page.
	Eval[bool](t, ctx, `(window.samePage = true)`)
	Run(t, ctx, "Enter on the link", Press(kb.Enter))
	Get(t, ctx, "focus on the field", chromedp.Poll[bool](`document.activeElement.id === "contact-1-f0"`))
	if !Eval[bool](t, ctx, `window.samePage === true`) {
		t.Fatal("Enter on the summary link sent the form again")
	}

	// Fill the form with the keyboard.
	Run(t, ctx, "name", chromedp.KeyEvent("Lucie Garnier"), chromedp.KeyEvent(kb.Tab))
	tabTo(t, ctx, "contact-1-f1")
	Run(t, ctx, "email", chromedp.KeyEvent("lucie@example.fr"))
	tabTo(t, ctx, "contact-1-f3")
	Run(t, ctx, "commune", chromedp.KeyEvent("Voreppe"))
	tabTo(t, ctx, "contact-1-f4")
	for i := 0; i < 5; i++ {
		Run(t, ctx, "Down", chromedp.KeyEvent(kb.ArrowDown))
	}
	if v := Eval[string](t, ctx, `document.getElementById("contact-1-f4").value`); v != "Facturation" {
		t.Fatalf("choice = %q", v)
	}
	tabTo(t, ctx, "contact-1-f5")
	Run(t, ctx, "message", chromedp.KeyEvent("Ma facture compte deux bacs, je n’en ai qu’un."))
	tabTo(t, ctx, "contact-1-consent")
	Run(t, ctx, "tick", chromedp.KeyEvent(" "))
	if !Eval[bool](t, ctx, `document.getElementById("contact-1-consent").checked`) {
		t.Fatal("Space did not tick the consent")
	}
	pdf := filepath.Join(t.TempDir(), "facture.pdf")
	os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o600) //nolint:errcheck
	Run(t, ctx, "attach", chromedp.SetUploadFiles(chromedp.CSS("#contact-1-f6"), []string{pdf}))
	Get(t, ctx, "file listed", chromedp.Poll[bool](`document.querySelector(".contact-drop").textContent.includes("facture.pdf")`))
	Get(t, ctx, "captcha solved", chromedp.Poll[bool](`(document.querySelector('input[name="altcha"]') || {}).value > ""`))
	// Record what the progress bar shows (kept across the page change).
	Eval[bool](t, ctx, `(() => { const box = document.querySelector("[data-contact-progress]"), bar = box.querySelector("progress");
		new MutationObserver(() => { sessionStorage.setItem("shown", String(!box.hidden)); sessionStorage.setItem("progress", bar.getAttribute("value")); })
			.observe(box, {attributes: true, subtree: true}); return true })()`)
	Run(t, ctx, "focus the button", chromedp.Focus(chromedp.CSS("#contact-1 button[type=submit]")))
	Run(t, ctx, "send", chromedp.KeyEvent(kb.Enter))
	// The script sends in the background, then opens the confirmation.
	for i := 0; ; i++ {
		if i == 100 {
			t.Fatalf("no confirmation after sending (at %s)", Location(t, ctx))
		}
		time.Sleep(100 * time.Millisecond)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.pathname === "/contact" && document.querySelector(".flash") !== null && document.querySelector(".flash").textContent.includes("bien été envoyé")`))
		if err == nil && ok {
			break
		}
	}
	if shown, pct := Eval[string](t, ctx, `sessionStorage.getItem("shown")`), Eval[string](t, ctx, `sessionStorage.getItem("progress")`); shown != "true" || pct != "100" {
		t.Errorf("progress bar: shown %q, last value %q (want true, 100)", shown, pct)
	}
	got := site.Mail.Wait(t, "contact@sydrav.example", "[Contact] Contact — Facturation", 0)
	for _, w := range []string{"Lucie Garnier", "deux bacs", "facture.pdf"} {
		if !strings.Contains(got.Text, w) {
			t.Errorf("mail lacks %q", w)
		}
	}
	noCSPViolation(t, ctx)

	// Without JavaScript: the plain form and the captcha's question.
	nojs := site.Browser(t)
	if _, err := chromedp.Call(nojs, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	site.Go(t, nojs, "/contact")
	if Exists(t, nojs, ".contact-drop") {
		t.Fatal("a drop zone without JavaScript")
	}
	Fill(t, nojs, "#contact-1-f0", "Paul Roche")
	Fill(t, nojs, "#contact-1-f1", "paul@example.fr")
	Fill(t, nojs, "#contact-1-f3", "Rives")
	Run(t, nojs, "choice", chromedp.SetValue(chromedp.CSS("#contact-1-f4"), "Autre demande"))
	Fill(t, nojs, "#contact-1-f5", "Sans JavaScript aussi.")
	Run(t, nojs, "consent", chromedp.Click(chromedp.CSS("#contact-1-consent")))
	label := Text(t, nojs, `label[for="contact-1-question"]`)
	num := map[string]int{"un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10}
	f := strings.Fields(strings.TrimSuffix(label, " ?"))
	Fill(t, nojs, "#contact-1-question", strconv.Itoa(num[f[2]]+num[f[4]]))
	if st := Submit(t, nojs, "#contact-1 button[type=submit]"); st != http.StatusOK {
		t.Fatalf("no-JS send = %d (%s)", st, label)
	}
	if !strings.Contains(Text(t, nojs, ".flash"), "bien été envoyé") {
		t.Fatalf("no-JS confirmation: %s", Text(t, nojs, "main"))
	}
	site.Mail.Wait(t, "contact@sydrav.example", "[Contact] Contact — Autre demande", 0)

	// The inbox and the editor, for the administrator.
	id, _, _ := site.DemoAccount(t, "")
	site.LoginAs(t, ctx, id)
	for _, path := range []string{"/admin/messages", "/admin/messages/1", "/admin/messages/droits"} {
		if st := site.Go(t, ctx, path); st != http.StatusOK {
			t.Fatalf("GET %s = %d", path, st)
		}
		AssertAccessible(t, ctx)
	}
	var page int64
	site.DB.QueryRow(context.Background(), "SELECT page_id FROM contact_messages ORDER BY id LIMIT 1").Scan(&page) //nolint:errcheck
	if st := site.Go(t, ctx, "/pages/"+strconv.FormatInt(page, 10)+"/modifier"); st != http.StatusOK {
		t.Fatalf("editor = %d", st)
	}
	if !Exists(t, ctx, `textarea[name="blocks.1.contact_fields"]`) {
		t.Fatal("the editor does not show the form's fields")
	}
	AssertAccessible(t, ctx)
}
