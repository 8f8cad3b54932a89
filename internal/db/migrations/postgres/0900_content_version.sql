-- content_version counts every change to what anonymous visitors can see
-- (pages, grants, documents, events, settings). The web layer keeps rendered
-- public pages in memory tagged with this number and serves them only while
-- it has not moved, so a publication, a grant change or an upload shows to
-- every visitor at once, on every instance. Triggers keep it: no code path
-- can forget. A table added later that changes public content needs its own
-- triggers in a new migration.
CREATE TABLE content_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	v  BIGINT NOT NULL
);
INSERT INTO content_version (id, v) VALUES (1, 0);
CREATE FUNCTION bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE content_version SET v = v + 1 WHERE id = 1;
	RETURN NULL;
END;
$$;
CREATE TRIGGER cv_pages AFTER INSERT OR UPDATE OR DELETE ON pages FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_page_revisions AFTER INSERT OR UPDATE OR DELETE ON page_revisions FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_page_redirects AFTER INSERT OR UPDATE OR DELETE ON page_redirects FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_images AFTER INSERT OR UPDATE OR DELETE ON images FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_acl_nodes AFTER INSERT OR UPDATE OR DELETE ON acl_nodes FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_grants AFTER INSERT OR UPDATE OR DELETE ON grants FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_documents AFTER INSERT OR UPDATE OR DELETE ON documents FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_folders AFTER INSERT OR UPDATE OR DELETE ON folders FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_calendars AFTER INSERT OR UPDATE OR DELETE ON calendars FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_events AFTER INSERT OR UPDATE OR DELETE ON events FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_event_overrides AFTER INSERT OR UPDATE OR DELETE ON event_overrides FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_event_attributes AFTER INSERT OR UPDATE OR DELETE ON event_attributes FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_event_attribute_values AFTER INSERT OR UPDATE OR DELETE ON event_attribute_values FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_event_documents AFTER INSERT OR UPDATE OR DELETE ON event_documents FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER cv_settings AFTER INSERT OR UPDATE OR DELETE ON settings FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();
