package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"portique/internal/access"
)

// pageCache keeps the rendered HTML of public pages for anonymous visitors,
// the bulk of a public site's traffic. An entry is served only while the
// database's content_version (bumped by triggers on every change to pages,
// grants, documents, events, settings and the search index) is the one it
// was rendered at, so a publication shows to every visitor at once, on
// every instance; the version is known without a query while nothing was
// written (db.ContentVersion). Entries also expire after pageCacheTTL, for
// content that changes with the clock alone, or sooner when the handler
// says when its page changes (cacheUntil: a centre's "open now", the
// agenda's "today", the documents' archive rule at midnight; a scheduled
// publication). The pages are kept least recently used first within
// pageCacheMaxBytes: a crawler walking every day of the agenda evicts the
// oldest pages, it does not grow the process.
type pageCache struct {
	mu    sync.Mutex
	pages lru[*cachedPage]
	// views holds members' page views by page and set of groups (see
	// memberViewKey), without the person's own data, least recently used
	// out first within their own pageCacheMaxBytes.
	views lru[*cachedView]
}

// ready sets the budgets of a zero pageCache (c.mu held).
func (c *pageCache) ready() {
	if c.pages.size == nil {
		c.pages = lru[*cachedPage]{max: pageCacheMaxBytes, size: (*cachedPage).size}
		c.views = lru[*cachedView]{max: pageCacheMaxBytes, size: (*cachedView).size}
	}
}

type cachedView struct {
	version int64
	expires time.Time
	data    pageShowData // Page holds only the view's own fields (storeView)
	// drawn is the view drawn with holes for the person's bits (holes.go),
	// for a session that can be extended ([0]) or not ([1]); made at first
	// use.
	drawn [2]atomic.Pointer[holedPage]
}

// size is what a view costs in memory, roughly: its blocks three times (as
// data and within its two drawn pages) and the rest of those pages.
func (v *cachedView) size() int { return 3*len(v.data.BlocksHTML) + 16<<10 }

// memberViewKey names what a member's page view depends on: the address and
// what the access model decides from (access.Principal.Key).
func memberViewKey(r *http.Request, p access.Principal) string {
	return r.URL.RequestURI() + p.Key()
}

// view returns the cached page view for key if it is current (shared: do
// not change it), and marks it used.
func (c *pageCache) view(key string, version int64, now time.Time) *cachedView {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ready()
	if v, ok := c.views.get(key); ok && v.version == version && now.Before(v.expires) {
		return v
	}
	return nil
}

// storeView keeps a member's page view, without the person's own data,
// until the TTL or until (when not zero and sooner: a scheduled change),
// and returns it.
func (c *pageCache) storeView(key string, version int64, now, until time.Time, d pageShowData) *cachedView {
	d.Page = Page{Title: d.Title, Nav: d.Nav, Breadcrumb: d.Breadcrumb, BodyClass: d.BodyClass, Banner: d.Banner}
	expires := now.Add(pageCacheTTL)
	if !until.IsZero() && until.Before(expires) {
		expires = until
	}
	v := &cachedView{version: version, expires: expires, data: d}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ready()
	c.views.put(key, v)
	return v
}

type cachedPage struct {
	version int64
	expires time.Time
	body    []byte
	// The answer's headers, as the values put on every hit: one element
	// each, len = cap (shared, like the security headers: an Add appends
	// to a copy); cc is nil when the page sets no Cache-Control.
	ctype, cc, length []string
}

// newCachedPage is the entry of body, served with these headers.
func newCachedPage(version int64, expires time.Time, body []byte, ctype, cc string) *cachedPage {
	e := &cachedPage{version: version, expires: expires, body: body,
		ctype: []string{ctype}, length: []string{strconv.Itoa(len(body))}}
	if cc != "" {
		e.cc = []string{cc}
	}
	return e
}

// size is what an entry costs in memory, roughly: its body and the entry
// itself (the lru adds the key).
func (e *cachedPage) size() int { return len(e.body) + 200 }

const (
	pageCacheTTL = time.Minute
	// pageCacheMaxBytes bounds the visitors' pages and, separately, the
	// members' views (least recently used out first).
	pageCacheMaxBytes = 8 << 20
	pageCacheMaxPage  = 512 << 10
)

// contentVersion reads the public content's version number.
func (s *Server) contentVersion(ctx context.Context) (int64, error) { return s.db.ContentVersion(ctx) }

