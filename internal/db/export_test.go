package db

// RebindForTest exposes the PostgreSQL rebinding to tests.
var RebindForTest = rebind

// WritesForTest is the count of writes the DB made or heard of.
func (db *DB) WritesForTest() int64 { return db.version.writes.Load() }
