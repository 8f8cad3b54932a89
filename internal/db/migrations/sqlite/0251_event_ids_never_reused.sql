-- SQLite gives a new row max(id) + 1, so deleting the newest event let the
-- next one take its id (and its old links, feeds and bookmarks). event_ids
-- keeps the highest id ever given; the calendar store inserts events with
-- the next one (PostgreSQL's identity never reuses an id). The trigger keeps
-- the mark right whoever inserts.
CREATE TABLE event_ids (
	last_id  INTEGER NOT NULL
);
INSERT INTO event_ids (last_id) SELECT COALESCE(MAX(id), 0) FROM events;
CREATE TRIGGER events_last_id AFTER INSERT ON events
BEGIN
	UPDATE event_ids SET last_id = MAX(last_id, NEW.id);
END;
