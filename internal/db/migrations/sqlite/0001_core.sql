-- Foundation schema: accounts, groups, sessions, one-time tokens, the access
-- model (acl_nodes + grants), the audit trail, durable jobs and settings.
-- Timestamps are UTC; SQLite stores them as text that sorts chronologically.

CREATE TABLE users (
	id             INTEGER PRIMARY KEY,
	email          TEXT NOT NULL UNIQUE,          -- lower-cased
	name           TEXT NOT NULL,
	password_hash  TEXT NOT NULL DEFAULT '',      -- argon2id PHC string; '' until invitation accepted
	is_admin       BOOLEAN NOT NULL DEFAULT FALSE,
	disabled       BOOLEAN NOT NULL DEFAULT FALSE,
	failed_count   INTEGER NOT NULL DEFAULT 0,
	locked_until   DATETIME,
	last_login_at  DATETIME,
	created_at     DATETIME NOT NULL,
	deleted_at     DATETIME
);

CREATE TABLE groups (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	builtin     BOOLEAN NOT NULL DEFAULT FALSE,
	created_at  DATETIME NOT NULL
);
-- Pseudo-groups with fixed ids: 1 = everyone (anonymous included), 2 = any logged-in member.
INSERT INTO groups (id, name, builtin, created_at) VALUES
	(1, 'Tout le monde', TRUE, '2026-01-01 00:00:00+00:00'),
	(2, 'Membres', TRUE, '2026-01-01 00:00:00+00:00');

CREATE TABLE memberships (
	user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	group_id  INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, group_id)
);
CREATE INDEX memberships_group ON memberships(group_id);

CREATE TABLE sessions (
	id_hash       TEXT PRIMARY KEY,              -- sha256 of the cookie value; the value itself is never stored
	user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf_token    TEXT NOT NULL,
	created_at    DATETIME NOT NULL,
	last_seen_at  DATETIME NOT NULL,
	expires_at    DATETIME NOT NULL,             -- absolute end
	ip            TEXT NOT NULL DEFAULT '',
	user_agent    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE user_tokens (
	token_hash  TEXT PRIMARY KEY,                -- sha256 of the emailed token
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	purpose     TEXT NOT NULL,                   -- 'reset' or 'invite'
	created_at  DATETIME NOT NULL,
	expires_at  DATETIME NOT NULL,
	used_at     DATETIME
);
CREATE INDEX user_tokens_user ON user_tokens(user_id, purpose);

-- Rate limits shared by every instance (login per IP, reset per email…).
CREATE TABLE throttle (
	key       TEXT PRIMARY KEY,
	count     INTEGER NOT NULL,
	reset_at  DATETIME NOT NULL
);

-- Every access-controlled object (page, folder, calendar) has a node. A node
-- either sets its own grants (own = TRUE, source_id = id) or inherits them
-- from the nearest ancestor that does (source_id = that ancestor's id). The
-- access package keeps source_id right on create, move and grant changes, so
-- checking a row is one indexed EXISTS.
CREATE TABLE acl_nodes (
	kind       TEXT NOT NULL,
	id         INTEGER NOT NULL,
	parent_id  INTEGER,
	own        BOOLEAN NOT NULL DEFAULT FALSE,
	source_id  INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
);
CREATE INDEX acl_nodes_parent ON acl_nodes(kind, parent_id);
CREATE INDEX acl_nodes_source ON acl_nodes(kind, source_id);

CREATE TABLE grants (
	kind       TEXT NOT NULL,
	object_id  INTEGER NOT NULL,
	group_id   INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
	PRIMARY KEY (kind, object_id, group_id)
);
CREATE INDEX grants_group ON grants(group_id);

CREATE TABLE audit (
	id        INTEGER PRIMARY KEY,
	at        DATETIME NOT NULL,
	actor_id  INTEGER,                           -- no FK: the trail outlives deleted accounts
	actor     TEXT NOT NULL DEFAULT '',          -- email at the time, or '' for anonymous
	action    TEXT NOT NULL,
	object    TEXT NOT NULL DEFAULT '',
	ip        TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_action ON audit(action, at);

-- Durable background work, claimed by one worker at a time.
CREATE TABLE jobs (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL,
	payload       TEXT NOT NULL DEFAULT '',
	run_at        DATETIME NOT NULL,
	attempts      INTEGER NOT NULL DEFAULT 0,
	locked_until  DATETIME,
	done_at       DATETIME,
	last_error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_due ON jobs(done_at, run_at);

CREATE TABLE settings (
	key    TEXT PRIMARY KEY,
	value  TEXT NOT NULL
);