// cachedForVisitors serves h from the page cache for anonymous GET requests
// (HEAD too), and fills the cache from h's 200 answers. Logged-in members,
// requests carrying a flash message and every other method go straight to h.
func (s *Server) cachedForVisitors(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || currentUser(r) != nil {
			return h(w, r)
		}
		if _, err := r.Cookie(flashCookie); err == nil {
			return h(w, r)
		}
		v, err := s.contentVersion(r.Context())
		if err != nil {
			return err
		}
		key := r.URL.RequestURI()
		now := s.now()
		if e := s.pageCache.get(key, v, now); e != nil {
			// Canonical keys, values made when the page was kept.
			hd := w.Header()
			hd["Content-Type"] = e.ctype
			if e.cc != nil {
				hd["Cache-Control"] = e.cc
			}
			hd["Content-Length"] = e.length
			w.WriteHeader(http.StatusOK)
			if r.Method != http.MethodHead {
				w.Write(e.body) //nolint:errcheck // the client went away
			}
			return nil
		}
		rec := &bufferedWriter{ResponseWriter: w, status: http.StatusOK}
		// The visitor's CSRF cookie, if the render makes one, is not the
		// page's own: it is made before the cookies are counted.
		state(r).token()
		setCookies := len(w.Header().Values("Set-Cookie"))
		lim := &cacheLimit{version: v}
		if err := h(rec, r.WithContext(context.WithValue(r.Context(), cacheLimitKey{}, lim))); err != nil {
			return err
		}
		expires := now.Add(pageCacheTTL)
		if !lim.until.IsZero() && lim.until.Before(expires) {
			expires = lim.until
		}
		// Scheduled publication: nothing is kept past the next minute at
		// which a page appears or disappears (menus, lists, the page).
		if next := s.scheduleLimit(r); !next.IsZero() && next.Before(expires) {
			expires = next
		}
		// Only plain successful pages that set no cookie of their own and
		// are not marked no-store are kept.
		cc := w.Header().Get("Cache-Control")
		if rec.status == http.StatusOK && len(w.Header().Values("Set-Cookie")) == setCookies &&
			!strings.Contains(cc, "no-store") && rec.buf.Len() <= pageCacheMaxPage && r.Method == http.MethodGet && expires.After(now) {
			s.storePage(key, newCachedPage(v, expires, bytes.Clone(rec.buf.Bytes()), w.Header().Get("Content-Type"), cc))
		}
		w.WriteHeader(rec.status)
		w.Write(rec.buf.Bytes()) //nolint:errcheck // the client went away
		return nil
	}
}

// midnight is when today ends in the site's zone: pages that show "today"
// or apply the documents' archive rule are kept no longer.
func (s *Server) midnight() time.Time {
	loc := s.cfg.Location()
	y, m, d := s.now().In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// cacheLimit is how long the page being rendered for the cache may be kept
// (zero: pageCacheTTL), and the content version it is kept under (the site
// settings it shows are read at that version at least: site_settings.go).
type cacheLimit struct {
	until   time.Time
	version int64
}

type cacheLimitKey struct{}

// cacheUntil tells the visitors' page cache not to keep the page being
// rendered past t: the next instant what it shows changes with the clock
// alone (a recycling centre opening or closing). A zero t sets no limit;
// outside the cache it does nothing.
func cacheUntil(r *http.Request, t time.Time) {
	if l, ok := r.Context().Value(cacheLimitKey{}).(*cacheLimit); ok && !t.IsZero() && (l.until.IsZero() || t.Before(l.until)) {
		l.until = t
	}
}

func (s *Server) storePage(key string, e *cachedPage) { s.pageCache.put(key, e) }

// get returns the entry for key if it is current at version v and now,
// and marks it used.
func (c *pageCache) get(key string, v int64, now time.Time) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ready()
	e, ok := c.pages.get(key)
	if !ok || e.version != v || !now.Before(e.expires) {
		return nil
	}
	return e
}

// put keeps e under key, evicting the least recently used entries past
// pageCacheMaxBytes.
func (c *pageCache) put(key string, e *cachedPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ready()
	c.pages.put(key, e)
}

// peek returns the entry kept for key, current or not (tests).
func (c *pageCache) peek(key string) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, _ := c.pages.peek(key)
	return e
}

// bufferedWriter holds a handler's answer so it can be cached before it is
// sent.
type bufferedWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	buf    bytes.Buffer
}

func (b *bufferedWriter) WriteHeader(code int) {
	if !b.wrote {
		b.status, b.wrote = code, true
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.wrote = true
	return b.buf.Write(p)
}
