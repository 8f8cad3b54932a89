package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portique/internal/dbtest"
	"portique/internal/users"
)

// EnvChromium names a variable holding the Chromium executable to use
// instead of /usr/bin/chromium.
const EnvChromium = "PORTIQUE_CHROMIUM"

// Timeout bounds everything one browser does in a test, so a page that
// never loads fails the test instead of hanging the suite.
var Timeout = 3 * time.Minute

// ChromiumPath returns the Chromium executable, or "" when none is installed.
func ChromiumPath() string {
	if p := os.Getenv(EnvChromium); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// RequireChromium skips (or fails in CI) when Chromium is missing.
func RequireChromium(t testing.TB) string {
	t.Helper()
	p := ChromiumPath()
	if p == "" {
		dbtest.SkipOrFail(t, "browsertest: Chromium not found; install it (`apt-get install chromium`) or set %s to run the browser tests", EnvChromium)
	}
	return p
}

// Browser returns the context of a new tab for the test, in a browser
// context of its own (like a private window: no cookie, storage or cache
// shared with other tests). The tab lives in one headless Chromium shared by
// the tests of the package (started on first use, with a fresh profile
// directory; it dies with the test binary), because starting Chromium costs
// more than most tests. The tab is closed when the test ends. JavaScript
// errors and console errors are logged with the test's output if it fails.
func (s *Site) Browser(t testing.TB) context.Context {
	t.Helper()
	bctx, err := sharedBrowser(t)
	if err != nil {
		t.Fatalf("browsertest: start Chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(bctx, Timeout)
	ctx, cancelTab := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext())
	jsLog := &jsErrors{}
	err = chromedp.Do(ctx)
	if err == nil {
		err = chromedp.Listen(ctx, jsLog.listen)
	}
	if err != nil {
		cancelTab()
		cancelTimeout()
		t.Fatalf("browsertest: open a tab: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if msgs := jsLog.String(); msgs != "" {
				t.Logf("browser console errors:\n%s", msgs)
			}
		}
		cancelTab()
		cancelTimeout()
	})
	return ctx
}

var (
	browserMu  sync.Mutex
	browserCtx context.Context
)

// sharedBrowser starts Chromium once per test binary (again if it died).
func sharedBrowser(t testing.TB) (context.Context, error) {
	t.Helper()
	exe := RequireChromium(t)
	browserMu.Lock()
	defer browserMu.Unlock()
	if browserCtx != nil && browserCtx.Err() == nil {
		return browserCtx, nil
	}
	removeStaleProfiles()
	profile := filepath.Join(os.TempDir(), fmt.Sprintf("portique-chromium-%d-%d", os.Getpid(), time.Now().UnixNano()))
	if err := os.MkdirAll(profile, 0o700); err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.WindowSize(1280, 900),
	)
	// Not tied to a test: the browser outlives each test and is killed
	// with the test binary (chromedp sets the parent-death signal on Linux).
	actx, _ := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, _ := chromedp.NewContext(actx, chromedp.WithLogf(func(string, ...any) {}))
	if err := chromedp.Do(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", exe, err)
	}
	browserCtx = ctx
	return ctx, nil
}

// removeStaleProfiles deletes the profile directories of test binaries that
// have ended.
func removeStaleProfiles() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "portique-chromium-*"))
	for _, d := range dirs {
		var pid, n int64
		if _, err := fmt.Sscanf(filepath.Base(d), "portique-chromium-%d-%d", &pid, &n); err != nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
			continue // still running
		}
		os.RemoveAll(d)
	}
}

// jsErrors collects uncaught exceptions and console errors of a tab.
type jsErrors struct {
	mu   sync.Mutex
	msgs []string
}

func (j *jsErrors) listen(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
	case *page.EventJavascriptDialogOpening:
		// Left open, it blocks the page: say so when the test fails.
		msg = "dialog " + string(e.Type) + " opened: " + e.Message
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError && e.Type != runtime.ConsoleAPICalledTypeWarning {
			return
		}
		var parts []string
		for _, a := range e.Args {
			parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
		}
		msg = "console." + string(e.Type) + ": " + strings.Join(parts, " ")
	default:
		return
	}
	j.mu.Lock()
	j.msgs = append(j.msgs, msg)
	j.mu.Unlock()
}

func (j *jsErrors) String() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return strings.Join(j.msgs, "\n")
}

