package documents_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/documents"
	"portique/internal/extract"
	"portique/internal/jobs"
	"portique/internal/search"
)

// The test binary doubles as the extraction child process (see extract).
const childEnv = "PORTIQUE_DOCUMENTS_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(extract.RunChild(os.Args[1:]))
	}
	// The browser test runs the real program in this process; its server
	// starts extraction children as `<this binary> extract-worker …`.
	if len(os.Args) > 1 && os.Args[1] == extract.Subcommand {
		os.Exit(extract.RunChild(os.Args[2:]))
	}
	os.Exit(m.Run())
}

func testChild() *extract.Child {
	return &extract.Child{Exe: os.Args[0], Env: []string{childEnv + "=1"}, Timeout: 30 * time.Second}
}

// recIndex records what the store sends to the search index (the engines
// are tested in package search; here we check the documents' side).
type recIndex struct {
	mu   sync.Mutex
	docs map[int64][]search.Doc
}

func (r *recIndex) Replace(ctx context.Context, q db.Querier, kind string, id int64, docs []search.Doc) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if kind != search.KindDocument {
		panic("unexpected kind " + kind)
	}
	r.docs[id] = docs
	return nil
}

func (r *recIndex) Delete(ctx context.Context, q db.Querier, kind string, id int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.docs, id)
	return nil
}

func (r *recIndex) Search(ctx context.Context, p access.Principal, q search.Query) (search.Result, error) {
	panic("not used")
}

func (r *recIndex) get(id int64) []search.Doc {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.docs[id]
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
	idx   *recIndex
	clock *clock
	ctx   context.Context
	admin access.Principal
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
	idx := &recIndex{docs: map[int64][]search.Doc{}}
	s := documents.NewStore(d, blobs, idx, documents.Options{Location: paris, ArchiveMonths: 3, UploadMax: 2 << 20, Now: c.Now})
	e := &env{t: t, d: d, s: s, idx: idx, clock: c, ctx: context.Background()}
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
	e.s = documents.NewStore(e.d, blobs, idx, documents.Options{Location: paris, UploadMax: 2 << 20, Now: e.clock.Now})
	return idx
}

var userSeq int64

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
	return access.Member(id, admin, groups)
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
	id, err := e.s.CreateFolder(e.ctx, e.admin, parent, name)
	if err != nil {
		e.t.Fatal(err)
	}
	if grants != nil {
		if err := e.s.SetFolderGrants(e.ctx, e.admin, id, grants, false); err != nil {
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
	doc, err := e.s.Upload(e.ctx, e.admin, documents.UploadInput{FolderID: folder, Filename: name, PublishedOn: published, Body: bytes.NewReader(body)})
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
