package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The floor is what serving a page cannot cost less than in Go: a plain
// net/http handler writing the very bytes of the page, kept in memory. It
// runs in a process of its own (this program again, with -floor-serve), so
// its CPU time is measured from /proc exactly as the server's is.

// floorPage is one page the floor serves.
type floorPage struct {
	Path  string `json:"path"` // path and query, as requested
	CType string `json:"ctype"`
	Body  []byte `json:"body"`
}

// floorServe is the floor process: it loads the pages of file, listens on
// a loopback port, prints the address on its first line of output and
// serves until killed.
func floorServe(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var list []floorPage
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	pages := make(map[string]floorPage, len(list))
	for _, p := range list {
		pages[p.Path] = p
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", p.CType)
		w.Header().Set("Content-Length", strconv.Itoa(len(p.Body)))
		w.Write(p.Body) //nolint:errcheck // the client went away
	}))
}

// floor is the running floor process.
type floor struct {
	cmd *exec.Cmd
	url string
}

// startFloor writes pages to dir and starts the floor process on them.
func startFloor(dir string, pages []floorPage) (*floor, error) {
	b, err := json.Marshal(pages)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "floor.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-floor-serve", file)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case a := <-addr:
		if a == "" {
			cmd.Process.Kill() //nolint:errcheck
			cmd.Wait()         //nolint:errcheck
			return nil, fmt.Errorf("the floor server did not start")
		}
		return &floor{cmd: cmd, url: "http://" + a}, nil
	case <-time.After(10 * time.Second):
		cmd.Process.Kill() //nolint:errcheck
		cmd.Wait()         //nolint:errcheck
		return nil, fmt.Errorf("the floor server did not start in 10 s")
	}
}

func (f *floor) stop() {
	f.cmd.Process.Kill() //nolint:errcheck
	f.cmd.Wait()         //nolint:errcheck
}
