package pages_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/pages"
)

// bulkSite builds, in one transaction, a public site of 10 sections under
// the home page, each with subs sub-pages holding leaves pages each, and
// returns the path of a leaf page. SQL is used directly (not the store) so a
// 5,000-page fixture takes seconds, but the rows are those the store writes.
func bulkSite(b *testing.B, subs, leaves int) (*pages.Store, string, int) {
	b.Helper()
	d := dbtest.NewDB(b)
	ctx := context.Background()
	s := pages.New(d, nil)
	home, err := s.CreateHome(ctx, "Accueil", 0, "")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	blocks, _ := pages.EncodeBlocks([]pages.Block{{Type: pages.BlockText, HTML: "<p>Texte de la page, assez long pour ressembler à un vrai paragraphe de contenu.</p>"}, {Type: pages.BlockChildren}})
	count := 1
	var target string
	err = d.InTx(ctx, func(tx *db.Tx) error {
		add := func(parent int64, parentPath, slug string, pos int) (int64, string, error) {
			path := parentPath + "/" + slug
			if parentPath == "/" {
				path = "/" + slug
			}
			var id, rev int64
			if err := tx.QueryRow(ctx, `INSERT INTO pages (parent_id, slug, path, position, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				parent, slug, path, pos, "Page "+slug, now, now).Scan(&id); err != nil {
				return 0, "", err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO page_revisions (page_id, author_name, created_at, published_at, title, blocks) VALUES (?, '', ?, ?, ?, ?) RETURNING id`,
				id, now, now, "Page "+slug, blocks).Scan(&rev); err != nil {
				return 0, "", err
			}
			if _, err := tx.Exec(ctx, "UPDATE pages SET published_rev = ?, published_at = ? WHERE id = ?", rev, now, id); err != nil {
				return 0, "", err
			}
			count++
			return id, path, access.AddNode(ctx, tx, access.Page, id, parent)
		}
		for i := 0; i < 10; i++ {
			sec, secPath, err := add(home.ID, "/", fmt.Sprintf("section-%d", i), i)
			if err != nil {
				return err
			}
			for j := 0; j < subs; j++ {
				sub, subPath, err := add(sec, secPath, fmt.Sprintf("rubrique-%d", j), j)
				if err != nil {
					return err
				}
				for k := 0; k < leaves; k++ {
					_, p, err := add(sub, subPath, fmt.Sprintf("page-%d", k), k)
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
	if err != nil {
		b.Fatal(err)
	}
	return s, target, count
}

// render does what the page handler asks of the store for one page view.
func render(ctx context.Context, b *testing.B, s *pages.Store, p access.Principal, path string) {
	v, err := s.Show(ctx, p, path, false)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.MainMenu(ctx, p); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Breadcrumb(ctx, p, v.Page); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Children(ctx, p, v.Page.ID); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkShowPage compares a page view in a 51-page and a 5,011-page
// tree, for a visitor and for a member of two groups.
func BenchmarkShowPage(b *testing.B) {
	for _, size := range []struct {
		name         string
		subs, leaves int
	}{{"pages=51", 2, 1}, {"pages=5011", 10, 49}} {
		s, target, n := bulkSite(b, size.subs, size.leaves)
		for _, who := range []struct {
			name string
			p    access.Principal
		}{{"visitor", access.Anonymous()}, {"member", access.Member(7, false, []int64{10, 11})}} {
			b.Run(fmt.Sprintf("%s/%s", size.name, who.name), func(b *testing.B) {
				ctx := context.Background()
				b.ReportMetric(float64(n), "pages")
				for b.Loop() {
					render(ctx, b, s, who.p, target)
				}
			})
		}
	}
}
