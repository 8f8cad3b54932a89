package pages

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/valid"
)

// News: a news item is a page of kind KindNews under a page of kind
// KindNewsIndex. It is edited, drafted, published, granted, searched and
// cached like any page; this file adds what is its own: the date (its
// PublishAt), the teaser, the picture with its alternative text, the
// category, and the lists (the index, the latest-news block, the feeds).

// Limits of the news fields.
const (
	MaxTeaser       = 500
	MaxCategoryName = 60
	MaxNewsBlock    = 12 // items of a latest-news block
	DefaultNewsList = 10 // items per page of the index
)

// Category is a heading news items are filed under.
type Category struct {
	ID       int64
	Slug     string
	Name     string
	Position int
}

// NewsProps are the fields of a news item in its properties form.
type NewsProps struct {
	Teaser     string
	CategoryID int64
	// Image is a new picture (ReadImage), nil to keep the current one;
	// ImageAlt its alternative text (required whenever there is a picture).
	Image    *Upload
	ImageAlt string
	// KeepImageID is a picture of this page already stored from a form
	// that was refused (KeepNewsImage), chosen again.
	KeepImageID int64
	RemoveImage bool
}

// Categories lists the categories in their order (kept while the content
// does not change).
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	cats, err := s.categories.Get(ctx, s.d, "", func() ([]Category, error) { return s.readCategories(ctx) })
	return slices.Clone(cats), err
}

func (s *Store) readCategories(ctx context.Context) ([]Category, error) {
	rows, err := s.d.Query(ctx, "SELECT id, slug, name, position FROM news_categories ORDER BY position, name, id")
	if err != nil {
		return nil, fmt.Errorf("pages: categories: %w", err)
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name, &c.Position); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CategoryBySlug returns a category (db.ErrNotFound when none has slug).
func (s *Store) CategoryBySlug(ctx context.Context, slug string) (*Category, error) {
	var c Category
	err := s.d.QueryRow(ctx, "SELECT id, slug, name, position FROM news_categories WHERE slug = ?", slug).Scan(&c.ID, &c.Slug, &c.Name, &c.Position)
	if err != nil {
		return nil, fmt.Errorf("pages: category %q: %w", slug, db.NotFound(err))
	}
	return &c, nil
}

// AddCategory creates a category; it needs Manage on the news index
// indexID (the communication team). A name already used is a field error.
func (s *Store) AddCategory(ctx context.Context, a access.Actor, indexID int64, name string) (*Category, error) {
	name = strings.TrimSpace(name)
	var c *Category
	err := s.d.InTx(ctx, func(tx *db.Tx) error {
		idx, err := getLive(ctx, tx, indexID)
		if err != nil {
			return err
		}
		if !idx.IsNewsIndex() {
			return fmt.Errorf("pages: categories of %d: not a news index: %w", indexID, db.ErrNotFound)
		}
		if err := require(ctx, tx, a.Principal, indexID, access.Manage); err != nil {
			return err
		}
		switch {
		case name == "":
			return invalid("name", "news.error.category_name_required")
		case utf8.RuneCountInString(name) > MaxCategoryName:
			return invalid("name", "news.error.category_name_long")
		}
		slug := Slugify(name)
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM news_categories WHERE slug = ?", slug).Scan(&n); err != nil {
			return err
		}
		if n > 0 || slug == "" {
			return invalid("name", "news.error.category_taken")
		}
		c = &Category{Slug: slug, Name: name}
		if err := tx.QueryRow(ctx, `INSERT INTO news_categories (slug, name, position)
			VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM news_categories)) RETURNING id, position`, slug, name).Scan(&c.ID, &c.Position); err != nil {
			return fmt.Errorf("pages: add category: %w", err)
		}
		return audit.Record(ctx, tx, a, s.now(), "news.category_add", audit.Object("news_category", c.ID), "slug="+slug)
	})
	return c, err
}

