package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"portique/internal/config"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/", "/healthz", "/nope", "/static/x/app.css"} {
		rec := ts.visitor().get(t, path)
		h := rec.Header()
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "strict-origin-when-cross-origin",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", path, name, got, want)
			}
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP = %q", path, csp)
		}
		if h.Get("Permissions-Policy") == "" {
			t.Errorf("%s: no Permissions-Policy", path)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent without TLS", path)
		}
	}
}

func TestHSTSWhenHTTPS(t *testing.T) {
	ts := newTestServerWith(t, false, func(c *config.Config) { c.BaseURL = "https://sydrav.example" })
	rec := ts.visitor().get(t, "/")
	if rec.Header().Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS when the public URL is https")
	}
	for _, c := range rec.Result().Cookies() {
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || !strings.HasPrefix(c.Name, "__Host-") {
			t.Errorf("cookie %s: Secure=%v HttpOnly=%v SameSite=%v", c.Name, c.Secure, c.HttpOnly, c.SameSite)
		}
	}
}

func TestFrenchErrorPages(t *testing.T) {
	ts := newTestServer(t)
	rec := ts.visitor().get(t, "/cette-page-n-existe-pas")
	wantStatus(t, rec, http.StatusNotFound)
	if b := body(t, rec); !strings.Contains(b, "Page introuvable") || !strings.Contains(b, `lang="fr"`) {
		t.Fatalf("404 page is not the French one: %.300s", b)
	}
}

func TestCSRF(t *testing.T) {
	ts := newTestServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	c := ts.loginAs(t, uid)

	// No token: refused.
	rec := c.post(t, "/session/prolonger", url.Values{"csrf": {""}})
	wantStatus(t, rec, http.StatusForbidden)
	// A wrong token: refused.
	rec = c.post(t, "/session/prolonger", url.Values{"csrf": {"forged-token-forged-token-forged-token"}})
	wantStatus(t, rec, http.StatusForbidden)
	// The right token but from another site: refused by the origin check.
	req := httptest.NewRequest(http.MethodPost, "/session/prolonger", strings.NewReader("csrf="+c.csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = c.do(t, req)
	wantStatus(t, rec, http.StatusForbidden)
	// The right token from this site: accepted.
	rec = c.post(t, "/session/prolonger", nil)
	wantStatus(t, rec, http.StatusSeeOther)
}

func TestGuards(t *testing.T) {
	ts := newTestServer(t)
	// A member-only route sends visitors to the login page with a return URL.
	rec := ts.visitor().post(t, "/session/prolonger", nil)
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/connexion?retour=") {
		t.Fatalf("Location = %q", loc)
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	ts := newTestServer(t)
	uid := ts.createUser(t, "tech@example.fr", false)
	c := ts.loginAs(t, uid)
	if b := body(t, c.get(t, "/")); !strings.Contains(b, "/mon-compte") {
		t.Fatal("logged-in page does not show the account link")
	}
	ts.clock.Advance(ts.cfg.SessionIdle - time.Minute)
	if b := body(t, c.get(t, "/")); !strings.Contains(b, "/mon-compte") {
		t.Fatal("session ended before its idle timeout")
	}
	// Activity pushed the deadline: idle again for the whole timeout + 1 min.
	ts.clock.Advance(ts.cfg.SessionIdle + time.Minute)
	if b := body(t, c.get(t, "/")); strings.Contains(b, "/mon-compte") {
		t.Fatal("session survived its idle timeout")
	}
}

func TestSessionAbsoluteTimeoutAndDisabledAccount(t *testing.T) {
	ts := newTestServer(t)
	uid := ts.createUser(t, "stag@example.fr", false)
	c := ts.loginAs(t, uid)
	for i := 0; i < int(ts.cfg.SessionMax/time.Hour)+1; i++ {
		ts.clock.Advance(time.Hour)
		c.get(t, "/")
	}
	if b := body(t, c.get(t, "/")); strings.Contains(b, "/mon-compte") {
		t.Fatal("session outlived its absolute lifetime")
	}
	c = ts.loginAs(t, uid)
	if _, err := ts.db.Exec(t.Context(), "UPDATE users SET disabled = ? WHERE id = ?", true, uid); err != nil {
		t.Fatal(err)
	}
	if b := body(t, c.get(t, "/")); strings.Contains(b, "/mon-compte") {
		t.Fatal("a disabled account kept its session")
	}
}

func TestRequestLogHasNoSecrets(t *testing.T) {
	ts := newTestServer(t)
	ts.visitor().get(t, "/reinitialisation/SECRET-TOKEN-123?x=1")
	ts.visitor().get(t, "/agenda/flux/FEEDTOKEN.ics")
	logs := ts.logs.String()
	for _, secret := range []string{"SECRET-TOKEN-123", "FEEDTOKEN"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, "status=404") {
		t.Errorf("request log lacks the status: %s", logs)
	}
}

func TestTrustedProxy(t *testing.T) {
	ts := newTestServer(t)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "10.0.0.5:1234"
	req.Header.Set("X-Forwarded-For", "198.51.100.9, 10.0.0.5")
	if ip := ts.srv.remoteIP(req); ip != "10.0.0.5" {
		t.Fatalf("untrusted proxy: ip = %q, want the peer", ip)
	}
	_, n, _ := netParseCIDR("10.0.0.0/8")
	ts.cfg.TrustedProxies = append(ts.cfg.TrustedProxies, n)
	if ip := ts.srv.remoteIP(req); ip != "198.51.100.9" {
		t.Fatalf("trusted proxy: ip = %q, want the client", ip)
	}
}

func TestFrenchDate(t *testing.T) {
	d := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if got := frenchDate(d); got != "dimanche 1er mars 2026" {
		t.Fatalf("frenchDate = %q", got)
	}
	if got := humanBytes(1536); got != "1,5 ko" {
		t.Fatalf("humanBytes = %q", got)
	}
}

func TestMetricsOnlyFromLoopback(t *testing.T) {
	ts := newTestServer(t)
	ts.visitor().get(t, "/nope")
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "127.0.0.1:4000"
	rec := ts.visitor().do(t, req)
	wantStatus(t, rec, http.StatusOK)
	if b := body(t, rec); !strings.Contains(b, `portique_http_requests_total{class="4xx"} 1`) {
		t.Fatalf("metrics:\n%s", b)
	}
	// From the Internet: refused (and a visitor is sent to log in, which
	// does not help either).
	rec = ts.visitor().get(t, "/metrics")
	if rec.Code == http.StatusOK {
		t.Fatal("/metrics answered a remote client")
	}
}
