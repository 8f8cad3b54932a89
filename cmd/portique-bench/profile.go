package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"portique/internal/app"
)

// profile runs the server in this process (the real program, app.Run, on
// SQLite with the demo data), loads one page and writes a CPU profile of the
// whole process (server and load generator; look at the portique/internal
// frames): go tool pprof -top -cum PROFILE.
func profile(out, path string, clients int, duration time.Duration, maxReq int64, private bool, crawl, misses int) error {
	dir, err := os.MkdirTemp("", "portique-profile-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	devnull, _ := os.Open(os.DevNull)
	go func() {
		done <- app.Run(ctx, app.Env{
			Args:   []string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--demo=true"},
			Getenv: func(string) string { return "" },
			Stdout: devnull, Stderr: devnull,
			Ready: func(a string) { ready <- a },
		})
	}()
	var url string
	select {
	case a := <-ready:
		url = "http://" + a
	case err := <-done:
		return err
	}
	cookie := ""
	if private {
		if cookie, err = session(dir); err != nil {
			return err
		}
	}
	if st, err := status(url+path, cookie); err != nil || st != http.StatusOK {
		return fmt.Errorf("GET %s = %d, %v", path, st, err)
	}
	if _, err := settle(os.Getpid(), time.Minute); err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	var res result
	switch {
	case crawl > 0:
		res, err = crawlAgenda(url, crawl, clients, os.Getpid())
	case misses > 0:
		res, err = crawlPaths(url, missPaths(path, misses), clients, os.Getpid())
	default:
		res, err = load(url+path, cookie, clients, duration, maxReq, os.Getpid())
	}
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	fmt.Printf("%s: %s, %.0f req/s (server and load generator in one process)\nprofile written to %s\n", path, res.summary(), res.rate(), out)
	if hp := os.Getenv("PORTIQUE_BENCH_HEAP"); hp != "" {
		runtime.GC()
		h, err := os.Create(hp)
		if err != nil {
			return err
		}
		defer h.Close()
		return pprof.WriteHeapProfile(h)
	}
	return nil
}
