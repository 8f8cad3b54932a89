package acts_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/clock"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/extract"
	"portique/internal/jobs"
	"portique/internal/search"
	"portique/internal/valid"
)

// The test binary doubles as the extraction child process (see extract),
// and as `portique extract-worker` for the browser test's program.
const childEnv = "PORTIQUE_ACTS_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(extract.RunChild(os.Args[1:]))
	}
	if len(os.Args) > 1 && os.Args[1] == extract.Subcommand {
		os.Exit(extract.RunChild(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// fixture is a register on a real database and search index, with a
// secretariat (manage), a drafting member (edit), a member without grant.
type fixture struct {
	t       *testing.T
	db      *db.DB
	store   *acts.Store
	index   search.Index
	clock   *clock.Fake
	dataDir string
	sec     access.Actor // secretariat: manage
	writer  access.Actor // edit only
	member  access.Actor // logged in, no grant
	secID   int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.NewDB(t)
	dir := t.TempDir()
	blobs, err := acts.NewBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx := search.New(d)
	clk := clock.NewFake(time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC))
	s := acts.New(d, blobs, idx)
	s.Now = clk.Now
	s.Location, _ = time.LoadLocation("Europe/Paris")
	f := &fixture{t: t, db: d, store: s, index: idx, clock: clk, dataDir: dir}
	secGroup := f.group("Secrétariat")
	writers := f.group("Rédacteurs")
	others := f.group("Techniciens")
	f.secID = f.user("secretariat@sydrav.example", secGroup)
	f.sec = access.Actor{Principal: access.Member(f.secID, false, []int64{secGroup}), Name: "secretariat@sydrav.example", IP: "192.0.2.10"}
	wid := f.user("redacteur@sydrav.example", writers)
	f.writer = access.Actor{Principal: access.Member(wid, false, []int64{writers}), Name: "redacteur@sydrav.example"}
	mid := f.user("technicien@sydrav.example", others)
	f.member = access.Actor{Principal: access.Member(mid, false, []int64{others}), Name: "technicien@sydrav.example"}
	must(t, s.SetGrants(ctx, admin(), []access.Grant{
		{GroupID: access.Everyone, Level: access.View}, {GroupID: secGroup, Level: access.Manage}, {GroupID: writers, Level: access.Edit},
	}))
	return f
}

func admin() access.Actor {
	return access.Actor{Principal: access.Principal{UserID: 0, Admin: true}, Name: "admin@sydrav.example"}
}

func anonymous() access.Principal { return access.Anonymous() }

func (f *fixture) group(name string) int64 {
	var id int64
	must(f.t, f.db.QueryRow(context.Background(), "INSERT INTO groups (name, created_at) VALUES (?, ?) RETURNING id", name, time.Now().UTC()).Scan(&id))
	return id
}

func (f *fixture) user(email string, groups ...int64) int64 {
	var id int64
	must(f.t, f.db.QueryRow(context.Background(), "INSERT INTO users (email, name, created_at) VALUES (?, ?, ?) RETURNING id", email, email, time.Now().UTC()).Scan(&id))
	for _, g := range groups {
		_, err := f.db.Exec(context.Background(), "INSERT INTO memberships (user_id, group_id) VALUES (?, ?)", id, g)
		must(f.t, err)
	}
	return id
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// pdf returns a PDF holding the given text.
func pdf(t testing.TB, heading string, lines ...string) acts.Upload {
	t.Helper()
	b, err := acts.RenderPDF(heading, lines, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	must(t, err)
	return acts.Upload{Name: "acte.pdf", Body: bytes.NewReader(b)}
}

func (f *fixture) session(day string) int64 {
	f.t.Helper()
	id, err := f.store.CreateSession(context.Background(), f.sec, acts.SessionInput{Body: acts.Comite, HeldOn: day, Place: "Pierrelatte"})
	must(f.t, err)
	return id
}

// delib is a valid deliberation of the session.
func delib(session int64, number, subject string) acts.Input {
	return acts.Input{
		Kind: acts.Deliberation, Number: number, Date: "2026-03-17", Subject: subject, SessionID: session, MatterCode: "8.8",
		Members: "42", Present: "35", For: "33", Against: "1", Abstain: "1",
		Signer: acts.Person{First: "Hélène", Last: "Garnier", Title: "Présidente"}, Public: true,
	}
}

func (f *fixture) draft(in acts.Input, text ...string) int64 {
	f.t.Helper()
	id, err := f.store.CreateDraft(context.Background(), f.sec, in, pdf(f.t, in.Subject, text...), nil)
	must(f.t, err)
	return id
}

var who = acts.Person{First: "Sophie", Last: "Arnaud", Title: "Secrétaire générale"}

func (f *fixture) publish(id int64) {
	f.t.Helper()
	must(f.t, f.store.Publish(context.Background(), f.sec, id, who))
}

// extractAll runs the queued extraction jobs with the real child process.
func (f *fixture) extractAll() {
	f.t.Helper()
	r := jobs.NewRunner(f.db)
	r.Now = f.clock.Now
	f.store.RegisterJobs(r, &extract.Child{Exe: os.Args[0], Env: []string{childEnv + "=1"}, Timeout: 60 * time.Second})
	for {
		ran, err := r.RunOne(context.Background())
		must(f.t, err)
		if !ran {
			return
		}
	}
}

// blobPath is the file of a stored blob.
func (f *fixture) blobPath(key string) string {
	return filepath.Join(f.dataDir, "acts", key[:2], key[2:4], key)
}

// auditCount counts the audit entries of an action on an object.
func (f *fixture) auditCount(action, object string) int {
	var n int
	must(f.t, f.db.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit WHERE action = ? AND object = ?", action, object).Scan(&n))
	return n
}

func obj(id int64) string { return "act:" + strconv.FormatInt(id, 10) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// vkey is the catalogue key of a field's error in err ("" when none).
func vkey(err error, field string) string {
	var ve valid.Errors
	if errors.As(err, &ve) {
		return ve.Key(field)
	}
	return ""
}
