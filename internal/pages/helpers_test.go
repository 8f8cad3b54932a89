package pages_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/pages"
	"portique/internal/search"
	"portique/internal/search/searchtest"
	"portique/internal/valid"
)

// Groups of the fixture.
const (
	gElus     int64 = 10
	gTech     int64 = 11
	gEditeurs int64 = 12
)

var (
	visitor = access.Actor{Principal: access.Anonymous(), Name: ""}
	member  = access.Actor{Principal: access.Member(100, false, nil), Name: "membre@example.fr"}
	elu     = access.Actor{Principal: access.Member(101, false, []int64{gElus}), Name: "elu@example.fr"}
	tech    = access.Actor{Principal: access.Member(102, false, []int64{gTech}), Name: "tech@example.fr"}
	editor  = access.Actor{Principal: access.Member(103, false, []int64{gEditeurs}), Name: "editeur@example.fr"}
	admin   = access.Actor{Principal: access.Member(104, true, nil), Name: "admin@example.fr"}
)

type fixture struct {
	t    *testing.T
	ctx  context.Context
	d    *db.DB
	s    *pages.Store
	idx  *searchtest.Recorder
	home *pages.Page
}

// newFixture creates a site: a public home page editable by the Éditeurs group.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.NewDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	for _, g := range []struct {
		id   int64
		name string
	}{{gElus, "Élus"}, {gTech, "Techniciens"}, {gEditeurs, "Éditeurs"}} {
		if _, err := d.Exec(ctx, "INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)", g.id, g.name, now); err != nil {
			t.Fatal(err)
		}
	}
	idx := searchtest.NewRecorder(search.KindPage, true)
	s := pages.New(d, idx)
	tick := now
	s.Now = func() time.Time { tick = tick.Add(time.Second); return tick }
	home, err := s.CreateHome(ctx, access.System(), "Accueil")
	if err != nil {
		t.Fatal(err)
	}
	if err := access.SetGrants(ctx, d, access.Page, home.ID, []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: gEditeurs, Level: access.Manage}}); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, d: d, s: s, idx: idx, home: home}
}

// page creates and publishes a page with one paragraph.
func (f *fixture) page(parent int64, title, text string) *pages.Page {
	f.t.Helper()
	p, err := f.s.Create(f.ctx, admin, parent, pages.NewPage{Title: title})
	if err != nil {
		f.t.Fatalf("create %q: %v", title, err)
	}
	rev, err := f.s.SaveDraft(f.ctx, admin, p.ID, p.DraftRev, title, []pages.Block{{Type: pages.BlockText, HTML: "<p>" + text + "</p>"}})
	if err != nil {
		f.t.Fatalf("save %q: %v", title, err)
	}
	p, err = f.s.Publish(f.ctx, admin, p.ID, rev.ID, "première version")
	if err != nil {
		f.t.Fatalf("publish %q: %v", title, err)
	}
	return p
}

func (f *fixture) grants(id int64, g ...access.Grant) {
	f.t.Helper()
	if err := access.SetGrants(f.ctx, f.d, access.Page, id, g); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) get(id int64) *pages.Page {
	f.t.Helper()
	p, err := f.s.Get(f.ctx, id)
	if err != nil {
		f.t.Fatalf("get %d: %v", id, err)
	}
	return p
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	ve, ok := asValidation(err)
	if !ok {
		t.Fatalf("err = %v, want a validation error on %q", err, field)
	}
	if ve.Key(field) == "" {
		t.Fatalf("fields = %v, want a message for %q", ve, field)
	}
}

func paths(links []*pages.Link) []string {
	out := make([]string, 0, len(links))
	for _, l := range links {
		out = append(out, l.Path)
	}
	return out
}

// asValidation reports whether err carries per-field messages, and returns them.
func asValidation(err error) (valid.Errors, bool) {
	var ve valid.Errors
	ok := errors.As(err, &ve)
	return ve, ok
}
