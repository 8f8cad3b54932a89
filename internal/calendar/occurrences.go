package calendar

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// MaxWindow is the longest window one query expands; longer ones are cut.
const MaxWindow = 400 * 24 * time.Hour

// maxOccurrences caps one query's result (a month of 20 busy calendars is
// far below it).
const maxOccurrences = 20000

// Filter narrows a window query.
type Filter struct {
	CalendarIDs []int64 // empty: every calendar p may see
	AttrID      int64   // with AttrValue: only events whose attribute has that value
	AttrValue   string
}

// where builds the shared WHERE clause of window queries: visible to p
// (inside the SQL, the same rule as access.Can), overlapping the window,
// narrowed by f.
func (f Filter) where(p access.Principal, from, to time.Time) (string, []any) {
	acl, args := visibleCalendars(p, "e.calendar_id")
	var b strings.Builder
	b.WriteString(acl)
	b.WriteString(" AND e.series_end > ? AND e.starts_at < ?")
	args = append(args, from.UTC(), to.UTC())
	if len(f.CalendarIDs) > 0 {
		b.WriteString(" AND e.calendar_id IN (" + db.In(len(f.CalendarIDs)) + ")")
		for _, id := range f.CalendarIDs {
			args = append(args, id)
		}
	}
	if f.AttrID != 0 && f.AttrValue != "" {
		b.WriteString(" AND EXISTS (SELECT 1 FROM event_attribute_values av WHERE av.event_id = e.id AND av.attribute_id = ? AND av.value = ?)")
		args = append(args, f.AttrID, f.AttrValue)
	}
	return b.String(), args
}

// visibleCalendars is the access rule for events: their calendar is one p
// may view. The rule (access.Principal.Filter) is evaluated once per query
// over the few calendars, in an uncorrelated subquery, rather than once per
// event row.
func visibleCalendars(p access.Principal, calendarIDExpr string) (string, []any) {
	if p.Admin {
		return "1=1", nil
	}
	f, args := p.Filter(access.Calendar, "acl_c.id", access.View)
	return calendarIDExpr + " IN (SELECT acl_c.id FROM calendars acl_c WHERE " + f + ")", args
}

