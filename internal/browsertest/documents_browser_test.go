package browsertest

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portique/internal/access"
	"portique/internal/documents"
)

// In Chromium, against the real program (it lives here rather than in
// package documents, whose tests must not pull in the whole program): an editor uploads two PDFs through
// the upload form, waits for the indexing, and a member of the right group
// finds a word from inside a PDF while a member of another group does not.
// Every page visited is checked with axe-core.
func TestDocumentsUploadIndexSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	RequireChromium(t)
	site := Start(t, Options{NoMail: true})
	elus := site.CreateGroup(t, "Élus")
	techs := site.CreateGroup(t, "Techniciens")
	stags := site.CreateGroup(t, "Stagiaires")
	editor := site.CreateUser(t, "tech@sydrav.example", "Technicien", false, techs)
	elu := site.CreateUser(t, "elu@sydrav.example", "Élue", false, elus)
	intern := site.CreateUser(t, "stagiaire@sydrav.example", "Stagiaire", false, stags)

	// The folder is created through the store (folders need no bytes).
	ctx := context.Background()
	store := documents.NewStore(site.DB, nil, nil, documents.Options{})
	admin := access.System()
	folder, err := store.CreateFolder(ctx, admin, 0, "Instances")
	must(t, err)
	must(t, store.SetFolderGrants(ctx, admin, folder, []access.Grant{{GroupID: elus, Level: access.View}, {GroupID: techs, Level: access.Edit}}, false))
	folderPath := "/documents/dossiers/" + itoa(folder)

	tab := site.Browser(t)
	site.LoginAs(t, tab, editor)
	if st := site.Go(t, tab, folderPath); st != http.StatusOK {
		t.Fatalf("editor opens the folder: %d", st)
	}
	AssertAccessible(t, tab)
	files := []string{abs(t, "registre-large.pdf"), abs(t, "cr-comite-syndical-2025-03-18.pdf")}
	Run(t, tab, "choose files", chromedp.SetUploadFiles(chromedp.CSS("#file"), files))
	Run(t, tab, "send", chromedp.Click(chromedp.CSS("form.upload-form button[type=submit]")))
	waitFor(t, tab, `(document.querySelector(".flash") || {}).textContent || ""`, "enregistrés")
	if got := Text(t, tab, "table.documents tbody"); !strings.Contains(got, "registre-large") || !strings.Contains(got, "cr-comite-syndical-2025-03-18") {
		t.Fatalf("listing after upload: %q", got)
	}
	// Wait for the background indexing (the page says "indexation en cours").
	deadline := time.Now().Add(60 * time.Second)
	for {
		site.Go(t, tab, folderPath)
		if !strings.Contains(Text(t, tab, "main"), "indexation en cours") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still indexing after a minute\n%s", site.Log())
		}
		time.Sleep(300 * time.Millisecond)
	}

	// The detail page with the editing tools, checked too.
	var docID int64
	must(t, site.DB.QueryRow(ctx, "SELECT id FROM documents WHERE filename = 'registre-large.pdf'").Scan(&docID))
	if st := site.Go(t, tab, "/documents/"+itoa(docID)); st != http.StatusOK {
		t.Fatalf("detail page: %d", st)
	}
	if !Exists(t, tab, "form[action*='/remplacer']") {
		t.Error("the editor has no replace form")
	}
	AssertAccessible(t, tab)

	// The administrator's pages: grants of the folder, archive, the
	// confirmation before a folder goes to the trash, the trash with a
	// folder in it and the confirmation before deleting it for good.
	old, err := store.CreateFolder(ctx, admin, folder, "Ancien")
	must(t, err)
	_, err = store.TrashFolder(ctx, admin, old)
	must(t, err)
	_, err = store.CreateFolder(ctx, admin, 0, "Archives") // a place to move the folder to
	must(t, err)
	adminID := site.CreateUser(t, "admin@sydrav.example", "Admin", true)
	site.LoginAs(t, tab, adminID)
	for _, p := range []string{folderPath, folderPath + "/droits", folderPath + "/supprimer", "/documents/archives", "/documents/corbeille",
		"/documents/corbeille/dossiers/" + itoa(old) + "/supprimer", "/documents"} {
		if st := site.Go(t, tab, p); st != http.StatusOK {
			t.Fatalf("%s: %d", p, st)
		}
		AssertAccessible(t, tab)
	}

	search := "/documents/recherche?q=Fourmili%C3%A8re"
	site.LoginAs(t, tab, elu)
	if st := site.Go(t, tab, search); st != http.StatusOK {
		t.Fatalf("search: %d", st)
	}
	hits := Text(t, tab, "main")
	if !strings.Contains(hits, "1 résultat") || !strings.Contains(hits, "page 154") {
		t.Fatalf("the élue does not find the word of page 154: %q", hits)
	}
	if !Exists(t, tab, ".search-hits mark") {
		t.Error("no highlighted snippet")
	}
	AssertAccessible(t, tab)

	site.LoginAs(t, tab, intern)
	site.Go(t, tab, search)
	if got := Text(t, tab, "main"); !strings.Contains(got, "0 résultat") || strings.Contains(got, "Registre") {
		t.Fatalf("an intern (another group) finds the register: %q", got)
	}
	if st := site.Go(t, tab, folderPath); st == http.StatusOK {
		t.Error("the intern opens the élus' folder")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, tab context.Context, expr, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if got, err := chromedp.Run(tab, chromedp.Evaluate[string](expr)); err == nil && strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %q in %s", want, expr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func abs(t *testing.T, name string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "corpus", name))
	must(t, err)
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
