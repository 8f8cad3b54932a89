-- A group may require its members to use two-factor login ("double
-- authentification obligatoire"): a member without it is sent to enrolment
-- and reaches nothing else until enrolled.
ALTER TABLE groups ADD COLUMN require_2fa BOOLEAN NOT NULL DEFAULT FALSE;
