-- Folder listings are ordered by publication date then id, newest first:
-- with id in the index the engine walks it backwards and stops after one
-- page instead of sorting the whole folder.
CREATE INDEX documents_folder_date ON documents(folder_id, published_on, id);
DROP INDEX documents_folder;
