package backup

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// maxManifest bounds the manifest read into memory (10,000 documents make
// about 2 MB).
const maxManifest = 256 << 20

// Verify reads a whole archive and checks it: it decompresses (the zstd
// frames carry their own checksums), every entry has the size and SHA-256
// the manifest gives and the manifest lists every entry, the manifest
// matches its own SHA-256, every table file holds well-formed rows in the
// number announced, and the format is one this program reads. It returns
// the manifest; any failure is an Error wrapping ErrCorrupt.
func Verify(r io.Reader) (*Manifest, error) {
	return readArchive(r, nil)
}

// VerifyFile is Verify of the archive at path.
func VerifyFile(p string) (*Manifest, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, because(err, "backup.error.open", p)
	}
	defer f.Close()
	return Verify(f)
}

// sink receives an entry's bytes during a read (restore writes them out);
// nil discards them.
type sink func(name string) (io.WriteCloser, error)

// readArchive reads and checks an archive as Verify says, handing each
// entry's bytes to out as they go.
func readArchive(r io.Reader, out sink) (*Manifest, error) {
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, corrupt("backup.error.unreadable", err.Error())
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	type seen struct {
		size  int64
		sum   string
		lines int64
	}
	got := map[string]seen{}
	var body, sumLine []byte
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, corrupt("backup.error.unreadable", err.Error())
		}
		name := hdr.Name
		if sumLine != nil {
			return nil, corrupt("backup.error.after_manifest", name)
		}
		if hdr.Typeflag != tar.TypeReg || !validName(name) {
			return nil, corrupt("backup.error.bad_name", name)
		}
		if _, dup := got[name]; dup || (name == manifestName && body != nil) {
			return nil, corrupt("backup.error.duplicate", name)
		}
		switch name {
		case manifestName:
			body, err = io.ReadAll(io.LimitReader(tr, maxManifest))
			if err != nil {
				return nil, corrupt("backup.error.unreadable", err.Error())
			}
			continue
		case manifestSum:
			if body == nil {
				return nil, corrupt("backup.error.manifest")
			}
			sumLine, err = io.ReadAll(io.LimitReader(tr, 1024))
			if err != nil {
				return nil, corrupt("backup.error.unreadable", err.Error())
			}
			continue
		}
		if body != nil {
			return nil, corrupt("backup.error.after_manifest", name)
		}
		h := sha256.New()
		w := io.Writer(h)
		var lines *lineCounter
		if strings.HasPrefix(name, dbDir) {
			lines = &lineCounter{}
			w = io.MultiWriter(h, lines)
		}
		var dst io.WriteCloser
		if out != nil {
			if dst, err = out(name); err != nil {
				return nil, err
			}
			w = io.MultiWriter(w, dst)
		}
		n, err := io.Copy(w, tr)
		if dst != nil {
			if cerr := dst.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			var be *Error
			if errors.As(err, &be) {
				return nil, err
			}
			return nil, corrupt("backup.error.unreadable", err.Error())
		}
		s := seen{size: n, sum: hex.EncodeToString(h.Sum(nil))}
		if lines != nil {
			if lines.bad || len(lines.partial) > 0 {
				return nil, corrupt("backup.error.row", name, lines.n+1)
			}
			s.lines = lines.n
		}
		got[name] = s
	}
	// The frame's checksum is checked when its end is read.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, corrupt("backup.error.unreadable", err.Error())
	}
	if body == nil || sumLine == nil {
		return nil, corrupt("backup.error.manifest")
	}
	sum := sha256.Sum256(body)
	if strings.TrimSpace(string(sumLine)) != hex.EncodeToString(sum[:]) {
		return nil, corrupt("backup.error.manifest_sum")
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, corrupt("backup.error.manifest")
	}
	if m.Format < 1 || m.Format > Format {
		return nil, corrupt("backup.error.format", m.Format, Format)
	}
	listed := map[string]File{}
	for _, f := range m.Files {
		if _, dup := listed[f.Path]; dup {
			return nil, corrupt("backup.error.duplicate", f.Path)
		}
		listed[f.Path] = f
		s, ok := got[f.Path]
		switch {
		case !ok:
			return nil, corrupt("backup.error.missing", f.Path)
		case s.size != f.Size:
			return nil, corrupt("backup.error.size", f.Path, s.size, f.Size)
		case s.sum != f.SHA256:
			return nil, corrupt("backup.error.hash", f.Path)
		}
	}
	for name := range got {
		if _, ok := listed[name]; !ok {
			return nil, corrupt("backup.error.unlisted", name)
		}
	}
	for _, t := range m.Tables {
		s, ok := got[t.File]
		if !ok || !strings.HasPrefix(t.File, dbDir) {
			return nil, corrupt("backup.error.missing", t.File)
		}
		if s.lines != t.Rows {
			return nil, corrupt("backup.error.rows", t.Name, s.lines, t.Rows)
		}
		if len(t.Columns) == 0 {
			return nil, corrupt("backup.error.manifest")
		}
	}
	return &m, nil
}

// validName accepts the archive's own names and db/… or files/… paths that
// stay inside their folder once extracted.
func validName(name string) bool {
	if name == manifestName || name == manifestSum {
		return true
	}
	if !strings.HasPrefix(name, dbDir) && !strings.HasPrefix(name, filesDir) {
		return false
	}
	if strings.Contains(name, `\`) || strings.ContainsRune(name, 0) || path.Clean(name) != name || path.IsAbs(name) {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." || part == "." || part == "" {
			return false
		}
	}
	if strings.HasPrefix(name, dbDir) {
		return !strings.Contains(name[len(dbDir):], "/") && strings.HasSuffix(name, ".jsonl")
	}
	return true
}

// lineCounter counts the rows of a table file as they stream by and checks
// each is a JSON array.
type lineCounter struct {
	n       int64
	partial []byte
	bad     bool
}

func (c *lineCounter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.partial = append(c.partial, p...)
			break
		}
		line := p[:i]
		if len(c.partial) > 0 {
			line = append(c.partial, line...)
			c.partial = c.partial[:0]
		}
		t := bytes.TrimSpace(line)
		if len(t) < 2 || t[0] != '[' || !json.Valid(t) {
			c.bad = true
		}
		c.n++
		p = p[i+1:]
	}
	return n, nil
}
