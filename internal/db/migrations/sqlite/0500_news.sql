-- News and scheduled publication (news area, 0500-0529).
--
-- A news item is a page of kind 'news' under a page of kind 'news_index'
-- (/actualites): it reuses the page tree, its editor, drafts, history,
-- grants, search and page cache. Its own fields (teaser, picture and its
-- alternative text, category) live on the page row; its date is publish_at.
--
-- publish_at / unpublish_at, for news and ordinary pages alike: a published
-- page is shown to visitors from publish_at (NULL: at once) until
-- unpublish_at (NULL: for ever). Times are UTC, to the minute.
ALTER TABLE pages ADD COLUMN kind TEXT NOT NULL DEFAULT 'page';
ALTER TABLE pages ADD COLUMN publish_at DATETIME;
ALTER TABLE pages ADD COLUMN unpublish_at DATETIME;
ALTER TABLE pages ADD COLUMN teaser TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN news_image_id INTEGER;
ALTER TABLE pages ADD COLUMN news_image_alt TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN category_id INTEGER;
CREATE INDEX pages_news ON pages(parent_id, kind, publish_at);
CREATE INDEX pages_schedule ON pages(publish_at, unpublish_at);

-- The categories news items are filed under (managed by the news index's
-- managers; the list filters on them).
CREATE TABLE news_categories (
	id        INTEGER PRIMARY KEY,
	slug      TEXT NOT NULL UNIQUE,
	name      TEXT NOT NULL,
	position  INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER cv_news_categories_insert AFTER INSERT ON news_categories BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_news_categories_update AFTER UPDATE ON news_categories BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_news_categories_delete AFTER DELETE ON news_categories BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;

-- The search index honours the same window (NULL: open).
ALTER TABLE search_items ADD COLUMN visible_from DATETIME;
ALTER TABLE search_items ADD COLUMN visible_until DATETIME;

-- An existing site's "Actualités" page becomes the news index, its
-- sub-pages news items dated from their last publication.
UPDATE pages SET kind = 'news_index' WHERE path = '/actualites' AND trashed_at IS NULL;
UPDATE pages SET kind = 'news', publish_at = COALESCE(published_at, created_at)
	WHERE parent_id IN (SELECT id FROM pages WHERE kind = 'news_index') AND trashed_at IS NULL;
