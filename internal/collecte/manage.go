package collecte

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/pages"
	"portique/internal/valid"
)

// The mutations. Each checks Edit on the area's node once, in its
// transaction, before it validates (a person without the right learns
// nothing from the form's errors), writes, records its audit entry and
// refreshes the search index in that same transaction.

// Audit actions.
const (
	AuditCommuneCreated   = "collecte.commune.created"
	AuditCommuneUpdated   = "collecte.commune.updated"
	AuditCommuneDeleted   = "collecte.commune.deleted"
	AuditSectorCreated    = "collecte.sector.created"
	AuditSectorUpdated    = "collecte.sector.updated"
	AuditSectorDeleted    = "collecte.sector.deleted"
	AuditStreamCreated    = "collecte.stream.created"
	AuditStreamUpdated    = "collecte.stream.updated"
	AuditStreamDeleted    = "collecte.stream.deleted"
	AuditScheduleCreated  = "collecte.schedule.created"
	AuditScheduleUpdated  = "collecte.schedule.updated"
	AuditScheduleDeleted  = "collecte.schedule.deleted"
	AuditExceptionSet     = "collecte.exception.set"
	AuditExceptionDeleted = "collecte.exception.deleted"
	AuditImport           = "collecte.import"
	AuditGrants           = "collecte.grants"
)

func kv(pairs ...any) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%v=%v", pairs[i], pairs[i+1])
	}
	return b.String()
}

func count(ctx context.Context, q db.Querier, query string, args ...any) (int, error) {
	var n int
	err := q.QueryRow(ctx, query, args...).Scan(&n)
	return n, err
}

// CreateCommune adds a commune. Its URL (/collecte/{slug}) is made from its
// name once and kept when it is renamed, since it gets printed. A taken
// INSEE code is a form error.
func (s *Store) CreateCommune(ctx context.Context, a access.Actor, in CommuneInput) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		v, err := in.validate()
		if err != nil {
			return err
		}
		id, err = s.insertCommune(ctx, tx, a, v)
		return err
	})
	return id, err
}

func (s *Store) insertCommune(ctx context.Context, tx *db.Tx, a access.Actor, v communeValues) (int64, error) {
	if err := inseeFree(ctx, tx, v.insee, 0); err != nil {
		return 0, err
	}
	slug, err := communeSlug(ctx, tx, v.name, v.insee)
	if err != nil {
		return 0, err
	}
	now := s.Now().UTC()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO collecte_communes (name, slug, insee, postcodes, search_key, notice, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, v.name, slug, v.insee, strings.Join(v.postcodes, " "),
		searchKey(v.name, v.insee, v.postcodes), v.notice, now, now).Scan(&id)
	if errors.Is(err, db.ErrConflict) {
		return 0, valid.One("insee", "collecte.error.insee_taken", v.insee)
	}
	if err != nil {
		return 0, fmt.Errorf("collecte: create commune: %w", err)
	}
	if err := audit.Record(ctx, tx, a, now, AuditCommuneCreated, audit.Object("commune", id), kv("insee", v.insee, "slug", slug)); err != nil {
		return 0, err
	}
	return id, s.reindex(ctx, tx, id)
}

func inseeFree(ctx context.Context, q db.Querier, insee string, except int64) error {
	n, err := count(ctx, q, "SELECT COUNT(*) FROM collecte_communes WHERE insee = ? AND id <> ?", insee, except)
	if err != nil {
		return err
	}
	if n > 0 {
		return valid.One("insee", "collecte.error.insee_taken", insee)
	}
	return nil
}

// communeSlug makes a free URL segment from the name; a reserved or taken
// one gets the INSEE code appended (two communes of one name).
func communeSlug(ctx context.Context, q db.Querier, name, insee string) (string, error) {
	base := pages.Slugify(name)
	for _, slug := range []string{base, base + "-" + strings.ToLower(insee)} {
		if reservedCommuneSlugs[slug] {
			continue
		}
		n, err := count(ctx, q, "SELECT COUNT(*) FROM collecte_communes WHERE slug = ?", slug)
		if err != nil {
			return "", err
		}
		if n == 0 {
			return slug, nil
		}
	}
	return "", valid.One("insee", "collecte.error.insee_taken", insee)
}

