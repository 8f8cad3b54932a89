package db

// RebindForTest exposes the PostgreSQL rebinding to tests.
var RebindForTest = rebind
