package pages

import (
	"context"

	"strings"
	"time"

	"portique/internal/access"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// paris is the zone dates in notes are written in.
var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()

// DiffOp tells whether a diff line is kept, added or removed.
type DiffOp int

// The diff operations.
const (
	DiffEqual  DiffOp = 0
	DiffInsert DiffOp = 1
	DiffDelete DiffOp = -1
)

// DiffLine is one line of a comparison between two revisions.
type DiffLine struct {
	Op   DiffOp
	Text string
}

// RevisionText is the readable text of a revision: its title, then its
// blocks, one paragraph per line. Diffs compare these texts.
func RevisionText(r *Revision) string {
	return "# " + r.Title + "\n\n" + BlocksText(r.Blocks)
}

// DiffText compares two texts line by line.
func DiffText(from, to string) []DiffLine {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(from, to)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	var out []DiffLine
	for _, d := range diffs {
		text := strings.TrimSuffix(d.Text, "\n")
		for _, l := range strings.Split(text, "\n") {
			out = append(out, DiffLine{Op: DiffOp(d.Type), Text: l})
		}
	}
	return out
}

// Diff compares two revisions of a page (Edit on the page).
func (s *Store) Diff(ctx context.Context, p access.Principal, pageID, fromRev, toRev int64) ([]DiffLine, *Revision, *Revision, error) {
	from, err := s.Revision(ctx, p, pageID, fromRev)
	if err != nil {
		return nil, nil, nil, err
	}
	to, err := s.Revision(ctx, p, pageID, toRev)
	if err != nil {
		return nil, nil, nil, err
	}
	return DiffText(RevisionText(from), RevisionText(to)), from, to, nil
}
