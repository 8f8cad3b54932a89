package documents_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/dbtest"
	"portique/internal/documents"
)

// A page block may only list a folder its editor may see: a forged id, a
// folder the editor may not see and a folder in the trash are refused
// alike, by the access rule (inheritance included).
func TestUnseenRefs(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	now := time.Now().UTC()
	const gElus = 10
	if _, err := d.Exec(ctx, "INSERT INTO groups (id, name, created_at) VALUES (?, 'Élus', ?)", gElus, now); err != nil {
		t.Fatal(err)
	}
	// 1 public ─ 2 inherits; 3 élus only ─ 4 inherits; 5 public, in the trash.
	for _, f := range []struct{ id, parent int64 }{{1, 0}, {2, 1}, {3, 0}, {4, 3}, {5, 0}} {
		var parent any
		if f.parent != 0 {
			parent = f.parent
		}
		if _, err := d.Exec(ctx, "INSERT INTO folders (id, parent_id, name, created_at) VALUES (?, ?, ?, ?)", f.id, parent, fmt.Sprint("dossier ", f.id), now); err != nil {
			t.Fatal(err)
		}
		if err := access.AddNode(ctx, d, access.Folder, f.id, f.parent); err != nil {
			t.Fatal(err)
		}
	}
	for id, g := range map[int64]int64{1: access.Everyone, 3: gElus, 5: access.Everyone} {
		if err := access.SetGrants(ctx, d, access.Folder, id, []access.Grant{{GroupID: g, Level: access.View}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Exec(ctx, "UPDATE folders SET trashed_at = ? WHERE id = 5", now); err != nil {
		t.Fatal(err)
	}
	s := documents.NewStore(d, nil, nil, documents.Options{})
	for _, c := range []struct {
		name string
		p    access.Principal
		want string
	}{
		{"élu", access.Member(7, false, []int64{gElus}), "map[5:true 999:true]"},
		{"member", access.Member(8, false, nil), "map[3:true 4:true 5:true 999:true]"},
		{"visitor", access.Anonymous(), "map[3:true 4:true 5:true 999:true]"},
		{"admin", access.Member(9, true, nil), "map[5:true 999:true]"},
	} {
		got, err := s.UnseenRefs(ctx, c.p, []int64{1, 2, 3, 4, 5, 4, 999})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != c.want {
			t.Errorf("%s: unseen = %v, want %s", c.name, got, c.want)
		}
	}
}
