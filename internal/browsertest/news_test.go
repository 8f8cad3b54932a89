package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The news pages of the demo, for a visitor and for the administrator (who
// edits them): the list, a category, a news item, its edit form and its
// properties (with their errors), the categories page. axe-core finds no
// WCAG 2.1 A/AA violation; nothing scrolls sideways at 320 px.
func TestNewsPagesAccessible(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	var item, index int64
	var itemPath string
	if err := site.DB.QueryRow(context.Background(), "SELECT id, path FROM pages WHERE kind = 'news' AND path = '/actualites/nouveaux-horaires-d-hiver-des-decheteries'").Scan(&item, &itemPath); err != nil {
		t.Fatal(err)
	}
	if err := site.DB.QueryRow(context.Background(), "SELECT id FROM pages WHERE kind = 'news_index'").Scan(&index); err != nil {
		t.Fatal(err)
	}
	check := func(paths ...string) {
		t.Helper()
		for _, p := range paths {
			if st := site.Go(t, ctx, p); st != http.StatusOK {
				t.Fatalf("GET %s = %d", p, st)
			}
			AssertAccessible(t, ctx)
			noHorizontalScroll(t, ctx, p)
		}
	}
	check("/", "/actualites", "/actualites?categorie=vie-du-syndicat", itemPath)
	if !Exists(t, ctx, `img[alt]`) || !strings.Contains(Text(t, ctx, "main"), "Publié le") {
		t.Fatalf("news item without its header: %s", Text(t, ctx, "main"))
	}
	adminID, _, _ := site.DemoAccount(t, "")
	site.LoginAs(t, ctx, adminID)
	check("/actualites", itemPath, fmt.Sprintf("/pages/%d/modifier", item), fmt.Sprintf("/pages/%d/proprietes", item),
		fmt.Sprintf("/pages/%d/proprietes", index), fmt.Sprintf("/pages/%d/categories", index))
	// The properties form with its errors (422) is accessible too.
	site.Go(t, ctx, fmt.Sprintf("/pages/%d/proprietes", item))
	// A date field takes its value from the keyboard by parts: set it whole.
	Eval[string](t, ctx, `document.querySelector("#unpublish_at").value = "2000-01-01T00:00"`)
	if st := Submit(t, ctx, `form.stacked button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("unpublication before publication = %d", st)
	}
	if !strings.Contains(Text(t, ctx, "main"), "postérieure à la date de publication") {
		t.Fatalf("no French error: %s", Text(t, ctx, "main"))
	}
	AssertAccessible(t, ctx)
}
