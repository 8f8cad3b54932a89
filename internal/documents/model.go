// Package documents is the document space: a tree of folders carrying grants
// (each folder is an access node of kind access.Folder), the documents in
// them with their older versions, the storage of their bytes (by content
// hash, outside anything served statically), the upload checks (type from
// the content, file-name sanitising, size limit, zip bombs), the archive rule
// and the text extraction job that feeds the search index.
//
// Every method takes the principal asking and checks the access model; lists
// and counts filter inside the SQL query with the same rule.
package documents

import (
	"time"
)

// Errors: the store returns db.ErrNotFound for no such document or folder,
// or one not visible to the asker (the two are not told apart, so ids cannot
// be probed); access.ErrForbidden when the asker sees it but lacks the level
// the action needs; valid.Errors for bad input or a refusal the person can
// fix (field → catalogue key of internal/i18n/fr/documents.json with its
// arguments), and then nothing has been written; *TrashedParentError for a
// restore whose folder is itself in the trash.
//
// Every mutation takes the access.Actor making it and writes its audit entry
// (audit.Record) in the transaction of the change.

// Text statuses of a document.
const (
	TextPending = "pending" // extraction queued or running
	TextDone    = "done"    // text indexed
	TextNone    = "none"    // no indexable text; TextReason says why (an extract.Reason* catalogue key)
)

// Folder is a node of the folder tree.
type Folder struct {
	ID        int64
	ParentID  int64 // 0 for a root
	Name      string
	CreatedAt time.Time
	Depth     int // in a Tree listing
	Count     int // visible current (or archived) documents, in a Tree listing
}

// Document is a file in a folder. The current file's fields are inline;
// older files are Versions.
type Document struct {
	ID          int64
	FolderID    int64
	FolderName  string
	Title       string
	Description string // plain text, typed at upload ("" when none)
	Filename    string
	MediaType   string
	Size        int64
	SHA256      string
	BlobKey     string
	Version     int
	PublishedOn string // calendar date YYYY-MM-DD
	AddedAt     time.Time
	AddedBy     int64
	UpdatedAt   time.Time
	Pinned      bool
	TextStatus  string
	TextReason  string
	Pages       int
	TrashedAt   *time.Time
	Archived    bool // computed from PublishedOn, Pinned and the clock
}

// Published returns the publication date at midnight UTC (for the index).
func (d Document) Published() time.Time {
	t, _ := time.Parse(time.DateOnly, d.PublishedOn)
	return t
}

// IsPDF reports whether the document can be shown inline by browsers.
func (d Document) IsPDF() bool { return d.MediaType == "application/pdf" }

// TypeKey is the catalogue key naming the document's type ("PDF",
// "document Word"…).
func (d Document) TypeKey() string { return TypeKey(d.MediaType) }

// Version is an earlier file of a document, kept when it was replaced.
type Version struct {
	DocumentID int64
	Version    int
	Filename   string
	MediaType  string
	Size       int64
	SHA256     string
	BlobKey    string
	AddedAt    time.Time
	ReplacedAt time.Time
}

// TypeKey is the catalogue key naming the version's type.
func (v Version) TypeKey() string { return TypeKey(v.MediaType) }
