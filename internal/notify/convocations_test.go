package notify_test

// The convocations' tests live beside notify's: they share its real SMTP
// server (stoppable) and its services-on-a-fresh-database environment.

import (
	"errors"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/convocations"
	"portique/internal/documents"
	"portique/internal/notify"
	"portique/internal/users"
	"portique/internal/valid"
)

type session struct {
	*env
	comite, bureau, tech int64
	members              []*users.User // m[0..4], in the comité
	organiser, outside   *users.User
	event                int64
	publicDoc, secret    int64
}

func newSession(t *testing.T) *session {
	e := newEnv(t)
	s := &session{env: e}
	s.comite, s.bureau, s.tech = e.group("Comité syndical"), e.group("Services"), e.group("Technique")
	for _, n := range []string{"anne", "bruno", "chloe", "denis", "emma"} {
		u := e.user(n+"@sydrav.fr", s.comite)
		e.setPrefs(u, notify.Never, notify.Never, notify.Never) // only convocations here
		s.members = append(s.members, u)
	}
	s.organiser = e.user("secretariat@sydrav.fr", s.bureau)
	s.outside = e.user("tech@sydrav.fr", s.tech)
	e.setPrefs(s.organiser, notify.Never, notify.Never, notify.Never)
	e.setPrefs(s.outside, notify.Immediate, notify.Immediate, notify.Immediate)
	sys := access.System()
	cal, err := e.svc.Calendar.CreateCalendar(e.ctx, sys, calendar.Calendar{Name: "Instances", Colour: "#0b4f8a", TimeZone: "Europe/Paris"},
		[]access.Grant{{GroupID: s.comite, Level: access.View}, {GroupID: s.bureau, Level: access.Edit}})
	if err != nil {
		t.Fatal(err)
	}
	shared, _ := e.svc.Documents.CreateFolder(e.ctx, sys, 0, "Séances")
	if err := e.svc.Documents.SetFolderGrants(e.ctx, sys, shared, []access.Grant{{GroupID: s.comite, Level: access.View}, {GroupID: s.bureau, Level: access.Edit}}, false); err != nil {
		t.Fatal(err)
	}
	private, _ := e.svc.Documents.CreateFolder(e.ctx, sys, 0, "Préparation")
	if err := e.svc.Documents.SetFolderGrants(e.ctx, sys, private, []access.Grant{{GroupID: s.bureau, Level: access.Edit}}, false); err != nil {
		t.Fatal(err)
	}
	up := func(folder int64, title string) int64 {
		d, err := e.svc.Documents.Upload(e.ctx, sys, documents.UploadInput{FolderID: folder, Filename: "doc.txt", Title: title, Body: strings.NewReader(title)})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	s.publicDoc, s.secret = up(shared, "Rapport d’orientation budgétaire"), up(private, "Notes internes du bureau")
	s.event, err = e.svc.Calendar.CreateEvent(e.ctx, e.actor(s.organiser), calendar.EventForm{CalendarID: itoa(cal), Title: "Comité syndical de mars",
		Location: "Salle du conseil, Nyons", StartDate: "2026-03-24", StartTime: "18:00", EndTime: "20:00",
		Documents: itoa(s.publicDoc) + ", " + itoa(s.secret)})
	if err != nil {
		t.Fatal(err)
	}
	e.drain()
	return s
}

func (s *session) conv() *convocations.Store { return s.svc.Convocations }

func (s *session) answer(u *users.User, answer string, to *users.User) error {
	var id int64
	if to != nil {
		id = to.ID
	}
	return s.conv().Answer(s.ctx, s.actor(u), s.event, answer, id)
}

func fieldKey(err error, field string) string {
	var ve valid.Errors
	if errors.As(err, &ve) {
		return ve[field].Key
	}
	return ""
}

func TestConvocationSendAnswersQuorum(t *testing.T) {
	s := newSession(t)
	org := s.actor(s.organiser)
	form := convocations.Form{Body: convocations.Comite, GroupID: s.comite, Agenda: "Approbation du procès-verbal\nBudget primitif 2026\n"}
	if err := s.conv().Save(s.ctx, s.actor(s.members[0]), s.event, form); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("a member organised the session: %v", err)
	}
	if err := s.conv().Save(s.ctx, org, s.event, convocations.Form{Body: "assemblee", GroupID: s.tech}); fieldKey(err, "body") == "" || fieldKey(err, "group") != "convocations.error.group_cannot_view" && fieldKey(err, "agenda") == "" {
		t.Fatalf("bad form accepted: %v", err)
	}
	if err := s.conv().Save(s.ctx, org, s.event, form); err != nil {
		t.Fatal(err)
	}
	if err := s.answer(s.members[0], convocations.Present, nil); !errors.Is(err, convocations.ErrNotSent) {
		t.Fatalf("answer before sending: %v", err)
	}
	n, err := s.conv().Send(s.ctx, org, s.event)
	if err != nil || n != 5 {
		t.Fatalf("send: %d %v", n, err)
	}
	s.drain()
	if got := len(s.smtp.received()); got != 5 {
		t.Fatalf("%d e-mails, want 5 (the members): %+v", got, s.smtp.received())
	}
	if len(s.smtp.to("tech@sydrav.fr")) != 0 || len(s.smtp.to("secretariat@sydrav.fr")) != 0 {
		t.Error("someone outside the comité was convened")
	}
	m := s.smtp.to("anne@sydrav.fr")[0]
	for _, want := range []string{"Comité syndical de mars", "Budget primitif 2026", "Salle du conseil", "Rapport d’orientation budgétaire",
		"/documents/" + itoa(s.publicDoc), "/convocations/reponse/"} {
		if !strings.Contains(m.Text+m.Subject, want) {
			t.Errorf("convocation lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "Notes internes") || strings.Contains(m.Text, "/documents/"+itoa(s.secret)) {
		t.Error("the convocation links a document the member may not open")
	}
	if !strings.Contains(m.Subject, "Convocation") || !strings.Contains(m.Subject, "mardi 24 mars 2026") {
		t.Errorf("subject %q", m.Subject)
	}

	// The answer link is signed: forged ones are refused; a valid link of
	// someone not convened answers nothing.
	tok := s.conv().AnswerToken(s.event, s.members[0].ID)
	if ev, uid, err := s.conv().ParseAnswerToken(tok); err != nil || ev != s.event || uid != s.members[0].ID {
		t.Fatalf("token round trip: %d %d %v", ev, uid, err)
	}
	for _, bad := range []string{tok[:len(tok)-2] + "xx", notify.NewSigner("other").Sign("rsvp", itoa(s.event), itoa(s.members[1].ID)),
		s.svc.Notify.Signer.UnsubscribeToken(s.members[0].ID, notify.AreaAgenda)} {
		if _, _, err := s.conv().ParseAnswerToken(bad); !errors.Is(err, notify.ErrBadToken) {
			t.Errorf("forged answer token %q accepted: %v", bad, err)
		}
	}
	if err := s.answer(s.outside, convocations.Present, nil); !errors.Is(err, convocations.ErrNotConvened) {
		t.Errorf("an outsider answered: %v", err)
	}

	// The rules of proxies.
	anne, bruno, chloe, denis, emma := s.members[0], s.members[1], s.members[2], s.members[3], s.members[4]
	for _, c := range []struct {
		who    *users.User
		answer string
		to     *users.User
		want   string
	}{
		{anne, convocations.Present, nil, ""},
		{bruno, convocations.Present, nil, ""},
		{chloe, convocations.Proxy, anne, ""},
		{denis, convocations.Proxy, anne, "convocations.error.proxy_taken"},           // one proxy each
		{anne, convocations.Proxy, emma, "convocations.error.proxy_holder"},           // a holder cannot give one
		{denis, convocations.Proxy, chloe, "convocations.error.proxy_chain"},          // chloe gave hers
		{denis, convocations.Proxy, s.outside, "convocations.error.proxy_not_member"}, // to a non-member
		{denis, convocations.Proxy, denis, "convocations.error.proxy_choose"},
		{denis, "peut-etre", nil, ""},
		{denis, convocations.Absent, nil, ""},
	} {
		err := s.answer(c.who, c.answer, c.to)
		got := fieldKey(err, "proxy_to")
		if c.answer == "peut-etre" {
			if fieldKey(err, "answer") == "" {
				t.Errorf("unknown answer accepted: %v", err)
			}
			continue
		}
		if got != c.want || (c.want == "" && err != nil) {
			t.Errorf("%s %s %v: got %q (%v), want %q", c.who.Email, c.answer, c.to != nil, got, err, c.want)
		}
	}
	at, err := s.conv().Attendance(s.ctx, org.Principal, s.event)
	if err != nil {
		t.Fatal(err)
	}
	if at.InOffice != 5 || at.Present != 2 || at.Proxies != 1 || at.Absent != 1 || at.Waiting != 1 || at.Quorum != 3 || at.Reached {
		t.Errorf("attendance %+v", at)
	}
	for _, l := range at.Lines {
		if l.UserID == anne.ID && l.HoldsFrom != chloe.Name || l.UserID == chloe.ID && l.ProxyName != anne.Name {
			t.Errorf("proxy not shown: %+v", l)
		}
	}
	// Proxies do not make the quorum (CGCT L.2121-17); a third present does.
	if err := s.answer(emma, convocations.Present, nil); err != nil {
		t.Fatal(err)
	}
	if at, _ = s.conv().Attendance(s.ctx, org.Principal, s.event); !at.Reached || at.Present != 3 {
		t.Errorf("quorum with 3 present of 5: %+v", at)
	}
	for _, u := range []*users.User{anne, s.outside} {
		if _, err := s.conv().Attendance(s.ctx, u.Principal(), s.event); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%s read the attendance: %v", u.Email, err)
		}
	}

	// A change after sending is told to the convened; so is a deletion.
	before := len(s.smtp.received())
	if err := s.svc.Calendar.UpdateEvent(s.ctx, org, s.event, calendar.EventForm{CalendarID: itoa(mustCal(t, s)), Title: "Comité syndical de mars",
		Location: "Salle des fêtes, Buis-les-Baronnies", StartDate: "2026-03-24", StartTime: "18:30", EndTime: "20:00"}); err != nil {
		t.Fatal(err)
	}
	s.drain()
	changed := s.smtp.received()[before:]
	if len(changed) != 5 || !strings.Contains(changed[0].Subject, "Convocation modifiée") || !strings.Contains(changed[0].Text, "Buis-les-Baronnies") {
		t.Fatalf("change after sending: %d e-mails %+v", len(changed), changed)
	}
	if len(s.smtp.to("tech@sydrav.fr")) != 0 {
		t.Error("the change reached someone outside the comité")
	}
	before = len(s.smtp.received())
	if err := s.svc.Calendar.DeleteEvent(s.ctx, org, s.event); err != nil {
		t.Fatal(err)
	}
	s.drain()
	cancelled := s.smtp.received()[before:]
	if len(cancelled) != 5 || !strings.Contains(cancelled[0].Subject, "Séance annulée : Comité syndical de mars") {
		t.Fatalf("deletion after sending: %+v", cancelled)
	}
	if _, err := s.conv().Get(s.ctx, org.Principal, s.event); err == nil {
		t.Error("the convocation of a deleted event stays")
	}
}

func mustCal(t *testing.T, s *session) int64 {
	e, _, err := s.svc.Calendar.Event(s.ctx, access.System().Principal, s.event)
	if err != nil {
		t.Fatal(err)
	}
	return e.CalendarID
}

// The demo: a convened comité with answers, and preferences set.
func TestConvocationsDemo(t *testing.T) {
	e := newEnv(t)
	res, err := users.SeedDemo(e.ctx, e.d, e.clk.Now(), users.NewHasher(users.CheapParams, 2))
	if err != nil {
		t.Fatal(err)
	}
	if err := calendar.SeedDemo(e.ctx, e.d, e.clk.Now(), res.Groups); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Convocations.SeedDemo(e.ctx, e.svc.Notify, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Convocations.SeedDemo(e.ctx, e.svc.Notify, e.clk.Now()); err != nil { // once only
		t.Fatal(err)
	}
	var ev int64
	if err := e.d.QueryRow(e.ctx, "SELECT event_id FROM convocations").Scan(&ev); err != nil {
		t.Fatal(err)
	}
	at, err := e.svc.Convocations.Attendance(e.ctx, access.System().Principal, ev)
	if err != nil {
		t.Fatal(err)
	}
	if at.InOffice != 7 || at.Present != 3 || at.Proxies != 1 || at.Absent != 1 || at.Waiting != 2 || at.Reached || at.SentAt == nil {
		t.Errorf("demo attendance %+v", at)
	}
	elu, _ := e.svc.Accounts.GetByEmail(e.ctx, "elu@sydrav.example")
	if p, _ := e.svc.Notify.Prefs(e.ctx, elu.ID); p[notify.AreaAgenda] != notify.Immediate {
		t.Errorf("demo élu prefs %v", p)
	}
	e.drain()
	if n := len(e.smtp.to("elu@sydrav.example")); n != 1 {
		t.Errorf("the demo élu got %d convocations", n)
	}
}
