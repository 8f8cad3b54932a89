-- The register of acts (publicité des actes, CGCT L. 2131-1 and R. 2131-1
-- ff., L. 5211-3 for syndicates): sessions of the deliberative bodies, the
-- acts (deliberations, arrêtés, decisions, minutes, lists of deliberations),
-- their annexes, the immutable publication record of each act, the text
-- extracted from their files (for the site search) and the last integrity
-- check of every published file.
--
-- The register is one access-controlled object: the node ('register', 1)
-- of acl_nodes, whose grants say who reads the published public acts
-- (Everyone by default, below), who prepares drafts (edit) and who
-- publishes (manage, the secretariat). Dates of acts and sessions are
-- calendar days 'YYYY-MM-DD' (text sorts chronologically).

-- Settings of the register for the open-data export (SCDL Délibérations):
-- the official name and SIRET of the body, the prefecture's identifier.
CREATE TABLE act_register (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	coll_name   TEXT NOT NULL DEFAULT '',
	coll_siret  TEXT NOT NULL DEFAULT '',
	pref_id     TEXT NOT NULL DEFAULT '',
	-- next_verify_at: when the daily integrity check is due; an instance
	-- claims a run by moving it forward (one run per day on every instance).
	next_verify_at DATETIME
);
INSERT INTO act_register (id) VALUES (1);

CREATE TABLE act_sessions (
	id                   INTEGER PRIMARY KEY,
	body                 TEXT NOT NULL,             -- comite | bureau
	held_on              TEXT NOT NULL,             -- YYYY-MM-DD
	place                TEXT NOT NULL DEFAULT '',
	event_id             INTEGER,                   -- the calendar's event, when there is one (no FK: areas stay apart)
	minutes_approved_on  TEXT NOT NULL DEFAULT '',  -- day of the session that adopted its minutes ('' not yet)
	created_at           DATETIME NOT NULL,
	created_by           INTEGER,
	updated_at           DATETIME NOT NULL
);
CREATE INDEX act_sessions_held ON act_sessions(held_on);

CREATE TABLE acts (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL,                  -- deliberation | arrete | decision | pv | liste
	number          TEXT NOT NULL,
	act_date        TEXT NOT NULL,                  -- YYYY-MM-DD
	subject         TEXT NOT NULL,
	session_id      INTEGER REFERENCES act_sessions(id),
	matter_code     TEXT NOT NULL DEFAULT '',       -- nomenclature ACTES, level 2 ('8.8')
	vote_members    INTEGER,                        -- effectif théorique
	vote_present    INTEGER,                        -- présents et représentés (votants)
	vote_for        INTEGER,
	vote_against    INTEGER,
	vote_abstain    INTEGER,
	signer_first    TEXT NOT NULL DEFAULT '',
	signer_last     TEXT NOT NULL DEFAULT '',
	signer_title    TEXT NOT NULL DEFAULT '',
	individual      BOOLEAN NOT NULL DEFAULT FALSE, -- individual act or personal data
	public          BOOLEAN NOT NULL DEFAULT TRUE,  -- shown to the public once published
	budget_year     TEXT NOT NULL DEFAULT '',
	budget_name     TEXT NOT NULL DEFAULT '',
	pref_date       TEXT NOT NULL DEFAULT '',       -- received by the prefecture (contrôle de légalité)
	filename        TEXT NOT NULL,
	media_type      TEXT NOT NULL,
	size            BIGINT NOT NULL,
	sha256          TEXT NOT NULL,
	blob_key        TEXT NOT NULL,
	corrects_id     INTEGER REFERENCES acts(id),    -- this act rectifies that (published) one
	published_at    DATETIME,                       -- NULL: a draft
	withdrawn_at    DATETIME,
	withdrawn_by    INTEGER,
	withdrawn_reason TEXT NOT NULL DEFAULT '',
	text_status     TEXT NOT NULL DEFAULT 'pending',
	text_reason     TEXT NOT NULL DEFAULT '',
	pages           INTEGER NOT NULL DEFAULT 0,
	created_at      DATETIME NOT NULL,
	created_by      INTEGER,
	updated_at      DATETIME NOT NULL,
	UNIQUE (kind, number)
);
CREATE INDEX acts_date ON acts(act_date, id);
CREATE INDEX acts_session ON acts(session_id);
CREATE INDEX acts_corrects ON acts(corrects_id);

CREATE TABLE act_annexes (
	act_id      INTEGER NOT NULL REFERENCES acts(id),
	position    INTEGER NOT NULL,                   -- 1, 2, …
	title       TEXT NOT NULL,
	filename    TEXT NOT NULL,
	media_type  TEXT NOT NULL,
	size        BIGINT NOT NULL,
	sha256      TEXT NOT NULL,
	blob_key    TEXT NOT NULL,
	PRIMARY KEY (act_id, position)
);

-- One row per published act, written once at publication: the moment it
-- went online, who put it online (first name, name and title as confirmed
-- in the publication form, kept even if the account changes later) and the
-- SHA-256 of the file as published.
CREATE TABLE act_publications (
	act_id           INTEGER PRIMARY KEY REFERENCES acts(id),
	published_at     DATETIME NOT NULL,
	publisher_id     INTEGER,
	publisher_first  TEXT NOT NULL,
	publisher_last   TEXT NOT NULL,
	publisher_title  TEXT NOT NULL,
	sha256           TEXT NOT NULL,
	size             BIGINT NOT NULL
);

CREATE TABLE act_pages (
	act_id  INTEGER NOT NULL REFERENCES acts(id),
	page    INTEGER NOT NULL,
	text    TEXT NOT NULL,
	PRIMARY KEY (act_id, page)
);

