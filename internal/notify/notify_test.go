package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/documents"
	"portique/internal/notify"
	"portique/internal/pages"
	"portique/internal/users"
)

// A change reaches those who may see it and asked for it, never the others
// (another group, "never", the author); the e-mail carries RFC 8058's
// one-click unsubscribe headers.
func TestImmediateOnlyToThoseWhoMaySee(t *testing.T) {
	e := newEnv(t)
	bureau, tech := e.group("Bureau"), e.group("Technique")
	alice := e.user("alice@sydrav.fr", bureau)
	bob := e.user("bob@sydrav.fr", tech)
	carol := e.user("carol@sydrav.fr", bureau)
	editor := e.user("editeur@sydrav.fr", bureau)
	e.setPrefs(alice, notify.Never, notify.Immediate, notify.Never)
	e.setPrefs(bob, notify.Immediate, notify.Immediate, notify.Immediate)
	e.setPrefs(carol, notify.Immediate, notify.Never, notify.Immediate)
	e.setPrefs(editor, notify.Immediate, notify.Immediate, notify.Immediate)
	cal := e.calendarFor("Agenda du bureau", bureau, bureau)
	id := e.event(e.actor(editor), cal, "Réunion du bureau")
	e.drain()

	got := e.smtp.to("alice@sydrav.fr")
	if len(got) != 1 {
		t.Fatalf("alice got %d e-mails: %+v", len(got), e.smtp.received())
	}
	m := got[0]
	if !strings.Contains(m.Subject, "Nouvel événement") || !strings.Contains(m.Subject, "Réunion du bureau") {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.Contains(m.Text, "https://extranet.sydrav.example/agenda/evenements/"+itoa(id)) {
		t.Errorf("no link to the event:\n%s", m.Text)
	}
	lu := m.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<https://extranet.sydrav.example/notifications/desabonnement/") || !strings.HasSuffix(lu, ">") {
		t.Errorf("List-Unsubscribe %q", lu)
	}
	if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", m.Header.Get("List-Unsubscribe-Post"))
	}
	for _, who := range []string{"bob@sydrav.fr", "carol@sydrav.fr", "editeur@sydrav.fr"} {
		if n := len(e.smtp.to(who)); n != 0 {
			t.Errorf("%s got %d e-mails", who, n)
		}
	}
	if n := len(e.smtp.received()); n != 1 {
		t.Errorf("%d e-mails in all", n)
	}

	// The one-click link (POST, no session) stops the area.
	token := strings.TrimSuffix(lu[strings.LastIndex(lu, "/")+1:], ">")
	area, err := e.svc.Notify.Unsubscribe(e.ctx, "192.0.2.1", token)
	if err != nil || area != notify.AreaAgenda {
		t.Fatalf("unsubscribe: %q %v", area, err)
	}
	p, _ := e.svc.Notify.Prefs(e.ctx, alice.ID)
	if p[notify.AreaAgenda] != notify.Never {
		t.Errorf("prefs after unsubscribe: %v", p)
	}
	e.event(e.actor(editor), cal, "Deuxième réunion")
	e.drain()
	if n := len(e.smtp.to("alice@sydrav.fr")); n != 1 {
		t.Errorf("alice got %d e-mails after unsubscribing", n)
	}
}

// A forged or altered unsubscribe token changes nothing.
func TestForgedUnsubscribeToken(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice@sydrav.fr")
	bob := e.user("bob@sydrav.fr")
	good := e.svc.Notify.Signer.UnsubscribeToken(alice.ID, notify.AreaDocuments)
	other := notify.NewSigner("another site's key").UnsubscribeToken(bob.ID, notify.AreaDocuments)
	msg, sig, _ := strings.Cut(good, ".")
	forged := []string{
		"", "x", good + "x", msg + ".", "." + sig, other,
		// alice's signature on bob's id
		strings.Replace(good, msg, strings.TrimRight(msg, "=")[:len(msg)-1]+"y", 1),
		e.svc.Notify.Signer.Sign("rsvp", itoa(bob.ID), "documents"), // another purpose
		e.svc.Notify.Signer.Sign("unsub", itoa(bob.ID), "nowhere"),  // not an area
	}
	for _, tok := range forged {
		if _, err := e.svc.Notify.Unsubscribe(e.ctx, "", tok); !errors.Is(err, notify.ErrBadToken) {
			t.Errorf("token %q: %v", tok, err)
		}
	}
	for _, u := range []int64{alice.ID, bob.ID} {
		p, _ := e.svc.Notify.Prefs(e.ctx, u)
		if p[notify.AreaDocuments] != notify.DefaultMode {
			t.Errorf("user %d prefs changed: %v", u, p)
		}
	}
}

