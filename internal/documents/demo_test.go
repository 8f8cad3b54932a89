package documents_test

import (
	"testing"

	"portique/internal/access"
	"portique/internal/documents"
)

func TestSeedDemo(t *testing.T) {
	e := newEnv(t)
	groups := map[string]int64{documents.DemoElus: e.group("Élus"), documents.DemoTechniciens: e.group("Techniciens"), documents.DemoStagiaires: e.group("Stagiaires")}
	must(t, documents.SeedDemo(e.ctx, e.s, e.clock.Now(), groups))
	must(t, documents.SeedDemo(e.ctx, e.s, e.clock.Now(), groups)) // idempotent
	cur, nCur, err := e.s.List(e.ctx, e.admin, documents.ListQuery{})
	must(t, err)
	_, nArch, err := e.s.List(e.ctx, e.admin, documents.ListQuery{Archived: true})
	must(t, err)
	if nCur == 0 || nArch == 0 || nCur+nArch != 10 {
		t.Fatalf("demo: %d current, %d archived; want both populated, 10 in all", nCur, nArch)
	}
	_ = cur
	// Residents see the public folders only; interns see Formation.
	pub, _, _ := e.s.List(e.ctx, access.Anonymous(), documents.ListQuery{})
	for _, d := range pub {
		if d.FolderName != "Guides" && d.FolderName != "Collectes" && d.FolderName != "Délibérations" && d.FolderName != "Rapports" {
			t.Errorf("anonymous sees %q in %q", d.Title, d.FolderName)
		}
	}
	stag := e.user("stagiaire@sydrav.fr", false, groups[documents.DemoStagiaires])
	form, err := e.s.FolderByPath(e.ctx, "Formation")
	must(t, err)
	if list, _, _ := e.s.List(e.ctx, stag, documents.ListQuery{FolderID: form}); len(list) != 1 {
		t.Errorf("intern sees %d documents in Formation, want 1", len(list))
	}
	e.runJobs()
	scan, _, _ := e.s.List(e.ctx, e.admin, documents.ListQuery{Archived: true, Sort: "name"})
	found := false
	for _, d := range scan {
		if d.Filename == "arrete-2025-A-027-scan.pdf" {
			found = d.TextStatus == documents.TextNone
		}
	}
	if !found {
		t.Error("the scanned decree is not marked as without text")
	}
}
