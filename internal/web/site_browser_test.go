package web_test

import (
	"net/http"
	"strings"
	"testing"

	"portique/internal/browsertest"
)

// The settings screen, the legal notice and the accessibility statement
// pass axe-core (WCAG 2.1 A/AA), the settings form with its errors too; an
// administrator fills the settings with the keyboard-reachable form and a
// visitor reads them on the legal pages.
func TestBrowserSiteSettings(t *testing.T) {
	site := browsertest.Start(t, browsertest.Options{})
	adminID := site.CreateUser(t, "admin@example.fr", "Alex Admin", true)
	ctx := site.Browser(t)
	site.LoginAs(t, ctx, adminID)

	if st := site.Go(t, ctx, "/admin/parametres"); st != http.StatusOK {
		t.Fatalf("GET /admin/parametres = %d", st)
	}
	browsertest.AssertAccessible(t, ctx)
	// A bad SIRET comes back with its error, accessibly, nothing saved.
	browsertest.Fill(t, ctx, "#name", "Syndicat des eaux du Val")
	browsertest.Fill(t, ctx, "#siret", "73282932000075")
	if st := browsertest.Submit(t, ctx, `form[action="/admin/parametres"] button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("bad SIRET: status %d, want 422", st)
	}
	browsertest.AssertAccessible(t, ctx)
	browsertest.Fill(t, ctx, "#siret", "73282932000074")
	browsertest.Fill(t, ctx, "#director", "Claire Martin, présidente")
	// A date field is typed in the browser's locale: set its value.
	browsertest.Eval[bool](t, ctx, `(() => { document.querySelector("#audit_date").value = "2026-01-15"; return true })()`)
	browsertest.Fill(t, ctx, "#audit_rate", "100")
	if st := browsertest.Submit(t, ctx, `form[action="/admin/parametres"] button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("save: status %d: %s", st, browsertest.Text(t, ctx, "main"))
	}
	if st := site.Go(t, ctx, "/admin"); st != http.StatusOK {
		t.Fatalf("GET /admin = %d", st)
	}
	browsertest.AssertAccessible(t, ctx)

	visitor := site.Browser(t)
	for _, c := range []struct{ path, want string }{
		{"/mentions-legales", "Claire Martin, présidente"},
		{"/accessibilite", "totalement conforme"},
	} {
		if st := site.Go(t, visitor, c.path); st != http.StatusOK {
			t.Fatalf("GET %s = %d", c.path, st)
		}
		browsertest.AssertAccessible(t, visitor)
		if txt := browsertest.Text(t, visitor, "main"); !strings.Contains(txt, c.want) {
			t.Errorf("%s lacks %q", c.path, c.want)
		}
		if txt := browsertest.Text(t, visitor, "footer"); !strings.Contains(txt, "Accessibilité : totalement conforme") {
			t.Errorf("%s footer: %q", c.path, txt)
		}
	}
}
