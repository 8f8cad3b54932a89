package acts_test

import (
	"strconv"
	"strings"
	"testing"

	"portique/internal/acts"
)

// ParseVote never panics, and a vote it accepts is consistent: whole
// figures within bounds, voters no more than members, votes cast no more
// than voters; one it refuses names a field.
func FuzzParseVote(f *testing.F) {
	for _, s := range [][5]string{
		{"42", "35", "33", "1", "1"}, {"0", "0", "0", "0", "0"}, {"10", "11", "0", "0", "0"}, {" 7 ", "7", "7", "0", "0"},
		{"-1", "3", "1", "1", "1"}, {"1e3", "3", "1", "1", "1"}, {"99999", "1", "0", "0", "0"}, {"٣", "1", "1", "0", "0"},
		{"10000", "10000", "5000", "5000", "0"}, {"+5", "5", "5", "0", "0"}, {"", "", "", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	f.Fuzz(func(t *testing.T, m, p, fo, ag, ab string) {
		v, errs := acts.ParseVote(m, p, fo, ag, ab)
		if errs != nil {
			if len(errs) == 0 {
				t.Fatal("empty error set")
			}
			for field := range errs {
				if !strings.HasPrefix(field, "vote_") {
					t.Fatalf("error on field %q", field)
				}
			}
			return
		}
		if v.Members < 1 || v.Members > 10000 || v.Present > v.Members || v.For+v.Against+v.Abstain > v.Present ||
			v.For < 0 || v.Against < 0 || v.Abstain < 0 {
			t.Fatalf("accepted an inconsistent vote %+v from %q", v, []string{m, p, fo, ag, ab})
		}
		if n, _ := strconv.Atoi(strings.TrimSpace(m)); n != v.Members {
			t.Fatalf("members %q read as %d", m, v.Members)
		}
	})
}

// ParseDay accepts exactly the real calendar days YYYY-MM-DD.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2026-03-17", "2026-02-30", "17/03/2026", "2026-3-7", " 2026-03-17 ", "0000-01-01", "2026-03-17T10:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := acts.ParseDay(s)
		if !ok {
			return
		}
		if len(d) != 10 || d != strings.TrimSpace(s) {
			t.Fatalf("ParseDay(%q) = %q", s, d)
		}
	})
}
