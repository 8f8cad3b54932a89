package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/users"
)

// reqState is what the middleware learns about a request, shared with
// handlers through the context.
type reqState struct {
	session *users.Session // nil for anonymous visitors
	csrf    string         // token expected in forms ("" until token makes one)
	ip      string         // client address (X-Forwarded-For only from trusted proxies)
	srv     *Server        // nil outside the middleware (a handler tested alone)
	start   time.Time      // when the request came in: its duration counts from it
	// rec is the response, as the middleware records it: where token sets
	// the anonymous token's cookie, and takeFlash clears the flash cookie
	// (only when srv is set).
	rec statusRecorder
}

// token is the CSRF token that forms of this response carry: the session's,
// or the anonymous visitor's double-submit cookie, made (and its cookie
// set) on first use. A page served from the visitors' cache uses none, so
// a crawler without cookies costs no token and no Set-Cookie per hit.
func (st *reqState) token() string {
	if st.csrf == "" && st.srv != nil {
		st.csrf = users.NewToken()
		st.srv.setCookie(&st.rec, st.srv.csrfCookieName(), st.csrf, 0)
	}
	return st.csrf
}

type ctxKey struct{}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(ctxKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

// currentUser returns the logged-in account, or nil.
func currentUser(r *http.Request) *users.User {
	if ses := state(r).session; ses != nil {
		return ses.User
	}
	return nil
}

// principal returns who is asking, for the access model.
func principal(r *http.Request) access.Principal { return currentUser(r).Principal() }

// clientIP returns the client address used for throttling and the audit trail.
func clientIP(r *http.Request) string { return state(r).ip }

// actor is who makes a change through the request: their rights, and how
// the audit trail names them (their e-mail, the client's address).
func (s *Server) actor(r *http.Request) access.Actor {
	a := access.Actor{Principal: principal(r), IP: clientIP(r)}
	if u := currentUser(r); u != nil {
		a.Name = u.Email
	}
	return a
}

// Cookie names. With TLS the session cookie gets the __Host- prefix, which
// browsers only accept with Secure, Path=/ and no Domain.
func (s *Server) sessionCookieName() string {
	if s.cfg.SecureCookies() {
		return "__Host-portique"
	}
	return "portique"
}

func (s *Server) csrfCookieName() string {
	if s.cfg.SecureCookies() {
		return "__Host-portique-csrf"
	}
	return "portique-csrf"
}

// middleware is the chain every request goes through, outermost first:
// state and logging, panic recovery, security headers, cross-origin
// protection, session, CSRF token.
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusForbidden, "error.csrf")
	}))
	inner := cop.Handler(s.withSession(s.withCSRF(next)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The request's state and its recorder are one allocation.
		st := &reqState{ip: s.remoteIP(r), srv: s, start: s.now()}
		st.rec = statusRecorder{ResponseWriter: w, status: http.StatusOK}
		rec := &st.rec
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", v)
				if !rec.wrote {
					s.renderError(rec, r, http.StatusInternalServerError, "")
				}
			}
			end := s.now()
			s.metrics.observe(rec.status, end.Sub(st.start))
			s.logRequest(r, st, end)
		}()
		s.setSecurityHeaders(rec.Header())
		inner.ServeHTTP(rec, r)
	})
}

// logRequest writes the request's line (the path only: query strings may
// carry tokens). The record goes to the handler directly, without the
// caller's program counter (the line is always this one) and timed at the
// request's end, read once for the metrics and the log: these were a sixth
// of what logging a page served from the cache cost.
func (s *Server) logRequest(r *http.Request, st *reqState, end time.Time) {
	h := s.log.Handler()
	if !h.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	var uid int64
	if st.session != nil {
		uid = st.session.User.ID
	}
	rec := slog.NewRecord(end, slog.LevelInfo, "request", 0)
	rec.AddAttrs(slog.String("method", r.Method), slog.String("path", logPath(r.URL.Path)),
		slog.Int("status", st.rec.status), slog.Duration("duration", end.Sub(st.start)),
		slog.Int64("user", uid))
	h.Handle(r.Context(), rec) //nolint:errcheck // as slog.Logger does: a failed log write has nowhere to go
}

