-- Split the PostgreSQL search index in two so a broad word costs little
-- (internal/search/tsvector.go explains the queries):
--   search_items.words        every lexeme of the object, without positions
--                             or weights (strip), GIN-indexed. Stored out of
--                             line (EXTERNAL), so the table's own rows stay
--                             a few hundred bytes: a word found in 10,000
--                             documents is counted from the index and 150
--                             narrow heap pages, never reading the vectors.
--   search_items.title_words  the title's lexemes (small, in the row): the
--                             cheap "in the title" signal.
--   search_vectors.tsv        the full vector with positions and weights
--                             (title A, body D), kept in its row (MAIN, as
--                             0401 did): read only to rank the best
--                             candidates and to check phrases.
CREATE TABLE search_vectors (
	item_id  BIGINT PRIMARY KEY REFERENCES search_items(id) ON DELETE CASCADE,
	tsv      TSVECTOR NOT NULL
);
ALTER TABLE search_vectors ALTER COLUMN tsv SET STORAGE MAIN;
ALTER TABLE search_vectors SET (toast_tuple_target = 8160);
INSERT INTO search_vectors (item_id, tsv) SELECT id, tsv FROM search_items;

ALTER TABLE search_items RESET (toast_tuple_target);
ALTER TABLE search_items ADD COLUMN title_words TSVECTOR, ADD COLUMN words TSVECTOR;
ALTER TABLE search_items ALTER COLUMN words SET STORAGE EXTERNAL;
UPDATE search_items SET title_words = strip(ts_filter(tsv, '{a}')), words = strip(tsv);
ALTER TABLE search_items ALTER COLUMN title_words SET NOT NULL, ALTER COLUMN words SET NOT NULL;
DROP INDEX search_items_tsv;
ALTER TABLE search_items DROP COLUMN tsv;
-- Rewrite the table: the dropped vectors leave the rows.
CLUSTER search_items USING search_items_pkey;
CREATE INDEX search_items_words ON search_items USING GIN (words);
