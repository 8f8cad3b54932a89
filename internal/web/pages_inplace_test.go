package web

import (
	"fmt"
	"strings"
	"testing"

	"portique/internal/pages"
)

// The edit form carries each block as the page shows it (the in-place
// editor's live view) and "add a block here" inserts at add_at, the new
// block marked for the script to open; without add_at it goes at the end.
func TestPageInPlaceAddHere(t *testing.T) {
	f := newSite(t)
	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	rec := f.editor.get(t, path)
	wantStatus(t, rec, 200)
	if b := body(t, rec); !strings.Contains(b, `<div class="block block-text"><p>Compte rendu de séance</p></div>`) || !strings.Contains(b, `data-inplace-edit="Modifier"`) {
		i := strings.Index(b, "block-live")
		t.Fatalf("no live view: %.600s", b[max(i, 0):])
	}

	base := f.seances.PublishedRev
	form := editForm(base, "Séances", pages.Block{Type: "text", HTML: "<p>A</p>"}, pages.Block{Type: "text", HTML: "<p>B</p>"})
	form.Set("op", "add")
	form.Set("add_type", "image")
	form.Set("add_at", "1")
	rec = f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, 200)
	b := body(t, rec)
	if !strings.Contains(b, `name="blocks.1.type" value="image"`) || !strings.Contains(b, `name="blocks.2.html"`) || !strings.Contains(b, `id="block-1" data-added`) {
		t.Fatal("the image block was not inserted at position 2, marked as added")
	}
	if strings.Index(b, "&lt;p&gt;A&lt;/p&gt;") > strings.Index(b, "&lt;p&gt;B&lt;/p&gt;") {
		t.Fatal("the other blocks changed order")
	}
	form.Set("add_at", "x")
	rec = f.editor.postMultipart(t, path, form, nil)
	wantStatus(t, rec, 200)
	wantBody(t, rec, `name="blocks.2.type" value="image"`, `id="block-2" data-added`)
}
