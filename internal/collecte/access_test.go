package collecte

import (
	"context"
	"strconv"
	"testing"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
)

// Every change needs Edit on the area: an anonymous visitor, a member
// without a grant and a member with View only are refused each one, and
// nothing they tried is written. The editor may; only Manage (an
// administrator) chooses who edits.
func TestEveryChangeNeedsEdit(t *testing.T) {
	w := newWorld(t)
	c := w.commune("Valence", "26362", "26000")
	sec := w.sector(c, "Nord")
	st := w.stream("Ordures ménagères", "OM")
	sc := w.schedule(c, sec, st, "FREQ=WEEKLY;BYDAY=MO", "2026-01-01")
	ex := w.except(ExceptionInput{Day: "2026-07-14", Action: ActionCancel})
	version := func() int64 {
		v, err := w.d.ContentVersion(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := version()
	csv := []byte("insee;nom;codes_postaux\n26058;Bourg-lès-Valence;26500\n")
	stID := strconv.FormatInt(st, 10)
	changes := map[string]func(a access.Actor) error{
		"create commune": func(a access.Actor) error {
			_, err := w.s.CreateCommune(w.ctx, a, CommuneInput{Name: "Alixan", INSEE: "26004", Postcodes: "26300"})
			return err
		},
		"create commune (invalid)": func(a access.Actor) error { _, err := w.s.CreateCommune(w.ctx, a, CommuneInput{}); return err },
		"update commune": func(a access.Actor) error {
			return w.s.UpdateCommune(w.ctx, a, c, CommuneInput{Name: "Valence-sur-Rhône", INSEE: "26362", Postcodes: "26000"})
		},
		"delete commune": func(a access.Actor) error { return w.s.DeleteCommune(w.ctx, a, c) },
		"create sector": func(a access.Actor) error {
			_, err := w.s.CreateSector(w.ctx, a, c, SectorInput{Name: "Sud"})
			return err
		},
		"update sector": func(a access.Actor) error { return w.s.UpdateSector(w.ctx, a, sec, SectorInput{Name: "Nord-Est"}) },
		"delete sector": func(a access.Actor) error { return w.s.DeleteSector(w.ctx, a, sec) },
		"create stream": func(a access.Actor) error {
			_, err := w.s.CreateStream(w.ctx, a, StreamInput{Name: "Verre", Code: "V"})
			return err
		},
		"update stream": func(a access.Actor) error { return w.s.UpdateStream(w.ctx, a, st, StreamInput{Name: "OM", Code: "OM"}) },
		"delete stream": func(a access.Actor) error { return w.s.DeleteStream(w.ctx, a, st) },
		"create schedule": func(a access.Actor) error {
			_, err := w.s.CreateSchedule(w.ctx, a, ScheduleInput{CommuneID: c, StreamID: stID, Rule: RuleInput{Freq: FreqWeekly, Days: []string{"TU"}}, Start: "2026-01-01"})
			return err
		},
		"update schedule": func(a access.Actor) error {
			return w.s.UpdateSchedule(w.ctx, a, sc, ScheduleInput{StreamID: stID, Rule: RuleInput{Freq: FreqWeekly, Days: []string{"FR"}}, Start: "2026-01-01"})
		},
		"delete schedule": func(a access.Actor) error { return w.s.DeleteSchedule(w.ctx, a, sc) },
		"set exception": func(a access.Actor) error {
			_, err := w.s.SetException(w.ctx, a, ExceptionInput{Day: "2026-11-11", Action: ActionKeep})
			return err
		},
		"delete exception": func(a access.Actor) error { return w.s.DeleteException(w.ctx, a, ex) },
		"import (preview)": func(a access.Actor) error { _, err := w.s.Import(w.ctx, a, csv, false); return err },
		"import":           func(a access.Actor) error { _, err := w.s.Import(w.ctx, a, csv, true); return err },
		"set grants": func(a access.Actor) error {
			return w.s.SetGrants(w.ctx, a, []access.Grant{{GroupID: access.Members, Level: access.Manage}})
		},
	}
	for name, change := range changes {
		for who, a := range map[string]access.Actor{"anonymous": w.anon, "member": w.member, "viewer": w.viewer} {
			wantForbidden(t, who+" "+name, change(a))
		}
	}
	wantForbidden(t, "editor set grants", changes["set grants"](w.editor))
	if _, err := w.s.Grants(w.ctx, w.editor.Principal); err == nil {
		t.Error("an editor read the grants")
	}
	if v := version(); v != before {
		t.Fatalf("refused changes moved the content version %d → %d", before, v)
	}
	var entries int
	if err := w.d.QueryRow(w.ctx, "SELECT COUNT(*) FROM audit WHERE actor IN (?, ?, ?, ?)", "", w.member.Name, w.viewer.Name, w.editor.Name).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	// The editor's entries are those of the world's set-up only.
	var setup int
	w.d.QueryRow(w.ctx, "SELECT COUNT(*) FROM audit WHERE actor = ?", w.editor.Name).Scan(&setup) //nolint:errcheck
	if entries != setup {
		t.Fatalf("refused changes left %d audit entries", entries-setup)
	}

	// The editor may do each of them (deletions last).
	for _, name := range []string{"create commune", "update commune", "create sector", "update sector", "create stream", "update stream",
		"create schedule", "update schedule", "set exception", "import (preview)", "import", "delete exception", "delete schedule",
		"delete sector", "delete stream", "delete commune"} {
		if err := changes[name](w.editor); err != nil {
			t.Errorf("editor %s: %v", name, err)
		}
	}
	if v := version(); v <= before {
		t.Fatal("the editor's changes did not move the content version")
	}
	// Every change has its audit entry, with who and from where.
	entriesOf := func(action string) int {
		var n int
		if err := w.d.QueryRow(w.ctx, "SELECT COUNT(*) FROM audit WHERE action = ? AND actor = ? AND ip = ?", action, w.editor.Name, w.editor.IP).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, action := range []string{AuditCommuneCreated, AuditCommuneUpdated, AuditCommuneDeleted, AuditSectorCreated, AuditSectorUpdated, AuditSectorDeleted,
		AuditStreamCreated, AuditStreamUpdated, AuditStreamDeleted, AuditScheduleCreated, AuditScheduleUpdated, AuditScheduleDeleted,
		AuditExceptionSet, AuditExceptionDeleted, AuditImport} {
		if entriesOf(action) == 0 {
			t.Errorf("no audit entry %s", action)
		}
	}
	// The administrator chooses the editors.
	if err := changes["set grants"](w.admin); err != nil {
		t.Fatal(err)
	}
	g, err := w.s.Grants(w.ctx, w.admin.Principal)
	if err != nil || len(g) != 1 || g[0].GroupID != access.Members {
		t.Fatalf("grants %v %v", g, err)
	}
	var n int
	if err := w.d.QueryRow(w.ctx, "SELECT COUNT(*) FROM audit WHERE action = ? AND object = ?", AuditGrants, audit.Object("collecte", NodeID)).Scan(&n); err != nil || n == 0 {
		t.Fatalf("grant change not in the trail (%d, %v)", n, err)
	}
}

// Reading follows the View grant: public by default; once Everyone loses
// it, visitors see nothing — not the pages, not the lookup, not the search.
func TestReadingNeedsView(t *testing.T) {
	w := newWorld(t)
	c := w.commune("Valence", "26362", "26000")
	st := w.stream("Ordures ménagères", "OM")
	w.schedule(c, 0, st, "FREQ=WEEKLY;BYDAY=MO", "2026-01-01")
	reads := map[string]func(p access.Principal) error{
		"communes": func(p access.Principal) error { _, err := w.s.Communes(w.ctx, p); return err },
		"lookup":   func(p access.Principal) error { _, err := w.s.Lookup(w.ctx, p, "valence"); return err },
		"commune":  func(p access.Principal) error { _, err := w.s.CommuneBySlug(w.ctx, p, "valence"); return err },
		"plan": func(p access.Principal) error {
			_, err := w.s.PlanFor(w.ctx, p, "valence", "", day("2026-01-01"), day("2026-02-01"))
			return err
		},
		"streams":   func(p access.Principal) error { _, err := w.s.Streams(w.ctx, p); return err },
		"schedules": func(p access.Principal) error { _, err := w.s.Schedules(w.ctx, p, c); return err },
		"exceptions": func(p access.Principal) error {
			_, err := w.s.Exceptions(w.ctx, p, day("2026-01-01"), day("2027-01-01"))
			return err
		},
		"holidays": func(p access.Principal) error {
			_, err := w.s.HolidayCases(w.ctx, p, day("2026-01-01"), day("2027-01-01"))
			return err
		},
		"export": func(p access.Principal) error { return w.s.ExportSchedules(w.ctx, discard{}, p) },
	}
	for name, read := range reads {
		if err := read(access.Anonymous()); err != nil {
			t.Errorf("visitor %s: %v", name, err)
		}
	}
	res, err := w.idx.Search(w.ctx, access.Anonymous(), searchQuery("Valence"))
	if err != nil || res.Total != 1 {
		t.Fatalf("search as a visitor: %+v %v", res, err)
	}
	if err := w.s.SetGrants(w.ctx, w.admin, []access.Grant{{GroupID: w.gEditors, Level: access.Edit}}); err != nil {
		t.Fatal(err)
	}
	for name, read := range reads {
		wantForbidden(t, "visitor "+name, read(access.Anonymous()))
		wantForbidden(t, "member "+name, read(w.member.Principal))
		if err := read(w.editor.Principal); err != nil {
			t.Errorf("editor %s: %v", name, err)
		}
	}
	if res, err := w.idx.Search(w.ctx, access.Anonymous(), searchQuery("Valence")); err != nil || res.Total != 0 {
		t.Fatalf("the search shows a commune the visitor may not read: %+v %v", res, err)
	}
	if res, err := w.idx.Search(w.ctx, w.editor.Principal, searchQuery("Valence")); err != nil || res.Total != 1 {
		t.Fatalf("the editor's search: %+v %v", res, err)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// The node is created by the migration; nothing else creates one.
func TestOneNode(t *testing.T) {
	w := newWorld(t)
	var n int
	if err := w.d.QueryRow(context.Background(), "SELECT COUNT(*) FROM acl_nodes WHERE kind = ?", string(Area)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d nodes (%v)", n, err)
	}
	if _, err := w.s.Commune(w.ctx, access.Anonymous(), 12345); err != db.ErrNotFound {
		t.Fatalf("unknown commune: %v", err)
	}
}
