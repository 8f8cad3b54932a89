package acts_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/db"
	"portique/internal/search"
)

// A deliberation goes from draft to published: the draft is seen by the
// secretariat and the drafting member only, never by the public, a member
// without grant or the search; once published, everyone sees it, with the
// moment, who put it online and the fingerprint, and finds it by a word of
// its PDF.
func TestPublishDeliberation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ses := f.session("2026-03-17")
	id := f.draft(delib(ses, "2026-014", "Adoption du programme de prévention des déchets"), "Le comité syndical adopte le programme local de prévention.", "Il retient la tarification incitative expérimentale à Buis-les-Baronnies.")
	f.extractAll()

	for name, p := range map[string]access.Principal{"anonymous": anonymous(), "member without grant": f.member.Principal} {
		if _, err := f.store.Act(ctx, p, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("%s reads the draft: err = %v", name, err)
		}
		list, n, _, err := f.store.Find(ctx, p, acts.Filter{})
		must(t, err)
		if n != 0 || len(list) != 0 {
			t.Errorf("%s lists %d acts (a draft)", name, n)
		}
		res, err := f.index.Search(ctx, p, search.Query{Text: "Baronnies"})
		must(t, err)
		if res.Total != 0 {
			t.Errorf("%s finds the draft in the search", name)
		}
		if _, _, _, err := f.store.Open(ctx, p, id, 0); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("%s downloads the draft: %v", name, err)
		}
	}
	for name, p := range map[string]access.Principal{"secretariat": f.sec.Principal, "writer": f.writer.Principal} {
		a, err := f.store.Act(ctx, p, id)
		must(t, err)
		if a.Published() || a.Subject == "" {
			t.Errorf("%s sees %+v", name, a)
		}
	}
	// Even the secretariat does not find a draft through the site search.
	if res, _ := f.index.Search(ctx, f.sec.Principal, search.Query{Text: "Baronnies"}); res.Total != 0 {
		t.Error("the draft is indexed")
	}

	f.clock.Advance(3600e9)
	f.publish(id)
	a, err := f.store.Act(ctx, anonymous(), id)
	must(t, err)
	if !a.Published() || !a.Publication.At.Equal(f.clock.Now().UTC()) || a.Publication.Publisher != who || a.Publication.SHA256 != a.SHA256 || len(a.SHA256) != 64 {
		t.Fatalf("publication = %+v (file sha %s)", a.Publication, a.SHA256)
	}
	if a.Vote == nil || a.Vote.For != 33 || a.Session == nil || a.Session.HeldOn != "2026-03-17" {
		t.Fatalf("act = %+v", a)
	}
	res, err := f.index.Search(ctx, anonymous(), search.Query{Text: "Baronnies", Kinds: []string{acts.SearchKind}})
	must(t, err)
	if res.Total != 1 || res.Hits[0].ID != id || res.Hits[0].URL != "/actes/"+itoa(id) {
		t.Fatalf("search after publication: %+v", res)
	}
	list, n, snippets, err := f.store.Find(ctx, anonymous(), acts.Filter{Text: "tarification incitative"})
	must(t, err)
	if n != 1 || list[0].ID != id || !strings.Contains(snippets[id], "<mark>") {
		t.Fatalf("register search: n=%d snippets=%v", n, snippets)
	}
	_, _, fh, err := f.store.Open(ctx, anonymous(), id, 0)
	must(t, err)
	fh.Close()
	if f.auditCount("act.published", obj(id)) != 1 {
		t.Error("no audit entry for the publication")
	}
}

