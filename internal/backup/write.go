package backup

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"portique/internal/db"
)

// Source is what a backup reads.
type Source struct {
	DB      *db.DB
	DataDir string
	// Skip are absolute paths below DataDir left out of the archive: the
	// SQLite database files, the backup folder when it lies inside.
	Skip []string
	// Version is Portique's version, written to the manifest.
	Version string
	// Now is the clock of the manifest's date (time.Now when nil).
	Now func() time.Time
}

// Write writes an archive of src to w and returns its manifest. The site
// may keep serving and writing meanwhile: the rows are one snapshot, and
// the files it refers to are pinned (see pinFiles). Working files go to a
// folder .backup-* inside the data directory, removed at the end.
func Write(ctx context.Context, w io.Writer, src Source) (*Manifest, error) {
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	if err := os.MkdirAll(src.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("backup: data directory: %w", err)
	}
	removeStale(src.DataDir, time.Now())
	stage, err := os.MkdirTemp(src.DataDir, stagePrefix)
	if err != nil {
		return nil, fmt.Errorf("backup: working folder: %w", err)
	}
	defer os.RemoveAll(stage)

	m := &Manifest{Format: Format, Version: src.Version, Engine: string(src.DB.Dialect()), CreatedAt: now().UTC()}
	pinned := map[string]dataFile{}
	if err := pinFiles(src.DataDir, stage, src.Skip, pinned); err != nil {
		return nil, fmt.Errorf("backup: files: %w", err)
	}
	snap, err := openSnapshot(ctx, src.DB, stage)
	if err != nil {
		return nil, err
	}
	m.Migrations, err = snap.migrations(ctx)
	if err == nil {
		// Files created between the two passes are young: no store
		// deletes them yet (see pinFiles).
		err = pinFiles(src.DataDir, stage, src.Skip, pinned)
	}
	if err == nil {
		m.Tables, err = snap.export(ctx, stage)
	}
	if cerr := snap.close(); err == nil && cerr != nil && !errors.Is(cerr, context.Canceled) {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	files := make([]dataFile, 0, len(pinned))
	for _, f := range pinned {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })

	zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(true), zstd.WithWindowSize(1<<20), zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	add := func(name, path string) error {
		f, err := addFile(ctx, tw, name, path)
		if err != nil {
			return fmt.Errorf("backup: %s: %w", name, err)
		}
		m.Files = append(m.Files, f)
		return nil
	}
	for _, t := range m.Tables {
		if err := add(t.File, filepath.Join(stage, filepath.FromSlash(t.File))); err != nil {
			return nil, err
		}
	}
	kept := files[:0]
	for _, f := range files {
		err := add(filesDir+f.rel, f.path)
		if errors.Is(err, fs.ErrNotExist) {
			// Not pinned (no hard links here) and deleted since: a file
			// no row refers to any more.
			continue
		}
		if err != nil {
			return nil, err
		}
		f.size = m.Files[len(m.Files)-1].Size
		kept = append(kept, f)
	}
	m.Areas = areas(kept)
	body, err := m.encode()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	for _, e := range []struct {
		name string
		body []byte
	}{{manifestName, body}, {manifestSum, []byte(hex.EncodeToString(sum[:]) + "\n")}} {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o600, Size: int64(len(e.body)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return m, nil
}

// removeStale removes the working folders of backups and restores that a
// crash or a kill left in the data directory, once nobody has written in
// them for a day (a backup in progress writes in its own all the time).
func removeStale(dataDir string, now time.Time) {
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || (!strings.HasPrefix(e.Name(), stagePrefix) && !strings.HasPrefix(e.Name(), restorePrefix)) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > 24*time.Hour {
			os.RemoveAll(filepath.Join(dataDir, e.Name()))
		}
	}
}

var copyBuf = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// addFile copies the file at path into the archive as name, hashing it.
func addFile(ctx context.Context, tw *tar.Writer, name, path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return File{}, err
	}
	if err := ctx.Err(); err != nil {
		return File{}, err
	}
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: info.Size(), ModTime: info.ModTime().UTC(), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return File{}, err
	}
	h := sha256.New()
	// One buffer for every file (io.Copy would take a fresh 32 KiB one
	// per file through os.File's WriteTo: garbage the serving process's
	// collector then pays for).
	buf := copyBuf.Get().(*[]byte)
	defer copyBuf.Put(buf)
	n, err := io.CopyBuffer(io.MultiWriter(tw, h), struct{ io.Reader }{f}, *buf)
	if err != nil {
		return File{}, err
	}
	if n != info.Size() {
		return File{}, fmt.Errorf("changed while read (%d of %d bytes)", n, info.Size())
	}
	return File{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// WriteFile writes an archive of src to path, which must not exist. The
// archive is written to a hidden temporary name beside it (.NAME.partial-*),
// flushed to disk, then linked to path in one step and the folder flushed
// too: a crash or a kill leaves at most a .partial file, never a truncated
// archive under a name that looks complete.
func WriteFile(ctx context.Context, path string, src Source) (*Manifest, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, refuse("backup.error.exists", path)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+partialMark+"*")
	if err != nil {
		return nil, because(err, "backup.error.create", path)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	src.Skip = append(src.Skip, tmp.Name())
	m, err := Write(ctx, bw, src)
	if err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, because(err, "backup.error.create", path)
	}
	if err := tmp.Sync(); err != nil {
		return nil, because(err, "backup.error.create", path)
	}
	if err := tmp.Close(); err != nil {
		return nil, because(err, "backup.error.create", path)
	}
	// A link fails if path appeared meanwhile, where a rename would
	// replace it; file systems without links get the rename.
	if err := os.Link(tmp.Name(), path); err == nil {
		os.Remove(tmp.Name())
	} else if errors.Is(err, fs.ErrExist) {
		return nil, refuse("backup.error.exists", path)
	} else if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, because(err, "backup.error.create", path)
	}
	done = true
	if err := syncDir(dir); err != nil {
		return nil, because(err, "backup.error.create", path)
	}
	return m, nil
}

// syncDir flushes a folder's entries (the new name) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