// logPath hides secrets that live in paths (reset and invitation tokens,
// calendar feed tokens).
func logPath(p string) string {
	for _, prefix := range []string{"/reinitialisation/", "/invitation/", "/agenda/flux/", "/notifications/desabonnement/", "/convocations/reponse/"} {
		if strings.HasPrefix(p, prefix) {
			return prefix + "…"
		}
	}
	return p
}

// contentSecurityPolicy is the policy of every response: everything from
// the site itself, and images from the recycling centres' map tile server
// when one is configured (its origin only).
func contentSecurityPolicy(tileOrigin string) string {
	img := "img-src 'self' data:"
	if tileOrigin != "" {
		img += " " + tileOrigin
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; " + img + "; " +
		"font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; " +
		"form-action 'self'; frame-ancestors 'none'"
}

// securityHeaders are the headers of every response, made once.
func securityHeaders(csp string, https bool) http.Header {
	h := http.Header{}
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if https {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	return h
}

// setSecurityHeaders puts the security headers on h. The value slices are
// shared by every response (one element each, len = cap, so an Add
// appends to a copy; Set replaces the slice): no allocation per request.
func (s *Server) setSecurityHeaders(h http.Header) {
	for k, v := range s.secHeaders {
		h[k] = v
	}
}

// withSession loads the session named by the cookie, if any.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		if c, err := r.Cookie(s.sessionCookieName()); err == nil && c.Value != "" {
			ses, err := s.sessions.Lookup(r.Context(), c.Value)
			switch {
			case err == nil:
				st.session = ses
				st.csrf = ses.CSRF
				// Private pages must not be kept by shared caches or the back button.
				w.Header().Set("Cache-Control", "no-store")
			case errors.Is(err, users.ErrNoSession):
				s.clearCookie(w, s.sessionCookieName())
			default:
				s.log.Error("session lookup", "err", err)
			}
		}
		if st.csrf == "" {
			// Anonymous forms (log in, recovery) use a double-submit token in
			// a cookie of its own (made by st.token when a form needs one).
			if c, err := r.Cookie(s.csrfCookieName()); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
				st.csrf = c.Value
			}
		}
		next.ServeHTTP(w, r)
	})
}

// withCSRF checks the form token of every state-changing request, on top of
// the Origin/Sec-Fetch-Site check of http.CrossOriginProtection. The token
// comes from the "csrf" form field, the X-CSRF-Token header, or — for
// multipart uploads, whose body is streamed by the handler — the "csrf" query
// parameter.
func (s *Server) withCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if csrfExempt(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				got = r.URL.Query().Get("csrf")
			} else {
				r.Body = http.MaxBytesReader(w, r.Body, 2<<20)
				got = r.PostFormValue("csrf")
			}
		}
		want := state(r).csrf
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			s.renderError(w, r, http.StatusForbidden, "error.csrf")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// remoteIP is the peer address, or the left-most untrusted address of
// X-Forwarded-For when the peer is a trusted proxy.
func (s *Server) remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.trusted(host) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if net.ParseIP(h) == nil {
			break
		}
		if !s.trusted(h) {
			return h
		}
		host = h
	}
	return host
}

func (s *Server) trusted(ip string) bool {
	p := net.ParseIP(ip)
	if p == nil {
		return false
	}
	for _, n := range s.cfg.TrustedProxies {
		if n.Contains(p) {
			return true
		}
	}
	return false
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/",
		HttpOnly: true, Secure: s.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode,
	}
	if maxAge > 0 {
		c.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(w, c)
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode,
	})
}

// statusRecorder remembers the status for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer (flush, deadlines).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