// A grant withdrawn before the digest goes out leaves the item out of it.
func TestDigestChecksTheGrantAtSendingTime(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Notify.ScheduleDigest(e.ctx); err != nil {
		t.Fatal(err)
	}
	bureau := e.group("Bureau")
	dave := e.user("dave@sydrav.fr", bureau) // dave and erin keep the default mode: the daily digest
	e.user("erin@sydrav.fr", bureau)
	editor := e.user("editeur@sydrav.fr", bureau)
	e.setPrefs(editor, notify.Never, notify.Never, notify.Never)
	cal := e.calendarFor("Agenda du bureau", bureau, bureau)
	e.event(e.actor(editor), cal, "Commission d’appel d’offres")
	e.drain()
	if n := len(e.smtp.received()); n != 0 {
		t.Fatalf("%d e-mails before the digest", n)
	}
	// dave leaves the bureau before the digest.
	if err := e.svc.Groups.RemoveMember(e.ctx, access.System(), bureau, dave.ID); err != nil {
		t.Fatal(err)
	}
	e.clk.Set(e.svc.Notify.NextDigest(e.clk.Now()))
	e.drain()
	got := e.smtp.to("erin@sydrav.fr")
	if len(got) != 1 || !strings.Contains(got[0].Text, "Commission d’appel d’offres") || !strings.Contains(got[0].Subject, "Ce qui a changé") {
		t.Fatalf("erin's digest: %+v", got)
	}
	if got[0].Header.Get("List-Unsubscribe-Post") == "" {
		t.Error("digest without one-click unsubscribe")
	}
	if n := len(e.smtp.to("dave@sydrav.fr")); n != 0 {
		t.Errorf("dave, no longer in the bureau, got %d e-mails", n)
	}
	// The next day's run is queued, and sends nothing twice.
	e.clk.Set(e.svc.Notify.NextDigest(e.clk.Now()))
	e.drain()
	if n := len(e.smtp.received()); n != 1 {
		t.Errorf("%d e-mails after the second run", n)
	}
}

// A mail server that is down delays the e-mail; nothing is lost once it is
// back.
func TestSMTPDownDelaysNeverLoses(t *testing.T) {
	e := newEnv(t)
	bureau := e.group("Bureau")
	alice := e.user("alice@sydrav.fr", bureau)
	editor := e.user("editeur@sydrav.fr", bureau)
	e.setPrefs(alice, notify.Immediate, notify.Immediate, notify.Immediate)
	cal := e.calendarFor("Agenda du bureau", bureau, bureau)
	e.smtp.stop()
	e.event(e.actor(editor), cal, "Réunion pendant la panne")
	for range 6 { // six failed attempts over a few minutes
		e.drain()
		e.clk.Advance(10 * time.Minute)
	}
	var pending int
	if err := e.d.QueryRow(e.ctx, "SELECT COUNT(*) FROM jobs WHERE kind = ? AND done_at IS NULL AND attempts >= 5", notify.JobSend).Scan(&pending); err != nil || pending != 1 {
		t.Fatalf("send job not kept for retry: %d %v", pending, err)
	}
	e.smtp.restart()
	e.clk.Advance(2 * time.Hour)
	e.drain()
	got := e.smtp.to("alice@sydrav.fr")
	if len(got) != 1 || !strings.Contains(got[0].Subject, "Réunion pendant la panne") {
		t.Fatalf("after the server came back: %+v", got)
	}
}