// UpdateCommune changes a commune's name, INSEE code, postcodes and notice.
func (s *Store) UpdateCommune(ctx context.Context, a access.Actor, id int64, in CommuneInput) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		if _, err := s.communeWith(ctx, tx, "c.id = ?", id); err != nil {
			return err
		}
		v, err := in.validate()
		if err != nil {
			return err
		}
		return s.updateCommune(ctx, tx, a, id, v)
	})
}

func (s *Store) updateCommune(ctx context.Context, tx *db.Tx, a access.Actor, id int64, v communeValues) error {
	if err := inseeFree(ctx, tx, v.insee, id); err != nil {
		return err
	}
	now := s.Now().UTC()
	_, err := tx.Exec(ctx, `UPDATE collecte_communes SET name = ?, insee = ?, postcodes = ?, search_key = ?, notice = ?, updated_at = ? WHERE id = ?`,
		v.name, v.insee, strings.Join(v.postcodes, " "), searchKey(v.name, v.insee, v.postcodes), v.notice, now, id)
	if errors.Is(err, db.ErrConflict) {
		return valid.One("insee", "collecte.error.insee_taken", v.insee)
	}
	if err != nil {
		return fmt.Errorf("collecte: update commune %d: %w", id, err)
	}
	if err := audit.Record(ctx, tx, a, now, AuditCommuneUpdated, audit.Object("commune", id), kv("insee", v.insee, "postcodes", strings.Join(v.postcodes, ","))); err != nil {
		return err
	}
	return s.reindex(ctx, tx, id)
}

// DeleteCommune deletes a commune with its sectors, schedules and
// exceptions.
func (s *Store) DeleteCommune(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		c, err := s.communeWith(ctx, tx, "c.id = ?", id)
		if err != nil {
			return err
		}
		n, err := count(ctx, tx, "SELECT COUNT(*) FROM collecte_schedules WHERE commune_id = ?", id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM collecte_communes WHERE id = ?", id); err != nil {
			return fmt.Errorf("collecte: delete commune %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, a, s.Now().UTC(), AuditCommuneDeleted, audit.Object("commune", id),
			kv("insee", c.INSEE, "slug", c.Slug, "sectors", len(c.Sectors), "schedules", n)); err != nil {
			return err
		}
		return s.unindex(ctx, tx, id)
	})
}

// CreateSector adds a sector to a commune. Its URL segment is made from
// its name once; two sectors of one commune cannot share a name.
func (s *Store) CreateSector(ctx context.Context, a access.Actor, communeID int64, in SectorInput) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		if _, err := s.communeWith(ctx, tx, "c.id = ?", communeID); err != nil {
			return err
		}
		name, desc, pos, err := in.validate()
		if err != nil {
			return err
		}
		id, err = s.insertSector(ctx, tx, a, communeID, name, desc, pos)
		return err
	})
	return id, err
}

func (s *Store) insertSector(ctx context.Context, tx *db.Tx, a access.Actor, communeID int64, name, desc string, pos int) (int64, error) {
	n, err := count(ctx, tx, "SELECT COUNT(*) FROM collecte_sectors WHERE commune_id = ?", communeID)
	if err != nil {
		return 0, err
	}
	if n >= maxSectors {
		return 0, valid.One("sector_name", "collecte.error.sectors_too_many", maxSectors)
	}
	slug := pages.Slugify(name)
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO collecte_sectors (commune_id, name, slug, description, position) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		communeID, name, slug, desc, pos).Scan(&id)
	if errors.Is(err, db.ErrConflict) {
		return 0, valid.One("sector_name", "collecte.error.sector_taken", name)
	}
	if err != nil {
		return 0, fmt.Errorf("collecte: create sector: %w", err)
	}
	if err := audit.Record(ctx, tx, a, s.Now().UTC(), AuditSectorCreated, audit.Object("sector", id), kv("commune", communeID, "slug", slug)); err != nil {
		return 0, err
	}
	return id, s.reindex(ctx, tx, communeID)
}

