-- Page tree, revisions, redirects and images (pages area, 0100-0199).
--
-- A page is an access node (kind 'page'); its grants live in acl_nodes/grants.
-- The home page is the single root (path '/'); every other page has a parent.
-- path is the full URL path, kept up to date on rename and move, so a request
-- is resolved with one indexed lookup whatever the size of the tree. Trashed
-- pages keep their rows (restorable) but free their path: the unique indexes
-- only cover live pages.
CREATE TABLE pages (
	id                INTEGER PRIMARY KEY,
	parent_id         INTEGER REFERENCES pages(id),
	slug              TEXT NOT NULL,
	path              TEXT NOT NULL,
	position          INTEGER NOT NULL DEFAULT 0,
	title             TEXT NOT NULL,                 -- title of the published revision (or of the first draft)
	menu_title        TEXT NOT NULL DEFAULT '',
	meta_description  TEXT NOT NULL DEFAULT '',
	in_menu           BOOLEAN NOT NULL DEFAULT TRUE,    -- listed in the main menu (top-level pages)
	published_rev     INTEGER,                       -- NULL until first published
	draft_rev         INTEGER,                       -- NULL when no draft is pending
	published_at      DATETIME,
	trashed_at        DATETIME,
	trashed_by        INTEGER,
	trash_root        INTEGER,                       -- the page whose deletion trashed this one
	created_at        DATETIME NOT NULL,
	updated_at        DATETIME NOT NULL
);
CREATE UNIQUE INDEX pages_live_path ON pages(path) WHERE trashed_at IS NULL;
CREATE INDEX pages_parent ON pages(parent_id, position);
CREATE INDEX pages_trash_root ON pages(trash_root);

-- Every saved draft and every publication. Drafts (published_at NULL) are
-- replaced by the next save; publications are kept for the history.
CREATE TABLE page_revisions (
	id            INTEGER PRIMARY KEY,
	page_id       INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
	author_id     INTEGER,                           -- no FK: history outlives accounts
	author_name   TEXT NOT NULL DEFAULT '',
	created_at    DATETIME NOT NULL,
	published_at  DATETIME,
	title         TEXT NOT NULL,
	blocks        TEXT NOT NULL,                     -- JSON array of blocks, HTML already sanitised
	note          TEXT NOT NULL DEFAULT '',
	base_rev      INTEGER                            -- revision the edit started from
);
CREATE INDEX page_revisions_page ON page_revisions(page_id, id);

-- Old paths of renamed or moved pages answer with a 301 to the page.
CREATE TABLE page_redirects (
	old_path    TEXT PRIMARY KEY,
	page_id     INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
	created_at  DATETIME NOT NULL
);
CREATE INDEX page_redirects_page ON page_redirects(page_id);

-- Images uploaded into a page: visible to whoever may view the page once the
-- published revision shows them, and to its editors before. The
-- resized bytes live once per content hash in image_variants (in the
-- database, so several instances on PostgreSQL share them without a file store).
CREATE TABLE images (
	id          INTEGER PRIMARY KEY,
	page_id     INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
	sha256      TEXT NOT NULL,
	filename    TEXT NOT NULL DEFAULT '',
	width       INTEGER NOT NULL,
	height      INTEGER NOT NULL,
	size        INTEGER NOT NULL,
	alt         TEXT NOT NULL DEFAULT '',
	published   BOOLEAN NOT NULL DEFAULT FALSE,        -- shown by the published revision: visible to viewers, not only editors
	created_by  INTEGER,
	created_at  DATETIME NOT NULL
);
CREATE INDEX images_page ON images(page_id);
CREATE INDEX images_sha ON images(sha256);

CREATE TABLE image_variants (
	sha256      TEXT NOT NULL,
	width       INTEGER NOT NULL,                    -- requested width class (0 = the largest kept)
	real_width  INTEGER NOT NULL,
	real_height INTEGER NOT NULL,
	media_type  TEXT NOT NULL,
	data        BLOB NOT NULL,
	PRIMARY KEY (sha256, width)
);

