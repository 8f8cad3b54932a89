-- Contact form messages (issue 11 §2): what visitors sent through a page's
-- "Formulaire de contact" block, kept for the inbox (/admin/messages) until
-- the retention period (--contact-retention) has passed, and their
-- attachments. Attachments live in the database, not on a served path:
-- only the inbox's download handler reads them, for staff granted the
-- inbox. The inbox is one access node of kind 'contact' (id 1) with no
-- grant: administrators only, until they grant "manage" to a group.
-- Messages do not change public pages: no content-version trigger.
CREATE TABLE contact_messages (
	id             INTEGER PRIMARY KEY,
	page_id        INTEGER NOT NULL,               -- the page of the form (no foreign key: a deleted page keeps its messages)
	form_title     TEXT NOT NULL,                  -- the page's title when the message came
	recipient      TEXT NOT NULL,                  -- the address it was e-mailed to
	fields         TEXT NOT NULL,                  -- JSON [{label, kind, value}], in the form's order
	sender         TEXT NOT NULL DEFAULT '',       -- the first e-mail field, for Reply-To and the list
	subject        TEXT NOT NULL DEFAULT '',       -- the first choice field (or first text), for the list
	submission_key TEXT NOT NULL UNIQUE,           -- one per form shown: a form sent twice is stored once
	created_at     DATETIME NOT NULL,
	done_at        DATETIME,                       -- status "traité"
	done_by        TEXT NOT NULL DEFAULT '',
	mail_job       INTEGER,                        -- the job that e-mails it
	mailed_at      DATETIME
);
CREATE INDEX contact_messages_created ON contact_messages(created_at);

CREATE TABLE contact_attachments (
	id          INTEGER PRIMARY KEY,
	message_id  INTEGER NOT NULL REFERENCES contact_messages(id) ON DELETE CASCADE,
	field       TEXT NOT NULL,
	filename    TEXT NOT NULL,
	media_type  TEXT NOT NULL,
	size        INTEGER NOT NULL,
	data        BLOB NOT NULL
);
CREATE INDEX contact_attachments_message ON contact_attachments(message_id);

INSERT INTO acl_nodes (kind, id, parent_id, own, source_id) VALUES ('contact', 1, NULL, TRUE, 1);
