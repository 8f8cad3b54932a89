-- The content version (0900) is also announced: every bump sends a
-- notification on the channel portique_content with the schema as its
-- payload, so each instance sharing the database drops the pages it keeps
-- without asking the database at every request (internal/db/version.go).
-- The notification leaves at commit, with the rows.
CREATE OR REPLACE FUNCTION bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE content_version SET v = v + 1 WHERE id = 1;
	PERFORM pg_notify('portique_content', current_schema());
	RETURN NULL;
END;
$$;
-- What the site search finds is public content too: its results are kept
-- for visitors under the same version.
CREATE TRIGGER cv_search_items AFTER INSERT OR UPDATE OR DELETE ON search_items FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
