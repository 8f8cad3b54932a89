-- Collection days by commune (internal/collecte): the territory's communes,
-- their sectors, the waste streams, the collection schedule of each stream
-- per commune or per sector as an RFC 5545 recurrence rule (expanded by the
-- application with rrule-go, never in SQL), and the exceptions the editors
-- set once per day (a public holiday moves or cancels the collections of
-- that day, everywhere or for one stream or commune).
--
-- Dates are civil dates stored as TEXT 'YYYY-MM-DD': a collection is a day,
-- not an instant, so no time zone applies to them.
--
-- Everything here is public content: each table bumps content_version (see
-- 0900_content_version.sql), so the visitors' page cache drops its copies
-- at once. On a new database this file runs before 0900 creates that table;
-- SQLite resolves a trigger's body when it fires, which is always later.

CREATE TABLE collecte_communes (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	slug        TEXT NOT NULL UNIQUE,           -- /collecte/{slug}
	insee       TEXT NOT NULL UNIQUE,           -- code officiel géographique, 5 characters (2A/2B for Corsica)
	postcodes   TEXT NOT NULL DEFAULT '',       -- space-separated, 5 digits each
	search_key  TEXT NOT NULL DEFAULT '',       -- " words of the folded name, postcodes, insee " for the lookup
	notice      TEXT NOT NULL DEFAULT '',       -- a short note shown on the commune's page
	created_at  DATETIME NOT NULL,
	updated_at  DATETIME NOT NULL
);

CREATE TABLE collecte_sectors (
	id          INTEGER PRIMARY KEY,
	commune_id  INTEGER NOT NULL REFERENCES collecte_communes(id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	slug        TEXT NOT NULL,                  -- /collecte/{commune}/{slug}
	description TEXT NOT NULL DEFAULT '',       -- which streets or quarters it covers
	position    INTEGER NOT NULL DEFAULT 0,
	UNIQUE (commune_id, slug)
);

CREATE TABLE collecte_streams (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,           -- "Ordures ménagères"
	slug        TEXT NOT NULL UNIQUE,           -- feed file name: {slug}.ics
	code        TEXT NOT NULL,                  -- short mark on the yearly calendar ("OM")
	colour      TEXT NOT NULL,                  -- #rrggbb, white text on it must read (checked)
	help        TEXT NOT NULL DEFAULT '',       -- "Sortez le bac gris la veille au soir."
	position    INTEGER NOT NULL DEFAULT 0
);

-- sector_id NULL: the whole commune (every sector of it too).
CREATE TABLE collecte_schedules (
	id          INTEGER PRIMARY KEY,
	commune_id  INTEGER NOT NULL REFERENCES collecte_communes(id) ON DELETE CASCADE,
	sector_id   INTEGER REFERENCES collecte_sectors(id) ON DELETE CASCADE,
	stream_id   INTEGER NOT NULL REFERENCES collecte_streams(id) ON DELETE CASCADE,
	rule        TEXT NOT NULL,                  -- RRULE value without DTSTART
	starts_on   TEXT NOT NULL,                  -- DTSTART (a civil date)
	ends_on     TEXT,                           -- last possible day, inclusive; NULL: no end
	note        TEXT NOT NULL DEFAULT '',
	created_at  DATETIME NOT NULL,
	updated_at  DATETIME NOT NULL
);
CREATE INDEX collecte_schedules_commune ON collecte_schedules(commune_id, sector_id);
CREATE INDEX collecte_schedules_stream ON collecte_schedules(stream_id);

-- What happens to the collections of one day: moved to another day, cancelled,
-- or kept (a public holiday on which the collection takes place as usual).
-- stream_id / commune_id NULL: every stream / every commune; the most
-- specific exception of a day wins.
CREATE TABLE collecte_exceptions (
	id          INTEGER PRIMARY KEY,
	day         TEXT NOT NULL,
	stream_id   INTEGER REFERENCES collecte_streams(id) ON DELETE CASCADE,
	commune_id  INTEGER REFERENCES collecte_communes(id) ON DELETE CASCADE,
	action      TEXT NOT NULL CHECK (action IN ('move', 'cancel', 'keep')),
	replacement TEXT,                           -- the new day when action = 'move'
	note        TEXT NOT NULL DEFAULT '',
	updated_at  DATETIME NOT NULL
);
-- One decision per day and scope (NULLs are distinct in a plain UNIQUE).
CREATE UNIQUE INDEX collecte_exceptions_scope ON collecte_exceptions(day, COALESCE(stream_id, 0), COALESCE(commune_id, 0));

-- The area's one access node: View on it reads the collection days (granted
-- to Everyone: they are public), Edit manages them. Administrators choose
-- the editors at /admin/collecte.
INSERT INTO acl_nodes (kind, id, parent_id, own, source_id) VALUES ('collecte', 1, NULL, TRUE, 1);
INSERT INTO grants (kind, object_id, group_id, level) VALUES ('collecte', 1, 1, 1);

CREATE TRIGGER cv_collecte_communes_insert AFTER INSERT ON collecte_communes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_communes_update AFTER UPDATE ON collecte_communes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_communes_delete AFTER DELETE ON collecte_communes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_sectors_insert AFTER INSERT ON collecte_sectors BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_sectors_update AFTER UPDATE ON collecte_sectors BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_sectors_delete AFTER DELETE ON collecte_sectors BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_streams_insert AFTER INSERT ON collecte_streams BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_streams_update AFTER UPDATE ON collecte_streams BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_streams_delete AFTER DELETE ON collecte_streams BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_schedules_insert AFTER INSERT ON collecte_schedules BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_schedules_update AFTER UPDATE ON collecte_schedules BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_schedules_delete AFTER DELETE ON collecte_schedules BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_exceptions_insert AFTER INSERT ON collecte_exceptions BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_exceptions_update AFTER UPDATE ON collecte_exceptions BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_collecte_exceptions_delete AFTER DELETE ON collecte_exceptions BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
