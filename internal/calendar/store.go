package calendar

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/notify"
	"portique/internal/search"
	"portique/internal/valid"
)

// Indexer is the part of search.Index the calendar needs: it keeps the
// site search in step with events. A nil Indexer indexes nothing.
type Indexer interface {
	Replace(ctx context.Context, q db.Querier, kind string, id int64, docs []search.Doc) error
	Delete(ctx context.Context, q db.Querier, kind string, id int64) error
}

// Store holds all the calendar's SQL.
type Store struct {
	db    *db.DB
	index Indexer
	// What every agenda page reads again, kept while the content does not
	// change (db.Memo): the calendars a set of groups sees, the event
	// attributes, the calendars by id.
	calendars  db.Memo[[]CalendarInfo]
	attributes db.Memo[[]Attribute]
	byID       db.Memo[map[int64]Calendar]
	// Now is the clock (services.New sets the program's; tests freeze it).
	Now func() time.Time
}

// New returns a store on d; index may be nil (nothing is indexed).
func New(d *db.DB, index Indexer) *Store {
	return &Store{db: d, index: index, Now: time.Now}
}

// requireAdmin refuses a change reserved to administrators: calendars
// themselves, their grants and the event attributes (a group with "manage"
// on a calendar changes its events, not its existence).
func requireAdmin(a access.Actor, what string) error {
	if !a.Admin {
		return fmt.Errorf("calendar: %s: administrators only: %w", what, access.ErrForbidden)
	}
	return nil
}

// grantsDetail writes grants as audit data: "grants=12:view,14:edit".
func grantsDetail(grants []access.Grant) string {
	gs := slices.Clone(grants)
	slices.SortFunc(gs, func(a, b access.Grant) int { return cmp.Compare(a.GroupID, b.GroupID) })
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = strconv.FormatInt(g.GroupID, 10) + ":" + g.Level.String()
	}
	return "grants=" + strings.Join(parts, ",")
}

var colourRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// validate checks a calendar's fields.
func (c *Calendar) validate() error {
	errs := valid.Errors{}
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		errs.Add("nom", "calendar.error.name_required")
	} else if utf8.RuneCountInString(c.Name) > maxName {
		errs.Add("nom", "calendar.error.name_too_long", maxName)
	}
	if c.Colour == "" {
		c.Colour = "#1f5fa8"
	}
	if !colourRe.MatchString(c.Colour) {
		errs.Add("couleur", "calendar.error.colour")
	}
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "Local" {
		errs.Add("fuseau", "calendar.error.timezone")
	}
	return errs.Err()
}

// maxName bounds the names of calendars and the labels of attributes.
const maxName = 100

// CreateCalendar creates a calendar, its access node and its grants, with
// its audit entry, in one transaction. Administrators only.
func (s *Store) CreateCalendar(ctx context.Context, a access.Actor, c Calendar, grants []access.Grant) (int64, error) {
	if err := requireAdmin(a, "create calendar"); err != nil {
		return 0, err
	}
	if err := c.validate(); err != nil {
		return 0, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		now := s.Now().UTC()
		if err := tx.QueryRow(ctx, `INSERT INTO calendars (name, colour, timezone, description, position, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, c.Name, c.Colour, c.TimeZone, c.Description, c.Position, now).Scan(&id); err != nil {
			return fmt.Errorf("calendar: create calendar: %w", err)
		}
		if err := access.AddNode(ctx, tx, access.Calendar, id, 0); err != nil {
			return err
		}
		if err := access.SetGrants(ctx, tx, access.Calendar, id, grants); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "calendar.created", audit.Object("calendar", id), c.Name+" "+grantsDetail(grants))
	})
	return id, err
}

// UpdateCalendar changes a calendar's name, colour, zone, description and
// position, and replaces its grants, with its audit entry, in one
// transaction. Changing the zone keeps events at the same instants.
// Administrators only; db.ErrNotFound when there is no such calendar.
func (s *Store) UpdateCalendar(ctx context.Context, a access.Actor, c Calendar, grants []access.Grant) error {
	if err := requireAdmin(a, "update calendar"); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE calendars SET name = ?, colour = ?, timezone = ?, description = ?, position = ? WHERE id = ?`,
			c.Name, c.Colour, c.TimeZone, c.Description, c.Position, c.ID)
		if err != nil {
			return fmt.Errorf("calendar: update calendar %d: %w", c.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		if err := access.SetGrants(ctx, tx, access.Calendar, c.ID, grants); err != nil {
			return err
		}
		if err := s.reindexCalendar(ctx, tx, c.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, s.Now(), "calendar.updated", audit.Object("calendar", c.ID), c.Name+" "+grantsDetail(grants))
	})
}

// CountEvents gives how many events (a series counted once) a calendar
// holds, for the confirmation before deleting it (administrators only: it
// checks no right).
func (s *Store) CountEvents(ctx context.Context, calendarID int64) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM events WHERE calendar_id = ?", calendarID).Scan(&n); err != nil {
		return 0, fmt.Errorf("calendar: count events of %d: %w", calendarID, err)
	}
	return n, nil
}

