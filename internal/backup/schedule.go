package backup

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Scheduled archives are named portique-AAAAMMJJ-HHMMSS.tar.zst (UTC), so
// their names sort by date. Only names of that shape are complete archives:
// one being written is .portique-….tar.zst.partial-* and is never listed.
const (
	archivePrefix = "portique-"
	archiveSuffix = ".tar.zst"
	nameLayout    = "20060102-150405"
)

var archiveName = regexp.MustCompile(`^portique-\d{8}-\d{6}\.tar\.zst$`)

// Archive is a complete scheduled archive.
type Archive struct {
	Path string
	At   time.Time // from its name
}

// Name returns the file name of the scheduled archive taken at t.
func Name(t time.Time) string { return archivePrefix + t.UTC().Format(nameLayout) + archiveSuffix }

// List returns the complete archives of dir, newest first. Partial files
// (an archive being written, or left by a crash) are not listed.
func List(dir string) ([]Archive, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Archive
	for _, e := range entries {
		if !e.Type().IsRegular() || !archiveName.MatchString(e.Name()) {
			continue
		}
		stamp := strings.TrimSuffix(strings.TrimPrefix(e.Name(), archivePrefix), archiveSuffix)
		at, err := time.Parse(nameLayout, stamp)
		if err != nil {
			continue
		}
		out = append(out, Archive{Path: filepath.Join(dir, e.Name()), At: at})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

// Prune removes the complete archives of dir beyond the newest keep, and
// partial files nobody has written to for an hour (left by a crash; one
// being written is touched all the time). It returns what it removed.
func Prune(dir string, keep int, now time.Time) ([]string, error) {
	list, err := List(dir)
	if err != nil {
		return nil, err
	}
	var gone []string
	for i, a := range list {
		if i < keep {
			continue
		}
		if err := os.Remove(a.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return gone, err
		}
		gone = append(gone, a.Path)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return gone, err
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "."+archivePrefix) || !strings.Contains(e.Name(), partialMark) {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < time.Hour {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if os.Remove(p) == nil {
			gone = append(gone, p)
		}
	}
	return gone, nil
}

// Schedule takes an archive every Every into Dir and keeps the newest
// Keep. The first one is due Every after the newest archive already in Dir
// (at once when there is none), so restarting the server does not take
// one more.
type Schedule struct {
	Dir    string
	Every  time.Duration
	Keep   int
	Source Source
	Log    *slog.Logger
	Now    func() time.Time
	// Done, when set, is called after each attempt (tests wait on it).
	Done func(path string, err error)
}

// Run takes the archives until ctx ends. A failed backup is logged and
// tried again at the next due time.
func (s *Schedule) Run(ctx context.Context) {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		log.Error("backup folder", "dir", s.Dir, "err", err)
		return
	}
	abs, err := filepath.Abs(s.Dir)
	if err == nil {
		s.Source.Skip = append(s.Source.Skip, abs)
	}
	for {
		due := now()
		if list, err := List(s.Dir); err == nil && len(list) > 0 {
			due = list[0].At.Add(s.Every)
		}
		wait := time.Until(due)
		if s.Now != nil {
			wait = due.Sub(now())
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			return
		}
		at := now()
		path := filepath.Join(s.Dir, Name(at))
		start := time.Now()
		m, err := WriteFile(ctx, path, s.Source)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			log.Error("scheduled backup failed", "path", path, "err", err)
		default:
			log.Info("scheduled backup written", "path", path, "rows", m.Rows(), "files", m.DataFiles(),
				"bytes", m.Bytes(), "duration", time.Since(start).Round(time.Millisecond))
		}
		if gone, perr := Prune(s.Dir, s.Keep, now()); perr != nil {
			log.Error("backup rotation", "dir", s.Dir, "err", perr)
		} else if len(gone) > 0 {
			log.Info("old backups removed", "files", len(gone))
		}
		if s.Done != nil {
			s.Done(path, err)
		}
		if err != nil {
			// Try again at the next period rather than at once.
			t := time.NewTimer(s.Every)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}
