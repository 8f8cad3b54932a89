-- Nothing to do on PostgreSQL: events.id is an identity column, whose
-- sequence never gives an id twice. (On SQLite, see the same migration.)
SELECT 1;
