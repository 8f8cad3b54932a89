package web

import (
	"context"
	"fmt"
	"html/template"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/dbtest"
	"portique/internal/documents"
)

// cachedEntry is the visitors' cache entry of path, or nil.
func (ts *testServer) cachedEntry(path string) *cachedPage { return ts.srv.pageCache.peek(path) }

// The agenda is served to visitors from the page cache, and a new public
// event, a calendar made private and the day's end show at once.
func TestVisitorCacheAgendaFresh(t *testing.T) {
	w := newCalWorld(t)
	ctx := context.Background()
	w.ts.clock.Set(time.Date(2026, 3, 10, 23, 59, 0, 0, parisLoc))
	v := w.ts.visitor()
	const month = "/agenda?vue=mois&date=2026-03-12"
	wantBody(t, v.get(t, month), "Journée portes ouvertes")
	e := w.ts.cachedEntry(month)
	if e == nil {
		t.Fatal("the agenda was not cached for visitors")
	}
	if midnight := time.Date(2026, 3, 11, 0, 0, 0, 0, parisLoc); e.expires.After(midnight) {
		t.Fatalf("agenda cached until %v, past midnight (today moves)", e.expires)
	}
	// A new public event shows at once.
	if _, err := w.st.CreateEvent(ctx, access.Actor{Principal: access.Principal{Admin: true}}, calendar.EventForm{
		CalendarID: strconv.FormatInt(w.public, 10), Title: "Atelier compostage", StartDate: "2026-03-20", AllDay: true}); err != nil {
		t.Fatal(err)
	}
	wantBody(t, v.get(t, month), "Atelier compostage", "Journée portes ouvertes")
	// The calendar made private leaves the visitors' agenda at once.
	if err := w.st.UpdateCalendar(ctx, access.System(), calendar.Calendar{ID: w.public, Name: "Animations grand public", Colour: "#b85c00"},
		[]access.Grant{{GroupID: w.elus, Level: access.View}}); err != nil {
		t.Fatal(err)
	}
	wantNoBody(t, v.get(t, month), "Atelier compostage", "Journée portes ouvertes")
	// Members never get the visitors' copy.
	wantBody(t, w.ts.loginAs(t, w.eluID).get(t, month), "Atelier compostage")
}

// The documents pages and the site search are served to visitors from the
// page cache; an upload, a withdrawn grant, the archive rule at midnight
// and a new hit of the search index show at once.
func TestVisitorCacheDocumentsFresh(t *testing.T) {
	w := newDocsWorld(t)
	ctx := context.Background()
	v := w.visitor()
	folder := fmt.Sprintf("/documents/dossiers/%d", w.public)
	cutoff := documents.ArchiveCutoff(w.clock.Now(), w.cfg.Location(), w.cfg.ArchiveMonths)
	// Published on the cutoff day: current today, archived from tomorrow.
	w.put(t, w.public, "bilan-trimestriel.pdf", []byte("%PDF-1.4 bilan"), cutoff)
	wantBody(t, v.get(t, folder), "bilan-trimestriel")
	if w.cachedEntry(folder) == nil {
		t.Fatal("the folder was not cached for visitors")
	}
	// An upload shows at once.
	w.put(t, w.public, "compte-rendu-novembre.pdf", []byte("%PDF-1.4 cr"), "2026-11-20")
	wantBody(t, v.get(t, folder), "compte-rendu-novembre", "bilan-trimestriel")

	// The archive rule: past midnight the document is in the archive, not
	// in the current list, though nothing was written.
	loc := w.cfg.Location()
	y, m, d := w.clock.Now().In(loc).Date()
	w.clock.Set(time.Date(y, m, d+1, 0, 0, 1, 0, loc))
	wantNoBody(t, v.get(t, folder), "bilan-trimestriel")
	wantBody(t, v.get(t, fmt.Sprintf("/documents/archives/dossiers/%d", w.public)), "bilan-trimestriel")

	// The site search: a new document's words are found at once.
	if _, err := os.Stat("/usr/bin/pdftotext"); err != nil {
		dbtest.SkipOrFail(t, "pdftotext not installed")
	}
	const search = "/recherche?q=zorglub"
	wantNoBody(t, v.get(t, search), "zorglub-annexe")
	if w.cachedEntry(search) == nil {
		t.Fatal("the search page was not cached for visitors")
	}
	w.put(t, w.public, "zorglub-annexe.pdf", corpusFile(t, "guide-du-tri-2026.pdf"), "2026-11-21")
	w.runJobs(t)
	wantBody(t, v.get(t, search), "zorglub")

	// Withdrawing the visitors' grant takes the folder away at once.
	must(t, w.srv.Documents().SetFolderGrants(ctx, w.adminA(), w.public, []access.Grant{{GroupID: w.techs, Level: access.Edit}}, false))
	if rec := v.get(t, folder); rec.Code == 200 {
		t.Fatal("a folder made private was still served from the cache")
	}
	if rec := v.get(t, search); strings.Contains(body(t, rec), "zorglub-annexe") {
		t.Fatal("a document made private was still found by the cached search")
	}
}