func getSector(ctx context.Context, q db.Querier, id int64) (Sector, error) {
	var x Sector
	err := q.QueryRow(ctx, "SELECT id, commune_id, name, slug, description, position FROM collecte_sectors WHERE id = ?", id).
		Scan(&x.ID, &x.CommuneID, &x.Name, &x.Slug, &x.Description, &x.Position)
	return x, db.NotFound(err)
}

// Sector returns one sector (p needs View).
func (s *Store) Sector(ctx context.Context, p access.Principal, id int64) (Sector, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return Sector{}, err
	}
	return getSector(ctx, s.db, id)
}

// UpdateSector renames a sector (its URL stays) and changes its
// description and position.
func (s *Store) UpdateSector(ctx context.Context, a access.Actor, id int64, in SectorInput) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		x, err := getSector(ctx, tx, id)
		if err != nil {
			return err
		}
		name, desc, pos, err := in.validate()
		if err != nil {
			return err
		}
		n, err := count(ctx, tx, "SELECT COUNT(*) FROM collecte_sectors WHERE commune_id = ? AND id <> ? AND (LOWER(name) = LOWER(?) OR slug = ?)",
			x.CommuneID, id, name, pages.Slugify(name))
		if err != nil {
			return err
		}
		if n > 0 {
			return valid.One("sector_name", "collecte.error.sector_taken", name)
		}
		if _, err := tx.Exec(ctx, "UPDATE collecte_sectors SET name = ?, description = ?, position = ? WHERE id = ?", name, desc, pos, id); err != nil {
			return fmt.Errorf("collecte: update sector %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, a, s.Now().UTC(), AuditSectorUpdated, audit.Object("sector", id), kv("commune", x.CommuneID, "slug", x.Slug)); err != nil {
			return err
		}
		return s.reindex(ctx, tx, x.CommuneID)
	})
}

// DeleteSector deletes a sector and its schedules.
func (s *Store) DeleteSector(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		x, err := getSector(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM collecte_sectors WHERE id = ?", id); err != nil {
			return fmt.Errorf("collecte: delete sector %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, a, s.Now().UTC(), AuditSectorDeleted, audit.Object("sector", id), kv("commune", x.CommuneID, "slug", x.Slug)); err != nil {
			return err
		}
		return s.reindex(ctx, tx, x.CommuneID)
	})
}

