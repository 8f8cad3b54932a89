package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/pages"
)

func (ts *testServer) cachedPages() int {
	ts.srv.pageCache.mu.Lock()
	defer ts.srv.pageCache.mu.Unlock()
	return ts.srv.pageCache.pages.len()
}

// The page cache never serves a stale page: a publication, a grant change
// or the clock invalidate it at once, and members never get a visitor's page.
func TestPageCacheForVisitors(t *testing.T) {
	f := newSite(t)
	ctx := context.Background()
	st := f.ts.srv.pages
	admin := access.Actor{Principal: access.Member(0, true, nil), Name: "admin"}

	first := f.ts.visitor().get(t, "/le-syndicat")
	wantStatus(t, first, 200)
	if f.ts.cachedPages() != 1 {
		t.Fatalf("cached pages = %d after a visitor's view, want 1", f.ts.cachedPages())
	}
	second := f.ts.visitor().get(t, "/le-syndicat")
	if first.Body.String() != second.Body.String() {
		t.Fatal("two visitors got different pages: the page holds per-visitor data and must not be cached")
	}
	// A hit costs a cookie-less visitor no CSRF token (no Set-Cookie); a
	// page with a form makes one, and its form carries the cookie's value.
	if ck := second.Result().Cookies(); len(ck) != 0 {
		t.Errorf("a page served from the cache set cookies: %v", ck)
	}
	login := f.ts.visitor().get(t, "/connexion")
	var token string
	for _, ck := range login.Result().Cookies() {
		if ck.Name == f.ts.srv.csrfCookieName() {
			token = ck.Value
		}
	}
	if len(token) < 32 {
		t.Fatalf("the login page set no CSRF cookie: %v", login.Result().Cookies())
	}
	wantBody(t, login, `name="csrf" value="`+token+`"`)

	// A publication shows at once.
	p := f.page(t, f.syndicat.ID)
	rev, err := st.SaveDraft(ctx, admin, p.ID, p.PublishedRev, "Le syndicat", []pages.Block{{Type: pages.BlockText, HTML: "<p>Nouvelle présentation</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, admin, p.ID, rev.ID, "v2"); err != nil {
		t.Fatal(err)
	}
	rec := f.visitor.get(t, "/le-syndicat")
	wantBody(t, rec, "Nouvelle présentation")
	wantNoBody(t, rec, "Présentation publique")

	// Making the page private takes it away from visitors at once.
	if err := st.SetGrants(ctx, admin, f.syndicat.ID, false, []access.Grant{{GroupID: f.gElus, Level: access.View}}); err != nil {
		t.Fatal(err)
	}
	if rec := f.ts.visitor().get(t, "/le-syndicat"); rec.Code == 200 {
		t.Fatal("a page made private was still served from the cache")
	}

	// A member never gets the visitor's copy: the home page shows them
	// their private section in the menu.
	f.ts.visitor().get(t, "/")
	wantBody(t, f.elu.get(t, "/"), "Espace élus")
	wantNoBody(t, f.ts.visitor().get(t, "/"), "Espace élus")

	// Entries expire with the clock (upcoming events, archive rule).
	f.ts.srv.pageCache.mu.Lock()
	f.ts.srv.pageCache.pages.each(func(_ string, e *cachedPage) { e.body = []byte("stale") })
	f.ts.srv.pageCache.mu.Unlock()
	f.ts.clock.Advance(pageCacheTTL + 1)
	wantNoBody(t, f.ts.visitor().get(t, "/"), "stale")
}

// Members' page views are shared by people with the same groups, but never
// their own data, and a grant change takes effect at once.
func TestPageViewCacheForMembers(t *testing.T) {
	f := newSite(t)
	ctx := context.Background()
	other := f.ts.loginAs(t, f.ts.createUser(t, "autre-elu@sydrav.fr", false, f.gElus))
	wantBody(t, f.elu.get(t, "/espace-elus"), "Ordre du jour confidentiel", "(elu)")
	rec := other.get(t, "/espace-elus")
	wantBody(t, rec, "Ordre du jour confidentiel", "(autre-elu)", other.csrf)
	wantNoBody(t, rec, "(elu)", f.elu.csrf)
	// The technician, in another group, is refused whatever the cache holds.
	if rec := f.tech.get(t, "/espace-elus"); rec.Code != 403 {
		t.Fatalf("technician got %d, want 403", rec.Code)
	}
	// Withdrawing the élus' grant is immediate.
	admin := access.Actor{Principal: access.Member(0, true, nil), Name: "admin"}
	if err := f.ts.srv.pages.SetGrants(ctx, admin, f.espace.ID, false, []access.Grant{{GroupID: f.gTech, Level: access.View}}); err != nil {
		t.Fatal(err)
	}
	if rec := f.elu.get(t, "/espace-elus"); rec.Code == 200 {
		t.Fatal("a withdrawn grant still let the cached page through")
	}
	wantBody(t, f.tech.get(t, "/espace-elus"), "Ordre du jour confidentiel")
}

// A member's page view is drawn once with holes for the person's bits
// (holes.go): filled in, it must be the very page drawn whole for that
// person — an editor (toolbar with CSRF forms), an administrator, a name
// that needs escaping, a session in its last stretch (no extension) — and
// it must show no mark, and no one else's bits.
func TestMemberViewHoles(t *testing.T) {
	f := newSite(t)
	ctx := context.Background()
	nasty := f.ts.createUser(t, "zoe@sydrav.fr", false, f.gElus)
	if _, err := f.ts.db.Exec(ctx, "UPDATE users SET name = ? WHERE id = ?", `Zoé <b>"O'Brien" & +1</b>`, nasty); err != nil {
		t.Fatal(err)
	}
	zoe := f.ts.loginAs(t, nasty)
	last := f.ts.loginAs(t, f.ts.createUser(t, "fin@sydrav.fr", false, f.gElus))
	if _, err := f.ts.db.Exec(ctx, "UPDATE sessions SET expires_at = ? WHERE csrf_token = ?", f.ts.clock.Now().Add(30*time.Minute).UTC(), last.csrf); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		c    *client
		want []string
	}{
		{"élu", f.elu, []string{"(elu)", "Prolonger la session"}},
		{"editor", f.editor, []string{"(redaction)"}},
		{"admin", f.boss, []string{"(admin)", `href="/admin"`}},
		{"escaped name", zoe, []string{"(Zoé &lt;b&gt;&#34;O&#39;Brien&#34; &amp; &#43;1&lt;/b&gt;)"}},
		{"last stretch", last, []string{"(fin)", "se termine à 10:30 et ne peut plus être prolongée"}},
	}
	var others []string
	for _, tc := range cases {
		others = append(others, tc.c.csrf)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/espace-elus", "/le-syndicat"} {
				first := tc.c.get(t, path) // a miss for this key, or not
				again := tc.c.get(t, path) // from the drawn view
				// A flash cookie that names no message: the page is drawn
				// whole, and shows no flash.
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(&http.Cookie{Name: flashCookie, Value: "pas-un-message"})
				whole := tc.c.do(t, req)
				wantStatus(t, first, 200)
				want := body(t, whole)
				for _, rec := range []*httptest.ResponseRecorder{first, again} {
					got := body(t, rec)
					if got != want {
						t.Fatalf("%s: the filled view differs from the page drawn whole: %s", path, firstDiff(want, got))
					}
					if rec.Header().Get("Content-Length") != strconv.Itoa(len(got)) {
						t.Errorf("%s: Content-Length %s for %d bytes", path, rec.Header().Get("Content-Length"), len(got))
					}
				}
				for _, s := range append([]string{tc.c.csrf}, tc.want...) {
					if !strings.Contains(want, s) {
						t.Errorf("%s: the page does not show %q", path, s)
					}
				}
				if strings.Contains(want, f.ts.srv.marks.prefix) {
					t.Errorf("%s: the page shows a hole's mark", path)
				}
				for _, o := range others {
					if o != tc.c.csrf && strings.Contains(want, o) {
						t.Errorf("%s: the page shows another session's token", path)
					}
				}
			}
		})
	}
	// The editor's toolbar (forms with the token) is in the view.
	wantBody(t, f.editor.get(t, "/espace-elus"), "/depublier", f.editor.csrf)
}

// firstDiff shows where two texts part.
func firstDiff(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d\nwant …%q\n got …%q", i, want[from:min(len(want), i+80)], got[from:min(len(got), i+80)])
}
