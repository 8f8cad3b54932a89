package calendar

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/i18n"
	"portique/internal/search"
	"portique/internal/search/searchtest"
	"portique/internal/valid"
)

var paris = mustLoc("Europe/Paris")

// fr is the catalogue the keys of valid.Errors are translated with.
var fr = i18n.MustLoad("fr")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

type fixture struct {
	t      testing.TB
	ctx    context.Context
	d      *db.DB
	s      *Store
	idx    *searchtest.Recorder
	now    time.Time
	groups map[string]int64
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	d := dbtest.NewDB(t)
	idx := searchtest.NewRecorder(search.KindEvent, true)
	f := &fixture{t: t, ctx: context.Background(), d: d, idx: idx, groups: map[string]int64{}}
	f.s = New(d, idx)
	f.now = time.Date(2026, 3, 1, 9, 0, 0, 0, paris)
	f.s.Now = func() time.Time { return f.now }
	return f
}

func (f *fixture) group(name string) int64 {
	f.t.Helper()
	if id, ok := f.groups[name]; ok {
		return id
	}
	var id int64
	if err := f.d.QueryRow(f.ctx, "INSERT INTO groups (name, created_at) VALUES (?, ?) RETURNING id", name, time.Now().UTC()).Scan(&id); err != nil {
		f.t.Fatalf("group %s: %v", name, err)
	}
	f.groups[name] = id
	return id
}

// user creates an account in the given groups and returns its principal.
func (f *fixture) user(email string, groups ...string) access.Principal {
	f.t.Helper()
	var id int64
	if err := f.d.QueryRow(f.ctx, "INSERT INTO users (email, name, created_at) VALUES (?, ?, ?) RETURNING id", email, email, time.Now().UTC()).Scan(&id); err != nil {
		f.t.Fatalf("user %s: %v", email, err)
	}
	var gids []int64
	for _, g := range groups {
		gid := f.group(g)
		gids = append(gids, gid)
		if _, err := f.d.Exec(f.ctx, "INSERT INTO memberships (user_id, group_id) VALUES (?, ?)", id, gid); err != nil {
			f.t.Fatal(err)
		}
	}
	return access.Member(id, false, gids)
}

func (f *fixture) calendar(name string, grants ...access.Grant) int64 {
	f.t.Helper()
	id, err := f.s.CreateCalendar(f.ctx, access.System(), Calendar{Name: name, Colour: "#225588", TimeZone: "Europe/Paris"}, grants)
	if err != nil {
		f.t.Fatalf("calendar %s: %v", name, err)
	}
	return id
}

var admin = access.Principal{UserID: 0, Admin: true}

// as is the actor of a change made by p (the audit trail names it by its id).
func as(p access.Principal) access.Actor {
	a := access.Actor{Principal: p, IP: "192.0.2.1"}
	if p.UserID != 0 {
		a.Name = "user" + strconv.FormatInt(p.UserID, 10) + "@sydrav.fr"
	}
	return a
}

// wantKey fails unless err is valid.Errors holding key for field.
func wantKey(t testing.TB, err error, field, key string) valid.Errors {
	t.Helper()
	var ve valid.Errors
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want valid.Errors", err)
	}
	if got := ve.Key(field); got != key {
		t.Fatalf("field %s = %q (all: %v), want %q", field, got, ve, key)
	}
	return ve
}

func (f *fixture) event(p access.Principal, form EventForm) int64 {
	f.t.Helper()
	id, err := f.s.CreateEvent(f.ctx, as(p), form)
	if err != nil {
		f.t.Fatalf("create event %q: %v", form.Title, err)
	}
	return id
}

func (f *fixture) occurrences(p access.Principal, from, to time.Time, flt Filter) []Occurrence {
	f.t.Helper()
	occ, err := f.s.Occurrences(f.ctx, p, from, to, flt)
	if err != nil {
		f.t.Fatalf("occurrences: %v", err)
	}
	return occ
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, paris) }

func localTimes(occ []Occurrence) []string {
	out := make([]string, len(occ))
	for i, o := range occ {
		out[i] = o.Start.In(paris).Format("2006-01-02 15:04") + "–" + o.End.In(paris).Format("15:04")
	}
	return out
}
