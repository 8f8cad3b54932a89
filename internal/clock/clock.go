// Package clock provides a settable clock for tests; production code takes a
// func() time.Time and is given time.Now.
package clock

import (
	"sync"
	"time"
)

// Fake is a clock that only moves when told to.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake returns a clock set at t.
func NewFake(t time.Time) *Fake { return &Fake{t: t} }

// Now returns the clock's time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Advance moves the clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.t = t
	f.mu.Unlock()
}
