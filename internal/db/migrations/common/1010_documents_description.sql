-- A document's description, typed at upload (issue 13: uploads take a title
-- and a description). In notify's range: the notifications work added it.
ALTER TABLE documents ADD COLUMN description TEXT NOT NULL DEFAULT '';
