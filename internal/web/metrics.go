package web

import (
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"portique/internal/access"
)

// metrics counts requests by status class; /metrics exposes them with the
// Go runtime's memory figures in the Prometheus text format. It answers only
// to the machine itself (loopback) and to trusted proxies' peers, so request
// volumes are not public.
type metrics struct {
	started  time.Time
	byClass  [6]atomic.Int64 // index 1..5 = 1xx..5xx
	duration atomic.Int64    // total nanoseconds
}

func (m *metrics) observe(status int, d time.Duration) {
	if c := status / 100; c >= 1 && c <= 5 {
		m.byClass[c].Add(1)
	}
	m.duration.Add(int64(d))
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) error {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip == nil || !(ip.IsLoopback() || s.trusted(host)) {
		return access.ErrForbidden
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "# HELP portique_http_requests_total HTTP requests by status class.")
	fmt.Fprintln(w, "# TYPE portique_http_requests_total counter")
	var total int64
	for c := 1; c <= 5; c++ {
		n := s.metrics.byClass[c].Load()
		total += n
		fmt.Fprintf(w, "portique_http_requests_total{class=\"%dxx\"} %d\n", c, n)
	}
	fmt.Fprintln(w, "# HELP portique_http_request_seconds_total Time spent serving requests.")
	fmt.Fprintln(w, "# TYPE portique_http_request_seconds_total counter")
	fmt.Fprintf(w, "portique_http_request_seconds_total %g\n", time.Duration(s.metrics.duration.Load()).Seconds())
	fmt.Fprintln(w, "# TYPE portique_uptime_seconds gauge")
	fmt.Fprintf(w, "portique_uptime_seconds %g\n", s.now().Sub(s.metrics.started).Seconds())
	fmt.Fprintln(w, "# TYPE go_memstats_heap_inuse_bytes gauge")
	fmt.Fprintf(w, "go_memstats_heap_inuse_bytes %d\n", ms.HeapInuse)
	fmt.Fprintln(w, "# TYPE go_memstats_sys_bytes gauge")
	fmt.Fprintf(w, "go_memstats_sys_bytes %d\n", ms.Sys)
	fmt.Fprintln(w, "# TYPE go_goroutines gauge")
	fmt.Fprintf(w, "go_goroutines %d\n", runtime.NumGoroutine())
	return nil
}
