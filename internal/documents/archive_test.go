package documents

import (
	"testing"
	"time"
)

func TestArchiveRule(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	// A spread of "today"s: month ends, leap February, DST days, New Year.
	nows := []string{"2026-11-28", "2026-05-31", "2026-03-31", "2028-05-30", "2026-01-01",
		"2026-03-29", "2026-10-25", "2026-08-31", "2026-12-31", "2027-02-28"}
	for _, ns := range nows {
		day, _ := time.Parse(time.DateOnly, ns)
		// 10:00 in Paris that day.
		now := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, paris)
		cutoff := ArchiveCutoff(now, paris, 3)
		// 2 months 29 days ago: current. 3 months 1 day ago: archived.
		recent := monthsBack(day, 2).AddDate(0, 0, -29).Format(time.DateOnly)
		old := monthsBack(day, 3).AddDate(0, 0, -1).Format(time.DateOnly)
		exact := monthsBack(day, 3).Format(time.DateOnly)
		if IsArchived(recent, false, cutoff) {
			t.Errorf("now %s: published %s (2 months 29 days ago) archived (cutoff %s)", ns, recent, cutoff)
		}
		if !IsArchived(old, false, cutoff) {
			t.Errorf("now %s: published %s (3 months 1 day ago) not archived (cutoff %s)", ns, old, cutoff)
		}
		if IsArchived(exact, false, cutoff) {
			t.Errorf("now %s: published %s (exactly 3 months ago) archived (cutoff %s)", ns, exact, cutoff)
		}
		if IsArchived(old, true, cutoff) {
			t.Errorf("now %s: pinned document archived", ns)
		}
	}
}

// The day in Paris decides, not the UTC day: at 00:30 on 1 December in Paris
// it is still 30 November in UTC.
func TestArchiveCutoffUsesLocalDay(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC) // 00:30 on 1 Dec in Paris
	if got := ArchiveCutoff(now, paris, 3); got != "2026-09-01" {
		t.Fatalf("cutoff = %s, want 2026-09-01", got)
	}
	if got := ArchiveCutoff(now, time.UTC, 3); got != "2026-08-30" {
		t.Fatalf("UTC cutoff = %s, want 2026-08-30", got)
	}
}

// monthsBack is an independent month subtraction with clamping, written the
// long way so the test does not reuse the code under test.
func monthsBack(d time.Time, n int) time.Time {
	y, m := d.Year(), int(d.Month())-n
	for m < 1 {
		m += 12
		y--
	}
	days := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && (y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		days = 29
	}
	return time.Date(y, time.Month(m), min(d.Day(), days), 0, 0, 0, 0, time.UTC)
}