// Once published, no store method changes or deletes an act: each attempt
// is refused with ErrPublished and recorded in the audit trail; and the
// database itself refuses any UPDATE or DELETE of what was published.
func TestPublishedActIsImmutable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ses := f.session("2026-03-17")
	in := delib(ses, "2026-015", "Tarifs des déchèteries")
	id, err := f.store.CreateDraft(ctx, f.sec, in, pdf(t, "Tarifs"), []acts.Upload{pdf(t, "Grille tarifaire")})
	must(t, err)
	f.publish(id)
	before, err := f.store.Act(ctx, f.sec.Principal, id)
	must(t, err)

	changed := in
	changed.Subject = "Tarifs modifiés après coup"
	attempts := map[string]func() error{
		"update":       func() error { return f.store.UpdateDraft(ctx, f.sec, id, changed, acts.DraftChange{}) },
		"replace file": func() error { return f.store.UpdateDraft(ctx, f.sec, id, in, acts.DraftChange{File: pdf(t, "Autre")}) },
		"remove annex": func() error {
			return f.store.UpdateDraft(ctx, f.sec, id, in, acts.DraftChange{RemoveAnnexes: []int{1}})
		},
		"delete":         func() error { return f.store.DeleteDraft(ctx, f.sec, id) },
		"publish again":  func() error { return f.store.Publish(ctx, f.sec, id, acts.Person{First: "X", Last: "Y", Title: "Z"}) },
		"admin update":   func() error { return f.store.UpdateDraft(ctx, admin(), id, changed, acts.DraftChange{}) },
		"admin delete":   func() error { return f.store.DeleteDraft(ctx, admin(), id) },
		"system publish": func() error { return f.store.Publish(ctx, access.System(), id, who) },
	}
	for name, try := range attempts {
		if err := try(); !errors.Is(err, acts.ErrPublished) {
			t.Errorf("%s: err = %v, want ErrPublished", name, err)
		}
	}
	if n := f.auditCount("act.change_refused", obj(id)); n != len(attempts) {
		t.Errorf("%d refused attempts audited, want %d", n, len(attempts))
	}
	after, err := f.store.Act(ctx, f.sec.Principal, id)
	must(t, err)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("the act changed:\nbefore %+v\nafter  %+v", before, after)
	}

	// Under the store: the triggers refuse every change of substance.
	for _, q := range []string{
		"UPDATE acts SET subject = 'x' WHERE id = ?",
		"UPDATE acts SET sha256 = 'x' WHERE id = ?",
		"UPDATE acts SET public = FALSE WHERE id = ?",
		"UPDATE acts SET published_at = NULL WHERE id = ?",
		"DELETE FROM acts WHERE id = ?",
		"UPDATE act_publications SET publisher_last = 'x' WHERE act_id = ?",
		"UPDATE act_publications SET sha256 = 'x' WHERE act_id = ?",
		"DELETE FROM act_publications WHERE act_id = ?",
		"UPDATE act_annexes SET sha256 = 'x' WHERE act_id = ?",
		"DELETE FROM act_annexes WHERE act_id = ?",
	} {
		if _, err := f.db.Exec(ctx, q, id); err == nil {
			t.Errorf("the database accepted %q on a published act", q)
		}
	}
	if _, err := f.db.Exec(ctx, "INSERT INTO act_annexes (act_id, position, title, filename, media_type, size, sha256, blob_key) VALUES (?, 9, 't', 'f', 'application/pdf', 1, 'x', 'x')", id); err == nil {
		t.Error("the database accepted a new annex on a published act")
	}

	// The withdrawal is the one thing still written, once.
	must(t, f.store.Withdraw(ctx, f.sec, id, "Délibération annulée par le tribunal administratif"))
	if err := f.store.Withdraw(ctx, f.sec, id, "encore"); !errors.Is(err, acts.ErrWithdrawn) {
		t.Errorf("second withdrawal: %v", err)
	}
	if _, err := f.db.Exec(ctx, "UPDATE acts SET withdrawn_reason = 'autre' WHERE id = ?", id); err == nil {
		t.Error("the database accepted a changed withdrawal reason")
	}
	if _, err := f.db.Exec(ctx, "UPDATE acts SET withdrawn_at = NULL WHERE id = ?", id); err == nil {
		t.Error("the database accepted undoing a withdrawal")
	}
}

