package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// "Prolonger la session" asked by the page's script answers JSON (no
// reload): the new idle end and the texts to show; at the absolute end
// the answer and the footer say that no extension is possible.
func TestSessionExtendJSON(t *testing.T) {
	ts := newTestServer(t)
	uid := ts.createUser(t, "elu@example.fr", false)
	c := ts.loginAs(t, uid)
	b := body(t, c.get(t, "/"))
	if !strings.Contains(b, `class="session-status" role="status"></p>`) {
		t.Fatal("the footer has no empty live region for the session warning")
	}
	if !strings.Contains(b, "Prolonger la session") {
		t.Fatal("no extension offered at the start of a session")
	}
	extend := func() map[string]any {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/session/prolonger", strings.NewReader("csrf="+c.csrf))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		rec := c.do(t, req)
		wantStatus(t, rec, http.StatusOK)
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("Content-Type = %q", ct)
		}
		var out map[string]any
		if err := json.NewDecoder(rec.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	ts.clock.Advance(ts.cfg.SessionIdle - 2*time.Minute)
	out := extend()
	want := ts.clock.Now().UTC().Add(ts.cfg.SessionIdle).Format(time.RFC3339)
	if out["idle_end"] != want || out["final"] != false || !strings.Contains(out["message"].(string), "prolongée") {
		t.Fatalf("extension = %v, want idle_end %s", out, want)
	}
	// Near the absolute end: the extension stops there, and says so.
	for ts.clock.Now().Add(ts.cfg.SessionIdle).Before(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC).Add(ts.cfg.SessionMax)) {
		ts.clock.Advance(ts.cfg.SessionIdle / 2)
		c.get(t, "/healthz")
		extend()
	}
	out = extend()
	if out["final"] != true || !strings.Contains(out["message"].(string), "ne peut plus être prolongée") {
		t.Fatalf("at the absolute end: %v", out)
	}
	b = body(t, c.get(t, "/"))
	if strings.Contains(b, "Prolonger la session") || !strings.Contains(b, "ne peut plus être prolongée") {
		t.Fatalf("footer at the absolute end still offers an extension:\n%s", b[strings.Index(b, "<footer"):])
	}
}
