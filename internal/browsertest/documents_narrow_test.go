package browsertest

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// The documents table fits a 390 px phone screen (issue 13; WCAG 1.4.10):
// the page does not scroll sideways on the document space, a folder, the
// archive or the document search.
func TestDocumentsTableFitsAPhone(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	Run(t, ctx, "390 px", chromedp.EmulateViewport(390, 844))
	defer chromedp.Do(ctx, chromedp.EmulateReset()) //nolint:errcheck
	var folder int64
	if err := site.DB.QueryRow(context.Background(), `SELECT folder_id FROM documents GROUP BY folder_id ORDER BY COUNT(*) DESC, folder_id LIMIT 1`).Scan(&folder); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/documents", "/documents/dossiers/" + itoa(folder), "/documents/archives", "/documents/recherche?q=collecte"} {
		if st := site.Go(t, ctx, p); st != http.StatusOK {
			t.Fatalf("GET %s = %d", p, st)
		}
		w := Eval[map[string]any](t, ctx, `({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})`)
		if w["scroll"].(float64) > w["client"].(float64) {
			t.Errorf("%s scrolls sideways at 390 px: %v px wide for %v", p, w["scroll"], w["client"])
		}
		AssertAccessible(t, ctx)
	}
}