// DeleteCalendar removes a calendar, its events (with their exceptions,
// attribute values and document links, by cascade), their search entries
// and its access node, in one transaction with its audit entry (the
// calendar's name and how many events went). Administrators only.
// db.ErrNotFound when there is no such calendar.
func (s *Store) DeleteCalendar(ctx context.Context, a access.Actor, id int64) error {
	if err := requireAdmin(a, "delete calendar"); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := getCalendar(ctx, tx, id)
		if err != nil {
			return err
		}
		ids, err := db.IDs(ctx, tx, "SELECT id FROM events WHERE calendar_id = ?", id)
		if err != nil {
			return err
		}
		for _, eid := range ids {
			if err := s.unindex(ctx, tx, eid); err != nil {
				return err
			}
		}
		res, err := tx.Exec(ctx, "DELETE FROM calendars WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("calendar: delete calendar %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		if err := access.RemoveNode(ctx, tx, access.Calendar, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, s.Now(), "calendar.deleted", audit.Object("calendar", id), fmt.Sprintf("%s events=%d", c.Name, len(ids)))
	})
}

// CalendarInfo is a calendar with the viewer's level on it.
type CalendarInfo struct {
	Calendar
	Level access.Level
}

// CanEdit reports whether the viewer may add and change events.
func (c CalendarInfo) CanEdit() bool { return c.Level >= access.Edit }

// Calendars lists the calendars on which p holds at least min, in display
// order, each with p's level.
func (s *Store) Calendars(ctx context.Context, p access.Principal, min access.Level) ([]CalendarInfo, error) {
	cals, err := s.calendars.Get(ctx, s.db, p.Key()+"@"+strconv.Itoa(int(min)), func() ([]CalendarInfo, error) {
		return s.readCalendars(ctx, p, min)
	})
	return slices.Clone(cals), err
}

