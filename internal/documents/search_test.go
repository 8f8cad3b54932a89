package documents_test

import (
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/search"
)

// With the real search engine (FTS5 or tsvector): words from inside the PDFs
// are found on the right page, and only by those who may see the folder.
func TestSearchInsidePDFs(t *testing.T) {
	e := newEnv(t)
	idx := e.realSearch()
	elus, tech := e.group("Élus"), e.group("Techniciens")
	elu := e.user("elu@sydrav.fr", false, elus)
	technicien := e.user("tech@sydrav.fr", false, tech)
	pub := e.folder(0, "Public", access.Grant{GroupID: access.Everyone, Level: access.View})
	inst := e.folder(0, "Instances", access.Grant{GroupID: elus, Level: access.View})
	reg := e.upload(inst, "registre-large.pdf", corpus(t, "registre-large.pdf"), "2026-01-05")
	guide := e.upload(pub, "guide-du-tri-2026.pdf", corpus(t, "guide-du-tri-2026.pdf"), "2026-11-15")
	e.runJobs()

	find := func(p access.Principal, q string) search.Result {
		t.Helper()
		res, err := idx.Search(e.ctx, p, search.Query{Text: q, Kinds: []string{search.KindDocument}})
		must(t, err)
		return res
	}
	res := find(elu, "Fourmilière")
	if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].ID != reg.ID || res.Hits[0].Part != 154 {
		t.Fatalf("élu searching Fourmilière: %+v", res)
	}
	if !strings.Contains(res.Hits[0].Snippet, "<mark>") {
		t.Errorf("snippet without highlight: %q", res.Hits[0].Snippet)
	}
	for name, p := range map[string]access.Principal{"anonyme": access.Anonymous(), "technicien": technicien} {
		if r := find(p, "Fourmilière"); r.Total != 0 || len(r.Hits) != 0 {
			t.Errorf("%s found a document of a folder they may not see: %+v", name, r)
		}
	}
	if r := find(access.Anonymous(), "bocaux"); r.Total != 1 || r.Hits[0].ID != guide.ID {
		t.Errorf("anonymous searching bocaux: %+v", r)
	}
	// Title and file name are searchable too.
	if r := find(elu, "registre"); r.Total == 0 {
		t.Error("file name not searchable")
	}
	// Moving the register to the public folder makes it public; trashing
	// removes it.
	must(t, e.s.Move(e.ctx, e.as(e.admin), reg.ID, pub))
	if r := find(access.Anonymous(), "Fourmilière"); r.Total != 1 {
		t.Errorf("after move to a public folder: %+v", r)
	}
	must(t, e.s.Trash(e.ctx, e.as(e.admin), reg.ID))
	if r := find(e.admin, "Fourmilière"); r.Total != 0 {
		t.Errorf("trashed document still found: %+v", r)
	}
}