// Every exported method of the store is listed here with what it may do to
// a published act; a new method fails this test until it is classified
// (and, when it writes, covered by TestPublishedActIsImmutable).
func TestEveryStoreMethodIsClassified(t *testing.T) {
	known := map[string]string{
		// reads
		"Act": "read", "Find": "read", "Years": "read", "Open": "read", "Session": "read", "Sessions": "read",
		"Grants": "read", "Settings": "read", "Level": "read", "Today": "read", "Blobs": "read", "Deadlines": "read",
		"Failures": "read", "Deliberations": "read", "PublisherDefaults": "read",
		// writes refusing a published act (tested above)
		"UpdateDraft": "refuses", "DeleteDraft": "refuses", "Publish": "refuses",
		// writes that never touch an act's substance
		"CreateDraft": "new act", "Withdraw": "withdrawal mention only", "CreateSession": "sessions", "UpdateSession": "sessions",
		"DeleteSession": "sessions", "SaveSettings": "settings", "SetGrants": "grants", "Verify": "check results only",
		"ClaimDailyVerify": "schedule", "SetText": "extraction state only", "ExtractJob": "extraction state only",
		"RegisterJobs": "wiring", "Reindex": "index only", "SeedDemo": "new acts",
	}
	typ := reflect.TypeOf(&acts.Store{})
	for i := 0; i < typ.NumMethod(); i++ {
		name := typ.Method(i).Name
		if _, ok := known[name]; !ok {
			t.Errorf("store method %s is not classified: say what it may do to a published act", name)
		}
	}
}

func TestWithdrawAndCorrect(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ses := f.session("2026-03-17")
	old := f.draft(delib(ses, "2026-016", "Convention avec l'éco-organisme"))
	// A draft cannot be withdrawn nor rectified.
	if err := f.store.Withdraw(ctx, f.sec, old, "raison"); !errors.Is(err, acts.ErrNotPublished) {
		t.Errorf("withdraw a draft: %v", err)
	}
	bad := delib(ses, "2026-016-R", "Rectification")
	bad.Corrects = old
	if _, err := f.store.CreateDraft(ctx, f.sec, bad, pdf(t, "R"), nil); vkey(err, "corrects") == "" {
		t.Errorf("rectifying a draft: %v", err)
	}
	f.publish(old)
	wrongKind := bad
	wrongKind.Kind, wrongKind.SessionID, wrongKind.MatterCode = acts.Arrete, 0, ""
	if _, err := f.store.CreateDraft(ctx, f.sec, wrongKind, pdf(t, "R"), nil); vkey(err, "kind") == "" {
		t.Errorf("rectifying with another type: %v", err)
	}
	fix := f.draft(bad)
	if a, _ := f.store.Act(ctx, anonymous(), old); len(a.CorrectedBy) != 0 {
		t.Error("a draft correction shows on the public act")
	}
	f.publish(fix)
	a, err := f.store.Act(ctx, anonymous(), old)
	must(t, err)
	if len(a.CorrectedBy) != 1 || a.CorrectedBy[0].ID != fix || a.CorrectedBy[0].Number != "2026-016-R" {
		t.Fatalf("rectified by = %+v", a.CorrectedBy)
	}
	b, err := f.store.Act(ctx, anonymous(), fix)
	must(t, err)
	if b.Corrects == nil || b.Corrects.ID != old || b.Corrects.Number != "2026-016" {
		t.Fatalf("corrects = %+v", b.Corrects)
	}
	if f.auditCount("act.rectified", obj(old)) != 1 {
		t.Error("rectification not audited on the old act")
	}

	// Withdrawal: the act stays, visible, with its file and the mention.
	must(t, f.store.Withdraw(ctx, f.sec, old, "Retrait à la demande de la préfecture"))
	a, err = f.store.Act(ctx, anonymous(), old)
	must(t, err)
	if a.WithdrawnAt == nil || a.Withdrawn != "Retrait à la demande de la préfecture" || !a.Published() {
		t.Fatalf("withdrawn act = %+v", a)
	}
	if _, _, fh, err := f.store.Open(ctx, anonymous(), old, 0); err != nil {
		t.Fatalf("withdrawn act's file: %v", err)
	} else {
		fh.Close()
	}
	if err := f.store.Withdraw(ctx, f.sec, old, ""); vkey(err, "reason") == "" && !errors.Is(err, acts.ErrWithdrawn) {
		t.Errorf("empty reason: %v", err)
	}
	if f.auditCount("act.withdrawn", obj(old)) != 1 {
		t.Error("withdrawal not audited")
	}
}

