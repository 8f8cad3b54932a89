package calendar

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/notify"
	"portique/internal/valid"
)

// OccurrenceChange is the form that changes one occurrence of a series.
type OccurrenceChange struct {
	StartDate, StartTime string
	EndDate, EndTime     string
	Title                string
	Location             string
	Description          string
}

func loadOverrides(ctx context.Context, q db.Querier, eventID int64) ([]Override, error) {
	rows, err := q.Query(ctx, `SELECT original_start, cancelled, starts_at, ends_at, title, location, description
		FROM event_overrides WHERE event_id = ? ORDER BY original_start`, eventID)
	if err != nil {
		return nil, fmt.Errorf("calendar: overrides of %d: %w", eventID, err)
	}
	defer rows.Close()
	var out []Override
	for rows.Next() {
		o, _, err := scanOverride(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func scanOverride(sc interface{ Scan(...any) error }, withEvent bool) (Override, int64, error) {
	var o Override
	var eid int64
	var st, en sql.NullTime
	var title, loc, desc sql.NullString
	dest := []any{&o.OriginalStart, &o.Cancelled, &st, &en, &title, &loc, &desc}
	if withEvent {
		dest = append([]any{&eid}, dest...)
	}
	if err := sc.Scan(dest...); err != nil {
		return o, 0, err
	}
	o.OriginalStart = o.OriginalStart.UTC()
	if st.Valid {
		t := st.Time.UTC()
		o.Start = &t
	}
	if en.Valid {
		t := en.Time.UTC()
		o.End = &t
	}
	if title.Valid {
		o.Title = &title.String
	}
	if loc.Valid {
		o.Location = &loc.String
	}
	if desc.Valid {
		o.Description = &desc.String
	}
	return o, eid, nil
}

// occurrenceOf checks that original is an occurrence of the series eventID
// and that p may edit it: ErrNotRecurring when the event is not a series,
// db.ErrNotFound when original is not one of its occurrences.
func (s *Store) occurrenceOf(ctx context.Context, q db.Querier, p access.Principal, eventID int64, original time.Time) (Event, *series, error) {
	e, err := s.requireEvent(ctx, q, p, eventID, access.Edit)
	if err != nil {
		return e, nil, err
	}
	if !e.Recurring() {
		return e, nil, fmt.Errorf("calendar: occurrence of event %d: %w", eventID, ErrNotRecurring)
	}
	ser, err := newSeries(e.Start, e.End, e.RRule, loadLocation(e.TimeZone))
	if err != nil {
		return e, nil, err
	}
	if !ser.isOccurrence(original) {
		return e, nil, db.ErrNotFound
	}
	return e, ser, nil
}

// occurrenceDetail is the audit data naming one occurrence.
func occurrenceDetail(original time.Time) string {
	return "occurrence=" + original.UTC().Format(time.RFC3339)
}

// CancelOccurrence cancels one occurrence of a series (exported as EXDATE),
// with its audit entry. a needs access.Edit on the calendar.
func (s *Store) CancelOccurrence(ctx context.Context, a access.Actor, eventID int64, original time.Time) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, _, err := s.occurrenceOf(ctx, tx, a.Principal, eventID, original); err != nil {
			return err
		}
		now := s.Now()
		if err := upsertOverride(ctx, tx, eventID, Override{OriginalStart: original.UTC(), Cancelled: true}, now); err != nil {
			return err
		}
		if err := bumpSequence(ctx, tx, eventID, now); err != nil {
			return err
		}
		if err := s.emitOccurrence(ctx, tx, a, now, notify.EventCancelled, eventID, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "event.occurrence_cancelled", audit.Object("event", eventID), occurrenceDetail(original))
	})
}

// RestoreOccurrence removes the exception of one occurrence, with its audit
// entry. a needs access.Edit on the calendar.
func (s *Store) RestoreOccurrence(ctx context.Context, a access.Actor, eventID int64, original time.Time) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, _, err := s.occurrenceOf(ctx, tx, a.Principal, eventID, original); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM event_overrides WHERE event_id = ? AND original_start = ?", eventID, original.UTC()); err != nil {
			return err
		}
		if err := s.refreshSeriesEnd(ctx, tx, eventID); err != nil {
			return err
		}
		now := s.Now()
		if err := bumpSequence(ctx, tx, eventID, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "event.occurrence_restored", audit.Object("event", eventID), occurrenceDetail(original))
	})
}

