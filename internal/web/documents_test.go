package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/audit"
	"portique/internal/clock"
	"portique/internal/config"
	"portique/internal/dbtest"
	"portique/internal/documents"
	"portique/internal/extract"
	"portique/internal/jobs"
)

// docsWorld is a test server with the real search engine and a few folders,
// groups and accounts.
type docsWorld struct {
	*testServer
	admin, elu, tech, other int64 // user ids
	elus, techs             int64 // group ids
	public, instances       int64 // folder ids: public; élus view + techniciens edit
}

func newDocsWorld(t *testing.T) *docsWorld {
	t.Helper()
	d := dbtest.NewDB(t)
	cfg := testConfig(t, func(c *config.Config) { c.UploadMax = 4 << 20 })
	clk := clock.NewFake(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	logs := &strings.Builder{}
	srv := buildServer(t, cfg, d, services.Options{Now: clk.Now, Log: slog.New(slog.NewTextHandler(logs, nil))})
	w := &docsWorld{testServer: &testServer{srv: srv, db: d, cfg: cfg, clock: clk, logs: logs}}
	w.elus = w.createGroup(t, "Élus")
	w.techs = w.createGroup(t, "Techniciens")
	w.admin = w.createUser(t, "admin@sydrav.fr", true)
	w.elu = w.createUser(t, "elu@sydrav.fr", false, w.elus)
	w.tech = w.createUser(t, "tech@sydrav.fr", false, w.techs)
	w.other = w.createUser(t, "autre@sydrav.fr", false)
	ctx := context.Background()
	adm := w.adminA()
	docs := srv.Documents()
	var err error
	if w.public, err = docs.CreateFolder(ctx, adm, 0, "Public"); err != nil {
		t.Fatal(err)
	}
	must(t, docs.SetFolderGrants(ctx, adm, w.public, []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: w.techs, Level: access.Edit}}, false))
	if w.instances, err = docs.CreateFolder(ctx, adm, 0, "Instances"); err != nil {
		t.Fatal(err)
	}
	must(t, docs.SetFolderGrants(ctx, adm, w.instances, []access.Grant{{GroupID: w.elus, Level: access.View}, {GroupID: w.techs, Level: access.Manage}}, false))
	return w
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// put stores a document directly (as administrator).
func (w *docsWorld) put(t *testing.T, folder int64, name string, body []byte, published string) *documents.Document {
	t.Helper()
	d, err := w.srv.Documents().Upload(context.Background(), w.adminA(),
		documents.UploadInput{FolderID: folder, Filename: name, PublishedOn: published, Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// inProcess extracts trusted test files in the test process (the child
// process itself is tested in packages extract and documents).
type inProcess struct{}

func (inProcess) Extract(ctx context.Context, path, mt string) (extract.Result, error) {
	return extract.File(ctx, path, mt, extract.Options{})
}

// runJobs indexes what was uploaded.
func (w *docsWorld) runJobs(t *testing.T) {
	t.Helper()
	r := jobs.NewRunner(w.db)
	r.Now = w.clock.Now
	r.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	r.Handle(documents.JobExtract, w.srv.Documents().ExtractJob(inProcess{}))
	for {
		ran, err := r.RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

type upFile struct {
	name string
	body []byte
}

// upload posts a multipart form the way a browser does (fields first, then
// files), with the CSRF token in the query string.
func (c *client) upload(t *testing.T, path, csrf string, fields map[string]string, files ...upFile) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile("file", f.name)
		must(t, err)
		fw.Write(f.body)
	}
	must(t, mw.Close())
	if csrf != "" {
		path += "?csrf=" + url.QueryEscape(csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(t, req)
}

func corpusFile(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// Every user against every document, over every page that can show it.
func TestDocumentsAccessOverHTTP(t *testing.T) {
	w := newDocsWorld(t)
	pub := w.put(t, w.public, "guide-du-tri.txt", []byte("Guide du tri\n"), "2026-11-20")
	pubOld := w.put(t, w.public, "ancien-guide.txt", []byte("Ancien guide\n"), "2026-05-02")
	priv := w.put(t, w.instances, "compte-rendu-secret.txt", []byte("Compte rendu\n"), "2026-11-21")
	privOld := w.put(t, w.instances, "deliberation-ancienne.txt", []byte("Délibération\n"), "2026-01-10")

	clients := map[string]*client{
		"anonyme": w.visitor(), "autre": w.loginAs(t, w.other), "élu": w.loginAs(t, w.elu),
		"technicien": w.loginAs(t, w.tech), "admin": w.loginAs(t, w.admin),
	}
	seesPrivate := map[string]bool{"élu": true, "technicien": true, "admin": true}
	for who, c := range clients {
		t.Run(who, func(t *testing.T) {
			cur := body(t, c.get(t, "/documents"))
			arch := body(t, c.get(t, "/documents/archives"))
			for _, tc := range []struct {
				doc      *documents.Document
				private  bool
				archived bool
			}{{pub, false, false}, {pubOld, false, true}, {priv, true, false}, {privOld, true, true}} {
				want := !tc.private || seesPrivate[who]
				inCur, inArch := strings.Contains(cur, tc.doc.Title), strings.Contains(arch, tc.doc.Title)
				if inCur != (want && !tc.archived) || inArch != (want && tc.archived) {
					t.Errorf("%s: in current list %v, in archive %v (visible %v, archived %v)", tc.doc.Title, inCur, inArch, want, tc.archived)
				}
				show := c.get(t, "/documents/"+id(tc.doc.ID))
				dl := c.get(t, "/documents/"+id(tc.doc.ID)+"/telecharger")
				switch {
				case want:
					wantStatus(t, show, http.StatusOK)
					wantStatus(t, dl, http.StatusOK)
					if got := dl.Header().Get("X-Content-Type-Options"); got != "nosniff" {
						t.Errorf("nosniff header = %q", got)
					}
					cc := dl.Header().Get("Cache-Control")
					if tc.private && !strings.HasPrefix(cc, "private") || !tc.private && !strings.HasPrefix(cc, "public") {
						t.Errorf("%s: Cache-Control %q", tc.doc.Title, cc)
					}
				case who == "anonyme":
					// Sent to log in, without saying whether it exists.
					wantStatus(t, show, http.StatusSeeOther)
					wantStatus(t, dl, http.StatusSeeOther)
				default:
					wantStatus(t, show, http.StatusNotFound)
					wantStatus(t, dl, http.StatusNotFound)
					if strings.Contains(body(t, show), tc.doc.Title) {
						t.Errorf("404 page names the document")
					}
				}
			}
			// The folder page of the private folder.
			fp := c.get(t, "/documents/dossiers/"+id(w.instances))
			if seesPrivate[who] {
				wantStatus(t, fp, http.StatusOK)
			} else if fp.Code == http.StatusOK || strings.Contains(body(t, fp), priv.Title) {
				t.Errorf("private folder page: status %d", fp.Code)
			}
			// A forged id.
			if who != "anonyme" {
				wantStatus(t, c.get(t, "/documents/999999"), http.StatusNotFound)
				wantStatus(t, c.get(t, "/documents/abc/telecharger"), http.StatusNotFound)
			}
		})
	}
	// Downloads of private documents are in the audit trail, public ones not.
	entries, _, err := audit.Find(context.Background(), w.db, audit.Filter{Action: "document.download"})
	must(t, err)
	for _, e := range entries {
		if e.Object != "document:"+id(priv.ID) && e.Object != "document:"+id(privOld.ID) {
			t.Errorf("audited download of %s", e.Object)
		}
	}
	if len(entries) != 6 { // élu, technicien, admin × 2 private documents
		t.Errorf("%d audited downloads, want 6", len(entries))
	}
}

func TestDocumentDownloadHeaders(t *testing.T) {
	w := newDocsWorld(t)
	pdf := corpusFile(t, "deliberation-2026-014.pdf")
	d := w.put(t, w.public, "Délibération n° 2026-014.pdf", pdf, "")
	c := w.visitor()
	path := "/documents/" + id(d.ID) + "/telecharger"
	rec := c.get(t, path)
	wantStatus(t, rec, http.StatusOK)
	if rec.Body.Len() != len(pdf) || rec.Header().Get("Content-Type") != "application/pdf" {
		t.Fatalf("body %d bytes, type %q", rec.Body.Len(), rec.Header().Get("Content-Type"))
	}
	disp := rec.Header().Get("Content-Disposition")
	kind, params, err := mime.ParseMediaType(disp)
	if err != nil || kind != "attachment" || params["filename"] != "Délibération n° 2026-014.pdf" {
		t.Fatalf("Content-Disposition %q → %q %v %v", disp, kind, params, err)
	}
	if !strings.Contains(disp, "filename*=UTF-8''D%C3%A9lib") {
		t.Errorf("no RFC 8187 encoded name: %q", disp)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	// Resume: a range.
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Range", "bytes=100-199")
	rec = c.do(t, req)
	wantStatus(t, rec, http.StatusPartialContent)
	if !bytes.Equal(rec.Body.Bytes(), pdf[100:200]) {
		t.Error("range returned the wrong bytes")
	}
	// Revalidation.
	req = httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("If-None-Match", etag)
	wantStatus(t, c.do(t, req), http.StatusNotModified)
	// Inline for PDFs only.
	rec = c.get(t, path+"?inline=1")
	if !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "inline;") {
		t.Errorf("inline=1 gave %q", rec.Header().Get("Content-Disposition"))
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("inline PDF served with CSP %q", csp)
	}
	txt := w.put(t, w.public, "note.txt", []byte("Note : <script>alert(1)</script>\n"), "")
	rec = c.get(t, "/documents/"+id(txt.ID)+"/telecharger?inline=1")
	if !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment;") || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("a text file was served inline or without sandbox: %v", rec.Header())
	}
}

func TestDocumentUploadOverHTTP(t *testing.T) {
	w := newDocsWorld(t)
	tech := w.loginAs(t, w.tech)
	path := "/documents/dossiers/" + id(w.public) + "/envoi"
	pdf := corpusFile(t, "deliberation-2026-014.pdf")

	// Two files at once, a publication date.
	rec := tech.upload(t, path, tech.csrf, map[string]string{"published_on": "2026-11-02"},
		upFile{"deliberation-2026-014.pdf", pdf}, upFile{"tonnages.csv", []byte("commune;tonnes\nNyons;12\n")})
	wantStatus(t, rec, http.StatusSeeOther)
	list, total, err := w.srv.Documents().List(context.Background(), access.Anonymous(), documents.ListQuery{FolderID: w.public})
	must(t, err)
	if total != 2 || list[0].PublishedOn != "2026-11-02" {
		t.Fatalf("after upload: %d documents %+v", total, list)
	}
	page := body(t, tech.get(t, "/documents/dossiers/"+id(w.public)))
	if !strings.Contains(page, "deliberation-2026-014") || !strings.Contains(page, "indexation en cours") {
		t.Error("uploaded documents not listed as being indexed")
	}
	w.runJobs(t)
	show := body(t, tech.get(t, "/documents/"+id(list[0].ID)))
	if strings.Contains(show, "indexation en cours") {
		t.Error("still indexing after the job ran")
	}

	// One good file and one refused: the good one is kept, the page says both.
	rec = tech.upload(t, path, tech.csrf, nil, upFile{"bon.txt", []byte("texte\n")}, upFile{"rapport.pdf", []byte("<html>pas un pdf</html>")})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	b := body(t, rec)
	if !strings.Contains(b, "bon.txt") || !strings.Contains(b, "rapport.pdf") || !strings.Contains(b, "n’est pas accepté") {
		t.Errorf("422 page does not list what was kept and what was refused")
	}
	_, total, _ = w.srv.Documents().List(context.Background(), access.Anonymous(), documents.ListQuery{FolderID: w.public})
	if total != 3 {
		t.Errorf("%d documents, want 3 (the good file kept)", total)
	}
	// Too large, bad date, no file: 422 in French.
	for name, tc := range map[string]struct {
		fields map[string]string
		files  []upFile
		want   string
	}{
		"too large": {nil, []upFile{{"gros.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 5<<20)...)}}, "taille maximale"},
		"bad date":  {map[string]string{"published_on": "2026-02-31"}, []upFile{{"a.txt", []byte("a")}}, "date valide"},
		"no file":   {nil, nil, "au moins un fichier"},
	} {
		rec := tech.upload(t, path, tech.csrf, tc.fields, tc.files...)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body(t, rec), tc.want) {
			t.Errorf("%s: status %d, want 422 with %q", name, rec.Code, tc.want)
		}
	}
	// Without the CSRF token: refused.
	wantStatus(t, tech.upload(t, path, "", nil, upFile{"a.txt", []byte("a")}), http.StatusForbidden)
	// An élu may only view Instances: refused before the body is read.
	elu := w.loginAs(t, w.elu)
	wantStatus(t, elu.upload(t, "/documents/dossiers/"+id(w.instances)+"/envoi", elu.csrf, nil, upFile{"a.txt", []byte("a")}), http.StatusForbidden)
	// Someone who cannot see the folder gets a 404.
	other := w.loginAs(t, w.other)
	wantStatus(t, other.upload(t, "/documents/dossiers/"+id(w.instances)+"/envoi", other.csrf, nil, upFile{"a.txt", []byte("a")}), http.StatusNotFound)
	// Anonymous: sent to log in.
	anon := w.visitor()
	anon.get(t, "/connexion")
	wantStatus(t, anon.upload(t, path, anon.csrf, nil, upFile{"a.txt", []byte("a")}), http.StatusSeeOther)
}

func TestDocumentEditsOverHTTP(t *testing.T) {
	w := newDocsWorld(t)
	tech := w.loginAs(t, w.tech)
	elu := w.loginAs(t, w.elu)
	admin := w.loginAs(t, w.admin)
	d := w.put(t, w.public, "note.txt", []byte("version un\n"), "2026-11-01")
	base := "/documents/" + id(d.ID)

	// Bad input: 422, the typed value kept.
	rec := tech.post(t, base+"/renommer", url.Values{"title": {"   "}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	rec = tech.post(t, base+"/date", url.Values{"published_on": {"32/13/2026"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), `value="32/13/2026"`) {
		t.Error("typed date not kept")
	}
	// Moving into a folder the technician may not edit is refused (Instances:
	// manage, so allowed; a third folder without rights is not).
	ctx := context.Background()
	adm := w.adminA()
	secret, err := w.srv.Documents().CreateFolder(ctx, adm, 0, "Marchés")
	must(t, err)
	must(t, w.srv.Documents().SetFolderGrants(ctx, adm, secret, []access.Grant{{GroupID: w.elus, Level: access.Edit}}, false))
	wantStatus(t, tech.post(t, base+"/deplacer", url.Values{"folder": {id(secret)}}), http.StatusUnprocessableEntity)
	// An élu (view only on Public) may not edit at all.
	for _, p := range []string{"/renommer", "/date", "/epingler", "/deplacer", "/supprimer"} {
		wantStatus(t, elu.post(t, base+p, url.Values{"title": {"x"}, "published_on": {"2026-01-01"}, "folder": {id(w.instances)}}), http.StatusForbidden)
	}
	// Good edits.
	wantStatus(t, tech.post(t, base+"/renommer", url.Values{"title": {"Note de service"}}), http.StatusSeeOther)
	wantStatus(t, tech.post(t, base+"/date", url.Values{"published_on": {"2026-11-10"}}), http.StatusSeeOther)
	wantStatus(t, tech.post(t, base+"/epingler", url.Values{"pinned": {"1"}}), http.StatusSeeOther)
	// Replace keeps the URL; the old file stays downloadable by editors.
	rec = tech.upload(t, base+"/remplacer", tech.csrf, nil, upFile{"note-v2.txt", []byte("version deux\n")})
	wantStatus(t, rec, http.StatusSeeOther)
	if got := body(t, tech.get(t, base+"/telecharger")); got != "version deux\n" {
		t.Errorf("after replace: %q", got)
	}
	if got := body(t, tech.get(t, base+"/telecharger?version=1")); got != "version un\n" {
		t.Errorf("version 1: %q", got)
	}
	wantStatus(t, w.visitor().get(t, base+"/telecharger?version=1"), http.StatusSeeOther)
	show := body(t, tech.get(t, base))
	if !strings.Contains(show, "Note de service") || !strings.Contains(show, "Versions précédentes") {
		t.Error("detail page lacks the new title or the versions")
	}
	// Replacing with a refused file: 422, nothing changed.
	wantStatus(t, tech.upload(t, base+"/remplacer", tech.csrf, nil, upFile{"x.exe", []byte("MZ\x90\x00binary")}), http.StatusUnprocessableEntity)
	// Move, then trash; the admin restores from the trash.
	wantStatus(t, tech.post(t, base+"/deplacer", url.Values{"folder": {id(w.instances)}}), http.StatusSeeOther)
	if got, _ := w.srv.Documents().Get(ctx, adm.Principal, d.ID); got.FolderID != w.instances {
		t.Errorf("not moved")
	}
	wantStatus(t, tech.post(t, base+"/supprimer", nil), http.StatusSeeOther)
	wantStatus(t, tech.get(t, base), http.StatusNotFound)
	wantStatus(t, tech.get(t, "/documents/corbeille"), http.StatusForbidden)
	trash := body(t, admin.get(t, "/documents/corbeille"))
	if !strings.Contains(trash, "Note de service") {
		t.Error("trash page lacks the document")
	}
	wantStatus(t, tech.post(t, base+"/restaurer", nil), http.StatusForbidden)
	wantStatus(t, admin.post(t, base+"/restaurer", nil), http.StatusSeeOther)
	wantStatus(t, tech.get(t, base), http.StatusOK)
}

func TestFoldersOverHTTP(t *testing.T) {
	w := newDocsWorld(t)
	tech := w.loginAs(t, w.tech) // manages Instances
	elu := w.loginAs(t, w.elu)   // views Instances
	admin := w.loginAs(t, w.admin)
	// Sub-folder under a managed folder; duplicate → 422; root → admins only.
	wantStatus(t, tech.post(t, "/documents/dossiers", url.Values{"parent": {id(w.instances)}, "name": {"Comité syndical"}}), http.StatusSeeOther)
	rec := tech.post(t, "/documents/dossiers", url.Values{"parent": {id(w.instances)}, "name": {"Comité syndical"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "existe déjà") {
		t.Error("duplicate folder without a French message")
	}
	wantStatus(t, tech.post(t, "/documents/dossiers", url.Values{"parent": {"0"}, "name": {"Racine"}}), http.StatusForbidden)
	wantStatus(t, elu.post(t, "/documents/dossiers", url.Values{"parent": {id(w.instances)}, "name": {"X"}}), http.StatusForbidden)
	wantStatus(t, admin.post(t, "/documents/dossiers", url.Values{"parent": {"0"}, "name": {"Rapports"}}), http.StatusSeeOther)
	// Grants: the manager opens the page; the élu may not.
	wantStatus(t, tech.get(t, "/documents/dossiers/"+id(w.instances)+"/droits"), http.StatusOK)
	wantStatus(t, elu.get(t, "/documents/dossiers/"+id(w.instances)+"/droits"), http.StatusForbidden)
	wantStatus(t, elu.post(t, "/documents/dossiers/"+id(w.instances)+"/droits", url.Values{"mode": {"own"}, "level_" + id(w.elus): {"manage"}}), http.StatusForbidden)
	// Making Instances public.
	wantStatus(t, tech.post(t, "/documents/dossiers/"+id(w.instances)+"/droits", url.Values{
		"mode": {"own"}, "level_1": {"view"}, "level_" + id(w.techs): {"manage"}}), http.StatusSeeOther)
	wantStatus(t, w.visitor().get(t, "/documents/dossiers/"+id(w.instances)), http.StatusOK)
	// Rename: empty name → 422.
	wantStatus(t, tech.post(t, "/documents/dossiers/"+id(w.instances)+"/renommer", url.Values{"name": {""}}), http.StatusUnprocessableEntity)
	wantStatus(t, tech.post(t, "/documents/dossiers/"+id(w.instances)+"/renommer", url.Values{"name": {"Instances syndicales"}}), http.StatusSeeOther)
	entries, _, _ := audit.Find(context.Background(), w.db, audit.Filter{Action: "folder."})
	if len(entries) < 4 {
		t.Errorf("%d folder audit entries, want at least 4", len(entries))
	}
}

func TestDocumentSearchOverHTTP(t *testing.T) {
	w := newDocsWorld(t)
	w.put(t, w.instances, "registre.pdf", corpusFile(t, "registre-large.pdf"), "2026-01-05")
	w.put(t, w.public, "guide.pdf", corpusFile(t, "guide-du-tri-2026.pdf"), "2026-11-15")
	if _, err := os.Stat("/usr/bin/pdftotext"); err != nil {
		dbtest.SkipOrFail(t, "pdftotext not installed")
	}
	w.runJobs(t)
	elu := w.loginAs(t, w.elu)
	other := w.loginAs(t, w.other)
	rec := elu.get(t, "/documents/recherche?q=Fourmili%C3%A8re")
	wantStatus(t, rec, http.StatusOK)
	b := body(t, rec)
	if !strings.Contains(b, "<mark>") || !strings.Contains(b, "page 154") || !strings.Contains(b, "Archivé") || !strings.Contains(b, "1 résultat") {
		t.Errorf("élu search page lacks the hit, its page, its highlight or its archive label")
	}
	// Beside the "page N" link to the file: its format, size and French
	// date (RGAA 13.3), on both searches.
	facts := regexp.MustCompile(`<span class="doc-meta">\(PDF, [0-9,]+ [kM]o – <time datetime="2026-01-05">(?:lundi )?5 janvier 2026</time>\)</span>`)
	if !facts.MatchString(b) {
		t.Errorf("/documents/recherche: the document hit lacks its format, size and date")
	}
	// The site search shows a document hit the same way: its page (linked
	// to that page of the PDF) and its archive label (issue 13).
	b = body(t, elu.get(t, "/recherche?q=Fourmili%C3%A8re"))
	if !strings.Contains(b, "page 154") || !strings.Contains(b, "Archivé") || !strings.Contains(b, "/telecharger?inline=1#page=154") {
		t.Errorf("/recherche: a document hit lacks its page, its page link or its archive label")
	}
	if !facts.MatchString(b) {
		t.Errorf("/recherche: the document hit lacks its format, size and date")
	}
	// A query with too many OU alternatives says it was cut.
	many := strings.Repeat("fourmilière OU ", 40) + "déchets"
	for _, path := range []string{"/recherche?q=", "/documents/recherche?q="} {
		if b := body(t, elu.get(t, path+url.QueryEscape(many))); !strings.Contains(b, "Votre recherche était trop longue") {
			t.Errorf("%s: a cut query is not said", path)
		}
	}
	b = body(t, other.get(t, "/documents/recherche?q=Fourmili%C3%A8re"))
	if strings.Contains(b, "<mark>") || !strings.Contains(b, "0 résultat") {
		t.Error("a member without access found the register")
	}
	// Date range: the guide (2026-11-15) is in, the register (2026-01-05) out.
	b = body(t, elu.get(t, "/documents/recherche?q=d%C3%A9chets&du=2026-11-01&au=2026-11-30"))
	if !strings.Contains(b, "guide") || strings.Contains(b, "registre") {
		t.Error("date range filter not applied")
	}
	wantStatus(t, elu.get(t, "/documents/recherche?q=x&du=hier"), http.StatusUnprocessableEntity)

	// A misspelt word: "Vouliez-vous dire" with the word as the register
	// writes it, filters kept — but only for who may read the register.
	for _, path := range []string{"/documents/recherche?q=fourmilliere&page=2", "/recherche?q=fourmilliere&type=document"} {
		b = body(t, elu.get(t, path))
		if !strings.Contains(b, "Vouliez-vous dire :") || !strings.Contains(b, "q=fourmili%C3%A8re") || !strings.Contains(b, ">fourmilière</a>") || strings.Contains(b, "page=2") {
			t.Errorf("%s: the élu gets no suggestion (or the wrong link)", path)
		}
		if b = body(t, other.get(t, path)); strings.Contains(b, "Vouliez-vous dire") || strings.Contains(b, "fourmilière") {
			t.Errorf("%s: a member without access is offered the register's word", path)
		}
	}
}

// The "documents-list" partial (used by the pages' document-list block)
// renders the documents of a folder the visitor may see.
func TestDocumentListPartial(t *testing.T) {
	w := newDocsWorld(t)
	w.put(t, w.public, "guide.txt", []byte("guide"), "2026-11-15")
	w.put(t, w.instances, "secret.txt", []byte("secret"), "2026-11-15")
	ctx := context.Background()
	var out bytes.Buffer
	for _, f := range []int64{w.public, w.instances} {
		docs, err := w.srv.Documents().ListForBlock(ctx, access.Anonymous(), f, 5)
		must(t, err)
		tmpl := w.srv.tmpl.pages["documents_index"]
		must(t, tmpl.ExecuteTemplate(&out, "documents-list", docs))
	}
	if !strings.Contains(out.String(), "guide") || strings.Contains(out.String(), "secret") || !strings.Contains(out.String(), "Aucun document") {
		t.Errorf("partial: %s", out.String())
	}
}

// An upload cut in the middle (the connection dropped): nothing is stored,
// the answer says so in French.
func TestDocumentUploadCutInTheMiddle(t *testing.T) {
	w := newDocsWorld(t)
	tech := w.loginAs(t, w.tech)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "coupe.pdf")
	fw.Write(corpusFile(t, "deliberation-2026-014.pdf"))
	mw.Close()
	cut := buf.Bytes()[:buf.Len()/2] // no closing boundary
	req := httptest.NewRequest(http.MethodPost, "/documents/dossiers/"+id(w.public)+"/envoi?csrf="+url.QueryEscape(tech.csrf), bytes.NewReader(cut))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := tech.do(t, req)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "interrompu") {
		t.Error("no French message about the interrupted upload")
	}
	if _, total, _ := w.srv.Documents().List(context.Background(), access.Anonymous(), documents.ListQuery{FolderID: w.public}); total != 0 {
		t.Errorf("%d documents stored from a cut upload", total)
	}
}

// A download runs at most 4 SQL statements through the whole server, the
// session's included: the document, its folder's trash state, the right,
// the version and whether it is public are one query, and the audit entry
// of a private download one more.
func TestDocumentDownloadStatements(t *testing.T) {
	w := newDocsWorld(t)
	pub := w.put(t, w.public, "guide.txt", []byte("guide\n"), "")
	priv := w.put(t, w.instances, "compte-rendu.txt", []byte("v1\n"), "")
	_, err := w.srv.Documents().Replace(context.Background(), w.adminA(), priv.ID, "compte-rendu.txt", strings.NewReader("v2\n"))
	must(t, err)
	tech := w.loginAs(t, w.tech)
	var mu sync.Mutex
	var seen []string
	count := func(c *client, path, rangeHeader string, want int) []string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if rangeHeader != "" {
			req.Header.Set("Range", rangeHeader)
		}
		mu.Lock()
		seen = nil
		mu.Unlock()
		w.db.Observe(func(q string) { mu.Lock(); seen = append(seen, q); mu.Unlock() })
		rec := c.do(t, req)
		w.db.Observe(nil)
		if rec.Code != want {
			t.Fatalf("%s: status %d, want %d", path, rec.Code, want)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(seen) > 4 {
			t.Errorf("%s: %d statements, want at most 4:\n%s", path, len(seen), strings.Join(seen, "\n"))
		}
		t.Logf("%s (%s): %d statements", path, rangeHeader, len(seen))
		return append([]string(nil), seen...)
	}
	audited := func(stmts []string) int {
		n := 0
		for _, q := range stmts {
			if strings.HasPrefix(q, "INSERT INTO audit") {
				n++
			}
		}
		return n
	}
	dl := func(d *documents.Document) string { return "/documents/" + id(d.ID) + "/telecharger" }
	if n := audited(count(w.visitor(), dl(pub), "", http.StatusOK)); n != 0 {
		t.Errorf("a public download is audited")
	}
	if n := audited(count(tech, dl(pub), "", http.StatusOK)); n != 0 {
		t.Errorf("a public download by a member is audited")
	}
	if n := audited(count(tech, dl(priv), "", http.StatusOK)); n != 1 {
		t.Errorf("a private download wrote %d audit entries, want 1", n)
	}
	if n := audited(count(tech, dl(priv)+"?version=1", "", http.StatusOK)); n != 1 {
		t.Errorf("a version's download wrote %d audit entries, want 1", n)
	}
	if n := audited(count(tech, dl(priv), "bytes=1-", http.StatusPartialContent)); n != 0 {
		t.Errorf("a resumed download was audited again")
	}
	if got := w.auditCount(t, "document.download", "document:"+id(priv.ID)); got != 2 {
		t.Errorf("%d download entries, want 2 (the file and its version)", got)
	}
}

// Every catalogue key the documents area uses (the store, extraction's
// reasons, its handlers and templates) exists, so no page shows ⟦key⟧.
func TestDocumentsCatalogueKeys(t *testing.T) {
	w := newDocsWorld(t)
	re := regexp.MustCompile(`"(documents\.[a-z_]+(?:\.[a-z_-]+)*)"`)
	var files []string
	for _, g := range []string{"../documents/*.go", "../extract/*.go", "documents_*.go", "templates/*/documents*.html"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("found only %d files to check", len(files))
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		must(t, err)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if m[1] == documents.JobExtract || m[1] == documents.JobOCR || m[1] == "documents.css" { // a job's kind, a style sheet
				continue
			}
			n++
			if !w.srv.cat.Has(m[1]) {
				t.Errorf("%s: key %q missing from the catalogue", f, m[1])
			}
		}
	}
	for _, mt := range []string{"application/pdf", "image/png", "text/csv", "text/plain", "application/x-unknown"} {
		if k := documents.TypeKey(mt); !w.srv.cat.Has(k) {
			t.Errorf("type %s: key %q missing", mt, k)
		}
	}
	if n < 80 {
		t.Fatalf("only %d keys found: the scan is broken", n)
	}
}

// Why a document has no text: a catalogue key is translated; a text
// written by an older version is shown as it is.
func TestDocumentTextReason(t *testing.T) {
	w := newDocsWorld(t)
	ctx := context.Background()
	d := w.put(t, w.public, "scan.txt", []byte("x\n"), "")
	c := w.visitor()
	for stored, want := range map[string]string{
		extract.ReasonScanned:               "texte non indexable : document numérisé",
		"texte illisible (ancienne notice)": "texte illisible (ancienne notice)",
		"documents.reason.inconnue":         "documents.reason.inconnue",
		"":                                  "texte non indexable",
	} {
		_, err := w.db.Exec(ctx, "UPDATE documents SET text_status = 'none', text_reason = ? WHERE id = ?", stored, d.ID)
		must(t, err)
		b := body(t, c.get(t, "/documents/"+id(d.ID)))
		if !strings.Contains(b, want) || strings.Contains(b, "⟦") {
			t.Errorf("stored %q: page lacks %q", stored, want)
		}
	}
}
