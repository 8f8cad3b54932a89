package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// A member's page view (pages_show.go) is the same for everyone with the
// same groups but for a few bits of the person: the CSRF token of the
// forms, the name in the header, the session's end in the footer. Drawing
// the whole layout through html/template at each request cost ≈ 250 µs of
// CPU (reflection at every action, the escapers), so the view is drawn once
// with holes in place of those bits, and each request only fills them.
//
// A hole is a mark: a secret drawn at start-up and the hole's letter,
// letters and digits only, which every html/template escaper (text,
// attribute, URL) leaves as it is, so the mark comes out of the template
// unchanged wherever it stands. The secret is never shown: no page, name or
// setting can hold a mark (a page's author cannot make a viewer's token
// appear where she chose). A value is filled in escaped as html/template
// escapes text and quoted attributes; TestMemberViewHoles draws pages both
// ways and compares them byte for byte.

// hole names one of the person's bits.
type hole uint8

const (
	holeCSRF     hole = iota // the session's CSRF token
	holeName                 // the account's name
	holeIdleISO              // the session's idle end, RFC 3339
	holeIdleHHMM             // the same, hours and minutes
	holeCount
)

// holeMarks makes and finds the marks of one server.
type holeMarks struct{ prefix string }

func newHoleMarks() holeMarks {
	b := make([]byte, 12)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails (Go 1.24)
	return holeMarks{prefix: "pqh" + hex.EncodeToString(b)}
}

// mark is the text standing for hole k in a page drawn with holes.
func (m holeMarks) mark(k hole) string { return m.prefix + string(rune('a'+k)) }

// holedPage is a page drawn with holes: parts[i] is followed by the hole
// at[i], the last part by nothing.
type holedPage struct {
	parts [][]byte
	at    []hole
}

// split cuts a page drawn with marks into its parts (copied: b is the
// render's buffer).
func (m holeMarks) split(b []byte) (*holedPage, error) {
	b = bytes.Clone(b)
	p := &holedPage{}
	for {
		i := bytes.Index(b, []byte(m.prefix))
		if i < 0 {
			break
		}
		j := i + len(m.prefix)
		if j >= len(b) || b[j] < 'a' || b[j] >= 'a'+byte(holeCount) {
			return nil, fmt.Errorf("web: a hole's mark is cut at byte %d", i)
		}
		p.parts = append(p.parts, b[:i:i])
		p.at = append(p.at, hole(b[j]-'a'))
		b = b[j+1:]
	}
	p.parts = append(p.parts, b)
	return p, nil
}

// size is the page's length once filled with values of these lengths.
func (p *holedPage) size(vals *[holeCount]string) int {
	n := 0
	for _, b := range p.parts {
		n += len(b)
	}
	for _, k := range p.at {
		n += len(vals[k])
	}
	return n
}

// fill writes the page with the holes filled by vals (already escaped:
// escapeLikeTemplate).
func (p *holedPage) fill(buf *bytes.Buffer, vals *[holeCount]string) {
	buf.Grow(p.size(vals))
	for i, k := range p.at {
		buf.Write(p.parts[i])
		buf.WriteString(vals[k])
	}
	buf.Write(p.parts[len(p.parts)-1])
}

// templateEscaper escapes as html/template does a string in text and in a
// quoted attribute (its htmlReplacementTable), for what is drawn in Go
// beside the templates (holes, the agenda's grids) to come out the same.
var templateEscaper = strings.NewReplacer(
	"\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

func escapeLikeTemplate(s string) string { return templateEscaper.Replace(s) }