// Documents (new, replaced) and private pages are told; a public page is
// not (it is the website's news).
func TestDocumentsAndPrivatePages(t *testing.T) {
	e := newEnv(t)
	bureau, tech := e.group("Bureau"), e.group("Technique")
	alice := e.user("alice@sydrav.fr", bureau)
	bob := e.user("bob@sydrav.fr", tech)
	editor := e.user("editeur@sydrav.fr", bureau)
	e.setPrefs(alice, notify.Immediate, notify.Never, notify.Immediate)
	e.setPrefs(bob, notify.Immediate, notify.Immediate, notify.Immediate)
	sys := access.System()
	folder, err := e.svc.Documents.CreateFolder(e.ctx, sys, 0, "Bureau")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Documents.SetFolderGrants(e.ctx, sys, folder, []access.Grant{{GroupID: bureau, Level: access.Edit}}, false); err != nil {
		t.Fatal(err)
	}
	doc, err := e.svc.Documents.Upload(e.ctx, e.actor(editor), documents.UploadInput{FolderID: folder, Filename: "ordre-du-jour.txt",
		Title: "Ordre du jour du bureau", Body: strings.NewReader("Point 1 : budget")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Documents.Replace(e.ctx, e.actor(editor), doc.ID, "ordre-du-jour-v2.txt", strings.NewReader("Point 1 : budget, point 2")); err != nil {
		t.Fatal(err)
	}

	home, err := e.svc.Pages.CreateHome(e.ctx, sys, "Accueil")
	if err != nil {
		t.Fatal(err)
	}
	publish := func(title string, grants []access.Grant) {
		p, err := e.svc.Pages.Create(e.ctx, sys, home.ID, pages.NewPage{Title: title})
		if err != nil {
			t.Fatal(err)
		}
		if grants != nil {
			if err := e.svc.Pages.SetGrants(e.ctx, sys, p.ID, false, grants); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.Pages.Publish(e.ctx, e.actor(editor), p.ID, 0, ""); err != nil {
			t.Fatal(err)
		}
	}
	publish("Espace du bureau", []access.Grant{{GroupID: bureau, Level: access.Edit}})
	publish("Actualités publiques", []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: bureau, Level: access.Edit}})
	e.drain()

	var subjects []string
	for _, m := range e.smtp.to("alice@sydrav.fr") {
		subjects = append(subjects, m.Subject)
	}
	want := []string{"Nouveau document : Ordre du jour du bureau", "Document remplacé : Ordre du jour du bureau", "Nouvelle page : Espace du bureau"}
	if strings.Join(subjects, "|") != strings.Join(want, "|") {
		t.Errorf("alice's subjects %q, want %q", subjects, want)
	}
	if n := len(e.smtp.to("bob@sydrav.fr")); n != 0 {
		t.Errorf("bob (another group) got %d e-mails", n)
	}
}

func TestSetPrefsRefusesBadModes(t *testing.T) {
	e := newEnv(t)
	u := e.user("alice@sydrav.fr")
	err := e.svc.Notify.SetPrefs(e.ctx, e.actor(u), map[string]string{"documents": "souvent", "agenda": notify.Daily})
	if err == nil || !strings.Contains(err.Error(), "mode_documents") && !strings.Contains(err.Error(), "notify.error.mode") {
		t.Errorf("bad modes accepted: %v", err)
	}
	if err := e.svc.Notify.SetPrefs(context.Background(), access.Actor{Principal: access.Anonymous()}, map[string]string{}); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("anonymous: %v", err)
	}
}

func FuzzUnsubscribeToken(f *testing.F) {
	s := notify.NewSigner("key")
	f.Add(s.UnsubscribeToken(12, notify.AreaAgenda))
	f.Add(s.Sign("unsub", "1", "all"))
	f.Add("abc.def")
	f.Add("..")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		uid, area, err := s.ParseUnsubscribe(tok)
		if err != nil {
			if !errors.Is(err, notify.ErrBadToken) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if uid <= 0 || (!notify.ValidArea(area) && area != notify.AllAreas) {
			t.Fatalf("accepted %d %q", uid, area)
		}
		if s.UnsubscribeToken(uid, area) != tok && s.Sign("unsub", itoa(uid), area) != tok {
			// Only tokens this signer made are accepted (up to the
			// canonical number form).
			if _, _, err := notify.NewSigner("other").ParseUnsubscribe(tok); err == nil {
				t.Fatalf("a token valid under two keys: %q", tok)
			}
		}
	})
}

// An import's invitations go out through the job queue once the accounts
// exist, each with its own one-time link.
func TestImportInvitationsThroughTheQueue(t *testing.T) {
	e := newEnv(t)
	rows, err := users.ParseImport(strings.NewReader("courriel;nom\nanne@sydrav.fr;Anne\nbruno@sydrav.fr;Bruno\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := e.svc.Accounts.CheckImport(e.ctx, access.System(), rows); !ok || err != nil {
		t.Fatal(ok, err)
	}
	e.smtp.stop() // the mail server is down when the import runs
	if _, err := e.svc.Accounts.Import(e.ctx, access.System(), rows); err != nil {
		t.Fatal(err)
	}
	e.drain()
	if n := len(e.smtp.received()); n != 0 {
		t.Fatalf("%d e-mails while the server is down", n)
	}
	e.smtp.restart()
	e.clk.Advance(time.Hour)
	e.drain()
	for _, to := range []string{"anne@sydrav.fr", "bruno@sydrav.fr"} {
		got := e.smtp.to(to)
		if len(got) != 1 || !strings.Contains(got[0].Text, "https://extranet.sydrav.example/invitation/") {
			t.Fatalf("%s: %+v", to, got)
		}
	}
}
