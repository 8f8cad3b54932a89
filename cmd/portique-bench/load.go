package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	n, errs int64
	bytes   int64
	elapsed time.Duration
	lat     []time.Duration // a sample of latencies
	cpu     time.Duration   // CPU time the server used during the load
}

func (r result) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

// perRequest is the server's CPU time per request: on a machine shared
// with other work (or with the load generator, which needs about as much
// CPU as the server), it tells what the server itself costs.
func (r result) perRequest() time.Duration { return r.cpu / time.Duration(max(r.n, 1)) }

// quantile of the sampled latencies.
func (r result) quantile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	l := append([]time.Duration(nil), r.lat...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l[int(q*float64(len(l)-1))]
}

func (r result) summary() string {
	return fmt.Sprintf("%d req, %d errors, %d B/page, p50 %s, p99 %s", r.n, r.errs, r.bytes/max(r.n, 1),
		r.quantile(0.5).Round(10*time.Microsecond), r.quantile(0.99).Round(10*time.Microsecond))
}

// rawGet is the bytes of a keep-alive GET of url (path and query as is).
func rawGet(u *neturl.URL, cookie string) []byte {
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUser-Agent: portique-bench\r\nAccept: text/html\r\n"
	if cookie != "" {
		req += "Cookie: " + cookie + "\r\n"
	}
	return []byte(req + "\r\n")
}

// load sends GET url from clients keep-alive connections until the
// duration ends or maxReq requests were sent, and measures the CPU time
// process pid used meanwhile.
func load(url, cookie string, clients int, duration time.Duration, maxReq int64, pid int) (result, error) {
	if st, err := status(url, cookie); err != nil || st != http.StatusOK {
		return result{}, fmt.Errorf("GET %s = %d, %v", url, st, err)
	}
	u, err := neturl.Parse(url)
	if err != nil {
		return result{}, err
	}
	return loadRaw(u.Host, [][]byte{rawGet(u, cookie)}, clients, duration, maxReq, pid)
}

// loadRaw runs clients goroutines, each with its own keep-alive connection
// to host, sending the requests of reqs in turn (request k is reqs[k mod
// len]) until the duration ends or maxReq requests were sent.
func loadRaw(host string, reqs [][]byte, clients int, duration time.Duration, maxReq int64, pid int) (result, error) {
	var sent, n, errs, nbytes atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var wg sync.WaitGroup
	cpu0, err := cpuTime(pid)
	if err != nil {
		return result{}, err
	}
	t0 := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A lean HTTP/1.1 keep-alive client: one connection, the request
			// bytes written as is, the response read with http.ReadResponse.
			// net/http's Client costs about as much CPU per request as the
			// server does, which on two shared cores halves what is measured.
			var mine []time.Duration
			var conn net.Conn
			var br *bufio.Reader
			defer func() {
				if conn != nil {
					conn.Close()
				}
			}()
			for i := 0; ctx.Err() == nil; i++ {
				k := sent.Add(1) - 1
				if k >= maxReq {
					break
				}
				raw := reqs[k%int64(len(reqs))]
				if conn == nil {
					c, err := net.DialTimeout("tcp", host, 5*time.Second)
					if err != nil {
						errs.Add(1)
						time.Sleep(10 * time.Millisecond)
						continue
					}
					conn, br = c, bufio.NewReaderSize(c, 32<<10)
				}
				s := time.Now()
				conn.SetDeadline(s.Add(10 * time.Second)) //nolint:errcheck
				if _, err := conn.Write(raw); err != nil {
					errs.Add(1)
					conn.Close()
					conn = nil
					continue
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					errs.Add(1)
					conn.Close()
					conn = nil
					continue
				}
				b, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					errs.Add(1)
					if err != nil || resp.Close {
						conn.Close()
						conn = nil
					}
					continue
				}
				if resp.Close {
					conn.Close()
					conn = nil
				}
				n.Add(1)
				nbytes.Add(b)
				if i%8 == 0 {
					mine = append(mine, time.Since(s))
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	cpu1, err := cpuTime(pid)
	if err != nil {
		return result{}, err
	}
	return result{n: n.Load(), errs: errs.Load(), bytes: nbytes.Load(), elapsed: elapsed, lat: lat, cpu: cpu1 - cpu0}, nil
}

// fetch GETs url and returns its body and content type (200 only).
func fetch(url, cookie string) ([]byte, string, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s = %d", url, resp.StatusCode)
	}
	return b, resp.Header.Get("Content-Type"), err
}

func status(url, cookie string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck
	resp.Body.Close()
	return resp.StatusCode, nil
}

// cpuTime is the user + system CPU time of a process (/proc/PID/stat,
// fields 14 and 15, in clock ticks of 1/100 s on Linux).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: split after its ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("bad /proc stat")
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// vmRSS reads the resident memory of a process from /proc.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v) // "12345 kB"
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}