// CreateStream adds a waste stream.
func (s *Store) CreateStream(ctx context.Context, a access.Actor, in StreamInput) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		v, err := in.validate()
		if err != nil {
			return err
		}
		slug := pages.Slugify(v.name)
		err = tx.QueryRow(ctx, `INSERT INTO collecte_streams (name, slug, code, colour, help, position) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			v.name, slug, v.code, v.colour, v.help, v.pos).Scan(&id)
		if errors.Is(err, db.ErrConflict) {
			return valid.One("stream_name", "collecte.error.stream_taken", v.name)
		}
		if err != nil {
			return fmt.Errorf("collecte: create stream: %w", err)
		}
		return audit.Record(ctx, tx, a, s.Now().UTC(), AuditStreamCreated, audit.Object("stream", id), kv("slug", slug, "code", v.code))
	})
	return id, err
}

// UpdateStream changes a stream (its feed file name stays).
func (s *Store) UpdateStream(ctx context.Context, a access.Actor, id int64, in StreamInput) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		if n, err := count(ctx, tx, "SELECT COUNT(*) FROM collecte_streams WHERE id = ?", id); err != nil {
			return err
		} else if n == 0 {
			return db.ErrNotFound
		}
		v, err := in.validate()
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE collecte_streams SET name = ?, code = ?, colour = ?, help = ?, position = ? WHERE id = ?",
			v.name, v.code, v.colour, v.help, v.pos, id)
		if errors.Is(err, db.ErrConflict) {
			return valid.One("stream_name", "collecte.error.stream_taken", v.name)
		}
		if err != nil {
			return fmt.Errorf("collecte: update stream %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, s.Now().UTC(), AuditStreamUpdated, audit.Object("stream", id), kv("code", v.code, "colour", v.colour))
	})
}

// StreamUse counts what deleting a stream deletes with it.
func (s *Store) StreamUse(ctx context.Context, p access.Principal, id int64) (schedules, exceptions int, err error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return 0, 0, err
	}
	if schedules, err = count(ctx, s.db, "SELECT COUNT(*) FROM collecte_schedules WHERE stream_id = ?", id); err != nil {
		return 0, 0, err
	}
	exceptions, err = count(ctx, s.db, "SELECT COUNT(*) FROM collecte_exceptions WHERE stream_id = ?", id)
	return schedules, exceptions, err
}

// DeleteStream deletes a stream with its schedules and exceptions.
func (s *Store) DeleteStream(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		var slug string
		if err := tx.QueryRow(ctx, "SELECT slug FROM collecte_streams WHERE id = ?", id).Scan(&slug); err != nil {
			return db.NotFound(err)
		}
		n, err := count(ctx, tx, "SELECT COUNT(*) FROM collecte_schedules WHERE stream_id = ?", id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM collecte_streams WHERE id = ?", id); err != nil {
			return fmt.Errorf("collecte: delete stream %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, s.Now().UTC(), AuditStreamDeleted, audit.Object("stream", id), kv("slug", slug, "schedules", n))
	})
}

// ScheduleInput is the schedule form as typed.
type ScheduleInput struct {
	CommuneID int64
	SectorID  string // "" or "0": the whole commune
	StreamID  string
	Rule      RuleInput
	Start     string
	End       string
	Note      string
}

type scheduleValues struct {
	communeID, sectorID, streamID int64
	rule, note                    string
	start, end                    time.Time
}

// checkSchedule validates the form against the database (the sector must
// belong to the commune, the stream exist) and the rule against its start.
func checkSchedule(ctx context.Context, q db.Querier, in ScheduleInput) (scheduleValues, error) {
	errs := valid.Errors{}
	v := scheduleValues{communeID: in.CommuneID, note: clean(in.Note)}
	v.sectorID = parseOptionalID(errs, "sector", in.SectorID)
	if v.sectorID != 0 {
		x, err := getSector(ctx, q, v.sectorID)
		if errors.Is(err, db.ErrNotFound) || err == nil && x.CommuneID != in.CommuneID {
			errs.Add("sector", "collecte.error.choice")
		} else if err != nil {
			return v, err
		}
	}
	v.streamID = parseOptionalID(errs, "stream", in.StreamID)
	if v.streamID == 0 {
		errs.Add("stream", "collecte.error.stream_required")
	} else if n, err := count(ctx, q, "SELECT COUNT(*) FROM collecte_streams WHERE id = ?", v.streamID); err != nil {
		return v, err
	} else if n == 0 {
		errs.Add("stream", "collecte.error.choice")
	}
	v.start = parseDate(errs, "start", in.Start, true)
	v.end = parseDate(errs, "end", in.End, false)
	if !v.start.IsZero() && !v.end.IsZero() && v.end.Before(v.start) {
		errs.Add("end", "collecte.error.end_before_start")
	}
	v.rule = in.Rule.rule(errs)
	checkText(errs, "note", v.note, false, maxNote)
	if len(errs) == 0 {
		if key := checkRuleDates(v.rule, v.start, v.end); key != "" {
			field := "days"
			if in.Rule.Freq == FreqCustom {
				field = "custom"
			}
			errs.Add(field, key)
		}
	}
	return v, errs.Err()
}

// checkRuleDates makes sure a rule gives a collection within ruleHorizon
// years of its start (and before its end).
func checkRuleDates(rule string, start, end time.Time) string {
	r, err := compile(rule, start, end)
	if err != nil {
		return "collecte.error.rule_invalid"
	}
	if len(r.Between(start, start.AddDate(ruleHorizon, 0, 0), true)) == 0 {
		return "collecte.error.rule_no_date"
	}
	return ""
}

// CreateSchedule adds the schedule of a stream in a commune or sector.
func (s *Store) CreateSchedule(ctx context.Context, a access.Actor, in ScheduleInput) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		if _, err := s.communeWith(ctx, tx, "c.id = ?", in.CommuneID); err != nil {
			return err
		}
		v, err := checkSchedule(ctx, tx, in)
		if err != nil {
			return err
		}
		// The same form posted twice (a double click, a reload) must not
		// make a second identical schedule.
		n, err := count(ctx, tx, `SELECT COUNT(*) FROM collecte_schedules WHERE commune_id = ? AND COALESCE(sector_id, 0) = ? AND stream_id = ?
			AND rule = ? AND starts_on = ? AND COALESCE(ends_on, '') = ?`, v.communeID, v.sectorID, v.streamID, v.rule, FormatDay(v.start), FormatDay(v.end))
		if err != nil {
			return err
		}
		if n > 0 {
			return valid.One("stream", "collecte.error.schedule_exists")
		}
		id, err = s.insertSchedule(ctx, tx, a, v)
		return err
	})
	return id, err
}

func (s *Store) insertSchedule(ctx context.Context, tx *db.Tx, a access.Actor, v scheduleValues) (int64, error) {
	now := s.Now().UTC()
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO collecte_schedules (commune_id, sector_id, stream_id, rule, starts_on, ends_on, note, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, v.communeID, nullID(v.sectorID), v.streamID, v.rule, FormatDay(v.start),
		nullDay(v.end), v.note, now, now).Scan(&id); err != nil {
		return 0, fmt.Errorf("collecte: create schedule: %w", err)
	}
	return id, audit.Record(ctx, tx, a, now, AuditScheduleCreated, audit.Object("schedule", id),
		kv("commune", v.communeID, "sector", v.sectorID, "stream", v.streamID, "rule", v.rule, "start", FormatDay(v.start)))
}

// UpdateSchedule replaces a schedule with the form (its commune stays).
func (s *Store) UpdateSchedule(ctx context.Context, a access.Actor, id int64, in ScheduleInput) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		old, err := getSchedule(ctx, tx, id)
		if err != nil {
			return err
		}
		in.CommuneID = old.CommuneID
		v, err := checkSchedule(ctx, tx, in)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		if _, err := tx.Exec(ctx, `UPDATE collecte_schedules SET sector_id = ?, stream_id = ?, rule = ?, starts_on = ?, ends_on = ?, note = ?, updated_at = ?
			WHERE id = ?`, nullID(v.sectorID), v.streamID, v.rule, FormatDay(v.start), nullDay(v.end), v.note, now, id); err != nil {
			return fmt.Errorf("collecte: update schedule %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, now, AuditScheduleUpdated, audit.Object("schedule", id),
			kv("commune", v.communeID, "sector", v.sectorID, "stream", v.streamID, "rule", v.rule, "start", FormatDay(v.start)))
	})
}

// DeleteSchedule deletes a schedule.
func (s *Store) DeleteSchedule(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		old, err := getSchedule(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM collecte_schedules WHERE id = ?", id); err != nil {
			return fmt.Errorf("collecte: delete schedule %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, s.Now().UTC(), AuditScheduleDeleted, audit.Object("schedule", id),
			kv("commune", old.CommuneID, "sector", old.SectorID, "stream", old.StreamID, "rule", old.Rule))
	})
}

// SetException records the decision for the collections of one day in its
// scope (every stream or one, every commune or one), replacing the one
// taken before for that same day and scope: posting the form twice gives
// the same result.
func (s *Store) SetException(ctx context.Context, a access.Actor, in ExceptionInput) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		v, err := in.validate()
		if err != nil {
			return err
		}
		errs := valid.Errors{}
		if v.streamID != 0 {
			if n, err := count(ctx, tx, "SELECT COUNT(*) FROM collecte_streams WHERE id = ?", v.streamID); err != nil {
				return err
			} else if n == 0 {
				errs.Add("exception_stream", "collecte.error.choice")
			}
		}
		if v.communeID != 0 {
			if n, err := count(ctx, tx, "SELECT COUNT(*) FROM collecte_communes WHERE id = ?", v.communeID); err != nil {
				return err
			} else if n == 0 {
				errs.Add("exception_commune", "collecte.error.choice")
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		now := s.Now().UTC()
		var repl any
		if v.action == ActionMove {
			repl = FormatDay(v.replacement)
		}
		err = tx.QueryRow(ctx, `SELECT id FROM collecte_exceptions WHERE day = ? AND COALESCE(stream_id, 0) = ? AND COALESCE(commune_id, 0) = ?`,
			FormatDay(v.day), v.streamID, v.communeID).Scan(&id)
		switch {
		case err == nil:
			_, err = tx.Exec(ctx, "UPDATE collecte_exceptions SET action = ?, replacement = ?, note = ?, updated_at = ? WHERE id = ?",
				v.action, repl, v.note, now, id)
		case errors.Is(db.NotFound(err), db.ErrNotFound):
			err = tx.QueryRow(ctx, `INSERT INTO collecte_exceptions (day, stream_id, commune_id, action, replacement, note, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, FormatDay(v.day), nullID(v.streamID), nullID(v.communeID), v.action, repl, v.note, now).Scan(&id)
		}
		if err != nil {
			return fmt.Errorf("collecte: set exception: %w", err)
		}
		return audit.Record(ctx, tx, a, now, AuditExceptionSet, audit.Object("exception", id),
			kv("day", FormatDay(v.day), "action", v.action, "replacement", FormatDay(v.replacement), "stream", v.streamID, "commune", v.communeID))
	})
	return id, err
}

