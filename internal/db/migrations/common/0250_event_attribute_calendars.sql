-- An attribute may be limited to some calendars (issue 13): the public
-- agenda's filter then lists only the attributes of the calendars the
-- visitor sees, not internal categories. No row: every calendar.
CREATE TABLE event_attribute_calendars (
	attribute_id  BIGINT NOT NULL REFERENCES event_attributes(id) ON DELETE CASCADE,
	calendar_id   BIGINT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
	PRIMARY KEY (attribute_id, calendar_id)
);