func (s *Store) readCalendars(ctx context.Context, p access.Principal, min access.Level) ([]CalendarInfo, error) {
	f, args := p.Filter(access.Calendar, "c.id", min)
	rows, err := s.db.Query(ctx, `SELECT c.id, c.name, c.colour, c.timezone, c.description, c.position, c.created_at
		FROM calendars c WHERE `+f+` ORDER BY c.position, c.name, c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("calendar: list calendars: %w", err)
	}
	var out []CalendarInfo
	for rows.Next() {
		var c CalendarInfo
		if err := rows.Scan(&c.ID, &c.Name, &c.Colour, &c.TimeZone, &c.Description, &c.Position, &c.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	levels, err := s.levels(ctx, p)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Level = levels[out[i].ID]
	}
	return out, nil
}

// levels gives p's highest level on every calendar, in one query (what
// access.LevelOf gives for one), for showing tools. Decisions use Can.
func (s *Store) levels(ctx context.Context, p access.Principal) (map[int64]access.Level, error) {
	out := map[int64]access.Level{}
	if p.Admin {
		ids, err := db.IDs(ctx, s.db, "SELECT id FROM calendars")
		for _, id := range ids {
			out[id] = access.Manage
		}
		return out, err
	}
	groups := p.Groups
	if len(groups) == 0 {
		groups = []int64{access.Everyone}
	}
	args := []any{string(access.Calendar)}
	for _, g := range groups {
		args = append(args, g)
	}
	rows, err := s.db.Query(ctx, `SELECT n.id, MAX(g.level) FROM acl_nodes n
		JOIN grants g ON g.kind = n.kind AND g.object_id = n.source_id
		WHERE n.kind = ? AND g.group_id IN (`+db.In(len(groups))+`) GROUP BY n.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("calendar: levels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var lvl int
		if err := rows.Scan(&id, &lvl); err != nil {
			return nil, err
		}
		out[id] = access.Level(lvl)
	}
	return out, rows.Err()
}

// Calendar returns one calendar if p may view it: db.ErrNotFound when it does
// not exist, access.ErrForbidden when p may not see it.
func (s *Store) Calendar(ctx context.Context, p access.Principal, id int64) (CalendarInfo, error) {
	c, err := getCalendar(ctx, s.db, id)
	if err != nil {
		return CalendarInfo{}, err
	}
	lvl, err := access.LevelOf(ctx, s.db, p, access.Calendar, id)
	if err != nil {
		return CalendarInfo{}, err
	}
	ok, err := access.Can(ctx, s.db, p, access.Calendar, id, access.View)
	if err != nil {
		return CalendarInfo{}, err
	}
	if !ok {
		return CalendarInfo{}, access.ErrForbidden
	}
	return CalendarInfo{Calendar: c, Level: lvl}, nil
}

func getCalendar(ctx context.Context, q db.Querier, id int64) (Calendar, error) {
	var c Calendar
	err := q.QueryRow(ctx, `SELECT id, name, colour, timezone, description, position, created_at FROM calendars WHERE id = ?`, id).
		Scan(&c.ID, &c.Name, &c.Colour, &c.TimeZone, &c.Description, &c.Position, &c.CreatedAt)
	if err != nil {
		return c, db.NotFound(err)
	}
	return c, nil
}

// insertEvent writes a new event row. Its id is never one a deleted event
// had: on SQLite (which would give max(id) + 1 again) it is the next of
// event_ids (migration 0251), or of the highest id present when that mark
// is behind (a site restored from PostgreSQL, whose archive has no
// event_ids); PostgreSQL's identity never reuses one.
func (s *Store) insertEvent(ctx context.Context, tx *db.Tx, v checkedValues, by any, now time.Time) (int64, error) {
	idExpr := "DEFAULT"
	if s.db.Dialect() == db.SQLite {
		idExpr = "(SELECT MAX(COALESCE((SELECT MAX(last_id) FROM event_ids), 0), COALESCE((SELECT MAX(id) FROM events), 0)) + 1)"
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO events (id, uid, calendar_id, title, description, location, starts_at, ends_at,
		all_day, rrule, series_end, created_by, created_at, updated_at)
		VALUES (`+idExpr+`, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		newUID(), v.calendarID, v.title, v.description, v.location, v.start.UTC(), v.end.UTC(),
		v.allDay, v.rule, seriesEndValue(v.seriesEnd), by, now, now).Scan(&id)
	return id, err
}

// CreateEvent validates the form and creates the event, with its audit
// entry. a needs access.Edit on the form's calendar (access.ErrForbidden
// otherwise, also for a calendar that does not exist). Invalid input is
// valid.Errors.
func (s *Store) CreateEvent(ctx context.Context, a access.Actor, f EventForm) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		v, err := s.checkForm(ctx, tx, a.Principal, f)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		var by any
		if a.UserID != 0 {
			by = a.UserID
		}
		if id, err = s.insertEvent(ctx, tx, v, by, now); err != nil {
			return fmt.Errorf("calendar: create event: %w", err)
		}
		if err := saveExtras(ctx, tx, id, v.eventValues); err != nil {
			return err
		}
		if err := s.reindex(ctx, tx, id); err != nil {
			return err
		}
		if err := emit(ctx, tx, a, now, notify.EventCreated, v.calendarID, id, v.title); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "event.created", audit.Object("event", id), v.title)
	})
	return id, err
}

