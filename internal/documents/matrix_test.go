package documents_test

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"testing"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/documents"
)

// TestPermissionMatrix checks every user against every document over every
// way of reaching it: listing (current and archive), counts, the folder tree,
// the document-list block, Get and download. Expectations are written by hand
// from the grants below, not computed by the code under test.
func TestPermissionMatrix(t *testing.T) {
	e := newEnv(t)
	elus, tech, stag := e.group("Élus"), e.group("Techniciens"), e.group("Stagiaires")
	V, E := access.View, access.Edit
	folders := map[string]int64{}
	folders["Public"] = e.folder(0, "Public", access.Grant{GroupID: access.Everyone, Level: V})
	folders["Instances"] = e.folder(0, "Instances", access.Grant{GroupID: elus, Level: V}, access.Grant{GroupID: tech, Level: V})
	folders["Comité"] = e.folder(folders["Instances"], "Comité syndical") // inherits
	folders["Formation"] = e.folder(0, "Formation", access.Grant{GroupID: stag, Level: V}, access.Grant{GroupID: tech, Level: V})
	folders["Technique"] = e.folder(0, "Technique", access.Grant{GroupID: elus, Level: V}, access.Grant{GroupID: tech, Level: E})
	folders["Marchés"] = e.folder(0, "Marchés", access.Grant{GroupID: elus, Level: V})
	folders["Membres"] = e.folder(0, "Membres", access.Grant{GroupID: access.Members, Level: V})
	folders["Vide"] = e.folder(0, "Sans droits", []access.Grant{}...)

	// now = 2026-11-28 (Paris); cutoff 2026-08-28.
	type docSpec struct {
		folder, date string
		pinned       bool
		archived     bool
	}
	specs := map[string]docSpec{
		"pub-cur":     {"Public", "2026-11-01", false, false},
		"pub-2m29d":   {"Public", "2026-08-30", false, false},
		"pub-3m1d":    {"Public", "2026-08-27", false, true},
		"pub-pinned":  {"Public", "2024-01-01", true, false},
		"com-cur":     {"Comité", "2026-10-14", false, false},
		"com-old":     {"Comité", "2025-03-25", false, true},
		"inst-cur":    {"Instances", "2026-11-20", false, false},
		"form-cur":    {"Formation", "2026-09-02", false, false},
		"tech-cur":    {"Technique", "2026-11-27", false, false},
		"tech-old":    {"Technique", "2026-05-20", false, true},
		"marches-cur": {"Marchés", "2026-11-15", false, false},
		"membres-cur": {"Membres", "2026-11-02", false, false},
		"vide-cur":    {"Vide", "2026-11-03", false, false},
	}
	ids := map[string]int64{}
	names := map[int64]string{}
	for name, sp := range specs {
		d := e.upload(folders[sp.folder], name+".txt", []byte("document "+name+"\n"), sp.date)
		if sp.pinned {
			must(t, e.s.SetPinned(e.ctx, e.as(e.admin), d.ID, true))
		}
		ids[name] = d.ID
		names[d.ID] = name
	}

	users := map[string]access.Principal{
		"anonyme":    access.Anonymous(),
		"membre":     e.user("membre@sydrav.fr", false),
		"élu":        e.user("elu@sydrav.fr", false, elus),
		"technicien": e.user("tech@sydrav.fr", false, tech),
		"stagiaire":  e.user("stag@sydrav.fr", false, stag),
		"élu+stag":   e.user("elustag@sydrav.fr", false, elus, stag),
		"admin":      e.admin,
	}
	visibleFolders := map[string][]string{
		"anonyme":    {"Public"},
		"membre":     {"Public", "Membres"},
		"élu":        {"Public", "Membres", "Instances", "Comité", "Technique", "Marchés"},
		"technicien": {"Public", "Membres", "Instances", "Comité", "Formation", "Technique"},
		"stagiaire":  {"Public", "Membres", "Formation"},
		"élu+stag":   {"Public", "Membres", "Instances", "Comité", "Technique", "Marchés", "Formation"},
		"admin":      {"Public", "Membres", "Instances", "Comité", "Formation", "Technique", "Marchés", "Vide"},
	}

	for who, p := range users {
		t.Run(who, func(t *testing.T) {
			sees := map[string]bool{}
			for _, f := range visibleFolders[who] {
				sees[f] = true
			}
			var wantCur, wantArch []string
			for name, sp := range specs {
				if !sees[sp.folder] {
					continue
				}
				if sp.archived {
					wantArch = append(wantArch, name)
				} else {
					wantCur = append(wantCur, name)
				}
			}
			for _, archived := range []bool{false, true} {
				want := wantCur
				if archived {
					want = wantArch
				}
				list, total, err := e.s.List(e.ctx, p, documents.ListQuery{Archived: archived, Limit: 500})
				must(t, err)
				if got := docNames(list, names); !equal(got, want) || total != len(want) {
					t.Errorf("archived=%v: listed %v (total %d), want %v", archived, got, total, want)
				}
				// Paging never shows more, and the total stays right.
				page, total2, err := e.s.List(e.ctx, p, documents.ListQuery{Archived: archived, Limit: 2, Offset: 1})
				must(t, err)
				if total2 != len(want) || len(page) > 2 {
					t.Errorf("archived=%v page: %d items, total %d; want total %d", archived, len(page), total2, len(want))
				}
				tree, err := e.s.Tree(e.ctx, p, archived)
				must(t, err)
				var treeNames []string
				parentOf := map[int64]int64{}
				for _, f := range tree {
					parentOf[f.ID] = f.ParentID
				}
				for _, f := range tree {
					fname := folderName(folders, f.ID)
					treeNames = append(treeNames, fname)
					// A folder counts its documents and those of its
					// visible sub-folders.
					n := 0
					for _, w := range want {
						for id := folders[specs[w].folder]; id != 0; id = parentOf[id] {
							if id == f.ID {
								n++
								break
							}
						}
					}
					if f.Count != n {
						t.Errorf("archived=%v: folder %s count %d, want %d", archived, fname, f.Count, n)
					}
				}
				if !equal(treeNames, visibleFolders[who]) {
					t.Errorf("tree %v, want %v", treeNames, visibleFolders[who])
				}
			}
			for name, id := range ids {
				sp := specs[name]
				_, err := e.s.Get(e.ctx, p, id)
				_, oerr := e.read(p, id, 0)
				if sees[sp.folder] {
					if err != nil || oerr != nil {
						t.Errorf("%s: denied (%v, %v), want allowed", name, err, oerr)
					}
				} else if !errors.Is(err, db.ErrNotFound) || !errors.Is(oerr, db.ErrNotFound) {
					t.Errorf("%s: got (%v, %v), want not found", name, err, oerr)
				}
			}
			for fname, fid := range folders {
				block, err := e.s.ListForBlock(e.ctx, p, fid, 10)
				must(t, err)
				var want []string
				if sees[fname] {
					for _, w := range wantCur {
						if specs[w].folder == fname {
							want = append(want, w)
						}
					}
				}
				if got := docNames(block, names); !equal(got, want) {
					t.Errorf("block of %s: %v, want %v", fname, got, want)
				}
			}
		})
	}

	// The rule holds at every request: three months later, with no job run,
	// what was current is archived (the pinned document stays).
	e.clock.mu.Lock()
	e.clock.t = e.clock.t.AddDate(0, 4, 0)
	e.clock.mu.Unlock()
	list, _, err := e.s.List(e.ctx, access.Anonymous(), documents.ListQuery{})
	must(t, err)
	if got := docNames(list, names); !equal(got, []string{"pub-pinned"}) {
		t.Errorf("four months later, current = %v, want only the pinned one", got)
	}
	d, _ := e.s.Get(e.ctx, access.Anonymous(), ids["pub-cur"])
	if !d.Archived {
		t.Error("Get does not mark an old document archived")
	}
}