// applyNewsProps validates and writes the news fields of p in the
// properties' transaction q (Edit checked). ve gathers the field errors;
// nothing is written when it is not empty.
func (s *Store) checkNewsProps(ctx context.Context, q db.Querier, p *Page, np *NewsProps, ve valid.Errors) error {
	np.Teaser = strings.TrimSpace(np.Teaser)
	np.ImageAlt = strings.TrimSpace(np.ImageAlt)
	if utf8.RuneCountInString(np.Teaser) > MaxTeaser {
		ve.Add("teaser", "news.error.teaser_long")
	}
	if np.CategoryID != 0 {
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM news_categories WHERE id = ?", np.CategoryID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			ve.Add("category", "news.error.category_unknown")
		}
	}
	if np.KeepImageID != 0 {
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM images WHERE id = ? AND page_id = ?", np.KeepImageID, p.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			ve.Add("image", "news.error.image_unknown")
		}
	}
	hasImage := np.Image != nil || np.KeepImageID != 0 || (p.ImageID != 0 && !np.RemoveImage)
	switch {
	case hasImage && np.ImageAlt == "":
		ve.Add("image_alt", "news.error.alt_required")
	case utf8.RuneCountInString(np.ImageAlt) > MaxAlt:
		ve.Add("image_alt", "news.error.alt_long")
	}
	return nil
}

// writeNewsProps stores checked news fields (and a new picture) of p.
func (s *Store) writeNewsProps(ctx context.Context, q db.Querier, a access.Actor, p *Page, np *NewsProps) error {
	imageID := p.ImageID
	if np.RemoveImage {
		imageID = 0
	}
	if np.KeepImageID != 0 {
		imageID = np.KeepImageID
	}
	if np.Image != nil {
		img, err := s.storeImage(ctx, q, a, p.ID, np.Image)
		if err != nil {
			return err
		}
		imageID = img.ID
	}
	alt := np.ImageAlt
	if imageID == 0 {
		alt = ""
	}
	if _, err := q.Exec(ctx, "UPDATE pages SET teaser = ?, category_id = ?, news_image_id = ?, news_image_alt = ? WHERE id = ?",
		np.Teaser, nullID(np.CategoryID), nullID(imageID), alt, p.ID); err != nil {
		return fmt.Errorf("pages: news fields of %d: %w", p.ID, err)
	}
	if p.Published() {
		// The picture shows with the published page (list, feed).
		if rev, err := getRevision(ctx, q, p.ID, p.PublishedRev); err != nil {
			return err
		} else if err := markPublishedImages(ctx, q, p.ID, rev.Blocks); err != nil {
			return err
		}
	}
	return nil
}

// KeepNewsImage stores the picture of a properties form that was refused
// (Edit), so the form shown again keeps it (nothing sent is lost): its id
// goes back as NewsProps.KeepImageID.
func (s *Store) KeepNewsImage(ctx context.Context, a access.Actor, pageID int64, u *Upload) (*Image, error) {
	imgs, err := s.AddImages(ctx, a, pageID, map[int]*Upload{0: u})
	if err != nil {
		return nil, err
	}
	return imgs[0], nil
}

// NewsItem is a news item in a list: the page, its category's name and
// the size of its picture.
type NewsItem struct {
	*Page
	Category     string
	CategorySlug string
	ImageWidth   int
	ImageHeight  int
}

// Date is when the item is (or will be) published.
func (n *NewsItem) Date() time.Time {
	if !n.PublishAt.IsZero() {
		return n.PublishAt
	}
	return n.PublishedAt
}

// NewsQuery selects news items.
type NewsQuery struct {
	IndexID    int64 // items of this news index; 0: of every index
	CategoryID int64 // 0: every category
	Limit      int   // default DefaultNewsList
	Offset     int
}

