// Package search is the one full-text index of the site: pages, events and
// document contents. SQLite uses FTS5, PostgreSQL a tsvector with a French,
// accent-folding configuration; both sit behind Index and pass the same
// conformance tests. Results are filtered by the access model inside the SQL
// query, so a hit, a count or a snippet never reveals what the searcher may
// not see.
package search

import (
	"context"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// Kinds of indexed objects.
const (
	KindPage     = "page"
	KindEvent    = "event"
	KindDocument = "document"
)

// Doc is one indexed unit: a page, an event, or one page (Part) of a
// document. The object's visibility is decided by the access node
// (ACLKind, ACLID): a page's own node, an event's calendar, a document's folder.
// The parts of one object are passed together to Replace; its title, URL,
// date, folder, label and access node are taken from its first part.
type Doc struct {
	Kind     string
	ID       int64
	Part     int // 1-based page number inside a document; 0 when not paged
	ACLKind  access.Kind
	ACLID    int64
	Title    string
	Body     string
	URL      string
	Date     time.Time // publication date (documents), start (events), last publication (pages)
	FolderID int64     // documents only; 0 otherwise
	Extra    string    // short label shown with the hit (folder name, calendar name…)
	// VisibleFrom and VisibleUntil bound when the object shows in results
	// (a page's scheduled publication); zero: open.
	VisibleFrom, VisibleUntil time.Time
}

// Query is what a searcher asks.
type Query struct {
	Text     string
	Kinds    []string  // empty: every kind
	FolderID int64     // documents in this folder and its sub-folders; 0: all
	From, To time.Time // publication date range, whole days inclusive in the times' location; zero: open
	Limit    int       // default 20
	Offset   int
	// Now is the instant scheduled objects are shown for (Doc.VisibleFrom,
	// VisibleUntil); zero: time.Now.
	Now time.Time
}

// Hit is one result: one per object; for a document, Part is the page that
// answers best and Snippet comes from it. Snippet is safe HTML: escaped text
// with <mark> around matched words (templates may use template.HTML on it).
type Hit struct {
	Kind     string
	ID       int64
	Part     int
	Title    string
	URL      string
	Snippet  string
	Date     time.Time
	FolderID int64
	Extra    string
	Rank     float64
}

// Result is a page of hits and the total number of visible matches.
type Result struct {
	Hits  []Hit
	Total int
	// Suggestion, when nothing was found, is the query with its unknown
	// words replaced by close indexed words, offered only when that query
	// finds something the searcher may see ("Vouliez-vous dire …").
	Suggestion string
	// Cut says the query had more words or OU alternatives than are
	// searched (MaxAlternatives): the rest was left out, and the page says so.
	Cut bool
}

// Index is implemented by the FTS5 and tsvector engines.
type Index interface {
	// Replace sets every part of one object (kind, id), removing older parts.
	// It runs on q, so callers can index in the transaction that publishes.
	Replace(ctx context.Context, q db.Querier, kind string, id int64, docs []Doc) error
	// Delete removes every part of one object.
	Delete(ctx context.Context, q db.Querier, kind string, id int64) error
	// Search returns the hits p may see, best first.
	Search(ctx context.Context, p access.Principal, q Query) (Result, error)
}
