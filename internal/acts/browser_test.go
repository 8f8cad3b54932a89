package acts_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/browsertest"
)

// In Chromium, against the real program: a member of the secretariat
// creates a session, publishes a deliberation, then the session's list of
// deliberations and its minutes, confirming each publication with the
// keyboard; a visitor then finds the deliberation by a word inside its PDF,
// opens it, sees the date it went online, its author, who published it
// and the fingerprint, and downloads the file, whose SHA-256 is that
// fingerprint. Every page is checked with axe-core.
func TestBrowserPublishAndFind(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	browsertest.RequireChromium(t)
	site := browsertest.Start(t, browsertest.Options{NoMail: true})
	ctx := context.Background()
	secGroup := site.CreateGroup(t, "Secrétariat")
	secID := site.CreateUser(t, "karim.benali@sydrav.example", "Karim Benali", false, secGroup)
	must(t, acts.New(site.DB, nil, nil).SetGrants(ctx, access.System(), []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: secGroup, Level: access.Manage}}))
	today := time.Now().In(mustLoc(t)).Format(time.DateOnly)
	dir := t.TempDir()
	file := func(name string, lines ...string) string {
		b, err := acts.RenderPDF(name, lines, time.Now())
		must(t, err)
		p := filepath.Join(dir, name+".pdf")
		must(t, os.WriteFile(p, b, 0o600))
		return p
	}

	tab := site.Browser(t)
	site.LoginAs(t, tab, secID)
	if st := site.Go(t, tab, "/actes/gestion"); st != http.StatusOK {
		t.Fatalf("dashboard: %d", st)
	}
	browsertest.AssertAccessible(t, tab)

	// The session.
	site.Go(t, tab, "/actes/gestion/seances/nouvelle")
	browsertest.AssertAccessible(t, tab)
	setValue(t, tab, "#held_on", today)
	browsertest.Fill(t, tab, "#place", "Pierrelatte, salle du conseil")
	if st := browsertest.Submit(t, tab, "form.stacked button[type=submit]"); st != http.StatusOK {
		t.Fatalf("session saved: %d", st)
	}
	sessionPath := browsertest.Location(t, tab)
	browsertest.AssertAccessible(t, tab)
	session := strings.TrimPrefix(sessionPath, "/actes/seances/")

	// Three acts of the session, each drafted then published.
	publish := func(kind, number, subject, pdf string, vote bool) string {
		t.Helper()
		site.Go(t, tab, "/actes/gestion/nouveau?seance="+session)
		setValue(t, tab, "#kind", kind)
		browsertest.Fill(t, tab, "#number", number)
		setValue(t, tab, "#date", today)
		browsertest.Fill(t, tab, "#subject", subject)
		if vote {
			setValue(t, tab, "#matter", "8.8")
			for sel, v := range map[string]string{"#vote_members": "42", "#vote_present": "37", "#vote_for": "35", "#vote_against": "1", "#vote_abstain": "1"} {
				browsertest.Fill(t, tab, sel, v)
			}
		}
		browsertest.Fill(t, tab, "#signer_first", "Bernard")
		browsertest.Fill(t, tab, "#signer_last", "Coste")
		browsertest.Fill(t, tab, "#signer_title", "Président du SYDRAV")
		browsertest.Run(t, tab, "choose the PDF", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{pdf}))
		browsertest.AssertAccessible(t, tab)
		if st := browsertest.Submit(t, tab, "form.stacked button[type=submit]"); st != http.StatusOK {
			t.Fatalf("draft %s: %d\n%s", number, st, browsertest.Text(t, tab, "main"))
		}
		page := browsertest.Location(t, tab)
		if !strings.Contains(browsertest.Text(t, tab, "main"), "Projet non publié") {
			t.Fatalf("draft page of %s: %q", number, browsertest.Text(t, tab, "main"))
		}
		browsertest.AssertAccessible(t, tab)
		site.Go(t, tab, page+"/publier")
		browsertest.AssertAccessible(t, tab)
		if got := browsertest.Eval[string](t, tab, `document.querySelector("#first").value + " " + document.querySelector("#last").value`); got != "Karim Benali" {
			t.Errorf("publisher prefilled as %q", got)
		}
		browsertest.Fill(t, tab, "#title", "Chargé du secrétariat des assemblées")
		// Keyboard only: tick the confirmation, Tab to the button, Enter.
		browsertest.Run(t, tab, "focus the confirmation", chromedp.Focus(chromedp.CSS("#confirm")))
		browsertest.Run(t, tab, "tick it with Space", chromedp.KeyEvent(" "))
		browsertest.Run(t, tab, "Tab to the button", chromedp.KeyEvent(kb.Tab))
		if got := browsertest.Eval[string](t, tab, "document.activeElement.textContent"); !strings.Contains(got, "Publier") {
			t.Fatalf("Tab after the confirmation focuses %q", got)
		}
		if resp, err := chromedp.RunResponse(tab, browsertest.Press(kb.Enter)); err != nil || resp == nil || resp.Status != http.StatusOK {
			t.Fatalf("publish %s with Enter: %v", number, err)
		}
		if got := browsertest.Text(t, tab, ".flash"); !strings.Contains(got, "Acte publié") {
			t.Fatalf("after publishing %s: %q", number, got)
		}
		return page
	}
	delib := publish("deliberation", "2026-101", "Création d’une plateforme de broyage des déchets verts",
		file("delib", "Le comité syndical décide la création d’une plateforme de broyage à Grignan-les-Adhémar.", "Vote : 35 pour, 1 contre, 1 abstention."), true)
	publish("liste", "L-2026-101", "Liste des délibérations examinées",
		file("liste", "Délibération 2026-101 : plateforme de broyage, adoptée."), false)
	publish("pv", "PV-2026-101", "Procès-verbal de la séance",
		file("pv", "La séance est ouverte à 18 heures. La délibération 2026-101 est adoptée."), false)
	// The session's list and minutes are online: it owes nothing more.
	site.Go(t, tab, "/actes/gestion")
	if got := browsertest.Text(t, tab, "#deadlines-title + p + *"); strings.Contains(got, "Procès-verbal —") {
		t.Errorf("the session still owes its minutes: %q", got)
	}

	// Wait for the PDF's text to be read (background job, child process).
	deadline := time.Now().Add(90 * time.Second)
	for {
		var pending int
		must(t, site.DB.QueryRow(ctx, "SELECT COUNT(*) FROM acts WHERE text_status = 'pending'").Scan(&pending))
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("acts still waiting for their text\n%s", site.Log())
		}
		time.Sleep(200 * time.Millisecond)
	}

	visitor := site.Browser(t)
	site.Go(t, visitor, "/actes")
	browsertest.AssertAccessible(t, visitor)
	browsertest.Fill(t, visitor, "#q", "Grignan")
	if st := browsertest.Submit(t, visitor, "form.acts-filters button[type=submit]"); st != http.StatusOK {
		t.Fatalf("search: %d", st)
	}
	results := browsertest.Text(t, visitor, "main")
	if !strings.Contains(results, "2026-101") || !browsertest.Exists(t, visitor, ".snippet mark") {
		t.Fatalf("the visitor does not find the deliberation by a word of its PDF: %q", results)
	}
	browsertest.AssertAccessible(t, visitor)
	if st := browsertest.Submit(t, visitor, `a[href="`+delib+`"]`); st != http.StatusOK {
		t.Fatalf("open the act: %d", st)
	}
	pageText := browsertest.Text(t, visitor, "main")
	for _, want := range []string{"Mis en ligne le", "Karim Benali, Chargé du secrétariat des assemblées", "Bernard Coste, Président du SYDRAV", "Empreinte SHA-256"} {
		if !strings.Contains(pageText, want) {
			t.Errorf("the act's page lacks %q", want)
		}
	}
	fingerprint := strings.ReplaceAll(browsertest.Text(t, visitor, ".fingerprint"), " ", "")
	if len(fingerprint) != 64 {
		t.Fatalf("fingerprint shown: %q", fingerprint)
	}
	browsertest.AssertAccessible(t, visitor)
	// Download it as the browser does, and hash what arrived.
	got := browsertest.Eval[string](t, visitor, `(async () => {
		const a = document.querySelector('a.button[href$="/telecharger"]');
		const r = await fetch(a.href);
		const type = r.headers.get("content-type");
		const buf = await crypto.subtle.digest("SHA-256", await r.arrayBuffer());
		return r.status + " " + type + " " + Array.from(new Uint8Array(buf)).map(b => b.toString(16).padStart(2, "0")).join("");
	})()`)
	if want := fmt.Sprintf("200 application/pdf %s", fingerprint); got != want {
		t.Fatalf("download: %q, want %q", got, want)
	}
	// The site search finds it too.
	site.Go(t, visitor, "/recherche?q=broyage")
	if !strings.Contains(browsertest.Text(t, visitor, "main"), "Création d’une plateforme de broyage") {
		t.Error("the site search does not find the act")
	}
}

func setValue(t *testing.T, tab context.Context, sel, v string) {
	t.Helper()
	browsertest.Eval[bool](t, tab, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("change")); return true })()`, sel, v))
}

func mustLoc(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	must(t, err)
	return l
}
