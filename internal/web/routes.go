package web

import (
	"net/http"
)

// guard says who may reach a route at all; finer decisions (which page,
// which folder) are taken by the handler through the access package.
type guard int

const (
	public guard = iota // anyone, anonymous included
	// shielded: anyone, but what an anonymous visitor does not find there
	// may be private: they are sent to /connexion whether it exists or not,
	// so ids cannot be probed (the document space).
	shielded
	member // a logged-in account; anonymous visitors are sent to /connexion
	admin  // an administrator; others get 403
)

// route is one line of the route table: a Go 1.22 ServeMux pattern with its
// method, a guard and a handler.
type route struct {
	pattern string
	guard   guard
	handler handlerFunc
}

// routes is THE table of every route of the site. Each area keeps its lines
// in its own file (routes_<area>.go) so the areas can grow independently;
// this function is where they are all assembled.
func (s *Server) routes() []route {
	var rs []route
	rs = append(rs, s.coreRoutes()...)
	rs = append(rs, s.accountRoutes()...)
	rs = append(rs, s.twofaRoutes()...)
	rs = append(rs, s.adminRoutes()...)
	rs = append(rs, s.calendarRoutes()...)
	rs = append(rs, s.documentRoutes()...)
	rs = append(rs, s.guideRoutes()...)
	rs = append(rs, s.centreRoutes()...)
	rs = append(rs, s.actsRoutes()...)
	rs = append(rs, s.collecteRoutes()...)
	rs = append(rs, s.notifyRoutes()...)
	rs = append(rs, s.contactRoutes()...)
	rs = append(rs, s.siteRoutes()...)
	rs = append(rs, s.newsRoutes()...)
	rs = append(rs, s.menuRoutes()...)
	rs = append(rs, s.pageRoutes()...) // last: holds the catch-all page tree route
	return rs
}

// coreRoutes are the operational routes.
func (s *Server) coreRoutes() []route {
	return []route{
		{"GET /healthz", public, s.healthz},
		{"GET /metrics", public, s.metricsHandler}, // loopback and trusted proxies only
		{"GET /static/", public, s.serveStatic},
		{"GET /favicon.ico", public, s.favicon},
		{"POST /session/prolonger", member, s.sessionExtend},
		{"/", public, s.notFound}, // every other path and method: French 404
	}
}

// buildHandler mounts the route table behind the middleware chain.
func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.wrap(rt.guard, rt.handler))
	}
	return s.middleware(mux)
}
