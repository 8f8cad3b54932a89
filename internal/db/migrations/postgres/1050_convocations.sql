-- Convocations (internal/convocations): an event may be a session of a body
-- (comité, bureau, commission) whose convened group's members are e-mailed
-- the agenda and the event's linked documents (event_documents), and answer
-- présent, absent or pouvoir.

CREATE TABLE convocations (
	event_id    BIGINT PRIMARY KEY,                -- events(id); no foreign key: a deleted event's convened are told, then the row goes
	body        TEXT NOT NULL,              -- comite, bureau, commission
	group_id    BIGINT NOT NULL REFERENCES groups(id),
	agenda      TEXT NOT NULL DEFAULT '',   -- plain text, one item a line
	sent_at     TIMESTAMPTZ,                        -- when "Envoyer la convocation" ran
	updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE convocation_answers (
	event_id     BIGINT NOT NULL REFERENCES convocations(event_id) ON DELETE CASCADE,
	user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	answer       TEXT NOT NULL,             -- present, absent, proxy
	proxy_to     BIGINT REFERENCES users(id) ON DELETE SET NULL,
	answered_at  TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (event_id, user_id)
);
-- One proxy each: a member holds at most one proxy per session.
CREATE UNIQUE INDEX convocation_answers_proxy ON convocation_answers(event_id, proxy_to);
