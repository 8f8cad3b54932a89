// Package searchtest holds the one test double of the search index: a
// Recorder that remembers what a domain's store asked the index to hold, so
// the domain's tests check their side without the engines (which have their
// own conformance suite on both databases, in package search). Tests that
// need real search results use search.New on the test database instead.
package searchtest

import (
	"context"
	"fmt"
	"sync"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/search"
)

// Recorder is a search.Index that keeps the parts of each object of one
// kind. It refuses (with an error the store reports) objects of another kind
// and, when OnePart is set, objects of more than one part. Search is refused:
// it is not an engine.
type Recorder struct {
	Kind    string
	OnePart bool

	mu   sync.Mutex
	docs map[int64][]search.Doc
}

// NewRecorder returns a Recorder for objects of kind.
func NewRecorder(kind string, onePart bool) *Recorder {
	return &Recorder{Kind: kind, OnePart: onePart, docs: map[int64][]search.Doc{}}
}

// Replace records the parts of one object.
func (r *Recorder) Replace(_ context.Context, _ db.Querier, kind string, id int64, docs []search.Doc) error {
	if kind != r.Kind {
		return fmt.Errorf("searchtest: kind %q, want %q", kind, r.Kind)
	}
	if r.OnePart && len(docs) != 1 {
		return fmt.Errorf("searchtest: %d parts, want 1", len(docs))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.docs[id] = append([]search.Doc(nil), docs...)
	return nil
}

// Delete forgets an object.
func (r *Recorder) Delete(_ context.Context, _ db.Querier, _ string, id int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.docs, id)
	return nil
}

// Search is refused: the Recorder is not an engine.
func (r *Recorder) Search(context.Context, access.Principal, search.Query) (search.Result, error) {
	return search.Result{}, fmt.Errorf("searchtest: the recorder is not a search engine")
}

// Parts returns the recorded parts of object id (nil when none).
func (r *Recorder) Parts(id int64) []search.Doc {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.docs[id]
}

// Get returns the first part of object id and whether it is indexed.
func (r *Recorder) Get(id int64) (search.Doc, bool) {
	p := r.Parts(id)
	if len(p) == 0 {
		return search.Doc{}, false
	}
	return p[0], true
}