// checkedValues is a validated form whose start is the series' first
// occurrence, with the series' end.
type checkedValues struct {
	eventValues
	seriesEnd *time.Time
	ser       *series
}

// checkForm checks edit permission on the form's calendar, then validates
// the form in that calendar's zone.
func (s *Store) checkForm(ctx context.Context, q db.Querier, p access.Principal, f EventForm) (checkedValues, error) {
	attrs, err := readAttributes(ctx, q) // in the transaction: not the kept copy
	if err != nil {
		return checkedValues{}, err
	}
	loc := loadLocation(DefaultTimeZone)
	if calID, err := strconv.ParseInt(strings.TrimSpace(f.CalendarID), 10, 64); err == nil && calID > 0 {
		ok, err := access.Can(ctx, q, p, access.Calendar, calID, access.Edit)
		if err != nil {
			return checkedValues{}, err
		}
		if !ok {
			return checkedValues{}, fmt.Errorf("calendar: edit on calendar %d: %w", calID, access.ErrForbidden)
		}
		c, err := getCalendar(ctx, q, calID)
		if err != nil {
			return checkedValues{}, err
		}
		loc = c.Location()
		// An attribute limited to other calendars takes no value here.
		attrs = slices.DeleteFunc(attrs, func(a Attribute) bool { return !a.AppliesTo(calID) })
	}
	v, err := f.validate(loc, attrs)
	if err != nil {
		return checkedValues{}, err
	}
	ser, err := newSeries(v.start, v.end, v.rule, loc)
	if err != nil {
		return checkedValues{}, valid.One("repetition", "calendar.error.repetition_invalid")
	}
	first, last, err := ser.bounds()
	if err != nil {
		return checkedValues{}, err
	}
	if !first.Equal(v.start) {
		// The typed day does not match the rule ("every 2nd Tuesday" typed on
		// a Monday): the series starts on its first matching day, so that
		// DTSTART is an occurrence, as RFC 5545 readers expect.
		v.end = ser.endFor(first)
		v.start = first
		if ser, err = newSeries(v.start, v.end, v.rule, loc); err != nil {
			return checkedValues{}, err
		}
	}
	return checkedValues{eventValues: v, seriesEnd: last, ser: ser}, nil
}

// UpdateEvent replaces an event (the whole series) with the form, with its
// audit entry. a needs access.Edit on the event's calendar and on the form's
// calendar. Exceptions whose occurrence no longer exists in the new series
// are dropped.
func (s *Store) UpdateEvent(ctx context.Context, a access.Actor, id int64, f EventForm) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		return s.updateEvent(ctx, tx, a, id, f)
	})
}

