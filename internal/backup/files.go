package backup

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// An archive holds every file of the data directory, found by walking it:
// an area that keeps its files under DATA/<folder> (documents in blobs/,
// acts in acts/, …) is backed up with no change here. What is left out is
// listed below, one line each: a new area whose files are disposable adds
// its folder to Skipped.
//
// Also always left out: the SQLite database files (their rows are in db/),
// any folder named tmp (uploads being received), the working folders of a
// backup or restore in progress (.backup-*, .restore-*), archives being
// written (*.partial-*), and the paths the caller names in Source.Skip (the
// backup folder when it lies inside the data directory).
var Skipped = map[string]string{
	// top-level name → why it is not in an archive
	"cache":  "rebuilt when needed (the PDF engine's compiled module)",
	"outbox": "copies of e-mails already sent, kept when no SMTP server is set (development)",
}

// Working names of this package inside the data directory.
const (
	stagePrefix   = ".backup-"
	restorePrefix = ".restore-"
	partialMark   = ".partial-"
)

// dataFile is one file to archive: its path below the data directory
// (slash-separated) and where to read it.
type dataFile struct {
	rel, path string
	size      int64
}

// skipName reports whether a file or folder name is never archived,
// wherever it is.
func skipName(name string, dir bool) bool {
	if dir && name == "tmp" {
		return true
	}
	return strings.HasPrefix(name, stagePrefix) || strings.HasPrefix(name, restorePrefix) ||
		strings.Contains(name, partialMark)
}

// walkData lists the files of dataDir an archive holds, sorted by path.
// skip are absolute paths left out (files or folders).
func walkData(dataDir string, skip []string) ([]dataFile, error) {
	skipped := map[string]bool{}
	for _, p := range skip {
		if abs, err := filepath.Abs(p); err == nil {
			skipped[abs] = true
		}
	}
	var out []dataFile
	err := filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone while walking (a temporary file)
			}
			return err
		}
		if p == dataDir {
			return nil
		}
		rel, err := filepath.Rel(dataDir, p)
		if err != nil {
			return err
		}
		top := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		_, listed := Skipped[top]
		if listed || skipped[p] || skipName(d.Name(), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // folders are walked; links and sockets are not data
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		out = append(out, dataFile{rel: filepath.ToSlash(rel), path: p, size: info.Size()})
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // no data directory yet: nothing to archive
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out, err
}

// pinFiles hard-links every file of the data directory not pinned yet into
// stage/files, so that a file the database snapshot refers to stays
// readable even if it is deleted while the archive is written. It is run
// once before the snapshot and once after: a file the snapshot refers to
// existed when it was taken, so it was pinned by the first pass, or was
// created between the passes — then it is younger than the grace period
// during which the stores never delete a file (documents.orphanGrace) and
// the second pass finds it. Where the file system cannot link, the file is
// read in place.
func pinFiles(dataDir, stage string, skip []string, pinned map[string]dataFile) error {
	files, err := walkData(dataDir, skip)
	if err != nil {
		return err
	}
	made := map[string]bool{}
	for _, f := range files {
		if _, ok := pinned[f.rel]; ok {
			continue
		}
		dst := filepath.Join(stage, "files", filepath.FromSlash(f.rel))
		if dir := filepath.Dir(dst); !made[dir] {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			made[dir] = true
		}
		err := os.Link(f.path, dst)
		switch {
		case err == nil:
			f.path = dst
		case errors.Is(err, fs.ErrNotExist):
			continue // deleted since the walk
		}
		pinned[f.rel] = f
	}
	return nil
}

// areas sums the files up per top-level name.
func areas(files []dataFile) []Area {
	var out []Area
	for _, f := range files {
		top := strings.SplitN(f.rel, "/", 2)[0]
		if len(out) == 0 || out[len(out)-1].Name != top {
			out = append(out, Area{Name: top})
		}
		a := &out[len(out)-1]
		a.Files++
		a.Bytes += f.size
	}
	return out
}
