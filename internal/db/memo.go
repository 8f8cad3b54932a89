package db

import (
	"context"
	"sync"
)

// Memo keeps values read from the database, by key, while the content
// version does not move (ContentVersion: no query while nothing was
// written; every change to the content moves it, on any instance). It is
// for small reads that many pages repeat — the calendars a set of groups
// sees, the event attributes — not for what depends on the clock. Values
// are shared: callers must not change them. At most max keys are kept
// (then it starts again); the zero Memo keeps 64.
type Memo[T any] struct {
	mu      sync.Mutex
	version int64
	m       map[string]T
	Max     int
}

// Get returns the value for key, read by load when none is kept for the
// current version. A value read while a write was going on is kept under
// the version read before it: at worst newer than needed, never older.
func (m *Memo[T]) Get(ctx context.Context, d *DB, key string, load func() (T, error)) (T, error) {
	v, err := d.ContentVersion(ctx)
	if err != nil {
		return load()
	}
	m.mu.Lock()
	if x, ok := m.m[key]; ok && m.version == v {
		m.mu.Unlock()
		return x, nil
	}
	m.mu.Unlock()
	x, err := load()
	if err != nil {
		return x, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case v < m.version: // an older read finishing late
		return x, nil
	case v > m.version || m.m == nil:
		m.version, m.m = v, map[string]T{}
	}
	max := m.Max
	if max <= 0 {
		max = 64
	}
	if len(m.m) >= max {
		clear(m.m)
	}
	m.m[key] = x
	return x, nil
}
