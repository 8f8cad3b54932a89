-- A claim writes a fresh random token; finishing or failing a job only
-- succeeds while the token still matches, so a worker whose lease expired
-- (and whose job another worker re-claimed) cannot overwrite the new run.
ALTER TABLE jobs ADD COLUMN lock_token TEXT NOT NULL DEFAULT '';