// Who may do what, each rule tried by someone who must not pass it.
func TestRegisterPermissions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ses := f.session("2026-03-17")
	in := delib(ses, "2026-020", "Sujet")
	if _, err := f.store.CreateDraft(ctx, f.member, in, pdf(t, "x"), nil); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("member without grant creates a draft: %v", err)
	}
	anon := access.Actor{Principal: anonymous()}
	if _, err := f.store.CreateDraft(ctx, anon, in, pdf(t, "x"), nil); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("anonymous creates a draft: %v", err)
	}
	if _, err := f.store.CreateSession(ctx, f.member, acts.SessionInput{Body: acts.Bureau, HeldOn: "2026-03-01"}); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("member without grant creates a session: %v", err)
	}
	id, err := f.store.CreateDraft(ctx, f.writer, in, pdf(t, "x"), nil)
	must(t, err)
	if err := f.store.Publish(ctx, f.writer, id, who); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("edit (not manage) publishes: %v", err)
	}
	if err := f.store.Publish(ctx, f.member, id, who); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("member publishes: %v", err)
	}
	if err := f.store.UpdateDraft(ctx, f.member, id, in, acts.DraftChange{}); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("member updates a draft: %v", err)
	}
	if err := f.store.DeleteDraft(ctx, f.member, id); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("member deletes a draft: %v", err)
	}
	f.publish(id)
	if err := f.store.Withdraw(ctx, f.writer, id, "x"); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("edit withdraws: %v", err)
	}
	if err := f.store.SetGrants(ctx, f.sec, nil); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("the secretariat changes the register's grants: %v", err)
	}
	if _, err := f.store.Deadlines(ctx, f.member.Principal); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("member sees the deadlines: %v", err)
	}
	if err := f.store.SaveSettings(ctx, f.writer, acts.Settings{CollName: "x", CollSIRET: "25260001000015"}); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("edit changes the settings: %v", err)
	}
	// Taking Everyone's view away closes the public register.
	secGroup := f.sec.Groups[2]
	must(t, f.store.SetGrants(ctx, admin(), []access.Grant{{GroupID: secGroup, Level: access.Manage}}))
	if _, err := f.store.Act(ctx, anonymous(), id); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("anonymous reads a published act of a closed register: %v", err)
	}
	if res, _ := f.index.Search(ctx, anonymous(), search.Query{Text: "Sujet"}); res.Total != 0 {
		t.Error("the search shows an act of a closed register")
	}
}

// An individual act, or one holding personal data, is not public unless
// the publisher confirms it; kept private, it is never shown to the public
// nor indexed, even once published.
func TestIndividualActs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := acts.Input{Kind: acts.Arrete, Number: "2026-A-004", Date: "2026-03-02", Subject: "Nomination d'un agent de déchèterie",
		Signer: acts.Person{First: "Hélène", Last: "Garnier", Title: "Présidente"}, Individual: true, Public: true}
	if _, err := f.store.CreateDraft(ctx, f.sec, in, pdf(t, "x"), nil); vkey(err, "public") != "acts.error.individual_public" {
		t.Fatalf("individual act made public without confirmation: %v", err)
	}
	in.Public = false
	id := f.draft(in, "Monsieur Jean Dupontel est nommé adjoint technique.")
	f.extractAll()
	f.publish(id)
	if _, err := f.store.Act(ctx, anonymous(), id); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("the public reads an individual act: %v", err)
	}
	if _, err := f.store.Act(ctx, f.member.Principal, id); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("a member without grant reads an individual act: %v", err)
	}
	if _, err := f.store.Act(ctx, f.sec.Principal, id); err != nil {
		t.Errorf("the secretariat cannot read it: %v", err)
	}
	for _, p := range []access.Principal{anonymous(), f.sec.Principal} {
		if res, _ := f.index.Search(ctx, p, search.Query{Text: "Dupontel"}); res.Total != 0 {
			t.Error("an individual act kept private is indexed")
		}
	}
	rows, err := f.store.Deliberations(ctx, anonymous(), "https://x")
	must(t, err)
	if len(rows) != 0 {
		t.Errorf("export holds %d rows", len(rows))
	}
}

func TestBadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ses := f.session("2026-03-17")
	ok := delib(ses, "2026-030", "Sujet")
	cases := map[string]struct {
		change func(*acts.Input)
		field  string
	}{
		"no number":       {func(in *acts.Input) { in.Number = "" }, "number"},
		"odd number":      {func(in *acts.Input) { in.Number = "n° 12 <b>" }, "number"},
		"bad date":        {func(in *acts.Input) { in.Date = "17/03/2026" }, "date"},
		"future date":     {func(in *acts.Input) { in.Date = "2027-01-01" }, "date"},
		"no subject":      {func(in *acts.Input) { in.Subject = "  " }, "subject"},
		"no session":      {func(in *acts.Input) { in.SessionID = 0 }, "session"},
		"ghost session":   {func(in *acts.Input) { in.SessionID = 99999 }, "session"},
		"unknown matter":  {func(in *acts.Input) { in.MatterCode = "9.9" }, "matter"},
		"no matter":       {func(in *acts.Input) { in.MatterCode = "" }, "matter"},
		"vote not number": {func(in *acts.Input) { in.For = "trente" }, "vote_for"},
		"too many voters": {func(in *acts.Input) { in.Present = "50" }, "vote_present"},
		"too many votes":  {func(in *acts.Input) { in.For = "35" }, "vote_for"},
		"no signer":       {func(in *acts.Input) { in.Signer.Title = "" }, "signer_title"},
		"budget year":     {func(in *acts.Input) { in.BudgetYear = "26" }, "budget_year"},
		"pref before":     {func(in *acts.Input) { in.PrefDate = "2026-03-01" }, "pref_date"},
		"bad kind":        {func(in *acts.Input) { in.Kind = "loi" }, "kind"},
	}
	for name, c := range cases {
		in := ok
		c.change(&in)
		_, err := f.store.CreateDraft(ctx, f.sec, in, pdf(t, "x"), nil)
		if vkey(err, c.field) == "" {
			t.Errorf("%s: err = %v, want an error on %s", name, err, c.field)
		}
	}
	if _, err := f.store.CreateDraft(ctx, f.sec, ok, acts.Upload{}, nil); vkey(err, "file") == "" {
		t.Errorf("no file: %v", err)
	}
	notPDF := acts.Upload{Name: "acte.docx", Body: strings.NewReader("PK\x03\x04 not a pdf at all")}
	if _, err := f.store.CreateDraft(ctx, f.sec, ok, notPDF, nil); vkey(err, "file") != "acts.error.not_pdf" {
		t.Errorf("not a PDF: %v", err)
	}
	f.draft(ok)
	if _, err := f.store.CreateDraft(ctx, f.sec, ok, pdf(t, "x"), nil); vkey(err, "number") != "acts.error.number_taken" {
		t.Errorf("number taken: %v", err)
	}
	var n int
	must(t, f.db.QueryRow(ctx, "SELECT COUNT(*) FROM acts").Scan(&n))
	if n != 1 {
		t.Errorf("%d acts written by bad input", n-1)
	}
	if err := f.store.Publish(ctx, f.sec, 1, acts.Person{First: "Sophie"}); vkey(err, "title") == "" {
		t.Errorf("publisher without title: %v", err)
	}
	if _, err := f.store.CreateSession(ctx, f.sec, acts.SessionInput{Body: "assemblee", HeldOn: "hier"}); vkey(err, "body") == "" || vkey(err, "held_on") == "" {
		t.Errorf("bad session: %v", err)
	}
	if err := f.store.SaveSettings(ctx, f.sec, acts.Settings{CollName: "SYDRAV", CollSIRET: "123", PrefID: "préfecture"}); vkey(err, "coll_siret") == "" || vkey(err, "pref_id") == "" {
		t.Errorf("bad settings: %v", err)
	}
}

