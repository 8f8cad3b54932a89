package calendar

import (
	"testing"
	"time"
)

// TestParseSQLiteTime holds the direct parser to time.Parse on what the
// driver writes, and makes it refuse (leaving them to time.Parse) what it
// does not know.
func TestParseSQLiteTime(t *testing.T) {
	for _, s := range []string{"2026-01-03 08:00:00+00:00", "2026-03-29 01:30:00.5+01:00", "1999-12-31 23:59:59.123456789-05:30",
		"9999-12-31 00:00:00+00:00", "2026-10-25T02:30:00Z", "2024-02-29 12:00:00.000001+14:00", "0001-01-01 00:00:00+00:00"} {
		got, ok := parseSQLiteTime(s)
		want, err := time.Parse("2006-01-02 15:04:05.999999999Z07:00", s[:10]+" "+s[11:])
		if !ok || err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s: got %v %v, time.Parse %v %v", s, got, ok, want, err)
		}
	}
	for _, s := range []string{"2026-01-03", "2026-01-03 08:00", "2026-02-30 08:00:00+00:00", "2026-01-03 08:00:00", "2026-01-03 08:00:00 +0000 UTC",
		"2026-01-03 08:00:00.+00:00", "2026-01-03 24:00:00+00:00", "2026-01-03 08:00:00+0100", "x026-01-03 08:00:00+00:00"} {
		if got, ok := parseSQLiteTime(s); ok {
			t.Errorf("%s: accepted as %v", s, got)
		}
	}
	var v sqlTime
	for s, want := range map[string]time.Time{
		"2026-01-03 08:00:00":           time.Date(2026, 1, 3, 8, 0, 0, 0, time.UTC),
		"2026-01-03":                    time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC),
		"2026-01-03 09:00:00 +0100 CET": time.Date(2026, 1, 3, 8, 0, 0, 0, time.UTC),
		"2026-01-03T09:00:00.25+01:00":  time.Date(2026, 1, 3, 8, 0, 0, 25e7, time.UTC),
	} {
		if err := v.Scan(s); err != nil || !time.Time(v).Equal(want) {
			t.Errorf("%s: %v %v", s, time.Time(v), err)
		}
	}
	if err := v.Scan("hier"); err == nil {
		t.Error("accepted hier")
	}
}