// ChangeOccurrence changes one occurrence (time, place, title,
// description) without touching the series (exported as RECURRENCE-ID),
// with its audit entry (event.updated). Empty text fields keep the series'
// values.
func (s *Store) ChangeOccurrence(ctx context.Context, a access.Actor, eventID int64, original time.Time, c OccurrenceChange) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		e, ser, err := s.occurrenceOf(ctx, tx, a.Principal, eventID, original)
		if err != nil {
			return err
		}
		loc := loadLocation(e.TimeZone)
		f := EventForm{StartDate: c.StartDate, StartTime: c.StartTime, EndDate: c.EndDate, EndTime: c.EndTime, AllDay: e.AllDay}
		errs := valid.Errors{}
		start, end, ok := f.parseTimes(loc, errs)
		if !ok {
			return errs.Err()
		}
		o := Override{OriginalStart: original.UTC()}
		origEnd := ser.endFor(original)
		if !start.Equal(original) || !end.Equal(origEnd) {
			st, en := start.UTC(), end.UTC()
			o.Start, o.End = &st, &en
		}
		if t := strings.TrimSpace(c.Title); t != "" && t != e.Title {
			o.Title = &t
		}
		if l := strings.TrimSpace(c.Location); l != e.Location {
			o.Location = &l
		}
		if d := SanitizeHTML(c.Description); d != "" && d != e.Description {
			o.Description = &d
		}
		now := s.Now()
		if err := upsertOverride(ctx, tx, eventID, o, now); err != nil {
			return err
		}
		if err := s.refreshSeriesEnd(ctx, tx, eventID); err != nil {
			return err
		}
		if err := bumpSequence(ctx, tx, eventID, now); err != nil {
			return err
		}
		title := e.Title
		if o.Title != nil {
			title = *o.Title
		}
		if err := s.emitOccurrence(ctx, tx, a, now, notify.EventUpdated, eventID, title); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "event.updated", audit.Object("event", eventID), title+" "+occurrenceDetail(original))
	})
}

func upsertOverride(ctx context.Context, q db.Querier, eventID int64, o Override, now time.Time) error {
	if _, err := q.Exec(ctx, "DELETE FROM event_overrides WHERE event_id = ? AND original_start = ?", eventID, o.OriginalStart.UTC()); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO event_overrides (event_id, original_start, cancelled, starts_at, ends_at, title, location, description, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, eventID, o.OriginalStart.UTC(), o.Cancelled, nullTime(o.Start), nullTime(o.End),
		nullString(o.Title), nullString(o.Location), nullString(o.Description), now.UTC())
	if err != nil {
		return fmt.Errorf("calendar: save exception of %d: %w", eventID, err)
	}
	return nil
}

func bumpSequence(ctx context.Context, q db.Querier, eventID int64, now time.Time) error {
	_, err := q.Exec(ctx, "UPDATE events SET sequence = sequence + 1, updated_at = ? WHERE id = ?", now.UTC(), eventID)
	return err
}

// refreshSeriesEnd keeps series_end covering occurrences moved later than
// the series' last one, so window queries still find them.
func (s *Store) refreshSeriesEnd(ctx context.Context, q db.Querier, eventID int64) error {
	e, err := getEvent(ctx, q, eventID)
	if err != nil {
		return err
	}
	ser, err := newSeries(e.Start, e.End, e.RRule, loadLocation(e.TimeZone))
	if err != nil {
		return err
	}
	_, last, err := ser.bounds()
	if err != nil {
		return err
	}
	if last != nil {
		ovs, err := loadOverrides(ctx, q, eventID)
		if err != nil {
			return err
		}
		for _, o := range ovs {
			if o.End != nil && o.End.After(*last) {
				t := *o.End
				last = &t
			}
		}
	}
	_, err = q.Exec(ctx, "UPDATE events SET series_end = ? WHERE id = ?", seriesEndValue(last), eventID)
	return err
}

