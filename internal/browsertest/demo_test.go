package browsertest

import (
	"net/http"
	"testing"
)

// The demo site (make run) starts, prints its accounts, and a demo member
// logs in through the real form with the printed password.
func TestDemoMemberLogsIn(t *testing.T) {
	site := Start(t, Options{Demo: true})
	_, email, password := site.DemoAccount(t, "Techniciens")
	ctx := site.Browser(t)
	site.Go(t, ctx, "/")
	AssertAccessible(t, ctx)
	if st := site.Login(t, ctx, email, password); st != http.StatusOK {
		t.Fatalf("demo login: status %d, want 200", st)
	}
	if !LoggedIn(t, ctx) {
		t.Fatalf("the demo technician is not logged in: %s", Text(t, ctx, "main"))
	}
	AssertAccessible(t, ctx)
}
