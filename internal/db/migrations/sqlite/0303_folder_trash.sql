-- Folders can go to the trash too. Deleting a folder sends it, its
-- sub-folders and their documents to the trash in one go: trashed_with names
-- the folder whose deletion took a sub-folder or document along (NULL for the
-- item that was itself deleted), so restoring that folder brings back exactly
-- what left with it, and what had been trashed on its own before stays in the
-- trash as its own item. The invariant kept by the store: a folder that is not
-- in the trash has a parent that is not either, and so has a document.
ALTER TABLE folders ADD COLUMN trashed_at DATETIME;
ALTER TABLE folders ADD COLUMN trashed_by INTEGER;
ALTER TABLE folders ADD COLUMN trashed_with INTEGER;
ALTER TABLE documents ADD COLUMN trashed_with INTEGER;
CREATE INDEX folders_trashed ON folders(trashed_at);
CREATE INDEX documents_trashed_with ON documents(trashed_with);
-- A folder in the trash no longer holds its name: a new folder may take it
-- (restoring the old one then renames it if needed).
DROP INDEX folders_sibling_name;
CREATE UNIQUE INDEX folders_sibling_name ON folders(COALESCE(parent_id, 0), name) WHERE trashed_at IS NULL;