// The visitors' cache is bounded: past pageCacheMaxBytes the least
// recently used pages go, the recently used ones stay.
func TestPageCacheBound(t *testing.T) {
	var c pageCache
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	page := make([]byte, 100<<10)
	n := 3 * pageCacheMaxBytes / len(page) // three budgets' worth
	c.put("/keep", newCachedPage(1, now.Add(time.Hour), page, "text/html", ""))
	for i := range n {
		c.put(fmt.Sprintf("/agenda?date=%d", i), newCachedPage(1, now.Add(time.Hour), page, "text/html", ""))
		if c.get("/keep", 1, now) == nil { // used all along: never the oldest
			t.Fatalf("the page used all along was evicted after %d others", i)
		}
		if c.pages.bytes > pageCacheMaxBytes {
			t.Fatalf("cache holds %d bytes, past its budget of %d", c.pages.bytes, pageCacheMaxBytes)
		}
	}
	if c.get("/agenda?date=0", 1, now) != nil {
		t.Error("the least recently used page was kept past the budget")
	}
	if c.get(fmt.Sprintf("/agenda?date=%d", n-1), 1, now) == nil {
		t.Error("the newest page was evicted")
	}
	total := 0
	c.pages.each(func(key string, e *cachedPage) { total += e.size() + len(key) })
	if total != c.pages.bytes || c.pages.len() == 0 || c.pages.len() >= n {
		t.Errorf("%d entries of %d bytes, counted %d", c.pages.len(), total, c.pages.bytes)
	}
	// A stale version or a past expiry is never served.
	if c.get("/keep", 2, now) != nil || c.get("/keep", 1, now.Add(2*time.Hour)) != nil {
		t.Error("an entry was served at another version or past its expiry")
	}
}

// The members' views are kept within their own budget the same way: the
// least recently used go first, a view in use all along stays.
func TestMemberViewsBound(t *testing.T) {
	var c pageCache
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	blocks := template.HTML(strings.Repeat("x", 100<<10))
	d := pageShowData{BlocksHTML: blocks}
	n := 3 * pageCacheMaxBytes / (3 * len(blocks))
	c.storeView("/espace-elus|1", 1, now, time.Time{}, d)
	for i := range n {
		c.storeView(fmt.Sprintf("/page-%d|1", i), 1, now, time.Time{}, d)
		if c.view("/espace-elus|1", 1, now) == nil {
			t.Fatalf("the view used all along was evicted after %d others", i)
		}
		if c.views.bytes > pageCacheMaxBytes {
			t.Fatalf("views hold %d bytes, past their budget of %d", c.views.bytes, pageCacheMaxBytes)
		}
	}
	if c.view("/page-0|1", 1, now) != nil {
		t.Error("the least recently used view was kept past the budget")
	}
	if c.view(fmt.Sprintf("/page-%d|1", n-1), 1, now) == nil || c.views.len() < 2 {
		t.Errorf("the newest view was evicted (%d kept)", c.views.len())
	}
	if c.view("/espace-elus|1", 2, now) != nil || c.view("/espace-elus|1", 1, now.Add(2*pageCacheTTL)) != nil {
		t.Error("a view was served at another version or past its expiry")
	}
}

