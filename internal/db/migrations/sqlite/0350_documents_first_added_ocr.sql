-- created_at is the date of a document's first upload: "Ajouté le" keeps it
-- when the file is replaced (added_at is the current file's). text_ocr says
-- the indexed text came from optical character recognition (a scan).
ALTER TABLE documents ADD COLUMN created_at DATETIME;
UPDATE documents SET created_at = COALESCE(
	(SELECT MIN(v.added_at) FROM document_versions v WHERE v.document_id = documents.id), added_at);
ALTER TABLE documents ADD COLUMN text_ocr BOOLEAN NOT NULL DEFAULT FALSE;
