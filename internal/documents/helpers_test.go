package documents_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/documents"
	"portique/internal/extract"
	"portique/internal/i18n"
	"portique/internal/jobs"
	"portique/internal/search"
	"portique/internal/search/searchtest"
	"portique/internal/valid"
)

// The test binary doubles as the extraction child process (see extract).
const childEnv = "PORTIQUE_DOCUMENTS_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(extract.RunChild(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func testChild() *extract.Child {
	return &extract.Child{Exe: os.Args[0], Env: []string{childEnv + "=1"}, Timeout: 30 * time.Second}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

type env struct {
	t     *testing.T
	d     *db.DB
	s     *documents.Store
	idx   *searchtest.Recorder
	clock *clock
	ctx   context.Context
	admin access.Principal
	names map[int64]string // user id → e-mail, for the actors of the trail
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d := dbtest.NewDB(t)
	blobs, err := documents.NewBlobs(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	c := &clock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	idx := searchtest.NewRecorder(search.KindDocument, false)
	s := documents.NewStore(d, blobs, idx, documents.Options{Location: paris, ArchiveMonths: 3, UploadMax: 2 << 20})
	s.Now = c.Now
	e := &env{t: t, d: d, s: s, idx: idx, clock: c, ctx: context.Background(), names: map[int64]string{}}
	e.admin = e.user("admin@sydrav.fr", true)
	return e
}

// realSearch makes the store index into the real search engine (FTS5 or
// tsvector) rather than the recording fake, and returns the index.
func (e *env) realSearch() search.Index {
	e.t.Helper()
	idx := search.New(e.d)
	blobs, err := documents.NewBlobs(filepath.Join(e.t.TempDir(), "blobs"))
	if err != nil {
		e.t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	e.s = documents.NewStore(e.d, blobs, idx, documents.Options{Location: paris, UploadMax: 2 << 20})
	e.s.Now = e.clock.Now
	return idx
}

// user creates an account in the given groups and returns its principal.
func (e *env) user(email string, admin bool, groups ...int64) access.Principal {
	e.t.Helper()
	var id int64
	if err := e.d.QueryRow(e.ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES (?, ?, ?, ?) RETURNING id",
		email, email, admin, time.Now().UTC()).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	for _, g := range groups {
		if _, err := e.d.Exec(e.ctx, "INSERT INTO memberships (user_id, group_id) VALUES (?, ?)", id, g); err != nil {
			e.t.Fatal(err)
		}
	}
	e.names[id] = email
	return access.Member(id, admin, groups)
}

// as is p making a change: the actor the store records in the trail.
func (e *env) as(p access.Principal) access.Actor {
	return access.Actor{Principal: p, Name: e.names[p.UserID], IP: "192.0.2.10"}
}

// read downloads a document's current file (version 0) or an earlier one
// as p, through the one download call, and returns its bytes.
func (e *env) read(p access.Principal, id int64, version int) ([]byte, error) {
	e.t.Helper()
	dl, err := e.s.OpenForDownload(e.ctx, e.as(p), id, version, false)
	if err != nil {
		return nil, err
	}
	defer dl.File.Close()
	return io.ReadAll(dl.File)
}

// fr is the French catalogue, to check that the keys of refusals exist.
var fr = i18n.MustLoad("fr")

// fieldErr asserts err is valid.Errors with a message on field whose key
// the French catalogue has, its arguments filling the text exactly.
func fieldErr(t *testing.T, what string, err error, field string) {
	t.Helper()
	if key := fieldKey(t, err, field); key == "" {
		t.Errorf("%s: err = %v, want a message on %q", what, err, field)
	}
}

// fieldKey returns the catalogue key of err's message on field ("" and an
// error reported when err is not valid.Errors or the key is not a French
// text of the catalogue taking exactly its arguments).
func fieldKey(t *testing.T, err error, field string) string {
	t.Helper()
	var ve valid.Errors
	if !errors.As(err, &ve) {
		return ""
	}
	m, ok := ve[field]
	if !ok || m.Key == "" {
		return ""
	}
	text := fr.T(m.Key, m.Args...)
	if !fr.Has(m.Key) || strings.Contains(text, "%!") || text == "" {
		t.Errorf("field %q: key %q with %v gives %q, not a French text of the catalogue", field, m.Key, m.Args, text)
		return ""
	}
	return m.Key
}

func (e *env) group(name string) int64 {
	e.t.Helper()
	var id int64
	if err := e.d.QueryRow(e.ctx, "INSERT INTO groups (name, created_at) VALUES (?, ?) RETURNING id", name, time.Now().UTC()).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// folder creates a folder as admin, with own grants when given.
func (e *env) folder(parent int64, name string, grants ...access.Grant) int64 {
	e.t.Helper()
	id, err := e.s.CreateFolder(e.ctx, e.as(e.admin), parent, name)
	if err != nil {
		e.t.Fatal(err)
	}
	if grants != nil {
		if err := e.s.SetFolderGrants(e.ctx, e.as(e.admin), id, grants, false); err != nil {
			e.t.Fatal(err)
		}
	}
	return id
}

func corpus(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upload stores a document as admin.
func (e *env) upload(folder int64, name string, body []byte, published string) *documents.Document {
	e.t.Helper()
	doc, err := e.s.Upload(e.ctx, e.as(e.admin), documents.UploadInput{FolderID: folder, Filename: name, PublishedOn: published, Body: bytes.NewReader(body)})
	if err != nil {
		e.t.Fatalf("upload %s: %v", name, err)
	}
	return doc
}

// runJobs runs the extraction jobs in the real child process.
func (e *env) runJobs() {
	e.t.Helper()
	r := jobs.NewRunner(e.d)
	r.Now = e.clock.Now
	r.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	r.Handle(documents.JobExtract, e.s.ExtractJob(testChild()))
	for {
		ran, err := r.RunOne(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// docxOf builds a minimal Word file around document.xml.
func docxOf(t testing.TB, documentXML string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0"?><Relationships/>`},
		{"word/document.xml", documentXML},
	} {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.body))
	}
	must(t, zw.Close())
	return buf.Bytes()
}