// Occurrences returns the occurrences overlapping [from, to) of the events p
// may see, sorted by start. Series are expanded in their calendar's zone;
// cancelled occurrences are left out and changed ones carry their changes.
// The window is cut to MaxWindow.
func (s *Store) Occurrences(ctx context.Context, p access.Principal, from, to time.Time, f Filter) ([]Occurrence, error) {
	if to.Sub(from) > MaxWindow {
		to = from.Add(MaxWindow)
	}
	if !to.After(from) {
		return nil, nil
	}
	where, args := f.where(p, from, to)
	cals, err := s.calendarsByID(ctx)
	if err != nil {
		return nil, err
	}
	// Only what a grid shows: the description is read by the event page.
	// The last column tells which series have exceptions (an index probe
	// per row), so they are read for those series only.
	rows, err := s.db.Query(ctx, `SELECT e.id, e.uid, e.calendar_id, e.title, e.location, `+timeCol(s.db, "e.starts_at")+`, `+timeCol(s.db, "e.ends_at")+`, e.all_day, e.rrule,
		e.rrule <> '' AND EXISTS (SELECT 1 FROM event_overrides o WHERE o.event_id = e.id)
		FROM events e WHERE `+where, args...) // sorted below, after expansion
	if err != nil {
		return nil, fmt.Errorf("calendar: occurrences: %w", err)
	}
	// Series without exceptions are expanded as they are read; the others
	// wait for their exceptions.
	var (
		out     []Occurrence
		pending []Event
		ids     []int64
	)
	for rows.Next() && len(out) <= maxOccurrences {
		var e Event
		var hasOverrides bool
		if err := rows.Scan(&e.ID, &e.UID, &e.CalendarID, &e.Title, &e.Location, (*sqlTime)(&e.Start), (*sqlTime)(&e.End), &e.AllDay, &e.RRule, &hasOverrides); err != nil {
			rows.Close()
			return nil, err
		}
		c := cals[e.CalendarID]
		e.CalendarName, e.Colour, e.TimeZone = c.Name, c.Colour, c.TimeZone
		if hasOverrides {
			pending = append(pending, e)
			ids = append(ids, e.ID)
			continue
		}
		// A rule that no longer parses hides one event, not the calendar.
		out, _ = expandEvent(out, &e, loadLocation(e.TimeZone), nil, from, to)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	overrides, err := overridesOf(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	for i := range pending {
		if len(out) > maxOccurrences {
			break
		}
		e := &pending[i]
		out, _ = expandEvent(out, e, loadLocation(e.TimeZone), overrides[e.ID], from, to)
	}
	slices.SortFunc(out, func(a, b Occurrence) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if a.AllDay != b.AllDay {
			if a.AllDay {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Title, b.Title); c != 0 {
			return c
		}
		return cmp.Compare(a.EventID, b.EventID)
	})
	if len(out) > maxOccurrences {
		out = out[:maxOccurrences]
	}
	return out, nil
}

// expandEvent appends to out one event's occurrences overlapping [from, to).
func expandEvent(out []Occurrence, e *Event, loc *time.Location, ovs map[int64]Override, from, to time.Time) ([]Occurrence, error) {
	var ser series
	if err := ser.init(e.Start, e.End, e.RRule, loc); err != nil {
		return out, err
	}
	base := Occurrence{
		EventID: e.ID, UID: e.UID, CalendarID: e.CalendarID, CalendarName: e.CalendarName, Colour: e.Colour,
		Title: e.Title, Description: e.Description, Location: e.Location, AllDay: e.AllDay, Recurring: e.Recurring(),
	}
	var seen map[int64]bool
	if len(ovs) > 0 {
		seen = make(map[int64]bool, len(ovs))
	}
	var buf [16]time.Time
	for _, t := range ser.appendBetween(buf[:0], from, to, maxPerEvent) {
		if len(ovs) > 0 {
			seen[t.Unix()] = true
		}
		o := base
		o.OriginalStart, o.Start, o.End = t.UTC(), t.UTC(), ser.endFor(t).UTC()
		if ov, ok := ovs[t.Unix()]; ok {
			if ov.Cancelled {
				continue
			}
			o = applyOverride(o, ov)
			if !(o.Start.Before(to) && o.End.After(from)) {
				continue
			}
		}
		out = append(out, o)
	}
	// Occurrences moved into the window from outside it.
	for key, ov := range ovs {
		if seen[key] || ov.Cancelled || ov.Start == nil {
			continue
		}
		o := applyOverride(base, ov)
		o.OriginalStart = ov.OriginalStart
		if o.Start.Before(to) && o.End.After(from) {
			out = append(out, o)
		}
	}
	return out, nil
}

func applyOverride(o Occurrence, ov Override) Occurrence {
	o.Changed = true
	if ov.Start != nil && ov.End != nil {
		o.Start, o.End = *ov.Start, *ov.End
	}
	if ov.Title != nil {
		o.Title = *ov.Title
	}
	if ov.Location != nil {
		o.Location = *ov.Location
	}
	if ov.Description != nil {
		o.Description = *ov.Description
	}
	return o
}

// overridesOf loads the exceptions of the given series (already selected
// with the access rule), by event and by original start (Unix seconds).
// IN lists are padded to a few sizes so that they stay few prepared
// statements.
func overridesOf(ctx context.Context, q db.Querier, ids []int64) (map[int64]map[int64]Override, error) {
	out := map[int64]map[int64]Override{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		size := 500
		for _, b := range []int{8, 32, 128} {
			if n <= b {
				size = b
				break
			}
		}
		args := make([]any, size)
		for i := range args {
			args[i] = ids[min(i, n-1)]
		}
		ids = ids[n:]
		rows, err := q.Query(ctx, `SELECT o.event_id, o.original_start, o.cancelled, o.starts_at, o.ends_at, o.title, o.location, o.description
			FROM event_overrides o WHERE o.event_id IN (`+db.In(size)+")", args...)
		if err != nil {
			return nil, fmt.Errorf("calendar: occurrence exceptions: %w", err)
		}
		for rows.Next() {
			o, eid, err := scanOverride(rows, true)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if out[eid] == nil {
				out[eid] = map[int64]Override{}
			}
			out[eid][o.OriginalStart.Unix()] = o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// calendarMap loads every calendar by id (a handful of rows), so event
// queries need no join.
// calendarsByID is calendarMap, kept while the content does not change
// (shared: do not change it).
func (s *Store) calendarsByID(ctx context.Context) (map[int64]Calendar, error) {
	return s.byID.Get(ctx, s.db, "", func() (map[int64]Calendar, error) { return calendarMap(ctx, s.db) })
}

func calendarMap(ctx context.Context, q db.Querier) (map[int64]Calendar, error) {
	rows, err := q.Query(ctx, "SELECT id, name, colour, timezone FROM calendars")
	if err != nil {
		return nil, fmt.Errorf("calendar: calendars: %w", err)
	}
	defer rows.Close()
	out := map[int64]Calendar{}
	for rows.Next() {
		var c Calendar
		if err := rows.Scan(&c.ID, &c.Name, &c.Colour, &c.TimeZone); err != nil {
			return nil, err
		}
		out[c.ID] = c
	}
	return out, rows.Err()
}

// Upcoming returns the next n occurrences (from now, within a year) of one
// calendar, or of every calendar p may see when calendarID is 0, for the
// "upcoming events" page block. A calendar p may not see yields nothing.
func (s *Store) Upcoming(ctx context.Context, p access.Principal, calendarID int64, n int) ([]Occurrence, error) {
	if n <= 0 {
		n = 5
	}
	var f Filter
	if calendarID != 0 {
		f.CalendarIDs = []int64{calendarID}
	}
	now := s.Now().UTC()
	occ, err := s.Occurrences(ctx, p, now, now.AddDate(1, 0, 0), f)
	if err != nil {
		return nil, err
	}
	if len(occ) > n {
		occ = occ[:n]
	}
	return occ, nil
}

// EventSummary is a row of the central event list (/admin/agenda).
type EventSummary struct {
	ID           int64
	CalendarID   int64
	CalendarName string
	Colour       string
	Title        string
	Location     string
	Start, End   time.Time
	AllDay       bool
	Recurring    bool
	UpdatedAt    time.Time
}

// EventQuery filters the central list.
type EventQuery struct {
	Text       string // in title, location or description
	CalendarID int64
	From, To   time.Time // events overlapping; zero: open
	Limit      int       // default 50
	Offset     int
}

// FindEvents lists the events (series counted once) p may see, newest
// first, with the total count. Filtering is inside the SQL query.
func (s *Store) FindEvents(ctx context.Context, p access.Principal, q EventQuery) ([]EventSummary, int, error) {
	acl, args := visibleCalendars(p, "e.calendar_id")
	where := acl
	if t := strings.TrimSpace(q.Text); t != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(t)) + "%"
		where += ` AND (LOWER(e.title) LIKE ? ESCAPE '\' OR LOWER(e.location) LIKE ? ESCAPE '\' OR LOWER(e.description) LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	if q.CalendarID != 0 {
		where += " AND e.calendar_id = ?"
		args = append(args, q.CalendarID)
	}
	if !q.From.IsZero() {
		where += " AND e.series_end > ?"
		args = append(args, q.From.UTC())
	}
	if !q.To.IsZero() {
		where += " AND e.starts_at < ?"
		args = append(args, q.To.UTC())
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var total int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM events e WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("calendar: count events: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT e.id, e.calendar_id, c.name, c.colour, e.title, e.location, e.starts_at, e.ends_at, e.all_day, e.rrule, e.updated_at
		FROM events e JOIN calendars c ON c.id = e.calendar_id WHERE `+where+` ORDER BY e.starts_at DESC, e.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("calendar: find events: %w", err)
	}
	defer rows.Close()
	var out []EventSummary
	for rows.Next() {
		var e EventSummary
		var rule string
		if err := rows.Scan(&e.ID, &e.CalendarID, &e.CalendarName, &e.Colour, &e.Title, &e.Location, &e.Start, &e.End, &e.AllDay, &rule, &e.UpdatedAt); err != nil {
			return nil, 0, err
		}
		e.Recurring = rule != ""
		out = append(out, e)
	}
	return out, total, rows.Err()
}
