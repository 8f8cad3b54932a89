package browsertest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

func TestHomePageAccessible(t *testing.T) {
	site := Start(t, Options{})
	ctx := site.Browser(t)
	if st := site.Go(t, ctx, "/"); st != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", st)
	}
	if lang := Eval[string](t, ctx, "document.documentElement.lang"); lang != "fr" {
		t.Errorf(`<html lang> = %q, want "fr"`, lang)
	}
	AssertAccessible(t, ctx)
}

func TestNotFoundPageAccessible(t *testing.T) {
	site := Start(t, Options{})
	ctx := site.Browser(t)
	if st := site.Go(t, ctx, "/cette-page-n-existe-pas"); st != http.StatusNotFound {
		t.Fatalf("GET unknown page = %d, want 404", st)
	}
	if h1 := Text(t, ctx, "h1"); !strings.Contains(h1, "Page introuvable") {
		t.Errorf("404 heading = %q, want the French one", h1)
	}
	AssertAccessible(t, ctx)
}

// The first Tab of a page reaches a visible "skip to content" link, and
// following it moves the focus into the main content (RGAA 12.7).
func TestSkipLinkIsFirstAndWorksWithKeyboard(t *testing.T) {
	site := Start(t, Options{})
	ctx := site.Browser(t)
	for _, path := range []string{"/", "/introuvable"} {
		site.Go(t, ctx, path)
		Run(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
		focused := Eval[map[string]any](t, ctx, `(() => {
			const a = document.activeElement, r = a.getBoundingClientRect();
			return {tag: a.tagName, href: a.getAttribute("href") || "", text: a.textContent.trim(),
				visible: r.width > 1 && r.height > 1 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight};
		})()`)
		if focused["tag"] != "A" || focused["href"] != "#contenu" {
			t.Fatalf("%s: first Tab focuses %v, want the skip link to #contenu", path, focused)
		}
		if focused["visible"] != true {
			t.Errorf("%s: the skip link is not visible when focused: %v", path, focused)
		}
		if txt, _ := focused["text"].(string); !strings.Contains(strings.ToLower(txt), "contenu") {
			t.Errorf("%s: skip link text = %q", path, txt)
		}
		Run(t, ctx, "press Enter", chromedp.KeyEvent(kb.Enter))
		if id := Eval[string](t, ctx, "document.activeElement.id"); id != "contenu" {
			t.Errorf("%s: after following the skip link the focus is on #%s, want #contenu", path, id)
		}
		if tag := Eval[string](t, ctx, "document.activeElement.tagName"); tag != "MAIN" {
			t.Errorf("%s: focus on <%s>, want <main>", path, tag)
		}
	}
}

// The checker itself must be able to fail: a page with an unlabelled field
// and an image without text alternative gives violations.
func TestAxeReportsViolations(t *testing.T) {
	site := Start(t, Options{})
	ctx := site.Browser(t)
	site.Go(t, ctx, "/")
	Eval[bool](t, ctx, `(() => {
		const m = document.querySelector("main");
		m.insertAdjacentHTML("beforeend", '<img src="/favicon.ico"><input type="text" name="x">');
		return true;
	})()`)
	res := runAxe(t, ctx)
	got := map[string]bool{}
	for _, v := range res.Violations {
		got[v.ID] = true
	}
	for _, want := range []string{"image-alt", "label"} {
		if !got[want] {
			t.Errorf("axe did not report %q; violations: %v", want, got)
		}
	}
}

func TestLoginAsGivesASession(t *testing.T) {
	site := Start(t, Options{})
	uid := site.CreateUser(t, "technicien@example.fr", "Camille Technicienne", false)
	ctx := site.Browser(t)
	site.Go(t, ctx, "/")
	if Exists(t, ctx, `a[href="/mon-compte"]`) {
		t.Fatal("a visitor sees the account link")
	}
	site.LoginAs(t, ctx, uid)
	site.Go(t, ctx, "/")
	if !Exists(t, ctx, `a[href="/mon-compte"]`) {
		t.Fatal("after LoginAs the page shows no account link")
	}
	AssertAccessible(t, ctx)
}