func (s *Store) updateEvent(ctx context.Context, tx *db.Tx, a access.Actor, id int64, f EventForm) error {
	if _, err := s.requireEvent(ctx, tx, a.Principal, id, access.Edit); err != nil {
		return err
	}
	v, err := s.checkForm(ctx, tx, a.Principal, f)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE events SET calendar_id = ?, title = ?, description = ?, location = ?, starts_at = ?, ends_at = ?,
		all_day = ?, rrule = ?, series_end = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?`,
		v.calendarID, v.title, v.description, v.location, v.start.UTC(), v.end.UTC(), v.allDay, v.rule,
		seriesEndValue(v.seriesEnd), s.Now().UTC(), id); err != nil {
		return fmt.Errorf("calendar: update event %d: %w", id, err)
	}
	if err := saveExtras(ctx, tx, id, v.eventValues); err != nil {
		return err
	}
	ovs, err := loadOverrides(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, o := range ovs {
		if v.rule == "" || !v.ser.isOccurrence(o.OriginalStart) {
			if _, err := tx.Exec(ctx, "DELETE FROM event_overrides WHERE event_id = ? AND original_start = ?", id, o.OriginalStart.UTC()); err != nil {
				return err
			}
		}
	}
	if err := s.refreshSeriesEnd(ctx, tx, id); err != nil {
		return err
	}
	if err := s.reindex(ctx, tx, id); err != nil {
		return err
	}
	if err := emit(ctx, tx, a, s.Now(), notify.EventUpdated, v.calendarID, id, v.title); err != nil {
		return err
	}
	return audit.Record(ctx, tx, a, s.Now(), "event.updated", audit.Object("event", id), v.title)
}

// DeleteEvent deletes an event (the whole series), with its audit entry.
// a needs access.Edit on its calendar.
func (s *Store) DeleteEvent(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		e, err := s.requireEvent(ctx, tx, a.Principal, id, access.Edit)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM events WHERE id = ?", id); err != nil {
			return fmt.Errorf("calendar: delete event %d: %w", id, err)
		}
		if err := s.unindex(ctx, tx, id); err != nil {
			return err
		}
		if err := emit(ctx, tx, a, s.Now(), notify.EventCancelled, e.CalendarID, id, e.Title); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, s.Now(), "event.deleted", audit.Object("event", id), e.Title)
	})
}

// requireEvent loads an event (without extras) after checking that p holds
// min on its calendar: db.ErrNotFound if it does not exist, access.ErrForbidden if p
// may not.
func (s *Store) requireEvent(ctx context.Context, q db.Querier, p access.Principal, id int64, min access.Level) (Event, error) {
	e, err := getEvent(ctx, q, id)
	if err != nil {
		return e, err
	}
	ok, err := access.Can(ctx, q, p, access.Calendar, e.CalendarID, min)
	if err != nil {
		return e, err
	}
	if !ok {
		return e, fmt.Errorf("calendar: %s on event %d: %w", min, id, access.ErrForbidden)
	}
	return e, nil
}

const eventColumns = `e.id, e.uid, e.calendar_id, c.name, c.colour, c.timezone, e.title, e.description, e.location,
	e.starts_at, e.ends_at, e.all_day, e.rrule, e.series_end, e.sequence, e.created_by, e.created_at, e.updated_at`

func scanEvent(sc interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var end time.Time
	var by sql.NullInt64
	err := sc.Scan(&e.ID, &e.UID, &e.CalendarID, &e.CalendarName, &e.Colour, &e.TimeZone, &e.Title, &e.Description, &e.Location,
		&e.Start, &e.End, &e.AllDay, &e.RRule, &end, &e.Sequence, &by, &e.CreatedAt, &e.UpdatedAt)
	if end.Before(endless) {
		t := end.UTC()
		e.SeriesEnd = &t
	}
	e.CreatedBy = by.Int64
	e.Start, e.End = e.Start.UTC(), e.End.UTC()
	return e, err
}

func getEvent(ctx context.Context, q db.Querier, id int64) (Event, error) {
	e, err := scanEvent(q.QueryRow(ctx, "SELECT "+eventColumns+" FROM events e JOIN calendars c ON c.id = e.calendar_id WHERE e.id = ?", id))
	if err != nil {
		return e, db.NotFound(err)
	}
	return e, nil
}

// Event returns an event with its attributes, documents and exceptions, and
// p's level on its calendar. db.ErrNotFound if it does not exist, access.ErrForbidden
// if p may not view its calendar.
func (s *Store) Event(ctx context.Context, p access.Principal, id int64) (Event, access.Level, error) {
	e, err := s.requireEvent(ctx, s.db, p, id, access.View)
	if err != nil {
		return e, access.None, err
	}
	lvl, err := access.LevelOf(ctx, s.db, p, access.Calendar, e.CalendarID)
	if err != nil {
		return e, access.None, err
	}
	if e.Attributes, err = attributeValues(ctx, s.db, id); err != nil {
		return e, lvl, err
	}
	if e.Overrides, err = loadOverrides(ctx, s.db, id); err != nil {
		return e, lvl, err
	}
	if e.Documents, err = s.documentLinks(ctx, p, id); err != nil {
		return e, lvl, err
	}
	return e, lvl, nil
}

// saveExtras replaces an event's attribute values and document links.
func saveExtras(ctx context.Context, q db.Querier, id int64, v eventValues) error {
	if _, err := q.Exec(ctx, "DELETE FROM event_attribute_values WHERE event_id = ?", id); err != nil {
		return err
	}
	for attr, val := range v.attrs {
		if _, err := q.Exec(ctx, "INSERT INTO event_attribute_values (event_id, attribute_id, value) VALUES (?, ?, ?)", id, attr, val); err != nil {
			return fmt.Errorf("calendar: save attribute %d: %w", attr, err)
		}
	}
	if _, err := q.Exec(ctx, "DELETE FROM event_documents WHERE event_id = ?", id); err != nil {
		return err
	}
	seen := map[int64]bool{}
	for i, d := range v.documents {
		if seen[d] {
			continue
		}
		seen[d] = true
		if _, err := q.Exec(ctx, "INSERT INTO event_documents (event_id, document_id, position) VALUES (?, ?, ?)", id, d, i); err != nil {
			return fmt.Errorf("calendar: link document %d: %w", d, err)
		}
	}
	return nil
}

// documentLinks lists the documents linked to an event that p may see. When
// the documents area is not installed (no documents table), links are shown
// by number.
func (s *Store) documentLinks(ctx context.Context, p access.Principal, eventID int64) ([]DocumentLink, error) {
	ids, err := db.IDs(ctx, s.db, "SELECT document_id FROM event_documents WHERE event_id = ? ORDER BY position, document_id", eventID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	if !s.hasTable(ctx, "documents") {
		out := make([]DocumentLink, len(ids))
		for i, id := range ids {
			out[i] = DocumentLink{ID: id}
		}
		return out, nil
	}
	f, fargs := p.Filter(access.Folder, "d.folder_id", access.View)
	args := make([]any, 0, len(ids)+len(fargs))
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, fargs...)
	rows, err := s.db.Query(ctx, "SELECT d.id, d.title FROM documents d WHERE d.id IN ("+db.In(len(ids))+") AND d.trashed_at IS NULL AND "+f, args...)
	if err != nil {
		// The documents schema is another area's; never fail the event page for it.
		return nil, nil
	}
	defer rows.Close()
	titles := map[int64]string{}
	for rows.Next() {
		var id int64
		var t string
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		titles[id] = t
	}
	var out []DocumentLink
	for _, id := range ids {
		if t, ok := titles[id]; ok {
			out = append(out, DocumentLink{ID: id, Title: t})
		}
	}
	return out, rows.Err()
}

func (s *Store) hasTable(ctx context.Context, name string) bool {
	var n int
	var err error
	if s.db.Dialect() == db.Postgres {
		err = s.db.QueryRow(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?", name).Scan(&n)
	} else {
		err = s.db.QueryRow(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&n)
	}
	return err == nil && n > 0
}

func newUID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:]) + "@portique"
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// endless is stored as the series_end of a series without end, so window
// queries are one indexed range condition (no "IS NULL OR").
var endless = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

func seriesEndValue(t *time.Time) time.Time {
	if t == nil {
		return endless
	}
	return t.UTC()
}

// Grants returns a calendar's grants by group.
func (s *Store) Grants(ctx context.Context, id int64) (map[int64]access.Level, error) {
	gs, _, err := access.Grants(ctx, s.db, access.Calendar, id)
	if err != nil {
		return nil, err
	}
	out := map[int64]access.Level{}
	for _, g := range gs {
		out[g.GroupID] = g.Level
	}
	return out, nil
}

// emit tells notify of a change to an event, in the change's transaction.
// A deleted event (EventCancelled) has no address any more.
func emit(ctx context.Context, q db.Querier, a access.Actor, now time.Time, action string, calendarID, eventID int64, title string) error {
	path := fmt.Sprintf("/agenda/evenements/%d", eventID)
	if action == notify.EventCancelled {
		path = ""
	}
	return notify.Emit(ctx, q, now, notify.Change{Action: action, ACLKind: access.Calendar, ACLID: calendarID,
		ItemID: eventID, Title: title, Path: path, ActorID: a.UserID})
}
