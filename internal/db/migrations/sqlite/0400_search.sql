-- Full-text index (internal/search). search_items holds one row per indexed
-- unit (a page, an event, one page of a document) with the original text
-- (snippets are cut from it) and what the access filter needs. search_fts is
-- a contentless FTS5 table whose rowid is search_items.id: it receives the
-- token stream that internal/search has already normalised and stemmed in
-- Go, so SQLite and PostgreSQL index exactly the same tokens. Creating it
-- fails loudly if this SQLite build lacks FTS5.
CREATE TABLE search_items (
	id         INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL,                 -- page, event, document
	object_id  INTEGER NOT NULL,
	part       INTEGER NOT NULL DEFAULT 0,    -- page number inside a document, 0 otherwise
	acl_kind   TEXT NOT NULL,                 -- access node deciding visibility
	acl_id     INTEGER NOT NULL,
	title      TEXT NOT NULL,
	body       TEXT NOT NULL,
	url        TEXT NOT NULL,
	date       DATETIME,                      -- publication / start date, UTC
	folder_id  INTEGER,                       -- documents only
	extra      TEXT NOT NULL DEFAULT '',
	UNIQUE (kind, object_id, part)
);
CREATE INDEX search_items_acl ON search_items(acl_kind, acl_id);

-- contentless_delete (SQLite ≥ 3.43) lets rows be deleted by rowid alone.
CREATE VIRTUAL TABLE search_fts USING fts5(
	title, body,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2'
);

-- Deleting an item deletes its tokens: Replace and Delete are one statement
-- on search_items, and no FTS row can outlive its item.
CREATE TRIGGER search_items_delete AFTER DELETE ON search_items BEGIN
	DELETE FROM search_fts WHERE rowid = old.id;
END;
