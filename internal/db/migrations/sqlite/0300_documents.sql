-- Document space: a tree of folders (each an access node of kind 'folder'),
-- documents in folders, older files kept on replace, and the extracted text of
-- each page (kept so the search index can be rebuilt without re-extracting).
-- published_on is a calendar date 'YYYY-MM-DD' (text sorts chronologically);
-- the archive rule compares it with a cutoff computed at every request.

CREATE TABLE folders (
	id          INTEGER PRIMARY KEY,
	parent_id   INTEGER REFERENCES folders(id),
	name        TEXT NOT NULL,
	created_at  DATETIME NOT NULL,
	created_by  INTEGER
);
-- Sibling names are unique (COALESCE makes roots siblings of each other).
CREATE UNIQUE INDEX folders_sibling_name ON folders(COALESCE(parent_id, 0), name);

CREATE TABLE documents (
	id            INTEGER PRIMARY KEY,
	folder_id     INTEGER NOT NULL REFERENCES folders(id),
	title         TEXT NOT NULL,
	filename      TEXT NOT NULL,
	media_type    TEXT NOT NULL,
	size          BIGINT NOT NULL,
	sha256        TEXT NOT NULL,
	blob_key      TEXT NOT NULL,
	version       INTEGER NOT NULL DEFAULT 1,
	published_on  TEXT NOT NULL,
	added_at      DATETIME NOT NULL,
	added_by      INTEGER,
	updated_at    DATETIME NOT NULL,
	pinned        BOOLEAN NOT NULL DEFAULT FALSE,
	text_status   TEXT NOT NULL DEFAULT 'pending',   -- pending | done | none
	text_reason   TEXT NOT NULL DEFAULT '',          -- why none: scanned, encrypted, damaged, no-tool, …
	pages         INTEGER NOT NULL DEFAULT 0,
	trashed_at    DATETIME,
	trashed_by    INTEGER
);
CREATE INDEX documents_folder ON documents(folder_id, published_on);
CREATE INDEX documents_trashed ON documents(trashed_at);

CREATE TABLE document_versions (
	id           INTEGER PRIMARY KEY,
	document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	version      INTEGER NOT NULL,
	filename     TEXT NOT NULL,
	media_type   TEXT NOT NULL,
	size         BIGINT NOT NULL,
	sha256       TEXT NOT NULL,
	blob_key     TEXT NOT NULL,
	added_at     DATETIME NOT NULL,
	added_by     INTEGER,
	replaced_at  DATETIME NOT NULL,
	replaced_by  INTEGER,
	UNIQUE (document_id, version)
);

CREATE TABLE document_pages (
	document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	page         INTEGER NOT NULL,
	text         TEXT NOT NULL,
	PRIMARY KEY (document_id, page)
);
