-- Calendar: calendars (each an access node of kind 'calendar'), events with an
-- optional RFC 5545 recurrence rule, per-occurrence exceptions, admin-defined
-- attributes, links to documents and personal feed tokens.
-- Times are UTC; recurrence is expanded in the calendar's time zone by the
-- application (rrule-go), never in SQL.

CREATE TABLE calendars (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	colour      TEXT NOT NULL DEFAULT '#1f5fa8',   -- #rrggbb
	timezone    TEXT NOT NULL DEFAULT 'Europe/Paris',
	description TEXT NOT NULL DEFAULT '',
	position    INTEGER NOT NULL DEFAULT 0,
	created_at  DATETIME NOT NULL
);

CREATE TABLE events (
	id           INTEGER PRIMARY KEY,
	uid          TEXT NOT NULL UNIQUE,            -- stable iCalendar UID
	calendar_id  INTEGER NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
	title        TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',        -- sanitised HTML
	location     TEXT NOT NULL DEFAULT '',
	starts_at    DATETIME NOT NULL,               -- first occurrence
	ends_at      DATETIME NOT NULL,               -- end of the first occurrence (exclusive for all-day)
	all_day      BOOLEAN NOT NULL DEFAULT FALSE,
	rrule        TEXT NOT NULL DEFAULT '',        -- RRULE value without DTSTART; '' = single event
	series_end   DATETIME NOT NULL,          -- end of the last occurrence; 9999-12-31 for an endless series
	sequence     INTEGER NOT NULL DEFAULT 0,      -- iCalendar SEQUENCE, bumped on change
	created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at   DATETIME NOT NULL,
	updated_at   DATETIME NOT NULL
);
-- Window queries: per visible calendar, occurrences ending after the window
-- starts and starting before it ends, decided inside the index.
CREATE INDEX events_calendar_window ON events(calendar_id, series_end, starts_at);
CREATE INDEX events_series_end ON events(series_end);

-- One occurrence of a series cancelled (EXDATE) or changed (RECURRENCE-ID).
-- NULL columns keep the series' value.
CREATE TABLE event_overrides (
	event_id        INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	original_start  DATETIME NOT NULL,
	cancelled       BOOLEAN NOT NULL DEFAULT FALSE,
	starts_at       DATETIME,
	ends_at         DATETIME,
	title           TEXT,
	location        TEXT,
	description     TEXT,
	updated_at      DATETIME NOT NULL,
	PRIMARY KEY (event_id, original_start)
);

CREATE TABLE event_attributes (
	id        INTEGER PRIMARY KEY,
	key       TEXT NOT NULL UNIQUE,      -- stable name, used for X- properties
	label     TEXT NOT NULL,
	type      TEXT NOT NULL,             -- text, longtext, number, date, bool, choice, link, document
	choices   TEXT NOT NULL DEFAULT '',  -- one choice per line (type choice)
	help      TEXT NOT NULL DEFAULT '',
	position  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE event_attribute_values (
	event_id      INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	attribute_id  INTEGER NOT NULL REFERENCES event_attributes(id) ON DELETE CASCADE,
	value         TEXT NOT NULL,
	PRIMARY KEY (event_id, attribute_id)
);
CREATE INDEX event_attribute_values_attr ON event_attribute_values(attribute_id, value);

-- Documents linked to an event. No foreign key to documents: that table
-- belongs to another area and links are shown only when visible there.
CREATE TABLE event_documents (
	event_id     INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	document_id  INTEGER NOT NULL,
	position     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (event_id, document_id)
);

-- One personal feed token per account; only its SHA-256 is stored.
CREATE TABLE calendar_feed_tokens (
	token_hash  TEXT PRIMARY KEY,
	user_id     INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
	created_at  DATETIME NOT NULL,
	last_used_at DATETIME
);