// The integrity check recomputes every published file's fingerprint: a
// file altered on disk is reported (audited once, shown on the act), never
// repaired, and the alert goes when the right bytes are back.
func TestIntegrityCheckCatchesAlteredFile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ses := f.session("2026-03-17")
	id, err := f.store.CreateDraft(ctx, f.sec, delib(ses, "2026-040", "Budget annexe"), pdf(t, "Budget"), []acts.Upload{pdf(t, "Annexe budgétaire")})
	must(t, err)
	other := f.draft(delib(ses, "2026-041", "Autre"))
	f.publish(id)
	f.publish(other)
	rep, err := f.store.Verify(ctx)
	must(t, err)
	if rep.Files != 3 || len(rep.Failures) != 0 {
		t.Fatalf("clean register: %+v", rep)
	}
	a, _ := f.store.Act(ctx, anonymous(), id)
	path := f.blobPath(a.BlobKey)
	orig, err := os.ReadFile(path)
	must(t, err)
	altered := slices.Clone(orig)
	altered[len(altered)/2] ^= 0xff
	must(t, os.WriteFile(path, altered, 0o640))
	annex := f.blobPath(a.Annexes[0].BlobKey)
	must(t, os.Rename(annex, annex+".gone"))

	rep, err = f.store.Verify(ctx)
	must(t, err)
	if len(rep.Failures) != 2 || rep.Failures[0].ActID != id || rep.Failures[0].FileNo != 0 || rep.Failures[1].Found != "missing" {
		t.Fatalf("failures = %+v", rep.Failures)
	}
	got, _ := os.ReadFile(path)
	if !slices.Equal(got, altered) {
		t.Error("the check changed the file")
	}
	a, err = f.store.Act(ctx, anonymous(), id)
	must(t, err)
	if len(a.Failures) != 2 {
		t.Errorf("the act's page shows %d failures", len(a.Failures))
	}
	if a.Publication.SHA256 == rep.Failures[0].Found {
		t.Error("the recorded fingerprint was rewritten")
	}
	fails, err := f.store.Failures(ctx, f.sec.Principal)
	must(t, err)
	if len(fails) != 2 {
		t.Errorf("secretariat sees %d failures", len(fails))
	}
	if _, err := f.store.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.auditCount("act.integrity_failure", obj(id)); n != 2 {
		t.Errorf("integrity failures audited %d times, want 2 (once per file)", n)
	}
	must(t, os.WriteFile(path, orig, 0o640))
	must(t, os.Rename(annex+".gone", annex))
	rep, err = f.store.Verify(ctx)
	must(t, err)
	if len(rep.Failures) != 0 {
		t.Fatalf("after restoring: %+v", rep.Failures)
	}
	if a, _ := f.store.Act(ctx, anonymous(), id); len(a.Failures) != 0 {
		t.Error("the alert stays after the file was restored")
	}
}

// Publishing checks the stored file against its upload's hash.
func TestPublishRefusesAlteredDraftFile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ses := f.session("2026-03-17")
	id := f.draft(delib(ses, "2026-050", "Sujet"))
	a, _ := f.store.Act(ctx, f.sec.Principal, id)
	must(t, os.WriteFile(f.blobPath(a.BlobKey), []byte("%PDF-1.4 altered"), 0o640))
	if err := f.store.Publish(ctx, f.sec, id, who); vkey(err, "") != "acts.error.file_changed" {
		t.Fatalf("publish an altered file: %v", err)
	}
}

func TestClaimDailyVerify(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ok, err := f.store.ClaimDailyVerify(ctx)
	must(t, err)
	again, err := f.store.ClaimDailyVerify(ctx)
	must(t, err)
	if !ok || again {
		t.Fatalf("first claim %v, second %v", ok, again)
	}
	f.clock.Advance(25 * 3600e9)
	if ok, _ := f.store.ClaimDailyVerify(ctx); !ok {
		t.Error("no run the next day")
	}
}
