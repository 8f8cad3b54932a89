package pages_test

import (
	"errors"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/pages"
)

// Issue 14: what Show found is kept, yet a new published revision, a
// draft for its editor, a withdrawn grant and the end of the publication
// window (with nothing written) show at the next view; a caller changing
// its View does not change the next one.
func TestShowKeptFresh(t *testing.T) {
	f := newFixture(t)
	p := f.page(f.home.ID, "Horaires", "Lundi")
	shows := func(who access.Actor, preview bool, want string) *pages.View {
		t.Helper()
		v, err := f.s.Show(f.ctx, who.Principal, p.Path, preview)
		if err != nil {
			t.Fatalf("Show for %s: %v", who.Name, err)
		}
		if got := v.Rev.Blocks[0].HTML; got != "<p>"+want+"</p>" {
			t.Fatalf("Show for %s (preview %t) = %s, want %s", who.Name, preview, got, want)
		}
		return v
	}
	for range 3 {
		shows(visitor, false, "Lundi")
	}
	v := shows(visitor, false, "Lundi")
	v.Rev.Blocks[0].HTML, v.Page.Title, v.Level = "<p>abîmé</p>", "abîmé", access.Manage
	if v := shows(visitor, false, "Lundi"); v.Page.Title != "Horaires" || v.Level != access.View {
		t.Fatalf("a caller's change reached the next view: %+v", v)
	}

	// A new published revision, then a draft only its editor sees.
	rev, err := f.s.SaveDraft(f.ctx, admin, p.ID, f.get(p.ID).Head(), "Horaires", []pages.Block{{Type: pages.BlockText, HTML: "<p>Mardi</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Publish(f.ctx, admin, p.ID, rev.ID, "v2"); err != nil {
		t.Fatal(err)
	}
	shows(visitor, false, "Mardi")
	if _, err := f.s.SaveDraft(f.ctx, editor, p.ID, f.get(p.ID).Head(), "Horaires", []pages.Block{{Type: pages.BlockText, HTML: "<p>Mercredi</p>"}}); err != nil {
		t.Fatal(err)
	}
	if v := shows(editor, true, "Mercredi"); !v.Draft || v.Level < access.Edit {
		t.Fatalf("editor's preview: %+v", v)
	}
	shows(editor, false, "Mardi")
	shows(visitor, true, "Mardi")

	// A withdrawn grant.
	f.grants(p.ID, access.Grant{GroupID: gElus, Level: access.View})
	if _, err := f.s.Show(f.ctx, visitor.Principal, p.Path, false); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("visitor after the grant was withdrawn: %v, want forbidden", err)
	}
	shows(elu, false, "Mardi")

	// The window closes at 11:00, nothing written in between.
	now := time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC)
	f.s.Now = func() time.Time { return now }
	paris, _ := time.LoadLocation("Europe/Paris")
	if _, err := f.s.UpdateProps(f.ctx, admin, p.ID, pages.Props{Slug: p.Slug, Loc: paris,
		Schedule: pages.Schedule{UnpublishAt: pages.FormatLocal(now.Add(30*time.Minute), paris)}}); err != nil {
		t.Fatal(err)
	}
	shows(elu, false, "Mardi")
	now = now.Add(29*time.Minute + 59*time.Second)
	shows(elu, false, "Mardi")
	now = now.Add(time.Second)
	if _, err := f.s.Show(f.ctx, elu.Principal, p.Path, false); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("élu at 11:00, the window closed: %v, want not found", err)
	}
}
