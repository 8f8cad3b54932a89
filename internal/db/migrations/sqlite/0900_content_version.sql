-- content_version counts every change to what anonymous visitors can see
-- (pages, grants, documents, events, settings). The web layer keeps rendered
-- public pages in memory tagged with this number and serves them only while
-- it has not moved, so a publication, a grant change or an upload shows to
-- every visitor at once, on every instance. Triggers keep it: no code path
-- can forget. A table added later that changes public content needs its own
-- triggers in a new migration.
CREATE TABLE content_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	v  INTEGER NOT NULL
);
INSERT INTO content_version (id, v) VALUES (1, 0);
CREATE TRIGGER cv_pages_insert AFTER INSERT ON pages BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_pages_update AFTER UPDATE ON pages BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_pages_delete AFTER DELETE ON pages BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_page_revisions_insert AFTER INSERT ON page_revisions BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_page_revisions_update AFTER UPDATE ON page_revisions BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_page_revisions_delete AFTER DELETE ON page_revisions BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_page_redirects_insert AFTER INSERT ON page_redirects BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_page_redirects_update AFTER UPDATE ON page_redirects BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_page_redirects_delete AFTER DELETE ON page_redirects BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_images_insert AFTER INSERT ON images BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_images_update AFTER UPDATE ON images BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_images_delete AFTER DELETE ON images BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_acl_nodes_insert AFTER INSERT ON acl_nodes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_acl_nodes_update AFTER UPDATE ON acl_nodes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_acl_nodes_delete AFTER DELETE ON acl_nodes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_grants_insert AFTER INSERT ON grants BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_grants_update AFTER UPDATE ON grants BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_grants_delete AFTER DELETE ON grants BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_documents_insert AFTER INSERT ON documents BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_documents_update AFTER UPDATE ON documents BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_documents_delete AFTER DELETE ON documents BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_folders_insert AFTER INSERT ON folders BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_folders_update AFTER UPDATE ON folders BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_folders_delete AFTER DELETE ON folders BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_calendars_insert AFTER INSERT ON calendars BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_calendars_update AFTER UPDATE ON calendars BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_calendars_delete AFTER DELETE ON calendars BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_events_insert AFTER INSERT ON events BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_events_update AFTER UPDATE ON events BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_events_delete AFTER DELETE ON events BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_overrides_insert AFTER INSERT ON event_overrides BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_overrides_update AFTER UPDATE ON event_overrides BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_overrides_delete AFTER DELETE ON event_overrides BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_attributes_insert AFTER INSERT ON event_attributes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_attributes_update AFTER UPDATE ON event_attributes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_attributes_delete AFTER DELETE ON event_attributes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_attribute_values_insert AFTER INSERT ON event_attribute_values BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_attribute_values_update AFTER UPDATE ON event_attribute_values BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_attribute_values_delete AFTER DELETE ON event_attribute_values BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_documents_insert AFTER INSERT ON event_documents BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_documents_update AFTER UPDATE ON event_documents BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_event_documents_delete AFTER DELETE ON event_documents BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_settings_insert AFTER INSERT ON settings BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_settings_update AFTER UPDATE ON settings BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_settings_delete AFTER DELETE ON settings BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
