package documents

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// ErrTooLarge is returned when an upload exceeds the size limit.
var ErrTooLarge = errors.New("documents: file too large")

// ErrEmpty is returned for an upload with no bytes.
var ErrEmpty = errors.New("documents: empty file")

// Blobs stores file bytes on local disk under their SHA-256: identical files
// are stored once, a stored file never changes, and names coming from users
// never reach the file system. The directory (DataDir/blobs) is outside
// anything served statically; bytes leave only through the permission-checked
// download handler.
type Blobs struct {
	Dir string
}

// NewBlobs creates the directory if needed.
func NewBlobs(dir string) (*Blobs, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("documents: blob directory: %w", err)
	}
	return &Blobs{Dir: dir}, nil
}

// Staged is an upload written to a temporary file, hashed, not yet stored.
type Staged struct {
	Path   string
	Size   int64
	SHA256 string
	blobs  *Blobs
}

// Stage copies r to a temporary file while hashing it, never holding more than
// a small buffer in memory. More than max bytes gives ErrTooLarge; a read
// error (an upload cut in the middle) is returned as is. Either way nothing
// is left behind.
func (b *Blobs) Stage(r io.Reader, max int64) (*Staged, error) {
	f, err := os.CreateTemp(filepath.Join(b.Dir, "tmp"), "up-*")
	if err != nil {
		return nil, fmt.Errorf("documents: stage: %w", err)
	}
	fail := func(err error) (*Staged, error) {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(f, h), io.LimitReader(r, max+1), make([]byte, 64<<10))
	if err != nil {
		return fail(fmt.Errorf("documents: stage: %w", err))
	}
	if n > max {
		return fail(ErrTooLarge)
	}
	if n == 0 {
		return fail(ErrEmpty)
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("documents: stage: %w", err))
	}
	if err := f.Close(); err != nil {
		return fail(fmt.Errorf("documents: stage: %w", err))
	}
	return &Staged{Path: f.Name(), Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), blobs: b}, nil
}

// Commit moves the staged file to its content-addressed place and returns the
// blob key. When the same bytes are already stored, the copy is dropped.
func (s *Staged) Commit() (string, error) {
	key := s.SHA256
	dst := s.blobs.Path(key)
	if _, err := os.Stat(dst); err == nil {
		os.Remove(s.Path)
		// Freshen it, so PurgeOrphans (which spares recent files) cannot
		// remove it before the new document row referring to it commits.
		now := time.Now()
		os.Chtimes(dst, now, now)
		return key, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		s.Discard()
		return "", fmt.Errorf("documents: store blob: %w", err)
	}
	if err := os.Rename(s.Path, dst); err != nil {
		s.Discard()
		return "", fmt.Errorf("documents: store blob: %w", err)
	}
	return key, nil
}

// Discard removes the temporary file.
func (s *Staged) Discard() { os.Remove(s.Path) }

// Path is where the blob of key lives. Keys are hex SHA-256 digests produced
// by Stage; anything else maps to a path that does not exist.
func (b *Blobs) Path(key string) string {
	if len(key) != 64 {
		return filepath.Join(b.Dir, "invalid")
	}
	if _, err := hex.DecodeString(key); err != nil {
		return filepath.Join(b.Dir, "invalid")
	}
	return filepath.Join(b.Dir, key[:2], key[2:4], key)
}

// Open opens a stored blob for reading.
func (b *Blobs) Open(key string) (*os.File, error) {
	f, err := os.Open(b.Path(key))
	if err != nil {
		return nil, fmt.Errorf("documents: open blob: %w", err)
	}
	return f, nil
}
