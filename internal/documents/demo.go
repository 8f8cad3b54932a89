package documents

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"time"

	"portique/internal/access"
)

// The demo documents are fictional documents of the fictional syndicate
// SYDRAV, written for Portique (the shared test corpus).
//
//go:embed demo/*.pdf
var demoFS embed.FS

// Demo group names SeedDemo looks up in its groups map.
const (
	DemoElus        = "Élus"
	DemoTechniciens = "Techniciens"
	DemoStagiaires  = "Stagiaires"
)

// SeedDemo creates the demo folders, their grants and French documents, some
// published more than three months before now so the archive is populated.
// groups maps demo group names (DemoElus…) to ids; a missing group simply gets
// no grant. It does nothing when folders already exist. The extraction jobs
// it queues are run by the server's job runner.
func SeedDemo(ctx context.Context, s *Store, now time.Time, groups map[string]int64) error {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM folders").Scan(&n); err != nil {
		return fmt.Errorf("documents: demo: %w", err)
	}
	if n > 0 {
		return nil
	}
	admin := access.System()
	grants := func(list ...any) []access.Grant {
		var out []access.Grant
		for i := 0; i+1 < len(list); i += 2 {
			var gid int64
			switch g := list[i].(type) {
			case int64:
				gid = g
			case string:
				var ok bool
				if gid, ok = groups[g]; !ok {
					continue
				}
			}
			out = append(out, access.Grant{GroupID: gid, Level: list[i+1].(access.Level)})
		}
		if out == nil {
			out = []access.Grant{}
		}
		return out
	}
	type folderSpec struct {
		path   []string
		grants []access.Grant // nil: inherit
	}
	folders := []folderSpec{
		{[]string{"Instances"}, grants(DemoElus, access.View, DemoTechniciens, access.View)},
		{[]string{"Instances", "Comité syndical"}, nil},
		{[]string{"Instances", "Délibérations"}, grants(access.Everyone, access.View, DemoElus, access.Edit)},
		{[]string{"Instances", "Arrêtés"}, nil},
		{[]string{"Rapports"}, grants(access.Everyone, access.View)},
		{[]string{"Technique"}, grants(DemoElus, access.View, DemoTechniciens, access.Edit)},
		{[]string{"Formation"}, grants(DemoStagiaires, access.View, DemoTechniciens, access.Edit)},
		{[]string{"Public"}, grants(access.Everyone, access.View, DemoTechniciens, access.Edit)},
		{[]string{"Public", "Guides"}, nil},
		{[]string{"Public", "Collectes"}, nil},
	}
	ids := map[string]int64{}
	for _, f := range folders {
		parent := int64(0)
		key := f.path[0]
		if len(f.path) == 2 {
			parent = ids[f.path[0]]
			key = f.path[0] + "/" + f.path[1]
		}
		id, err := s.CreateFolder(ctx, admin, parent, f.path[len(f.path)-1])
		if err != nil {
			return fmt.Errorf("documents: demo folder %s: %w", key, err)
		}
		if f.grants != nil {
			if err := s.SetFolderGrants(ctx, admin, id, f.grants, false); err != nil {
				return err
			}
		}
		ids[key] = id
	}
	daysAgo := func(n int) string { return now.AddDate(0, 0, -n).Format(time.DateOnly) }
	docs := []struct {
		file, folder, title, published string
		pinned                         bool
	}{
		{"guide-du-tri-2026.pdf", "Public/Guides", "Guide du tri 2026 — Où jeter quoi ?", "2026-01-15", true},
		{"planning-collectes-2026.pdf", "Public/Collectes", "Planning des collectes 2026", daysAgo(10), false},
		{"deliberation-2026-031.pdf", "Instances/Délibérations", "Délibération n° 2026-031 — Accord-cadre déchets verts", daysAgo(12), false},
		{"deliberation-2026-014.pdf", "Instances/Délibérations", "Délibération n° 2026-014 — Adoption du PLPDMA 2026-2031", "2026-02-16", false},
		{"rpqs-2025.pdf", "Rapports", "Rapport annuel sur le prix et la qualité du service (RPQS) 2025", daysAgo(30), false},
		{"cr-comite-syndical-2026-02-10.pdf", "Instances/Comité syndical", "Compte rendu du comité syndical du 10 février 2026", daysAgo(7), false},
		{"cr-comite-syndical-2025-10-14.pdf", "Instances/Comité syndical", "Compte rendu du comité syndical du 14 octobre 2025", "2025-10-21", false},
		{"arrete-2025-A-027-scan.pdf", "Instances/Arrêtés", "Arrêté n° 2025-A-027 portant délégation de signature", "2025-11-04", false},
		{"note-technique-modernisation-decheteries.pdf", "Technique", "Note technique : plan de modernisation des déchèteries 2026-2029", daysAgo(20), false},
		{"convention-formation-stagiaires.pdf", "Formation", "Convention de formation des stagiaires — modèle 2026", daysAgo(45), false},
	}
	for _, x := range docs {
		b, err := demoFS.ReadFile("demo/" + x.file)
		if err != nil {
			return err
		}
		doc, err := s.Upload(ctx, admin, UploadInput{FolderID: ids[x.folder], Filename: x.file, Title: x.title, PublishedOn: x.published, Body: bytes.NewReader(b)})
		if err != nil {
			return fmt.Errorf("documents: demo %s: %w", x.file, err)
		}
		if x.pinned {
			if err := s.SetPinned(ctx, admin, doc.ID, true); err != nil {
				return err
			}
		}
	}
	return nil
}
