package web

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"testing"

	"portique/internal/access"
	"portique/internal/pages"
)

// A documents block may only list a folder its editor may see: a folder of
// another group, a folder in the trash and a forged id are refused with a
// field error (422, French message, text kept, nothing saved), by the
// documents store's access rule, like the calendars of events blocks.
func TestPageBlockFolderRefs(t *testing.T) {
	f := newSite(t)
	ctx := context.Background()
	root := access.System()
	docs := f.ts.srv.docs
	folder := func(name string, g int64) int64 {
		t.Helper()
		id, err := docs.CreateFolder(ctx, root, 0, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := docs.SetFolderGrants(ctx, root, id, []access.Grant{{GroupID: g, Level: access.View}}, false); err != nil {
			t.Fatal(err)
		}
		return id
	}
	public := folder("Délibérations", access.Everyone)
	techs := folder("Notes techniques", f.gTech) // the editor is an élu and an éditeur, not a technicien
	trashed := folder("Anciens comptes rendus", access.Everyone)
	if _, err := docs.TrashFolder(ctx, root, trashed); err != nil {
		t.Fatal(err)
	}

	path := fmt.Sprintf("/pages/%d/modifier", f.seances.ID)
	text := pages.Block{Type: pages.BlockText, HTML: "<p>Texte précieux à garder</p>"}
	save := func(folderID int64) (int, string) {
		t.Helper()
		form := editForm(f.seances.PublishedRev, "Séances", text, pages.Block{Type: pages.BlockDocuments})
		form.Set("blocks.1.folder_id", fmt.Sprint(folderID))
		form.Set("op", "save")
		rec := f.editor.postMultipart(t, path, form, nil)
		return rec.Code, rec.Body.String()
	}
	for _, c := range []struct {
		name string
		id   int64
	}{{"folder of another group", techs}, {"folder in the trash", trashed}, {"forged id", 999999}} {
		code, body := save(c.id)
		if code != 422 {
			t.Fatalf("%s: status %d, want 422", c.name, code)
		}
		// The form comes back with the message, the text, and a picker
		// that offers only what the editor may see.
		for _, want := range []string{"Ce dossier n’existe pas ou vous ne pouvez pas le voir", "Texte précieux à garder", ">Délibérations</option>"} {
			if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(body) {
				t.Errorf("%s: body lacks %q", c.name, want)
			}
		}
		if !regexp.MustCompile(`aria-describedby="blocks\.1\.folder_id-hint blocks\.1\.folder-error" aria-invalid="true"`).MatchString(body) {
			t.Errorf("%s: the select is not tied to its error", c.name)
		}
		if regexp.MustCompile("Notes techniques|Anciens comptes rendus").MatchString(body) {
			t.Errorf("%s: the form names a folder the editor may not see", c.name)
		}
		if p := f.page(t, f.seances.ID); p.DraftRev != 0 {
			t.Fatalf("%s: a refused form saved a draft", c.name)
		}
	}
	// A folder the editor may see: saved.
	if code, _ := save(public); code != 303 {
		t.Fatalf("visible folder: status %d, want 303", code)
	}
	rev, err := f.ts.srv.pages.Revision(ctx, root.Principal, f.seances.ID, f.page(t, f.seances.ID).DraftRev)
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Blocks) != 2 || !reflect.DeepEqual(rev.Blocks[1], pages.Block{Type: pages.BlockDocuments, FolderID: public}) {
		t.Fatalf("saved blocks = %+v", rev.Blocks)
	}
}