// Sorting by date (newest first, default) and by name.
func TestListSort(t *testing.T) {
	e := newEnv(t)
	f := e.folder(0, "Public", access.Grant{GroupID: access.Everyone, Level: access.View})
	for i, n := range []string{"Bravo", "alpha", "Charlie"} {
		e.upload(f, n+".txt", []byte(n), fmt.Sprintf("2026-11-0%d", i+1))
	}
	byDate, _, _ := e.s.List(e.ctx, access.Anonymous(), documents.ListQuery{FolderID: f})
	byName, _, _ := e.s.List(e.ctx, access.Anonymous(), documents.ListQuery{FolderID: f, Sort: "name"})
	titles := func(ds []documents.Document) (out []string) {
		for _, d := range ds {
			out = append(out, d.Title)
		}
		return
	}
	if got := titles(byDate); !slices.Equal(got, []string{"Charlie", "alpha", "Bravo"}) {
		t.Errorf("by date %v", got)
	}
	if got := titles(byName); !slices.Equal(got, []string{"alpha", "Bravo", "Charlie"}) {
		t.Errorf("by name %v", got)
	}
}

func docNames(ds []documents.Document, names map[int64]string) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, names[d.ID])
	}
	return out
}

func folderName(folders map[string]int64, id int64) string {
	for n, f := range folders {
		if f == id {
			return n
		}
	}
	return "?"
}

func equal(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}