-- The last integrity check of each published file (file 0: the act's own
-- file; n: annex n). ok = FALSE is shown on the act's page and the
-- secretariat's screen until a later check finds the right bytes again.
CREATE TABLE act_checks (
	act_id      INTEGER NOT NULL REFERENCES acts(id),
	file_no     INTEGER NOT NULL,
	checked_at  DATETIME NOT NULL,
	ok          BOOLEAN NOT NULL,
	found       TEXT NOT NULL DEFAULT '',           -- SHA-256 found, or 'missing'
	PRIMARY KEY (act_id, file_no)
);

-- Everyone reads the published public acts; the administrator gives the
-- secretariat's group edit or manage on the register.
INSERT INTO acl_nodes (kind, id, parent_id, own, source_id) VALUES ('register', 1, NULL, TRUE, 1);
INSERT INTO grants (kind, object_id, group_id, level) VALUES ('register', 1, 1, 1);

-- Once published, an act is never changed nor deleted, whatever the code
-- path: only its withdrawal mention (once) and the state of its text
-- extraction may still be written. The store refuses first (and audits the
-- attempt); these triggers are the floor under it.
CREATE TRIGGER acts_published_immutable BEFORE UPDATE ON acts
WHEN OLD.published_at IS NOT NULL AND (NEW.kind IS NOT OLD.kind OR NEW.number IS NOT OLD.number OR NEW.act_date IS NOT OLD.act_date OR NEW.subject IS NOT OLD.subject OR NEW.session_id IS NOT OLD.session_id OR NEW.matter_code IS NOT OLD.matter_code OR NEW.vote_members IS NOT OLD.vote_members OR NEW.vote_present IS NOT OLD.vote_present OR NEW.vote_for IS NOT OLD.vote_for OR NEW.vote_against IS NOT OLD.vote_against OR NEW.vote_abstain IS NOT OLD.vote_abstain OR NEW.signer_first IS NOT OLD.signer_first OR NEW.signer_last IS NOT OLD.signer_last OR NEW.signer_title IS NOT OLD.signer_title OR NEW.individual IS NOT OLD.individual OR NEW.public IS NOT OLD.public OR NEW.budget_year IS NOT OLD.budget_year OR NEW.budget_name IS NOT OLD.budget_name OR NEW.pref_date IS NOT OLD.pref_date OR NEW.filename IS NOT OLD.filename OR NEW.media_type IS NOT OLD.media_type OR NEW.size IS NOT OLD.size OR NEW.sha256 IS NOT OLD.sha256 OR NEW.blob_key IS NOT OLD.blob_key OR NEW.corrects_id IS NOT OLD.corrects_id OR NEW.published_at IS NOT OLD.published_at OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by OR (OLD.withdrawn_at IS NOT NULL AND (NEW.withdrawn_at IS NOT OLD.withdrawn_at OR NEW.withdrawn_by IS NOT OLD.withdrawn_by OR NEW.withdrawn_reason IS NOT OLD.withdrawn_reason)))
BEGIN SELECT RAISE(ABORT, 'acts: a published act cannot be changed'); END;
CREATE TRIGGER acts_published_undeletable BEFORE DELETE ON acts WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'acts: a published act cannot be deleted'); END;
CREATE TRIGGER act_publications_no_update BEFORE UPDATE ON act_publications
BEGIN SELECT RAISE(ABORT, 'acts: a publication record cannot be changed'); END;
CREATE TRIGGER act_publications_no_delete BEFORE DELETE ON act_publications
BEGIN SELECT RAISE(ABORT, 'acts: a publication record cannot be deleted'); END;
CREATE TRIGGER act_annexes_insert_published BEFORE INSERT ON act_annexes
WHEN (SELECT published_at FROM acts WHERE id = NEW.act_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'acts: the annexes of a published act cannot be changed'); END;
CREATE TRIGGER act_annexes_update_published BEFORE UPDATE ON act_annexes
WHEN (SELECT published_at FROM acts WHERE id = OLD.act_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'acts: the annexes of a published act cannot be changed'); END;
CREATE TRIGGER act_annexes_delete_published BEFORE DELETE ON act_annexes
WHEN (SELECT published_at FROM acts WHERE id = OLD.act_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'acts: the annexes of a published act cannot be changed'); END;

-- The public register is served from the visitors' page cache (migration
-- 0900): every change to what it shows bumps the content version.
CREATE TRIGGER cv_act_register_insert AFTER INSERT ON act_register BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_register_update AFTER UPDATE ON act_register BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_register_delete AFTER DELETE ON act_register BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_sessions_insert AFTER INSERT ON act_sessions BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_sessions_update AFTER UPDATE ON act_sessions BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_sessions_delete AFTER DELETE ON act_sessions BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_acts_insert AFTER INSERT ON acts BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_acts_update AFTER UPDATE ON acts BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_acts_delete AFTER DELETE ON acts BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_annexes_insert AFTER INSERT ON act_annexes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_annexes_update AFTER UPDATE ON act_annexes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_annexes_delete AFTER DELETE ON act_annexes BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_publications_insert AFTER INSERT ON act_publications BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_publications_update AFTER UPDATE ON act_publications BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_publications_delete AFTER DELETE ON act_publications BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_checks_insert AFTER INSERT ON act_checks BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_checks_update AFTER UPDATE ON act_checks BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER cv_act_checks_delete AFTER DELETE ON act_checks BEGIN UPDATE content_version SET v = v + 1 WHERE id = 1; END;
