-- Keep search_items.tsv in the row (up to a page) rather than in TOAST. The
-- planner does not count the cost of fetching TOASTed values: with them out
-- of line it judged a sequential scan testing every tsvector cheaper than the
-- GIN index (measured: 400 ms instead of 10 ms over 10,000 documents).
-- Existing rows move in when they are next indexed (`portique reindex`).
ALTER TABLE search_items ALTER COLUMN tsv SET STORAGE MAIN;
ALTER TABLE search_items SET (toast_tuple_target = 8160);
