-- Full-text index (internal/search).
--
-- search_items: one row per indexed object (a page, an event, a document)
-- with what the access filter and the result list need. search_parts: its
-- parts (one per page of a document; a single part 0 otherwise) with the
-- original text (snippets are cut from it) and the analysed token stream
-- (the best page of a hit is chosen from it).
--
-- search_fts is a contentless FTS5 table whose rowid is search_items.id; it
-- holds, per object, the title tokens and the tokens of all its parts, as
-- internal/search has normalised and stemmed them in Go, so SQLite and
-- PostgreSQL index exactly the same tokens. Matching and ranking are per
-- object (10,000 rows for 10,000 documents, not 100,000 pages). Creating it
-- fails loudly if this SQLite build lacks FTS5.
CREATE TABLE search_items (
	id         INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL,                 -- page, event, document
	object_id  INTEGER NOT NULL,
	acl_kind   TEXT NOT NULL,                 -- access node deciding visibility
	acl_id     INTEGER NOT NULL,
	date       DATETIME,                      -- publication / start date, UTC
	folder_id  INTEGER,                       -- documents only
	url        TEXT NOT NULL,
	extra      TEXT NOT NULL DEFAULT '',
	title      TEXT NOT NULL,
	UNIQUE (kind, object_id)
);
CREATE INDEX search_items_acl ON search_items(acl_kind, acl_id);

CREATE TABLE search_parts (
	item_id  INTEGER NOT NULL REFERENCES search_items(id) ON DELETE CASCADE,
	part     INTEGER NOT NULL,                -- page number inside a document, 0 otherwise
	tokens   TEXT NOT NULL,                   -- analysed tokens, space-separated
	body     TEXT NOT NULL,                   -- original text, for snippets
	PRIMARY KEY (item_id, part)
);

-- contentless_delete (SQLite >= 3.43) lets rows be deleted by rowid alone.
CREATE VIRTUAL TABLE search_fts USING fts5(
	title, body,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2'
);

-- Deleting an item deletes its tokens (and, by cascade, its parts): Replace
-- and Delete are one statement, and no FTS row can outlive its item.
CREATE TRIGGER search_items_delete AFTER DELETE ON search_items BEGIN
	DELETE FROM search_fts WHERE rowid = old.id;
END;
