package access_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/dbtest"
)

// The fixture tree (kind page):
//
//	1 Accueil            own: Everyone view, Editeurs edit
//	├── 2 Le syndicat    inherits
//	│   └── 3 Les élus   inherits
//	└── 4 Espace élus    own: Élus view
//	    └── 5 Séances    inherits
//	        └── 6 Privé  own: nothing (admins only)
//	7 Orphelin           root without grants
const (
	gElus      = 10
	gTech      = 11
	gEditeurs  = 12
	gStagiaire = 13
)

func setup(t *testing.T) *db.DB {
	t.Helper()
	d := dbtest.NewDB(t)
	ctx := context.Background()
	now := time.Now().UTC()
	for _, g := range []struct {
		id   int64
		name string
	}{{gElus, "Élus"}, {gTech, "Techniciens"}, {gEditeurs, "Éditeurs"}, {gStagiaire, "Stagiaires"}} {
		if _, err := d.Exec(ctx, "INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)", g.id, g.name, now); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(access.AddNode(ctx, d, access.Page, 1, 0))
	must(access.SetGrants(ctx, d, access.Page, 1, []access.Grant{{access.Everyone, access.View}, {gEditeurs, access.Edit}}))
	must(access.AddNode(ctx, d, access.Page, 2, 1))
	must(access.AddNode(ctx, d, access.Page, 3, 2))
	must(access.AddNode(ctx, d, access.Page, 4, 1))
	must(access.SetGrants(ctx, d, access.Page, 4, []access.Grant{{gElus, access.View}}))
	must(access.AddNode(ctx, d, access.Page, 5, 4))
	must(access.AddNode(ctx, d, access.Page, 6, 5))
	must(access.SetGrants(ctx, d, access.Page, 6, nil))
	must(access.AddNode(ctx, d, access.Page, 7, 0))
	return d
}

var (
	visitor   = access.Anonymous()
	member    = access.Member(100, false, nil)
	elu       = access.Member(101, false, []int64{gElus})
	tech      = access.Member(102, false, []int64{gTech})
	editeur   = access.Member(103, false, []int64{gEditeurs})
	admin     = access.Member(104, true, nil)
	eluEditor = access.Member(105, false, []int64{gElus, gEditeurs})
)

func TestMatrix(t *testing.T) {
	d := setup(t)
	ctx := context.Background()
	type want map[int64]access.Level // page → level; absent = None
	cases := []struct {
		name string
		p    access.Principal
		want want
	}{
		{"visitor", visitor, want{1: access.View, 2: access.View, 3: access.View}},
		{"member without group", member, want{1: access.View, 2: access.View, 3: access.View}},
		{"élu", elu, want{1: access.View, 2: access.View, 3: access.View, 4: access.View, 5: access.View}},
		{"technicien", tech, want{1: access.View, 2: access.View, 3: access.View}},
		{"éditeur", editeur, want{1: access.Edit, 2: access.Edit, 3: access.Edit}},
		{"élu éditeur", eluEditor, want{1: access.Edit, 2: access.Edit, 3: access.Edit, 4: access.View, 5: access.View}},
		// Administrators bypass the check (existence is the domain's business).
		{"admin", admin, want{1: access.Manage, 2: access.Manage, 3: access.Manage, 4: access.Manage, 5: access.Manage, 6: access.Manage, 7: access.Manage, 8: access.Manage}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for page := int64(1); page <= 8; page++ { // 8 has no node at all
				lvl, err := access.LevelOf(ctx, d, c.p, access.Page, page)
				if err != nil {
					t.Fatal(err)
				}
				if lvl != c.want[page] {
					t.Errorf("LevelOf(page %d) = %v, want %v", page, lvl, c.want[page])
				}
				for _, min := range []access.Level{access.View, access.Edit, access.Manage} {
					ok, err := access.Can(ctx, d, c.p, access.Page, page, min)
					if err != nil {
						t.Fatal(err)
					}
					if ok != (c.want[page] >= min) {
						t.Errorf("Can(page %d, %v) = %v, want %v", page, min, ok, !ok)
					}
				}
			}
			// The listing filter agrees with Can, row for row.
			f, args := c.p.Filter(access.Page, "n.id", access.View)
			rows, err := d.Query(ctx, "SELECT n.id FROM acl_nodes n WHERE n.kind = 'page' AND "+f+" ORDER BY n.id", args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got, exp []int64
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				got = append(got, id)
			}
			for page := int64(1); page <= 7; page++ { // page 8 has no row to list
				if c.want[page] >= access.View {
					exp = append(exp, page)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(exp) {
				t.Errorf("listing = %v, want %v", got, exp)
			}
		})
	}
}

func TestMoveRecomputesInheritance(t *testing.T) {
	d := setup(t)
	ctx := context.Background()
	// Moving "Le syndicat" (public, inheriting) under "Espace élus" makes it
	// and its child private to élus.
	if err := access.Move(ctx, d, access.Page, 2, 4); err != nil {
		t.Fatal(err)
	}
	for _, page := range []int64{2, 3} {
		if ok, _ := access.Can(ctx, d, visitor, access.Page, page, access.View); ok {
			t.Errorf("visitor still sees page %d after move into the élus area", page)
		}
		if ok, _ := access.Can(ctx, d, elu, access.Page, page, access.View); !ok {
			t.Errorf("élu cannot see page %d after move", page)
		}
	}
	if err := access.Move(ctx, d, access.Page, 4, 3); !errors.Is(err, access.ErrCycle) {
		t.Fatalf("move under own descendant: err = %v, want ErrCycle", err)
	}
	if err := access.Move(ctx, d, access.Page, 4, 4); !errors.Is(err, access.ErrCycle) {
		t.Fatalf("move under itself: err = %v, want ErrCycle", err)
	}
}

func TestSetGrantsAndInherit(t *testing.T) {
	d := setup(t)
	ctx := context.Background()
	// Page 5 sets its own grants: technicians only. Élus lose it.
	if err := access.SetGrants(ctx, d, access.Page, 5, []access.Grant{{gTech, access.View}}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := access.Can(ctx, d, elu, access.Page, 5, access.View); ok {
		t.Error("élu still sees page 5 after own grants exclude them")
	}
	if ok, _ := access.Can(ctx, d, tech, access.Page, 5, access.View); !ok {
		t.Error("technicien cannot see page 5 granted to them")
	}
	grants, own, err := access.Grants(ctx, d, access.Page, 5)
	if err != nil || !own || len(grants) != 1 || grants[0].GroupID != gTech {
		t.Fatalf("Grants = %v own=%v err=%v", grants, own, err)
	}
	// Back to inheriting: élus again, technicians not.
	if err := access.Inherit(ctx, d, access.Page, 5); err != nil {
		t.Fatal(err)
	}
	if ok, _ := access.Can(ctx, d, tech, access.Page, 5, access.View); ok {
		t.Error("technicien still sees page 5 after it inherits again")
	}
	if ok, _ := access.Can(ctx, d, elu, access.Page, 5, access.View); !ok {
		t.Error("élu lost page 5 after it inherits again")
	}
	// Page 6 kept its own (empty) grants through all this.
	if ok, _ := access.Can(ctx, d, elu, access.Page, 6, access.View); ok {
		t.Error("élu sees page 6, which grants nobody")
	}
	// A level out of range is ignored, never stored.
	if err := access.SetGrants(ctx, d, access.Page, 7, []access.Grant{{gTech, access.Level(9)}}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := access.Can(ctx, d, tech, access.Page, 7, access.View); ok {
		t.Error("a forged level 9 granted access")
	}
}

func TestKindsDoNotMix(t *testing.T) {
	d := setup(t)
	ctx := context.Background()
	// Folder 1 does not exist: the page grants of id 1 must not apply to it.
	if ok, _ := access.Can(ctx, d, visitor, access.Folder, 1, access.View); ok {
		t.Fatal("page grants leaked to the folder with the same id")
	}
	if err := access.AddNode(ctx, d, access.Calendar, 1, 0); err != nil {
		t.Fatal(err)
	}
	if ok, _ := access.Can(ctx, d, visitor, access.Calendar, 1, access.View); ok {
		t.Fatal("a calendar without grants is visible")
	}
}

func TestRemoveNode(t *testing.T) {
	d := setup(t)
	ctx := context.Background()
	if err := access.RemoveNode(ctx, d, access.Page, 3); err != nil {
		t.Fatal(err)
	}
	if ok, _ := access.Can(ctx, d, visitor, access.Page, 3, access.View); ok {
		t.Fatal("removed node still visible")
	}
}

func TestLevelNames(t *testing.T) {
	for _, l := range []access.Level{access.None, access.View, access.Edit, access.Manage} {
		if got := access.ParseLevel(l.String()); got != l {
			t.Errorf("ParseLevel(%q) = %v, want %v", l.String(), got, l)
		}
	}
	if access.ParseLevel("root") != access.None {
		t.Error("unknown level name must parse to None")
	}
}
