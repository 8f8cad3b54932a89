package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The manual audit of issue 16, walked with the keyboard only in a real
// browser: each check fails if its criterion regresses.

// pressNav sends one key (as a keyboard does, see Press) and waits for the
// page it may load.
func pressNav(t *testing.T, ctx context.Context, key string) int {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, Press(key))
	if err != nil {
		t.Fatalf("browser: press %q: %v", key, err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// tabUntil presses Tab until the focused element matches sel (at most max
// times) and fails if it never does.
func tabUntil(t *testing.T, ctx context.Context, sel string, max int) {
	t.Helper()
	for i := 0; i < max; i++ {
		Run(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
		if Eval[bool](t, ctx, fmt.Sprintf(`document.activeElement.matches(%q)`, sel)) {
			return
		}
	}
	t.Fatalf("%d Tabs never reach %s on %s (focus on %s)", max, sel, Location(t, ctx), Eval[string](t, ctx, "document.activeElement.outerHTML.slice(0, 120)"))
}

// typeKeys types text into the focused field, key by key.
func typeKeys(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	Run(t, ctx, "type "+text, chromedp.KeyEvent(text))
}

// After a failed login the focus is on the error, the title says
// "Erreur : " (RGAA 8.6), and the keyboard goes on to the fields.
func TestRGAAFailedLoginKeyboard(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	site.Go(t, ctx, "/connexion")
	tabUntil(t, ctx, "#email", 30)
	typeKeys(t, ctx, "personne@example.fr")
	Run(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
	typeKeys(t, ctx, "mauvais mot de passe")
	if st := pressNav(t, ctx, kb.Enter); st != http.StatusUnprocessableEntity {
		t.Fatalf("failed login = %d, want 422", st)
	}
	if title := Eval[string](t, ctx, "document.title"); !strings.HasPrefix(title, "Erreur : ") {
		t.Errorf("title after a failed login = %q, want the prefix « Erreur : »", title)
	}
	if id := Eval[string](t, ctx, "document.activeElement.id"); id != "login-error" {
		t.Errorf("after a failed login the focus is on #%s, want the error message", id)
	}
	Run(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
	if id := Eval[string](t, ctx, "document.activeElement.id"); id != "email" {
		t.Errorf("Tab after the error goes to #%s, want the email field", id)
	}
	AssertAccessible(t, ctx)

	// A form with a summary: the summary has the focus, and the keyboard
	// reaches each of its links, whose target is the field.
	adminID, _, _ := site.DemoAccount(t, "")
	site.LoginAs(t, ctx, adminID)
	site.Go(t, ctx, "/admin/utilisateurs/nouveau")
	tabUntil(t, ctx, "form[action='/admin/utilisateurs'] button[type=submit]", 60)
	if st := pressNav(t, ctx, kb.Enter); st != http.StatusUnprocessableEntity {
		t.Fatalf("blank account form = %d, want 422", st)
	}
	if !Eval[bool](t, ctx, `document.activeElement.classList.contains("form-errors")`) {
		t.Errorf("after a form error the focus is on %s, want the error summary", Eval[string](t, ctx, "document.activeElement.outerHTML.slice(0, 80)"))
	}
	if title := Eval[string](t, ctx, "document.title"); !strings.HasPrefix(title, "Erreur : ") {
		t.Errorf("title after a form error = %q", title)
	}
	links := Eval[[]string](t, ctx, `[...document.querySelectorAll(".form-errors a")].map(a => a.getAttribute("href").slice(1))`)
	if len(links) < 2 {
		t.Fatalf("the error summary has %d links, want one per blank required field", len(links))
	}
	AssertAccessible(t, ctx)
	for _, id := range links {
		summaryLinkEnter(t, ctx, ".form-errors", id)
	}
}

// summaryLinkEnter reaches the error summary's link to #id with Tab,
// presses Enter on it, and checks that the focus is then on the field
// itself, in the same page (no new load, no form sent again), with the
// field's label read with it; the focus then goes back to the summary.
func summaryLinkEnter(t *testing.T, ctx context.Context, summary, id string) {
	t.Helper()
	Run(t, ctx, "focus the summary", chromedp.Focus(chromedp.CSS(summary)))
	tabUntil(t, ctx, fmt.Sprintf(`%s a[href="#%s"]`, summary, id), 10)
	Eval[bool](t, ctx, `(window.samePage = true)`)
	if st := pressNav(t, ctx, kb.Enter); st != 0 {
		t.Fatalf("Enter on the summary link #%s loaded a page (%d) at %s", id, st, Location(t, ctx))
	}
	got := Eval[map[string]any](t, ctx, `({same: window.samePage === true, hash: location.hash, id: document.activeElement.id,
		labelled: document.activeElement.labels ? document.activeElement.labels.length > 0 : document.activeElement.hasAttribute("aria-labelledby")})`)
	if got["same"] != true {
		t.Fatalf("Enter on the summary link #%s loaded the page again (at %s)", id, Location(t, ctx))
	}
	if got["id"] != id || got["hash"] != "#"+id {
		t.Errorf("Enter on the summary link #%s: focus on #%v, address %v; want the field", id, got["id"], got["hash"])
	}
	if got["labelled"] != true {
		t.Errorf("the field #%s the summary leads to has no label", id)
	}
	Run(t, ctx, "back to the summary", chromedp.Focus(chromedp.CSS(summary)))
}

// The wide pages of the extranet fit 320 px (RGAA 10.11): their tables
// scroll in their own named, focusable region, and the logged-in header
// shows "Rechercher" and "Se déconnecter" whole. At 200 % text size
// nothing scrolls sideways either.
func TestRGAAReflow(t *testing.T) {
	site := Start(t, Options{Demo: true})
	adminID, _, _ := site.DemoAccount(t, "")
	ctx := site.Browser(t)
	site.LoginAs(t, ctx, adminID)
	var folder, page int64
	if err := site.DB.QueryRow(context.Background(), "SELECT MIN(id) FROM folders WHERE parent_id IS NOT NULL").Scan(&folder); err != nil {
		t.Fatal(err)
	}
	if err := site.DB.QueryRow(context.Background(), "SELECT MIN(id) FROM pages").Scan(&page); err != nil {
		t.Fatal(err)
	}
	paths := []string{"/", "/documents", fmt.Sprintf("/documents/dossiers/%d", folder), "/admin/utilisateurs", "/admin/journal",
		fmt.Sprintf("/pages/%d/historique", page), "/admin/agenda", "/agenda", "/agenda?vue=semaine", "/agenda?vue=liste", "/recherche?q=d%C3%A9chets"}
	Run(t, ctx, "320 px", chromedp.EmulateViewport(320, 800))
	defer chromedp.Do(ctx, chromedp.EmulateReset()) //nolint:errcheck
	for _, p := range paths {
		if st := site.Go(t, ctx, p); st != http.StatusOK {
			t.Errorf("GET %s = %d", p, st)
			continue
		}
		noHorizontalScroll(t, ctx, p)
		header := Eval[map[string]any](t, ctx, `(() => {
			const fits = e => { if (!e) return "missing"; const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= document.documentElement.clientWidth ? "ok" : "cut at " + r.right };
			return {search: fits(document.querySelector(".site-header .search button")), logout: fits(document.querySelector("form[action='/deconnexion'] button"))};
		})()`)
		if header["search"] != "ok" || header["logout"] != "ok" {
			t.Errorf("%s at 320 px: header buttons %v", p, header)
		}
		// A table wider than the screen scrolls in a named region the
		// keyboard reaches.
		bad := Eval[[]string](t, ctx, `[...document.querySelectorAll("main table")].filter(tb => {
			const box = tb.closest(".table-scroll, .cal-scroll, .cl-scroll");
			if (tb.getBoundingClientRect().width <= document.documentElement.clientWidth) return false;
			return !box || box.tabIndex < 0 || !(box.getAttribute("aria-label") || box.getAttribute("aria-labelledby"));
		}).map(tb => tb.outerHTML.slice(0, 80))`)
		for _, b := range bad {
			t.Errorf("%s: a wide table outside a focusable named scroll region: %s", p, b)
		}
	}
	// 200 % text (the reader's font size, not the page zoom).
	Run(t, ctx, "1024 px", chromedp.EmulateViewport(1024, 768))
	for _, p := range paths {
		site.Go(t, ctx, p)
		Eval[bool](t, ctx, `(document.documentElement.style.fontSize = "200%", true)`)
		noHorizontalScroll(t, ctx, p+" at 200 % text")
	}
}

// The focus ring is seen on every background (≥ 3:1 against what is
// around it, WCAG 1.4.11): measured in the browser on every element the
// keyboard reaches on the home page, from the header to the footer.
func TestRGAAFocusRingContrast(t *testing.T) {
	site := Start(t, Options{Demo: true})
	adminID, _, _ := site.DemoAccount(t, "")
	ctx := site.Browser(t)
	site.LoginAs(t, ctx, adminID)
	for _, p := range []string{"/", "/documents"} {
		site.Go(t, ctx, p)
		n := Eval[float64](t, ctx, `document.querySelectorAll("a[href], button, input, select, textarea, [tabindex='0']").length`)
		seen := map[string]bool{}
		for i := 0; i < int(n)+2; i++ {
			Run(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
			if Eval[bool](t, ctx, "document.activeElement === document.body") {
				continue // past the last element
			}
			r := Eval[map[string]any](t, ctx, focusRingJS)
			where, _ := r["where"].(string)
			seen[where] = true
			if ratio, _ := r["ratio"].(float64); ratio < 3 {
				t.Errorf("%s: focus ring of %v is %.2f:1 on %v (%v), want ≥ 3:1", p, r["el"], ratio, r["bg"], where)
			}
		}
		for _, w := range []string{"header", "main", "footer"} {
			if !seen[w] {
				t.Errorf("%s: the keyboard never reached the %s (seen %v)", p, w, seen)
			}
		}
	}
}

// focusRingJS measures the outline of the focused element against the
// background it is drawn on (the nearest ancestor with an opaque one).
const focusRingJS = `(() => {
	const el = document.activeElement, cs = getComputedStyle(el);
	const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
	const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4) }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2] };
	let bgEl = el.parentElement, bg = "rgb(255, 255, 255)";
	while (bgEl) { const b = getComputedStyle(bgEl).backgroundColor; const c = rgb(b); if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { bg = b; break } bgEl = bgEl.parentElement }
	const oc = rgb(cs.outlineColor), bc = rgb(bg);
	const a = lum(oc), b = lum(bc), ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
	const where = el.closest("header") ? "header" : el.closest("footer") ? "footer" : el.closest("main") ? "main" : "other";
	return {ratio: cs.outlineStyle === "none" ? 0 : ratio, bg, outline: cs.outlineColor, where, el: el.outerHTML.slice(0, 80)};
})()`

// Page titles tell views, months, searches and folders apart (RGAA 8.6);
// the documents search has its live region apart from its heading (8.2);
// landmarks have distinct names (12.6); the folder tree is nested lists
// (9.3); calendars are named, not only coloured (3.1); links to files give
// their format, size and date (13.3).
func TestRGAAPageSemantics(t *testing.T) {
	site := Start(t, Options{Demo: true})
	eluID, _, _ := site.DemoAccount(t, "")
	ctx := site.Browser(t)
	site.LoginAs(t, ctx, eluID)
	title := func(p string) string {
		site.Go(t, ctx, p)
		return Eval[string](t, ctx, "document.title")
	}
	titles := map[string]string{}
	for _, p := range []string{"/agenda?vue=mois&date=2026-03-10", "/agenda?vue=mois&date=2026-04-10", "/agenda?vue=semaine&date=2026-03-10",
		"/agenda?vue=jour&date=2026-03-10", "/agenda?vue=liste&date=2026-03-10"} {
		tt := title(p)
		if other, dup := titles[tt]; dup {
			t.Errorf("%s and %s have the same title %q", p, other, tt)
		}
		titles[tt] = p
	}
	if tt := title("/recherche?q=d%C3%A9chets"); !strings.Contains(tt, "déchets") || !strings.Contains(tt, "résultat") {
		t.Errorf("search title %q lacks the query or the count", tt)
	}
	if tt := title("/documents/recherche?q=d%C3%A9chets"); !strings.Contains(tt, "déchets") || !strings.Contains(tt, "résultat") {
		t.Errorf("documents search title %q lacks the query or the count", tt)
	}
	if Exists(t, ctx, "h1[role], h2[role], h3[role]") {
		t.Error("a heading carries a role (the live region must be apart)")
	}
	if !Exists(t, ctx, "main [role=status]") {
		t.Error("the documents search has no live region for its count")
	}
	// Landmarks: every search form and region of a page has its own name.
	// /documents-publics holds two documents blocks, /espace-elus a
	// documents, an events and a calendar block.
	for _, p := range []string{"/documents", "/documents/recherche?q=x", "/recherche?q=x", "/", "/documents-publics", "/espace-elus"} {
		site.Go(t, ctx, p)
		dups := Eval[[]string](t, ctx, `(() => {
			const names = {}, out = [];
			for (const e of document.querySelectorAll("[role=search], nav, section[aria-label], section[aria-labelledby], [role=region]")) {
				const l = e.getAttribute("aria-labelledby");
				const name = (l ? l.split(" ").map(id => (document.getElementById(id) || {}).textContent || "").join(" ") : e.getAttribute("aria-label") || "").trim();
				const key = (e.getAttribute("role") || e.tagName) + ":" + name;
				if (!name) out.push("unnamed " + key); else if (names[key]) out.push("twice " + key);
				names[key] = true;
			}
			return out })()`)
		for _, d := range dups {
			t.Errorf("%s: landmark %s", p, d)
		}
	}
	// The folder tree: nested lists, a subfolder inside its parent's item.
	site.Go(t, ctx, "/documents")
	if !Exists(t, ctx, ".folder-tree li > ul > li > a") {
		t.Error("the folder tree is not made of nested lists")
	}
	var folder int64
	var parentName, childName string
	if err := site.DB.QueryRow(context.Background(), "SELECT c.id, c.name, p.name FROM folders c JOIN folders p ON p.id = c.parent_id ORDER BY c.id LIMIT 1").Scan(&folder, &childName, &parentName); err != nil {
		t.Fatal(err)
	}
	if tt := title(fmt.Sprintf("/documents/dossiers/%d", folder)); !strings.Contains(tt, childName) || !strings.Contains(tt, parentName) {
		t.Errorf("folder title %q lacks its path (%s in %s)", tt, childName, parentName)
	}
	// Calendars: the name of the calendar beside each event, visible.
	site.Go(t, ctx, "/agenda?vue=liste")
	if !Eval[bool](t, ctx, `(() => { const n = document.querySelector(".cal-occ .cal-name"); if (!n) return false; const r = n.getBoundingClientRect(); return r.width > 1 && r.height > 1 })()`) {
		t.Error("events show their calendar only by colour")
	}
	// An event with a linked document: its format, size and French date.
	var event, doc int64
	if err := site.DB.QueryRow(context.Background(), "SELECT MIN(id) FROM events").Scan(&event); err != nil {
		t.Fatal(err)
	}
	if err := site.DB.QueryRow(context.Background(), "SELECT MIN(id) FROM documents WHERE trashed_at IS NULL").Scan(&doc); err != nil {
		t.Fatal(err)
	}
	if _, err := site.DB.Exec(context.Background(), "INSERT INTO event_documents (event_id, document_id, position) VALUES (?, ?, 0)", event, doc); err != nil {
		t.Fatal(err)
	}
	site.Go(t, ctx, fmt.Sprintf("/agenda/evenements/%d", event))
	facts := Text(t, ctx, fmt.Sprintf(`a[href="/documents/%d/telecharger"] + .doc-meta`, doc))
	if !strings.Contains(facts, "o") || !strings.ContainsAny(facts, "0123456789") || !frenchMonth(facts) {
		t.Errorf("the event's document link says %q, want its format, size and French date", facts)
	}
	AssertAccessible(t, ctx)
}

func frenchMonth(s string) bool {
	for _, m := range []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// The demo's « Nos missions » shows a captioned chart as a figure named by
// its caption, with the chart's text alternative (RGAA 1.9), and a band its
// editor marked decorative: empty alt, no figure, ignored by assistive
// technologies (RGAA 1.2). axe agrees.
func TestRGAADemoFigureAndDecorativeImage(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	if st := site.Go(t, ctx, "/le-syndicat/nos-missions"); st != http.StatusOK {
		t.Fatalf("GET /le-syndicat/nos-missions = %d", st)
	}
	got := Eval[map[string]any](t, ctx, `(() => {
		const figs = [...document.querySelectorAll("main figure[role=figure]")];
		const fig = figs.find(f => f.querySelector("img"));
		const imgs = [...document.querySelectorAll("main img")];
		const deco = imgs.filter(i => i.getAttribute("alt") === "");
		return {figures: figs.length,
			name: fig ? fig.getAttribute("aria-label") || "" : "",
			caption: fig && fig.querySelector("figcaption") ? fig.querySelector("figcaption").textContent.trim() : "",
			alt: fig ? fig.querySelector("img").getAttribute("alt") || "" : "",
			decorative: deco.length, decoInFigure: deco.some(i => i.closest("figure[role=figure]") !== null)};
	})()`)
	if got["figures"] != float64(1) || got["name"] == "" || got["name"] != got["caption"] {
		t.Errorf("the captioned chart is not one figure named by its caption: %v", got)
	}
	if alt, _ := got["alt"].(string); !strings.Contains(alt, "tonnages") {
		t.Errorf("the chart's text alternative is %q", alt)
	}
	if got["decorative"] != float64(1) || got["decoInFigure"] != false {
		t.Errorf("the decorative band: %v, want one image with alt=\"\" outside any figure", got)
	}
	// Each picture is served and decodes (lazy ones are asked for now).
	if bad := Eval[[]string](t, ctx, `Promise.all([...document.querySelectorAll("main img")].map(i => {
		i.loading = "eager"; return i.decode().then(() => "", () => i.currentSrc || i.src) })).then(r => r.filter(Boolean))`); len(bad) > 0 {
		t.Errorf("pictures that do not load: %v", bad)
	}
	AssertAccessible(t, ctx)
	// The 960 px pictures shrink to a phone's width.
	Run(t, ctx, "320 px", chromedp.EmulateViewport(320, 800))
	defer chromedp.Do(ctx, chromedp.EmulateReset()) //nolint:errcheck
	site.Go(t, ctx, "/le-syndicat/nos-missions")
	noHorizontalScroll(t, ctx, "/le-syndicat/nos-missions")
}

// At the session's absolute end, "Prolonger la session" says that no
// extension is possible instead of offering one that does nothing: the
// button goes, the focus stays on the page (on the sentence that replaced
// it), the live region says so, and nothing reloads (RGAA 13.1).
func TestRGAASessionAbsoluteLimit(t *testing.T) {
	site := Start(t, Options{Args: []string{"--session-idle", "30m"}})
	uid := site.CreateUser(t, "elu@example.fr", "Élu", false)
	ctx := site.Browser(t)
	site.LoginAs(t, ctx, uid)
	site.Go(t, ctx, "/mon-compte")
	if !Exists(t, ctx, ".session-extend button") {
		t.Fatal("no extension offered in the middle of a session")
	}
	// The session reaches its absolute end in ten minutes: less than one
	// idle period.
	if _, err := site.DB.Exec(context.Background(), "UPDATE sessions SET expires_at = ? WHERE user_id = ?", time.Now().UTC().Add(10*time.Minute), uid); err != nil {
		t.Fatal(err)
	}
	// This write comes from another process: the program trusts its recent
	// session lookups for a second at most (users.sessionTrust) before it
	// sees such a write. Let that second pass.
	time.Sleep(1200 * time.Millisecond)
	Eval[bool](t, ctx, `(window.samePage = true)`)
	Run(t, ctx, "focus the button", chromedp.Focus(chromedp.CSS(".session-extend button")))
	Run(t, ctx, "Enter", Press(kb.Enter))
	said := Get(t, ctx, "the live region speaks", chromedp.Poll[string](`(() => { const s = document.querySelector(".session-status[role=status]"); return s && s.textContent.includes("prolong") ? s.textContent : "" })()`))
	if !strings.Contains(said, "ne peut plus être prolongée") {
		t.Errorf("at the absolute end the live region says %q", said)
	}
	got := Eval[map[string]any](t, ctx, `({same: window.samePage === true, button: document.querySelector(".session-extend button") !== null,
		body: document.activeElement === document.body, focus: document.activeElement.className})`)
	if got["same"] != true {
		t.Fatal("extending the session reloaded the page")
	}
	if got["button"] != false {
		t.Error("an extension is still offered at the session's absolute end")
	}
	if got["body"] != false || got["focus"] != "session-ends" {
		t.Errorf("after the last extension the focus is on %v, want the sentence that replaced the button", got["focus"])
	}
	AssertAccessible(t, ctx)
}

// The demo's accessibility statement has every part of the legal model,
// and the footer's mention, reached with the keyboard, reads the same
// compliance status as the statement (from the audit entered, not from
// the catalogue); the page fits 320 px.
func TestRGAADemoStatement(t *testing.T) {
	site := Start(t, Options{Demo: true})
	ctx := site.Browser(t)
	site.Go(t, ctx, "/accessibilite")
	heads := Eval[string](t, ctx, `[...document.querySelectorAll("main h2, main h3")].map(h => h.textContent.trim()).join(" | ")`)
	for _, want := range []string{"État de conformité", "Non-conformités", "Dérogations pour charge disproportionnée", "Contenus non soumis",
		"Environnement de test", "Outils", "Pages", "Voies de recours"} {
		if !strings.Contains(heads, want) {
			t.Errorf("the statement has no part %q (parts: %s)", want, heads)
		}
	}
	main := Text(t, ctx, "main")
	for _, want := range []string{"schéma pluriannuel", "extranet", "Défenseur des droits", "partiellement conforme"} {
		if !strings.Contains(main, want) {
			t.Errorf("the statement does not mention %q", want)
		}
	}
	tabUntil(t, ctx, `footer a[href="/accessibilite"]`, 80)
	if footer := Eval[string](t, ctx, "document.activeElement.textContent"); !strings.Contains(footer, "partiellement conforme") {
		t.Errorf("the footer says %q, the statement « partiellement conforme »", footer)
	}
	AssertAccessible(t, ctx)
	Run(t, ctx, "320 px", chromedp.EmulateViewport(320, 800))
	defer chromedp.Do(ctx, chromedp.EmulateReset()) //nolint:errcheck
	site.Go(t, ctx, "/accessibilite")
	noHorizontalScroll(t, ctx, "/accessibilite")
}
