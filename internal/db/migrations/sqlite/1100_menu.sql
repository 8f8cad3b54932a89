-- The main menu, composed by editors (issue 13 A, issue 15): top-level
-- entries in order, each a page (its sub-pages as sub-menu when subpages),
-- a built-in area (agenda, documents…), a custom link (label + internal path
-- or https URL) or a group (a label whose sub-menu is its own entries). An
-- entry with a parent is a sub-menu entry (one level only, checked by the
-- store). No entry at all: the menu follows the page tree (the top-level
-- pages). menu_version counts the changes: a form carries it and a change
-- based on an older one is refused (two editors at the same time). The menu
-- is one access node of kind 'menu' (id 1), granted to nobody: administrators
-- and the groups an administrator grants Edit change it.
CREATE TABLE menu_entries (
	id        INTEGER PRIMARY KEY,
	parent_id INTEGER REFERENCES menu_entries(id) ON DELETE CASCADE,
	position  INTEGER NOT NULL,
	kind      TEXT NOT NULL CHECK (kind IN ('page', 'area', 'link', 'group')),
	page_id   INTEGER REFERENCES pages(id) ON DELETE CASCADE,
	area      TEXT NOT NULL DEFAULT '',
	label     TEXT NOT NULL DEFAULT '',
	url       TEXT NOT NULL DEFAULT '',
	subpages  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX menu_entries_parent ON menu_entries(parent_id, position);
CREATE TABLE menu_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	v  INTEGER NOT NULL
);
INSERT INTO menu_version (id, v) VALUES (1, 0);
INSERT INTO acl_nodes (kind, id, parent_id, own, source_id) VALUES ('menu', 1, NULL, TRUE, 1);

-- Every public page shows the menu: its changes bump the content version (see 0900).
CREATE TRIGGER cv_menu_entries_insert AFTER INSERT ON menu_entries BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_menu_entries_update AFTER UPDATE ON menu_entries BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_menu_entries_delete AFTER DELETE ON menu_entries BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
