-- The sorting guide "Où jeter ?": items (a kind of waste, its synonyms, the
-- stream it goes to and the instructions) and the streams themselves. The
-- whole guide is one access node of kind 'guide' (id 1): Everyone may view
-- it, administrators grant edit to the group that manages it.
-- Streams are data (their French names live here, not in Go), in the order
-- shown to residents.
CREATE TABLE guide_streams (
	code      TEXT PRIMARY KEY,
	label     TEXT NOT NULL,
	advice    TEXT NOT NULL DEFAULT '',
	position  INTEGER NOT NULL
);
INSERT INTO guide_streams (code, label, advice, position) VALUES
	('bac_jaune', 'Bac jaune (emballages et papiers)', 'Tous les emballages et tous les papiers : bien vidés, en vrac (pas dans un sac), sans les laver ni les imbriquer.', 1),
	('verre', 'Colonne à verre', 'Bouteilles, pots et bocaux en verre, vidés, sans bouchon ni couvercle.', 2),
	('biodechets', 'Compost ou bac à biodéchets', 'Restes de repas, épluchures, marc de café : au composteur ou dans le bac à biodéchets.', 3),
	('ordures_menageres', 'Ordures ménagères', 'Ce qui ne se recycle pas, dans un sac fermé, dans le bac gris.', 4),
	('decheterie', 'Déchèterie', 'Apportez-le dans l’une des déchèteries du territoire, trié par matière.', 5),
	('point_collecte', 'Point de collecte spécifique', 'Un point de collecte dédié (magasin, pharmacie, borne) le reprend gratuitement.', 6),
	('reemploi', 'Réemploi (don, ressourcerie)', 'En bon état, il peut servir encore : donnez-le, vendez-le ou déposez-le dans une ressourcerie.', 7);

CREATE TABLE guide_items (
	id            INTEGER PRIMARY KEY,
	slug          TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	synonyms      TEXT NOT NULL DEFAULT '',      -- one per line
	stream        TEXT NOT NULL REFERENCES guide_streams(code),
	instructions  TEXT NOT NULL DEFAULT '',      -- plain text, paragraphs separated by blank lines
	image         BLOB,                          -- optional picture (JPEG or PNG, resized)
	image_type    TEXT NOT NULL DEFAULT '',
	image_alt     TEXT NOT NULL DEFAULT '',
	created_at    DATETIME NOT NULL,
	updated_at    DATETIME NOT NULL
);
CREATE INDEX guide_items_name ON guide_items(name);

INSERT INTO acl_nodes (kind, id, parent_id, own, source_id) VALUES ('guide', 1, NULL, TRUE, 1);
INSERT INTO grants (kind, object_id, group_id, level) VALUES ('guide', 1, 1, 1);

-- Public pages show the guide: its changes bump the content version (see 0900).
CREATE TRIGGER cv_guide_items_insert AFTER INSERT ON guide_items BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_guide_items_update AFTER UPDATE ON guide_items BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_guide_items_delete AFTER DELETE ON guide_items BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_guide_streams_insert AFTER INSERT ON guide_streams BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_guide_streams_update AFTER UPDATE ON guide_streams BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_guide_streams_delete AFTER DELETE ON guide_streams BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
