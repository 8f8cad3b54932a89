package documents_test

import (
	"errors"
	"testing"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/search"
)

func TestMoveFolderRules(t *testing.T) {
	e := newEnv(t)
	ed := e.group("Éditeurs")
	m := e.user("editeur@sydrav.fr", false, ed)
	managed := e.folder(0, "Instances", access.Grant{GroupID: ed, Level: access.Manage})
	sub := e.folder(managed, "Comité syndical")
	subsub := e.folder(sub, "2026")
	editable := e.folder(0, "Technique", access.Grant{GroupID: ed, Level: access.Edit})
	viewOnly := e.folder(0, "Formation", access.Grant{GroupID: ed, Level: access.View})
	hidden := e.folder(0, "Direction", []access.Grant{}...)
	doc := e.upload(subsub, "pv.txt", []byte("procès-verbal\n"), "")

	// Refusals, each with nothing changed.
	fieldErr(t, "into a folder p may only view", e.s.MoveFolder(e.ctx, e.as(m), sub, viewOnly), "parent")
	fieldErr(t, "into a folder p may not see", e.s.MoveFolder(e.ctx, e.as(m), sub, hidden), "parent")
	fieldErr(t, "into a forged folder id", e.s.MoveFolder(e.ctx, e.as(m), sub, 987654), "parent")
	fieldErr(t, "to the top level (not an admin)", e.s.MoveFolder(e.ctx, e.as(m), sub, 0), "parent")
	if err := e.s.MoveFolder(e.ctx, e.as(m), viewOnly, editable); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("moving a folder p may only view: %v, want access.ErrForbidden", err)
	}
	if err := e.s.MoveFolder(e.ctx, e.as(m), hidden, editable); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("moving a folder p may not see: %v, want db.ErrNotFound", err)
	}
	if err := e.s.MoveFolder(e.ctx, e.as(m), 987654, editable); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("moving a forged folder id: %v, want db.ErrNotFound", err)
	}
	fieldErr(t, "into itself", e.s.MoveFolder(e.ctx, e.as(e.admin), managed, managed), "parent")
	fieldErr(t, "into its child", e.s.MoveFolder(e.ctx, e.as(e.admin), managed, sub), "parent")
	fieldErr(t, "into its grandchild", e.s.MoveFolder(e.ctx, e.as(e.admin), managed, subsub), "parent")
	e.folder(editable, "Comité syndical")
	fieldErr(t, "next to a folder of the same name", e.s.MoveFolder(e.ctx, e.as(m), sub, editable), "parent")
	if f, _, _ := e.s.Folder(e.ctx, e.admin, sub); f.ParentID != managed {
		t.Fatalf("a refused move changed the parent to %d", f.ParentID)
	}

	// Allowed: manage on the folder, edit on the destination. The folder
	// and its sub-folder take the destination's grants.
	must(t, e.s.RenameFolder(e.ctx, e.as(e.admin), sub, "Comité"))
	must(t, e.s.MoveFolder(e.ctx, e.as(m), sub, editable))
	if f, _, _ := e.s.Folder(e.ctx, e.admin, sub); f.ParentID != editable {
		t.Fatalf("parent = %d, want %d", f.ParentID, editable)
	}
	for _, id := range []int64{sub, subsub} {
		if _, lvl, err := e.s.Folder(e.ctx, m, id); err != nil || lvl != access.Edit {
			t.Errorf("folder %d after the move: level %v, %v; want edit (inherited from the destination)", id, lvl, err)
		}
	}
	if crumbs, _ := e.s.Breadcrumb(e.ctx, m, subsub); len(crumbs) != 3 || crumbs[0].ID != editable {
		t.Errorf("breadcrumb after the move = %+v", crumbs)
	}
	if got, err := e.s.Get(e.ctx, m, doc.ID); err != nil || got.FolderID != subsub {
		t.Errorf("document after the move: %+v, %v", got, err)
	}
	// p now only edits it: managing it (moving it back) is refused.
	if err := e.s.MoveFolder(e.ctx, e.as(m), sub, managed); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("moving back without manage: %v, want access.ErrForbidden", err)
	}
	// Administrators may move to the top level.
	must(t, e.s.MoveFolder(e.ctx, e.as(e.admin), sub, 0))
	if f, _, _ := e.s.Folder(e.ctx, e.admin, sub); f.ParentID != 0 {
		t.Errorf("parent = %d, want the top level", f.ParentID)
	}
	if _, _, err := e.s.Folder(e.ctx, m, sub); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("a top-level folder inheriting nothing is visible to a member: %v", err)
	}
	// Move targets never offer the folder, its sub-folders or its parent.
	f, _, _ := e.s.Folder(e.ctx, e.admin, managed)
	targets, err := e.s.MoveTargets(e.ctx, e.admin, f)
	must(t, err)
	for _, x := range targets {
		if x.ID == managed {
			t.Errorf("move targets offer the folder itself: %+v", targets)
		}
	}
}

// Moving a folder changes who finds its documents in the search, with the
// real engine: the index refers to the documents' folders, whose place in
// the access tree the search query reads.
func TestMoveFolderSearchFollows(t *testing.T) {
	e := newEnv(t)
	idx := e.realSearch()
	elus, tech := e.group("Élus"), e.group("Techniciens")
	elu := e.user("elu@sydrav.fr", false, elus)
	technicien := e.user("tech@sydrav.fr", false, tech)
	instances := e.folder(0, "Instances", access.Grant{GroupID: elus, Level: access.View})
	technique := e.folder(0, "Technique", access.Grant{GroupID: tech, Level: access.View})
	comite := e.folder(instances, "Comité")
	annexes := e.folder(comite, "Annexes")
	e.upload(annexes, "zythogramme.txt", []byte("annexe\n"), "")

	find := func(p access.Principal, folder int64) int {
		t.Helper()
		res, err := idx.Search(e.ctx, p, search.Query{Text: "zythogramme", Kinds: []string{search.KindDocument}, FolderID: folder})
		must(t, err)
		return res.Total
	}
	if find(elu, 0) != 1 || find(technicien, 0) != 0 || find(elu, instances) != 1 {
		t.Fatal("before the move: the élu should find it, the technicien not")
	}
	must(t, e.s.MoveFolder(e.ctx, e.as(e.admin), comite, technique))
	if n := find(elu, 0); n != 0 {
		t.Errorf("élu, who lost access by the move, still finds %d hits", n)
	}
	if n := find(technicien, 0); n != 1 {
		t.Errorf("technicien, who gained access by the move, finds %d hits, want 1", n)
	}
	if n := find(technicien, technique); n != 1 {
		t.Errorf("filtering by the new parent folder finds %d, want 1", n)
	}
	if n := find(e.admin, instances); n != 0 {
		t.Errorf("filtering by the old parent folder still finds %d", n)
	}
}
