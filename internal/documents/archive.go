package documents

import "time"

// ArchiveCutoff returns the date (YYYY-MM-DD) before which a publication date
// is archived: the same day `months` calendar months before today in loc.
// When that month is shorter (31 May − 3 months), the day is clamped to the
// month's last day (28 or 29 February), so "more than three months" means
// what a reader of a calendar expects. The rule is computed at every request,
// so no job can forget to archive anything.
func ArchiveCutoff(now time.Time, loc *time.Location, months int) string {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	first := time.Date(y, m-time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	d = min(d, last)
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// IsArchived applies the rule to one document: published strictly before the
// cutoff and not pinned.
func IsArchived(publishedOn string, pinned bool, cutoff string) bool {
	return !pinned && publishedOn < cutoff
}

// archiveSQL is the same rule inside a query over documents d; the cutoff is
// its one argument.
const archiveSQL = "(d.pinned = FALSE AND d.published_on < ?)"
