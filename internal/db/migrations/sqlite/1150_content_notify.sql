-- What the site search finds is public content too: its results are kept
-- for visitors under the content version (0900), which a change to the
-- index now bumps. (On PostgreSQL this migration also announces each bump
-- to the other instances; an SQLite file has one.)
CREATE TRIGGER cv_search_items_insert AFTER INSERT ON search_items BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_search_items_update AFTER UPDATE ON search_items BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_search_items_delete AFTER DELETE ON search_items BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
