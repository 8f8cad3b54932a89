package centres

import (
	"context"
	_ "embed"
	"fmt"

	"portique/internal/access"
)

// demoCentres are the demo syndicate's recycling centres and drop-off
// points (places and numbers made up for the demo).
//
//go:embed demo/centres.csv
var demoCentres []byte

// demoPoints are the guide items each demo drop-off point takes (by a word
// of its slug); every demo recycling centre takes the items whose stream is
// the recycling centre, and the hazardous small items.
var demoPoints = map[string][]string{
	"point-textile":   {"vetements", "chaussures", "linge-de-maison", "sac-a-main"},
	"borne-a-piles":   {"pile", "batterie-de-telephone", "ampoule-basse-consommation"},
	"colonne-a-verre": {"bouteille-en-verre", "pot-en-verre", "pot-de-bebe-en-verre", "flacon-de-parfum", "bocal-a-steriliser", "pot-de-miel-en-verre"},
}

// SeedDemo fills an empty directory with the demo centres, links them to
// the demo guide's items and lets the group editors (0: none) edit it. It
// does nothing when the directory already has centres.
func (s *Store) SeedDemo(ctx context.Context, editors int64) error {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM centres").Scan(&n); err != nil {
		return fmt.Errorf("centres: seed: %w", err)
	}
	if n > 0 {
		return nil
	}
	if pl, err := s.Import(ctx, access.System(), demoCentres); err != nil {
		if pl != nil && len(pl.Errors) > 0 {
			return fmt.Errorf("centres: seed: %v", pl.Errors)
		}
		return fmt.Errorf("centres: seed: %w", err)
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO centre_items (centre_id, item_id)
		SELECT c.id, i.id FROM centres c, guide_items i
		WHERE c.kind = 'decheterie' AND (i.stream = 'decheterie' OR i.slug IN ('pile', 'batterie-de-telephone',
			'ampoule-basse-consommation', 'cartouche-d-encre', 'radiographie', 'telephone-portable'))
		AND NOT (c.slug = 'decheterie-de-chabeuil' AND i.slug IN ('gravats', 'amiante', 'platre', 'sanitaires'))
		AND NOT (c.slug <> 'decheterie-de-portes-les-valence' AND i.slug = 'amiante')`); err != nil {
		return fmt.Errorf("centres: seed items: %w", err)
	}
	for prefix, items := range demoPoints {
		for _, it := range items {
			if _, err := s.db.Exec(ctx, `INSERT INTO centre_items (centre_id, item_id)
				SELECT c.id, i.id FROM centres c, guide_items i WHERE c.slug LIKE ? AND i.slug = ?`, prefix+"%", it); err != nil {
				return fmt.Errorf("centres: seed items: %w", err)
			}
		}
	}
	if editors == 0 {
		return nil
	}
	return s.SetGrants(ctx, access.System(), []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: editors, Level: access.Edit}})
}
