-- PostgreSQL-only storage setting for the search index (see the postgres
-- migration of the same name); nothing to do on SQLite.
SELECT 1;