// Run runs chromedp actions and fails the test on error.
func Run(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("browser: %s (at %s): %v", what, loc, err)
	}
}

// Press types keys as a keyboard does: for each key a rawKeyDown, then its
// character, then keyUp. chromedp.KeyEvent sends a "keyDown" instead, and
// after it Chromium does not drop the character when the key's own action
// has already run: Enter on an error summary's link moves the focus to the
// field, then the "\r" reaches the field and sends the form again (the page
// "reloads"), which no keyboard does. Use Press for Enter on links.
func Press(keys string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range keys {
			for _, k := range kb.Encode(r) {
				if k.Type == kb.KeyDown {
					k.Type = kb.KeyRawDown
				}
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *k); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Get runs one chromedp action that returns a value and fails the test on
// error.
func Get[T any](t testing.TB, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("browser: %s (at %s): %v", what, loc, err)
	}
	return v
}

// Go navigates to a path of the site (or a full URL) and waits for the page
// to load. It returns the HTTP status of the main document.
func (s *Site) Go(t testing.TB, ctx context.Context, path string) int {
	t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = s.URL + path
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(u))
	if err != nil {
		t.Fatalf("browser: open %s: %v", u, err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Submit clicks a submit button (or any element) that navigates, and waits
// for the new page; it returns the HTTP status of the page reached.
func Submit(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("browser: click %s: %v", sel, err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Fill types a value into the field matched by a CSS selector, replacing
// what was there.
func Fill(t testing.TB, ctx context.Context, sel, value string) {
	t.Helper()
	Run(t, ctx, "fill "+sel,
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = ""; return true })()`, sel))(ctx, tg)
			return err
		}),
		chromedp.SendKeys(chromedp.CSS(sel), value))
}

// Text returns the visible text of the first element matched by sel.
func Text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(Get(t, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// Eval evaluates a JavaScript expression in the page (awaiting it when it
// is a promise) and returns its value.
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	return Get(t, ctx, "evaluate "+expr, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// Until polls a JavaScript condition until it holds, as a person waits for
// a page to appear: the page may be navigating meanwhile (an evaluation that
// fails then is tried again), which chromedp's own waits do not always
// survive. It fails the test after a minute with where the tab is and which
// element has the focus.
func Until(t testing.TB, ctx context.Context, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var lastErr error
	for time.Now().Before(deadline) && ctx.Err() == nil {
		// One evaluation may block (a dialog, a page being torn down):
		// bound it and try again.
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(pctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	state, _ := chromedp.Run(sctx, chromedp.Evaluate[string](`location.pathname + location.search + " (focus: " + (document.activeElement ? document.activeElement.tagName + "#" + document.activeElement.id + "." + document.activeElement.className : "none") + ")"`))
	t.Fatalf("browser: %s: %s never held (at %s; last error: %v)", what, cond, state, lastErr)
}

// Location returns the current path (with query) of the tab.
func Location(t testing.TB, ctx context.Context) string {
	t.Helper()
	return Eval[string](t, ctx, "location.pathname + location.search")
}

// Exists reports whether sel matches an element now (no waiting).
func Exists(t testing.TB, ctx context.Context, sel string) bool {
	t.Helper()
	return Eval[bool](t, ctx, fmt.Sprintf("document.querySelector(%q) !== null", sel))
}

// LoginAs gives the browser a live session of the account, as the login
// form would (the login flow itself is tested on its own; other tests use
// this shortcut). The browser must have opened a page of the site first or
// not: the cookie is set for the site's host either way.
func (s *Site) LoginAs(t testing.TB, ctx context.Context, userID int64) {
	t.Helper()
	cfg := s.Config(t)
	ses := &users.Sessions{DB: s.DB, Now: time.Now, Idle: cfg.SessionIdle, Max: cfg.SessionMax}
	token, err := ses.Create(context.Background(), userID, "127.0.0.1", "browsertest")
	if err != nil {
		t.Fatalf("browsertest: create session: %v", err)
	}
	httpOnly := true
	_, err = chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
		Name: SessionCookie, Value: token, URL: s.URL + "/", Path: "/", HTTPOnly: &httpOnly,
		SameSite: network.CookieSameSiteLax,
	})
	if err != nil {
		t.Fatalf("browsertest: set session cookie: %v", err)
	}
}

// SessionCookie is the name of the session cookie over plain HTTP (the
// harness never serves TLS; with TLS the name gets the __Host- prefix).
const SessionCookie = "portique"

func clickCSS(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