// DeleteException removes a decision: the collections of that day follow
// their rule again (a public holiday is "to decide" again).
func (s *Store) DeleteException(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := requireEdit(ctx, tx, a.Principal); err != nil {
			return err
		}
		var day string
		if err := tx.QueryRow(ctx, "SELECT day FROM collecte_exceptions WHERE id = ?", id).Scan(&day); err != nil {
			return db.NotFound(err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM collecte_exceptions WHERE id = ?", id); err != nil {
			return fmt.Errorf("collecte: delete exception %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, s.Now().UTC(), AuditExceptionDeleted, audit.Object("exception", id), kv("day", day))
	})
}

// Grants returns the grants on the area (p needs Manage).
func (s *Store) Grants(ctx context.Context, p access.Principal) ([]access.Grant, error) {
	if err := access.Require(ctx, s.db, p, Area, NodeID, access.Manage); err != nil {
		return nil, fmt.Errorf("collecte: grants: %w", err)
	}
	g, _, err := access.Grants(ctx, s.db, Area, NodeID)
	return g, err
}

// SetGrants replaces who may read (View) and manage (Edit) the collection
// days (a.Principal needs Manage: administrators).
func (s *Store) SetGrants(ctx context.Context, a access.Actor, grants []access.Grant) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := access.Require(ctx, tx, a.Principal, Area, NodeID, access.Manage); err != nil {
			return fmt.Errorf("collecte: set grants: %w", err)
		}
		if err := access.SetGrants(ctx, tx, Area, NodeID, grants); err != nil {
			return err
		}
		var parts []string
		for _, g := range grants {
			parts = append(parts, strconv.FormatInt(g.GroupID, 10)+":"+g.Level.String())
		}
		return audit.Record(ctx, tx, a, s.Now().UTC(), AuditGrants, audit.Object("collecte", NodeID), kv("groups", strings.Join(parts, ",")))
	})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullDay(d time.Time) any {
	if d.IsZero() {
		return nil
	}
	return FormatDay(d)
}
