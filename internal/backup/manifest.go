// Package backup writes, checks and restores Portique's archives: one file
// holding a consistent snapshot of the database and of every file the data
// directory keeps (document bytes, acts, …), with a manifest.
//
// An archive is a tar stream compressed with zstd (frame checksums on):
//
//	db/NNN_<table>.jsonl   one file per table, in an order that satisfies the
//	                       foreign keys; one JSON array per row, values typed
//	                       as the manifest's columns say (see values.go)
//	files/<path>           every file of the data directory, at its path
//	                       below it (files.go says what is left out)
//	manifest.json          format, versions, engine, migrations, tables with
//	                       their columns and row counts, and the size and
//	                       SHA-256 of every entry above
//	manifest.sha256        the SHA-256 of manifest.json
//
// The rows are written in Portique's own portable form rather than as an
// engine's dump, so an archive taken on SQLite restores into PostgreSQL and
// the reverse. Tables and columns are read from the engines' catalogues: a
// table added by a future migration is in the next archive with no change
// here. The search index is not archived: it is derived, and a restore
// rebuilds it (the same work as `portique reindex`).
package backup

import (
	"encoding/json"
	"time"
)

// Format is the version of the archive layout this program writes; it
// reads archives of this format or older.
const Format = 1

// The names of the archive's own entries.
const (
	manifestName = "manifest.json"
	manifestSum  = "manifest.sha256"
	dbDir        = "db/"
	filesDir     = "files/"
)

// Manifest describes an archive.
type Manifest struct {
	Format    int       `json:"format"`
	Version   string    `json:"portique_version"`
	Engine    string    `json:"engine"` // sqlite or postgres: where it was taken
	CreatedAt time.Time `json:"created_at"`
	// Migrations are the schema versions applied in the database backed up.
	Migrations []string `json:"migrations"`
	Tables     []Table  `json:"tables"`
	// Areas sums up the files per top-level folder of the data directory.
	Areas []Area `json:"areas"`
	// Files lists every entry of the archive but the manifest itself.
	Files []File `json:"files"`
}

// Table is one table of the archive.
type Table struct {
	Name    string   `json:"name"`
	File    string   `json:"file"`
	Rows    int64    `json:"rows"`
	Columns []Column `json:"columns"`
}

// Column is one column with its portable type: integer, real, text,
// boolean, timestamp or blob.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Area is a top-level folder (or file) of the data directory.
type Area struct {
	Name  string `json:"name"`
	Files int    `json:"files"`
	Bytes int64  `json:"bytes"`
}

// File is one entry of the archive.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Rows is the number of rows over all tables.
func (m *Manifest) Rows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// Bytes is the size of the archived content (before compression).
func (m *Manifest) Bytes() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// DataFiles is the number of files of the data directory in the archive.
func (m *Manifest) DataFiles() int {
	n := 0
	for _, a := range m.Areas {
		n += a.Files
	}
	return n
}

func (m *Manifest) encode() ([]byte, error) { return json.MarshalIndent(m, "", "  ") }