// News lists the news items p may see that are live now, newest first, and
// how many there are in all. A private item (a grant like any page) is
// listed only for those who may view it; anonymous visitors (the feeds,
// the public list) never get it.
//
// The answer is kept while the content does not change and until the next
// scheduled publication or unpublication (LiveUntil, in the key), since
// only those change what is live.
func (s *Store) News(ctx context.Context, p access.Principal, q NewsQuery) ([]NewsItem, int, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultNewsList
	}
	q.Offset = max(q.Offset, 0)
	now := s.now()
	until, err := s.LiveUntil(ctx, now)
	if err != nil {
		return nil, 0, err
	}
	key := fmt.Sprintf("%s/%d/%+v", p.Key(), until.UnixNano(), q)
	l, err := s.news.Get(ctx, s.d, key, func() (newsList, error) {
		items, total, err := s.readNews(ctx, p, q, now)
		return newsList{items, total}, err
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([]NewsItem, len(l.items))
	for i, n := range l.items {
		page := *n.Page
		out[i], out[i].Page = n, &page
	}
	return out, l.total, nil
}

// newsList is one answer of News.
type newsList struct {
	items []NewsItem
	total int
}

func (s *Store) readNews(ctx context.Context, p access.Principal, q NewsQuery, now time.Time) ([]NewsItem, int, error) {
	f, fargs := p.Filter(access.Page, "p.id", access.View)
	where := "p.trashed_at IS NULL AND p.kind = 'news' AND " + liveWhere + " AND " + f
	args := append(liveArgs(now), fargs...)
	if q.IndexID != 0 {
		where += " AND p.parent_id = ?"
		args = append(args, q.IndexID)
	}
	if q.CategoryID != 0 {
		where += " AND p.category_id = ?"
		args = append(args, q.CategoryID)
	}
	var total int
	if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM pages p WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("pages: news count: %w", err)
	}
	if total == 0 || q.Offset >= total {
		return nil, total, nil
	}
	rows, err := s.d.Query(ctx, "SELECT "+pageCols+`, COALESCE(c.name, ''), COALESCE(c.slug, ''), COALESCE(i.width, 0), COALESCE(i.height, 0)
		FROM pages p LEFT JOIN news_categories c ON c.id = p.category_id LEFT JOIN images i ON i.id = p.news_image_id
		WHERE `+where+" ORDER BY p.publish_at DESC, p.id DESC LIMIT ? OFFSET ?", append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("pages: news: %w", err)
	}
	defer rows.Close()
	var out []NewsItem
	for rows.Next() {
		var n NewsItem
		page, err := scanPage(rows, &n.Category, &n.CategorySlug, &n.ImageWidth, &n.ImageHeight)
		if err != nil {
			return nil, 0, err
		}
		n.Page = page
		out = append(out, n)
	}
	return out, total, rows.Err()
}

// NewsIndex returns the news index at path (db.ErrNotFound when the page
// there is not one).
func (s *Store) NewsIndex(ctx context.Context, path string) (*Page, error) {
	p, err := s.indexes.Get(ctx, s.d, CleanPath(path), func() (*Page, error) { return s.readNewsIndex(ctx, path) })
	if err != nil {
		return nil, err
	}
	c := *p
	return &c, nil
}

func (s *Store) readNewsIndex(ctx context.Context, path string) (*Page, error) {
	p, err := scanPage(s.d.QueryRow(ctx, "SELECT "+pageCols+" FROM pages p WHERE p.path = ? AND p.trashed_at IS NULL AND p.kind = 'news_index'", CleanPath(path)))
	if err != nil {
		return nil, fmt.Errorf("pages: news index %s: %w", path, err)
	}
	return p, nil
}

// Category returns a category by id.
func (s *Store) Category(ctx context.Context, id int64) (*Category, error) {
	var c Category
	err := s.d.QueryRow(ctx, "SELECT id, slug, name, position FROM news_categories WHERE id = ?", id).Scan(&c.ID, &c.Slug, &c.Name, &c.Position)
	if err != nil {
		if err == sql.ErrNoRows {
			return nil, fmt.Errorf("pages: category %d: %w", id, db.ErrNotFound)
		}
		return nil, err
	}
	return &c, nil
}
