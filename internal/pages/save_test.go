package pages_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/pages"
)

// observe counts the statements run while fn runs, and those that ask the
// access model (they read acl_nodes).
func (f *fixture) observe(fn func()) (statements, checks int) {
	var mu sync.Mutex
	f.d.Observe(func(q string) {
		mu.Lock()
		defer mu.Unlock()
		statements++
		if strings.Contains(q, "acl_nodes") {
			checks++
		}
	})
	defer f.d.Observe(nil)
	fn()
	return statements, checks
}

// A save stores its new pictures, the draft and its publication in one
// transaction that asks the access model once.
func TestSaveChecksAccessOnce(t *testing.T) {
	f := newFixture(t)
	p := f.page(f.home.ID, "Collectes", "Calendrier")
	u1, err := f.s.ReadImage("benne.png", "Une benne", pngReader(t, 40, 20))
	if err != nil {
		t.Fatal(err)
	}
	u2, err := f.s.ReadImage("bac.png", "Un bac", pngReader(t, 30, 30))
	if err != nil {
		t.Fatal(err)
	}
	var page *pages.Page
	var rev *pages.Revision
	statements, checks := f.observe(func() {
		page, rev, err = f.s.Save(f.ctx, editor, p.ID, pages.Edit{
			Base: p.PublishedRev, Title: "Collectes 2026", Publish: true, Note: "Nouveaux bacs",
			Blocks: []pages.Block{
				{Type: pages.BlockText, HTML: "<p>Calendrier 2026</p>"},
				{Type: pages.BlockImage, Alt: "Une benne"},
				{Type: pages.BlockImage, Alt: "Un bac"},
			},
			Uploads: map[int]*pages.Upload{1: u1, 2: u2},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("save with 2 pictures and publication: %d statements, %d access checks", statements, checks)
	if checks != 1 {
		t.Errorf("access checks = %d, want 1", checks)
	}
	if page.PublishedRev != rev.ID || page.DraftRev != 0 || page.Title != "Collectes 2026" {
		t.Fatalf("page after save = %+v (rev %d)", page, rev.ID)
	}
	for i, alt := range map[int]string{1: "Une benne", 2: "Un bac"} {
		img, err := f.s.GetImage(f.ctx, visitor.Principal, rev.Blocks[i].ImageID)
		if err != nil || img.Alt != alt || img.PageID != p.ID {
			t.Fatalf("picture of block %d = %+v, %v", i, img, err)
		}
	}

	// Someone who may not edit the page is refused before anything is
	// written, pictures included.
	u3, _ := f.s.ReadImage("x.png", "Intrus", pngReader(t, 10, 10))
	_, _, err = f.s.Save(f.ctx, member, p.ID, pages.Edit{Base: page.PublishedRev, Title: "Piraté",
		Blocks: []pages.Block{{Type: pages.BlockImage, Alt: "Intrus"}}, Uploads: map[int]*pages.Upload{0: u3}})
	wantErr(t, err, access.ErrForbidden)
	var n int
	if err := f.d.QueryRow(f.ctx, "SELECT COUNT(*) FROM images").Scan(&n); err != nil || n != 2 {
		t.Fatalf("images = %d, %v; want 2", n, err)
	}
	// Bad input: nothing written, every message at once.
	_, _, err = f.s.Save(f.ctx, editor, p.ID, pages.Edit{Base: page.PublishedRev, Title: " ", Publish: true,
		Note: strings.Repeat("n", pages.MaxNote+1), Blocks: []pages.Block{{Type: pages.BlockImage}}})
	for _, field := range []string{"title", "note", "blocks.0.alt", "blocks.0.image"} {
		wantField(t, err, field)
	}
	if got := f.get(p.ID); got.DraftRev != 0 || got.PublishedRev != page.PublishedRev {
		t.Fatalf("refused save changed the page: %+v", got)
	}
}

// The audit entries of the pages are data (key=value), written in the
// transaction of their change: a change whose entry cannot be written does
// not happen, and a refused change leaves no entry.
func TestPageChangeAndAuditCommitTogether(t *testing.T) {
	f := newFixture(t)
	trail := &audit.Trail{DB: f.d}
	last := func() audit.Entry {
		t.Helper()
		es, _, err := trail.Find(f.ctx, audit.Filter{Limit: 1})
		if err != nil || len(es) == 0 {
			t.Fatalf("audit: %v, %d entries", err, len(es))
		}
		return es[0]
	}
	count := func() int {
		t.Helper()
		var n int
		if err := f.d.QueryRow(f.ctx, "SELECT COUNT(*) FROM audit").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	p := f.page(f.home.ID, "Déchèteries", "Horaires")
	if e := last(); e.Action != "page.publish" || e.Object != fmt.Sprintf("page:%d", p.ID) ||
		e.Detail != fmt.Sprintf("path=/decheteries rev=%d", p.PublishedRev) || e.Actor != "admin@example.fr" {
		t.Fatalf("publish entry = %+v", e)
	}
	first := p.PublishedRev
	draft, err := f.s.SaveDraft(f.ctx, editor, p.ID, first, "Déchèteries", []pages.Block{{Type: pages.BlockText, HTML: "<p>Été</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = f.s.Publish(f.ctx, editor, p.ID, draft.ID, ""); err != nil {
		t.Fatal(err)
	}
	restored, err := f.s.RestoreRevision(f.ctx, editor, p.ID, first, "")
	if err != nil {
		t.Fatal(err)
	}
	if e := last(); e.Action != "page.restore_revision" || e.Detail != fmt.Sprintf("path=/decheteries rev=%d→%d", first, restored.PublishedRev) {
		t.Fatalf("restore entry = %+v", e)
	}
	if _, err := f.s.UpdateProps(f.ctx, editor, p.ID, pages.Props{Slug: "dechets"}); err != nil {
		t.Fatal(err)
	}
	if e := last(); e.Action != "page.rename" || e.Detail != "path=/decheteries→/dechets" {
		t.Fatalf("rename entry = %+v", e)
	}
	if err := f.s.SetGrants(f.ctx, admin, p.ID, false, []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: gEditeurs, Level: access.Manage}}); err != nil {
		t.Fatal(err)
	}
	if e := last(); e.Action != "page.grants" || e.Detail != fmt.Sprintf("path=/dechets grants=%d:view,%d:manage", access.Everyone, gEditeurs) {
		t.Fatalf("grants entry = %+v", e)
	}
	if _, err := f.s.Trash(f.ctx, editor, p.ID); err != nil {
		t.Fatal(err)
	}
	if e := last(); e.Action != "page.trash" || e.Detail != "path=/dechets pages=1" || e.Actor != "editeur@example.fr" {
		t.Fatalf("trash entry = %+v", e)
	}

	// A refused change leaves no entry.
	q := f.page(f.home.ID, "Collectes", "Jours")
	before := count()
	if _, err := f.s.UpdateProps(f.ctx, member, q.ID, pages.Props{Slug: "piratee"}); err == nil {
		t.Fatal("a member renamed a page")
	}
	if count() != before {
		t.Fatal("a refused change wrote an audit entry")
	}
	// A change whose entry cannot be written does not happen: the entry is
	// written in the change's transaction.
	d2, err := f.s.SaveDraft(f.ctx, editor, q.ID, q.PublishedRev, "Collectes", []pages.Block{{Type: pages.BlockText, HTML: "<p>Mardi</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Exec(f.ctx, "ALTER TABLE audit RENAME TO audit_away"); err != nil {
		t.Fatal(err)
	}
	_, perr := f.s.Publish(f.ctx, editor, q.ID, d2.ID, "")
	if _, err := f.d.Exec(f.ctx, "ALTER TABLE audit_away RENAME TO audit"); err != nil {
		t.Fatal(err)
	}
	if perr == nil {
		t.Fatal("publish succeeded without its audit entry")
	}
	if got := f.get(q.ID); got.DraftRev != d2.ID || got.PublishedRev != q.PublishedRev {
		t.Fatalf("publish without its entry changed the page: %+v", got)
	}
	if count() != before {
		t.Fatal("entries changed")
	}
}
