-- Site settings (internal/site, 0800-0819): the values live in the core
-- settings table under "site.*" keys (its triggers already move the content
-- version); the files the settings name (the logo) live here, in the
-- database so several instances share them and a backup holds them.
CREATE TABLE site_files (
	key         TEXT PRIMARY KEY,
	media_type  TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	width       INTEGER NOT NULL,
	height      INTEGER NOT NULL,
	data        BLOB NOT NULL,
	updated_at  DATETIME NOT NULL
);
CREATE TRIGGER cv_site_files_insert AFTER INSERT ON site_files BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_site_files_update AFTER UPDATE ON site_files BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_site_files_delete AFTER DELETE ON site_files BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
