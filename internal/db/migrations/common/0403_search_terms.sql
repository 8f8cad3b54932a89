-- Every token (stem) ever indexed, for spelling suggestions
-- (internal/search/suggest.go). Filled as objects are indexed; run
-- `portique reindex` once to fill it for content indexed before.
CREATE TABLE search_terms (
	term TEXT PRIMARY KEY
);
