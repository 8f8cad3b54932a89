-- PostgreSQL-only layout change of the search index (see the postgres
-- migration of the same name); FTS5 needs nothing.
SELECT 1;