// SplitSeries applies the form to "this occurrence and the following ones":
// the series is cut before original (its rule gets an UNTIL, or a smaller
// COUNT) and a new event, with its own UID, starts from the form's values.
// Exceptions at or after original move to the new series when they still
// match one of its occurrences. It returns the new event's id, whose audit
// entry (event.updated) names the series it comes from. Splitting at the
// first occurrence is an ordinary update of the whole series.
func (s *Store) SplitSeries(ctx context.Context, a access.Actor, eventID int64, original time.Time, f EventForm) (int64, error) {
	var newID int64
	p := a.Principal
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		e, ser, err := s.occurrenceOf(ctx, tx, p, eventID, original)
		if err != nil {
			return err
		}
		if original.Equal(e.Start) {
			newID = eventID
			return s.updateEvent(ctx, tx, a, eventID, f)
		}
		before := ser.countBefore(original)
		v, err := s.checkForm(ctx, tx, p, f)
		if err != nil {
			return err
		}
		if v.rule != "" && ser.opt.Count > 0 && f.Recurrence.End == EndCount && f.Recurrence.Count == fmt.Sprint(ser.opt.Count) {
			// Unchanged "N times": the two halves keep N occurrences in all.
			left := ser.opt.Count - before
			f.Recurrence.Count = fmt.Sprint(left)
			if v, err = s.checkForm(ctx, tx, p, f); err != nil {
				return err
			}
		}
		// Cut the old series: keep its first `before` occurrences.
		opt := *ser.opt
		opt.Dtstart = time.Time{}
		if opt.Count > 0 {
			opt.Count = before
		} else {
			opt.Until = original.Add(-time.Second).UTC()
		}
		cut := opt.RRuleString()
		now := s.Now().UTC()
		if _, err := tx.Exec(ctx, "UPDATE events SET rrule = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?", cut, now, eventID); err != nil {
			return fmt.Errorf("calendar: cut series %d: %w", eventID, err)
		}
		var by any
		if p.UserID != 0 {
			by = p.UserID
		}
		if err := tx.QueryRow(ctx, `INSERT INTO events (uid, calendar_id, title, description, location, starts_at, ends_at,
			all_day, rrule, series_end, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			newUID(), v.calendarID, v.title, v.description, v.location, v.start.UTC(), v.end.UTC(),
			v.allDay, v.rule, seriesEndValue(v.seriesEnd), by, now, now).Scan(&newID); err != nil {
			return fmt.Errorf("calendar: split series %d: %w", eventID, err)
		}
		if err := saveExtras(ctx, tx, newID, v.eventValues); err != nil {
			return err
		}
		ovs, err := loadOverrides(ctx, tx, eventID)
		if err != nil {
			return err
		}
		for _, o := range ovs {
			if o.OriginalStart.Before(original) {
				continue
			}
			if _, err := tx.Exec(ctx, "DELETE FROM event_overrides WHERE event_id = ? AND original_start = ?", eventID, o.OriginalStart); err != nil {
				return err
			}
			if v.rule != "" && v.ser.isOccurrence(o.OriginalStart) {
				if err := upsertOverride(ctx, tx, newID, o, now); err != nil {
					return err
				}
			}
		}
		if err := s.refreshSeriesEnd(ctx, tx, eventID); err != nil {
			return err
		}
		if err := s.refreshSeriesEnd(ctx, tx, newID); err != nil {
			return err
		}
		if err := s.reindex(ctx, tx, eventID); err != nil {
			return err
		}
		if err := s.reindex(ctx, tx, newID); err != nil {
			return err
		}
		// The series changes from this occurrence on: told as a change of
		// the series (its session, if any, follows the original event).
		if err := s.emitOccurrence(ctx, tx, a, now, notify.EventUpdated, eventID, v.title); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "event.updated", audit.Object("event", newID),
			fmt.Sprintf("%s from=%s %s", v.title, audit.Object("event", eventID), occurrenceDetail(original)))
	})
	if err != nil {
		return 0, err
	}
	return newID, nil
}

func nullString(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// emitOccurrence tells notify of a change to one occurrence (the series
// keeps its address).
func (s *Store) emitOccurrence(ctx context.Context, q db.Querier, a access.Actor, now time.Time, action string, eventID int64, title string) error {
	e, err := getEvent(ctx, q, eventID)
	if err != nil {
		return err
	}
	if title == "" {
		title = e.Title
	}
	return notify.Emit(ctx, q, now, notify.Change{Action: action, ACLKind: access.Calendar, ACLID: e.CalendarID,
		ItemID: eventID, Title: title, Path: fmt.Sprintf("/agenda/evenements/%d", eventID), ActorID: a.UserID})
}
