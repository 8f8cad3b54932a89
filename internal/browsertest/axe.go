package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"portique/internal/dbtest"
)

// WCAGTags are the axe-core rule tags checked: WCAG 2.0 and 2.1, levels A
// and AA (the RGAA 4 reference level), and axe's best practices (landmarks
// with distinct names, heading order, every content in a landmark…), which
// an RGAA audit reports too.
var WCAGTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript reads axe-core from node_modules (installed by `npm ci`; it is a
// test-only devDependency, never embedded in the binary).
func axeScript(t testing.TB) string {
	t.Helper()
	root := RepoRoot(t)
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
		axeSource = string(b)
	})
	if axeErr != nil {
		dbtest.SkipOrFail(t, "browsertest: axe-core not installed (%v); run `npm ci` at the repository root to run the accessibility checks", axeErr)
	}
	return axeSource
}

// axeResult is the part of axe.run's result we report.
type axeResult struct {
	Violations []struct {
		ID      string   `json:"id"`
		Impact  string   `json:"impact"`
		Help    string   `json:"help"`
		HelpURL string   `json:"helpUrl"`
		Tags    []string `json:"tags"`
		Nodes   []struct {
			Target         []any  `json:"target"`
			HTML           string `json:"html"`
			FailureSummary string `json:"failureSummary"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes     []struct{ ID string } `json:"passes"`
	Incomplete []struct{ ID string } `json:"incomplete"`
}

// AssertAccessible runs axe-core on the page open in the tab and fails the
// test on every violation of WCAG 2.0/2.1 A and AA, listing each rule, its
// help text and the offending nodes.
func AssertAccessible(t testing.TB, ctx context.Context) {
	t.Helper()
	res := runAxe(t, ctx)
	if len(res.Passes) == 0 {
		t.Fatalf("axe-core passed no rule at all: the page is empty or axe did not run")
	}
	if len(res.Violations) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "axe-core: %d WCAG 2.1 A/AA or best-practice violation(s) on %s:\n", len(res.Violations), Location(t, ctx))
	for _, v := range res.Violations {
		fmt.Fprintf(&b, "- %s (%s): %s\n  %s\n", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "    at %v: %s\n      %s\n", n.Target, n.HTML, strings.ReplaceAll(n.FailureSummary, "\n", "\n      "))
		}
	}
	t.Error(b.String())
}

func runAxe(t testing.TB, ctx context.Context) axeResult {
	t.Helper()
	src := axeScript(t)
	// Runtime.evaluate from DevTools is not subject to the page's CSP, so
	// the site keeps its strict script-src while the test injects axe.
	present := Get(t, ctx, "inject axe-core", chromedp.Evaluate[bool](src+";\ntypeof axe === 'object'"))
	if !present {
		t.Fatal("axe-core did not load in the page")
	}
	tags, _ := json.Marshal(WCAGTags)
	script := fmt.Sprintf(`axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]})
		.then(r => JSON.stringify({violations: r.violations, passes: r.passes.map(p => ({id: p.id})), incomplete: r.incomplete.map(p => ({id: p.id}))}))`, tags)
	raw := Eval[string](t, ctx, script)
	var res axeResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatalf("axe-core result: %v", err)
	}
	return res
}
