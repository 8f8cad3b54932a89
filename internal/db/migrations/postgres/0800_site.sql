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
	data        BYTEA NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL
);
-- The content version's own function comes with 0900; this one does the
-- same (plpgsql resolves the table when it runs, after every migration).
CREATE FUNCTION site_bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE content_version SET v = v + 1 WHERE id = 1;
	RETURN NULL;
END $$;
CREATE TRIGGER cv_site_files AFTER INSERT OR UPDATE OR DELETE ON site_files FOR EACH STATEMENT EXECUTE FUNCTION site_bump_content_version();
