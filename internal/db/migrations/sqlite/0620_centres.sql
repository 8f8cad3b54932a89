-- Recycling centres (déchèteries) and drop-off points: where they are, how
-- to reach them, what they accept (links to items of the sorting guide) and
-- when they are open. Hours and exceptional closures are kept in their text
-- form (the one editors type and the CSV carries, see internal/centres
-- hours.go), checked and normalised on every write; the application
-- computes "open now" from them in the site's time zone, with the French
-- public holidays (closed unless open_on_holidays). The directory is one
-- access node of kind 'centres' (id 1), public by default.
CREATE TABLE centres (
	id                INTEGER PRIMARY KEY,
	slug              TEXT NOT NULL UNIQUE,
	name              TEXT NOT NULL,
	kind              TEXT NOT NULL DEFAULT 'decheterie' CHECK (kind IN ('decheterie', 'point')),
	address           TEXT NOT NULL DEFAULT '',
	postcode          TEXT NOT NULL DEFAULT '',
	city              TEXT NOT NULL DEFAULT '',
	latitude          REAL,
	longitude         REAL,
	phone             TEXT NOT NULL DEFAULT '',
	email             TEXT NOT NULL DEFAULT '',
	access_rules      TEXT NOT NULL DEFAULT '',
	hours             TEXT NOT NULL DEFAULT '',
	closures          TEXT NOT NULL DEFAULT '',
	open_on_holidays  BOOLEAN NOT NULL DEFAULT FALSE,
	created_at        DATETIME NOT NULL,
	updated_at        DATETIME NOT NULL
);
CREATE INDEX centres_name ON centres(name);

-- What a centre accepts: items of the guide (an item page lists its centres).
CREATE TABLE centre_items (
	centre_id  INTEGER NOT NULL REFERENCES centres(id) ON DELETE CASCADE,
	item_id    INTEGER NOT NULL REFERENCES guide_items(id) ON DELETE CASCADE,
	PRIMARY KEY (centre_id, item_id)
);
CREATE INDEX centre_items_item ON centre_items(item_id);

INSERT INTO acl_nodes (kind, id, parent_id, own, source_id) VALUES ('centres', 1, NULL, TRUE, 1);
INSERT INTO grants (kind, object_id, group_id, level) VALUES ('centres', 1, 1, 1);

-- Public pages show the centres: their changes bump the content version (see 0900).
CREATE TRIGGER cv_centres_insert AFTER INSERT ON centres BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_centres_update AFTER UPDATE ON centres BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_centres_delete AFTER DELETE ON centres BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_centre_items_insert AFTER INSERT ON centre_items BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_centre_items_update AFTER UPDATE ON centre_items BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_centre_items_delete AFTER DELETE ON centre_items BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