// Issue 14: every day of a month shows the month's grid drawn once; a new
// event, the day turning (today's cell), another viewer's groups and a
// filter each get their own.
func TestMonthGridKept(t *testing.T) {
	w := newCalWorld(t)
	ctx := context.Background()
	w.ts.clock.Set(time.Date(2026, 3, 10, 23, 59, 0, 0, parisLoc))
	v := w.ts.visitor()
	grid := func(c *client, path string) string {
		t.Helper()
		b := body(t, c.get(t, path))
		i, j := strings.Index(b, `<table class="cal-month`), strings.Index(b, "</table>")
		if i < 0 || j < i {
			t.Fatalf("%s: no month grid", path)
		}
		return b[i:j]
	}
	first := grid(v, "/agenda?date=2026-03-12")
	if !strings.Contains(first, "Journée portes ouvertes") || !strings.Contains(first, `cal-today"><span class="cal-daynum"><span class="sr-only">Aujourd’hui : </span><a href="/agenda?vue=jour&amp;date=2026-03-10"`) {
		t.Fatalf("the grid misses the event or today's cell:\n%s", first)
	}
	if again := grid(v, "/agenda?date=2026-03-13"); again != first {
		t.Fatalf("two days of the same month show different grids:\n%s\n%s", first, again)
	}
	// Another viewer's groups, and a filter.
	if g := grid(w.ts.loginAs(t, w.eluID), "/agenda?date=2026-03-14"); g == first {
		t.Error("an élu was served the visitors' grid")
	}
	if g := grid(v, fmt.Sprintf("/agenda?date=2026-03-14&agenda=%d", w.public+1000)); g == first || strings.Contains(g, "Journée portes ouvertes") {
		t.Error("a filtered agenda was served the unfiltered grid")
	}
	// A new event shows on the next day asked.
	if _, err := w.st.CreateEvent(ctx, access.Actor{Principal: access.Principal{Admin: true}}, calendar.EventForm{
		CalendarID: strconv.FormatInt(w.public, 10), Title: "Atelier compostage", StartDate: "2026-03-20", AllDay: true}); err != nil {
		t.Fatal(err)
	}
	if g := grid(v, "/agenda?date=2026-03-15"); !strings.Contains(g, "Atelier compostage") {
		t.Fatalf("a new event is missing from the kept grid:\n%s", g)
	}
	// The day turns, nothing written: today's cell moves.
	w.ts.clock.Set(time.Date(2026, 3, 11, 0, 1, 0, 0, parisLoc))
	if g := grid(v, "/agenda?date=2026-03-16"); !strings.Contains(g, `<a href="/agenda?vue=jour&amp;date=2026-03-11">11<span class="sr-only"> – `) ||
		!strings.Contains(g, `cal-today"><span class="cal-daynum"><span class="sr-only">Aujourd’hui : </span><a href="/agenda?vue=jour&amp;date=2026-03-11"`) {
		t.Fatalf("after midnight today's cell did not move:\n%s", g)
	}
}

// The agenda's toolbar (drawn in Go): the period's links keep the filter,
// the current view is marked, and only those who may add an event get the
// button, for the day shown.
func TestCalendarToolbar(t *testing.T) {
	w := newCalWorld(t)
	w.ts.clock.Set(time.Date(2026, 3, 10, 10, 0, 0, 0, parisLoc))
	path := fmt.Sprintf("/agenda?vue=liste&date=2026-03-12&agenda=%d&filtre=3%%7CTout+public", w.public)
	b := body(t, w.ts.visitor().get(t, path))
	for _, want := range []string{
		`<nav class="cal-toolbar" aria-label="Navigation dans l’agenda">`,
		fmt.Sprintf(`<a href="/agenda?agenda=%d&amp;date=2026-01-11&amp;filtre=3%%7CTout&#43;public&amp;vue=liste" rel="prev">← Précédent</a>`, w.public),
		fmt.Sprintf(`<a href="/agenda?agenda=%d&amp;date=2026-03-10&amp;filtre=3%%7CTout&#43;public&amp;vue=liste">Aujourd’hui</a>`, w.public),
		fmt.Sprintf(`<li><a href="/agenda?agenda=%d&amp;date=2026-03-12&amp;filtre=3%%7CTout&#43;public&amp;vue=liste" aria-current="page">Liste</a></li>`, w.public),
		fmt.Sprintf(`<li><a href="/agenda?agenda=%d&amp;date=2026-03-12&amp;filtre=3%%7CTout&#43;public&amp;vue=mois">Mois</a></li>`, w.public),
	} {
		if !strings.Contains(b, want) {
			t.Fatalf("the toolbar lacks %s:\n%s", want, b)
		}
	}
	if strings.Contains(b, "/agenda/evenements/nouveau") {
		t.Fatal("a visitor is offered to add an event")
	}
	const button = `<p><a class="button" href="/agenda/evenements/nouveau?date=2026-03-12">Ajouter un événement</a></p>`
	wantBody(t, w.ts.loginAs(t, w.techID).get(t, "/agenda?date=2026-03-12"), button)
	wantNoBody(t, w.ts.loginAs(t, w.eluID).get(t, "/agenda?date=2026-03-12"), button)
}
