package acts_test

import (
	"context"
	"testing"
	"time"

	"portique/internal/acts"
)

// The deadline view lists each session whose list of deliberations or
// minutes is not online, with the days left of the legal week.
func TestDeadlines(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.Set(time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)) // Friday 20 March in Paris
	ses := f.session("2026-03-17")                             // Tuesday: the list is due by the 24th
	old := f.session("2026-02-03")
	list := func(session int64, number, date string) acts.Input {
		return acts.Input{Kind: acts.List, Number: number, Date: date, Subject: "Liste des délibérations", SessionID: session, Signer: who, Public: true}
	}
	// February's session: list online, minutes adopted on 17 March.
	f.publish(f.draft(list(old, "L-2026-02", "2026-02-04")))
	_, err := f.store.CreateSession(ctx, f.sec, acts.SessionInput{Body: acts.Bureau, HeldOn: "2026-03-18"})
	must(t, err)

	ds, err := f.store.Deadlines(ctx, f.sec.Principal)
	must(t, err)
	got := map[string][]acts.Due{}
	for _, d := range ds {
		got[d.Session.HeldOn] = d.Missing
	}
	if len(got["2026-02-03"]) != 1 || got["2026-02-03"][0].Kind != acts.Minutes || got["2026-02-03"][0].By != "" {
		t.Errorf("February: %+v (minutes not adopted yet: no countdown)", got["2026-02-03"])
	}
	m := got["2026-03-17"]
	if len(m) != 2 || m[0].Kind != acts.List || m[0].By != "2026-03-24" || m[0].DaysLeft != 4 {
		t.Fatalf("March: %+v", m)
	}
	if b := got["2026-03-18"]; len(b) != 2 || b[0].DaysLeft != 5 {
		t.Errorf("bureau: %+v", b)
	}

	// February's minutes adopted on 17 March: due by the 24th.
	must(t, f.store.UpdateSession(ctx, f.sec, old, acts.SessionInput{Body: acts.Comite, HeldOn: "2026-02-03", MinutesApprovedOn: "2026-03-17"}))
	// Late: a week later the list of the 17th is 3 days overdue.
	f.clock.Set(time.Date(2026, 3, 27, 10, 0, 0, 0, time.UTC))
	f.publish(f.draft(list(ses, "L-2026-03", "2026-03-18")))
	ds, err = f.store.Deadlines(ctx, f.sec.Principal)
	must(t, err)
	got = map[string][]acts.Due{}
	for _, d := range ds {
		got[d.Session.HeldOn] = d.Missing
	}
	if fm := got["2026-02-03"]; len(fm) != 1 || fm[0].By != "2026-03-24" || fm[0].DaysLeft != -3 {
		t.Errorf("February's minutes: %+v", fm)
	}
	if m := got["2026-03-17"]; len(m) != 1 || m[0].Kind != acts.Minutes {
		t.Errorf("March after its list: %+v", m)
	}
	// Both published: the session leaves the view.
	pv := acts.Input{Kind: acts.Minutes, Number: "PV-2026-02", Date: "2026-03-17", Subject: "Procès-verbal", SessionID: old, Signer: who, Public: true}
	f.publish(f.draft(pv))
	ds, _ = f.store.Deadlines(ctx, f.sec.Principal)
	for _, d := range ds {
		if d.Session.ID == old {
			t.Errorf("February still due: %+v", d.Missing)
		}
	}
}
