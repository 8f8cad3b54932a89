package collecte

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/clock"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/search"
	"portique/internal/valid"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// world is a database with the area's store (on the real search engine),
// a fake clock and the principals the access rules are tried with.
type world struct {
	t     testing.TB
	ctx   context.Context
	d     *db.DB
	s     *Store
	idx   search.Index
	clock *clock.Fake
	// editor is in a group granted Edit; member in a group granted
	// nothing; viewer in a group granted View only (Everyone has View too).
	editor, member, viewer, admin access.Actor
	anon                          access.Actor
	gEditors, gViewers            int64
	streams                       int
}

func newWorld(t testing.TB) *world {
	t.Helper()
	d := dbtest.NewDB(t)
	w := &world{t: t, ctx: context.Background(), d: d, idx: search.New(d)}
	w.clock = clock.NewFake(time.Date(2026, 3, 10, 9, 0, 0, 0, paris))
	w.s = New(d, w.idx)
	w.s.Now = w.clock.Now
	w.gEditors = w.group("Communication")
	w.gViewers = w.group("Élus")
	other := w.group("Stagiaires")
	admin := access.System()
	admin.Name = "admin@example.fr"
	if err := w.s.SetGrants(w.ctx, admin, []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: w.gEditors, Level: access.Edit}, {GroupID: w.gViewers, Level: access.View}}); err != nil {
		t.Fatal(err)
	}
	w.admin = access.Actor{Principal: access.Member(1, true, nil), Name: "admin@example.fr", IP: "192.0.2.1"}
	w.editor = access.Actor{Principal: access.Member(2, false, []int64{w.gEditors}), Name: "com@example.fr", IP: "192.0.2.2"}
	w.member = access.Actor{Principal: access.Member(3, false, []int64{other}), Name: "stagiaire@example.fr", IP: "192.0.2.3"}
	w.viewer = access.Actor{Principal: access.Member(4, false, []int64{w.gViewers}), Name: "elu@example.fr", IP: "192.0.2.4"}
	w.anon = access.Actor{Principal: access.Anonymous(), IP: "192.0.2.5"}
	return w
}

func (w *world) group(name string) int64 {
	w.t.Helper()
	var id int64
	if err := w.d.QueryRow(w.ctx, "INSERT INTO groups (name, created_at) VALUES (?, ?) RETURNING id", name, time.Now().UTC()).Scan(&id); err != nil {
		w.t.Fatalf("group %s: %v", name, err)
	}
	return id
}

func (w *world) commune(name, insee, postcodes string) int64 {
	w.t.Helper()
	id, err := w.s.CreateCommune(w.ctx, w.editor, CommuneInput{Name: name, INSEE: insee, Postcodes: postcodes})
	if err != nil {
		w.t.Fatalf("commune %s: %v", name, err)
	}
	return id
}

func (w *world) sector(communeID int64, name string) int64 {
	w.t.Helper()
	id, err := w.s.CreateSector(w.ctx, w.editor, communeID, SectorInput{Name: name})
	if err != nil {
		w.t.Fatalf("sector %s: %v", name, err)
	}
	return id
}

func (w *world) stream(name, code string) int64 {
	w.t.Helper()
	w.streams++
	id, err := w.s.CreateStream(w.ctx, w.editor, StreamInput{Name: name, Code: code, Colour: "#1b5e20", Position: strconv.Itoa(w.streams)})
	if err != nil {
		w.t.Fatalf("stream %s: %v", name, err)
	}
	return id
}

// schedule adds a schedule with an RRULE typed as a custom rule.
func (w *world) schedule(communeID, sectorID, streamID int64, rule, start string) int64 {
	w.t.Helper()
	id, err := w.s.CreateSchedule(w.ctx, w.editor, ScheduleInput{CommuneID: communeID, SectorID: strconv.FormatInt(sectorID, 10),
		StreamID: strconv.FormatInt(streamID, 10), Rule: RuleInput{Freq: FreqCustom, Custom: rule}, Start: start})
	if err != nil {
		w.t.Fatalf("schedule %s: %v", rule, err)
	}
	return id
}

func (w *world) except(in ExceptionInput) int64 {
	w.t.Helper()
	id, err := w.s.SetException(w.ctx, w.editor, in)
	if err != nil {
		w.t.Fatalf("exception %+v: %v", in, err)
	}
	return id
}

func day(s string) time.Time {
	d, ok := ParseDay(s)
	if !ok {
		panic("bad day " + s)
	}
	return d
}

// plan returns the collections of a commune/sector in [from, to) as
// "AAAA-MM-JJ code status" lines.
func (w *world) plan(commune, sector string, from, to string) []string {
	w.t.Helper()
	p, err := w.s.PlanFor(w.ctx, access.Anonymous(), commune, sector, day(from), day(to))
	if err != nil {
		w.t.Fatalf("plan %s/%s: %v", commune, sector, err)
	}
	var out []string
	for _, c := range p.Collections {
		line := FormatDay(c.Date) + " " + p.Stream(c.StreamID).Code
		if c.Status != "" {
			line += " " + c.Status
		}
		out = append(out, line)
	}
	return out
}

func wantForbidden(t testing.TB, what string, err error) {
	t.Helper()
	if !errors.Is(err, access.ErrForbidden) {
		t.Errorf("%s: err = %v, want access.ErrForbidden", what, err)
	}
}

func wantField(t testing.TB, err error, field, key string) {
	t.Helper()
	var ve valid.Errors
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want valid.Errors with %s=%s", err, field, key)
	}
	if got := ve.Key(field); got != key {
		t.Fatalf("%s: key %q, want %q (all: %v)", field, got, key, ve)
	}
}
