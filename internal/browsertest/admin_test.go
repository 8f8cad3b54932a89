package browsertest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Every administration page is accessible (axe-core, WCAG 2.1 A/AA),
// including a form re-rendered with errors; an administrator invites a
// person who sets a password through the emailed link and logs in.
func TestAdminPagesAndInvitation(t *testing.T) {
	site := Start(t, Options{})
	techs := site.CreateGroup(t, "Techniciens")
	adminID := site.CreateUser(t, "admin@example.fr", "Alex Admin", true)
	member := site.CreateUser(t, "tech@example.fr", "Camille Technicienne", false, techs)
	ctx := site.Browser(t)
	site.LoginAs(t, ctx, adminID)

	for _, path := range []string{
		"/admin",
		"/admin/utilisateurs",
		"/admin/utilisateurs/nouveau",
		fmt.Sprintf("/admin/utilisateurs/%d", member),
		fmt.Sprintf("/admin/utilisateurs/%d/supprimer", member),
		"/admin/groupes",
		fmt.Sprintf("/admin/groupes/%d", techs),
		fmt.Sprintf("/admin/groupes/%d/supprimer", techs),
		"/admin/journal",
		"/mon-compte",
	} {
		if st := site.Go(t, ctx, path); st != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", path, st)
		}
		AssertAccessible(t, ctx)
	}

	// A form sent empty comes back with its errors, accessibly.
	site.Go(t, ctx, "/admin/utilisateurs/nouveau")
	if st := Submit(t, ctx, `main form button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("empty account form: status %d, want 422", st)
	}
	AssertAccessible(t, ctx)

	// The administrator creates an account; the person gets an invitation.
	const email, pass = "stagiaire@example.fr", "un mot de passe de stagiaire"
	Fill(t, ctx, "#email", email)
	Fill(t, ctx, "#name", "Sacha Stagiaire")
	Run(t, ctx, "tick group", clickCSS(fmt.Sprintf("#group-%d", techs)))
	Submit(t, ctx, `main form button[type="submit"]`)
	inv := site.Mail.Wait(t, email, "", 0)
	link := inv.Link(t, "/invitation/")

	// The invited person, in a browser of their own.
	guest := site.Browser(t)
	if st := site.Go(t, guest, link); st != http.StatusOK {
		t.Fatalf("GET invitation link = %d", st)
	}
	AssertAccessible(t, guest)
	Fill(t, guest, "#password", pass)
	Fill(t, guest, "#confirm", pass)
	Submit(t, guest, `main form button[type="submit"]`)
	site.Login(t, guest, email, pass)
	if !LoggedIn(t, guest) {
		t.Fatalf("the invited person cannot log in: %s", Text(t, guest, "main"))
	}

	// A member who is not an administrator gets the French 403 page.
	if st := site.Go(t, guest, "/admin"); st != http.StatusForbidden {
		t.Fatalf("member on /admin: status %d, want 403", st)
	}
	if h1 := Text(t, guest, "h1"); !strings.Contains(strings.ToLower(h1), "accès") && !strings.Contains(strings.ToLower(h1), "interdit") {
		t.Errorf("403 heading = %q", h1)
	}
	AssertAccessible(t, guest)
}
