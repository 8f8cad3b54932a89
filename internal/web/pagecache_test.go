package web

import (
	"context"
	"testing"

	"portique/internal/access"
	"portique/internal/pages"
)

func (ts *testServer) cachedPages() int {
	ts.srv.pageCache.mu.RLock()
	defer ts.srv.pageCache.mu.RUnlock()
	return len(ts.srv.pageCache.entries)
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
	for _, e := range f.ts.srv.pageCache.entries {
		e.body = []byte("stale")
	}
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
