-- Notifications (internal/notify). A domain's mutation writes one outbox row
-- in its own transaction (what changed, and the object whose grants decide
-- who may see it); a job fans it out to the accounts that may see it and
-- want it, as deliveries sent at once or in the daily digest. Grants and
-- preferences are checked again when a delivery is sent.

CREATE TABLE notify_outbox (
	id          INTEGER PRIMARY KEY,
	area        TEXT NOT NULL,              -- documents, agenda, pages (a preference each)
	action      TEXT NOT NULL,              -- document.added, document.replaced, event.created…
	acl_kind    TEXT NOT NULL,              -- folder, calendar, page: whose grants decide
	acl_id      INTEGER NOT NULL,
	item_id     INTEGER NOT NULL,              -- the document, event or page
	title       TEXT NOT NULL,
	path        TEXT NOT NULL DEFAULT '',   -- where it is on the site ('' when gone)
	actor_id    INTEGER,                       -- who made the change (not told of it)
	created_at  DATETIME NOT NULL
);

CREATE TABLE notify_prefs (
	user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	area     TEXT NOT NULL,
	mode     TEXT NOT NULL,                 -- immediate, daily, never
	PRIMARY KEY (user_id, area)
);

CREATE TABLE notify_deliveries (
	id          INTEGER PRIMARY KEY,
	outbox_id   INTEGER NOT NULL REFERENCES notify_outbox(id) ON DELETE CASCADE,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	mode        TEXT NOT NULL,              -- immediate or daily
	created_at  DATETIME NOT NULL,
	sent_at     DATETIME,
	dropped     TEXT NOT NULL DEFAULT '',   -- why it was not sent: grant, unsubscribed, account
	UNIQUE (outbox_id, user_id)
);
CREATE INDEX notify_deliveries_pending ON notify_deliveries(mode, sent_at, user_id);

-- One row per daily digest run, so that several instances run it once.
CREATE TABLE notify_digests (
	day         TEXT PRIMARY KEY,           -- AAAA-MM-JJ, local date
	started_at  DATETIME NOT NULL
);
