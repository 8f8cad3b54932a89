package pages

import (
	"context"
	"fmt"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// SeedBulk adds a large public tree for benchmarks and load tests: under the
// home page (created if missing), 10 sections, each with subs sub-sections
// of leaves published pages. It writes in one transaction, with plain
// inserts rather than the store's checks, so 5,000 pages take seconds; the
// rows are the same as the store writes. Pages are not indexed for search.
// It returns the number of pages in the tree and the path of a leaf in the
// middle of it.
func SeedBulk(ctx context.Context, d *db.DB, subs, leaves int) (int, string, error) {
	s := New(d, nil)
	home, err := s.CreateHome(ctx, access.System(), "Accueil")
	if err != nil {
		return 0, "", err
	}
	now := time.Now().UTC()
	blocks, _ := EncodeBlocks([]Block{
		{Type: BlockText, HTML: "<h2>Présentation</h2><p>Texte de la page, assez long pour ressembler à un vrai paragraphe de contenu, avec un <a href=\"/\">lien</a>.</p>"},
		{Type: BlockChildren},
	})
	count, target := 1, ""
	err = d.InTx(ctx, func(tx *db.Tx) error {
		add := func(parent int64, parentPath, slug string, pos int) (int64, string, error) {
			path := childPath(parentPath, slug)
			var id, rev int64
			if err := tx.QueryRow(ctx, `INSERT INTO pages (parent_id, slug, path, position, title, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, parent, slug, path, pos, "Page "+slug, now, now).Scan(&id); err != nil {
				return 0, "", err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO page_revisions (page_id, author_name, created_at, published_at, title, blocks)
				VALUES (?, '', ?, ?, ?, ?) RETURNING id`, id, now, now, "Page "+slug, blocks).Scan(&rev); err != nil {
				return 0, "", err
			}
			if _, err := tx.Exec(ctx, "UPDATE pages SET published_rev = ?, published_at = ? WHERE id = ?", rev, now, id); err != nil {
				return 0, "", err
			}
			count++
			return id, path, access.AddNode(ctx, tx, access.Page, id, parent)
		}
		for i := 0; i < 10; i++ {
			sec, secPath, err := add(home.ID, home.Path, fmt.Sprintf("section-%d", i), i+1)
			if err != nil {
				return err
			}
			for j := 0; j < subs; j++ {
				sub, subPath, err := add(sec, secPath, fmt.Sprintf("rubrique-%d", j), j+1)
				if err != nil {
					return err
				}
				for k := 0; k < leaves; k++ {
					_, p, err := add(sub, subPath, fmt.Sprintf("page-%d", k), k+1)
					if err != nil {
						return err
					}
					if i == 5 && j == subs/2 && k == leaves/2 {
						target = p
					}
				}
			}
		}
		return nil
	})
	return count, target, err
}
