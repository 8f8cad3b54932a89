package web

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

var (
	renderedMu sync.Mutex
	rendered   = map[string]bool{}
)

// TestMain fails the run when a page template was never rendered by any
// test (a template nobody renders is either dead or untested). It only
// checks full runs: a -run filter skips the check.
func TestMain(m *testing.M) {
	renderHook = func(name string) {
		renderedMu.Lock()
		rendered[name] = true
		renderedMu.Unlock()
	}
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		files, err := fs.Glob(templateFS, "templates/pages/*.html")
		if err != nil {
			panic(err)
		}
		var missing []string
		for _, f := range files {
			name := strings.TrimSuffix(f[len("templates/pages/"):], ".html")
			if !rendered[name] {
				missing = append(missing, name)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: templates never rendered by a test: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}
