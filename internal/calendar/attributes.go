package calendar

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/valid"
)

// maxKey is the longest attribute key (keyRe).
const maxKey = 40

var keyRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

// validate checks an attribute definition.
func (a *Attribute) validate() error {
	errs := valid.Errors{}
	a.Key = strings.TrimSpace(a.Key)
	a.Label = strings.TrimSpace(a.Label)
	if !keyRe.MatchString(a.Key) {
		errs.Add("cle", "calendar.error.attr_key", maxKey)
	}
	if a.Label == "" {
		errs.Add("libelle", "calendar.error.attr_label_required")
	} else if utf8.RuneCountInString(a.Label) > maxName {
		errs.Add("libelle", "calendar.error.attr_label_too_long", maxName)
	}
	if !slices.Contains(AttributeTypes, a.Type) {
		errs.Add("type", "calendar.error.attr_type")
	}
	var choices []string
	for _, c := range a.Choices {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(choices, c) {
			choices = append(choices, c)
		}
	}
	a.Choices = choices
	slices.Sort(a.Calendars)
	a.Calendars = slices.Compact(a.Calendars)
	if a.Type == AttrChoice && len(a.Choices) == 0 {
		errs.Add("choix", "calendar.error.attr_choices")
	}
	if a.Type != AttrChoice {
		a.Choices = nil
	}
	return errs.Err()
}

// Attributes lists the attribute definitions in display order.
func (s *Store) Attributes(ctx context.Context) ([]Attribute, error) {
	attrs, err := s.attributes.Get(ctx, s.db, "", func() ([]Attribute, error) { return readAttributes(ctx, s.db) })
	return slices.Clone(attrs), err
}

func readAttributes(ctx context.Context, q db.Querier) ([]Attribute, error) {
	rows, err := q.Query(ctx, "SELECT id, key, label, type, choices, help, position FROM event_attributes ORDER BY position, id")
	if err != nil {
		return nil, fmt.Errorf("calendar: attributes: %w", err)
	}
	defer rows.Close()
	var out []Attribute
	for rows.Next() {
		var a Attribute
		var choices string
		if err := rows.Scan(&a.ID, &a.Key, &a.Label, &a.Type, &choices, &a.Help, &a.Position); err != nil {
			return nil, err
		}
		if choices != "" {
			a.Choices = strings.Split(choices, "\n")
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// The calendars each attribute is limited to.
	at := map[int64]int{}
	for i, a := range out {
		at[a.ID] = i
	}
	crows, err := q.Query(ctx, "SELECT attribute_id, calendar_id FROM event_attribute_calendars ORDER BY attribute_id, calendar_id")
	if err != nil {
		return nil, fmt.Errorf("calendar: attribute calendars: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var aid, cid int64
		if err := crows.Scan(&aid, &cid); err != nil {
			return nil, err
		}
		if i, ok := at[aid]; ok {
			out[i].Calendars = append(out[i].Calendars, cid)
		}
	}
	return out, crows.Err()
}

// setAttributeCalendars limits an attribute to the calendars of a that
// exist (none: every calendar).
func setAttributeCalendars(ctx context.Context, tx *db.Tx, a Attribute) error {
	if _, err := tx.Exec(ctx, "DELETE FROM event_attribute_calendars WHERE attribute_id = ?", a.ID); err != nil {
		return fmt.Errorf("calendar: attribute %d calendars: %w", a.ID, err)
	}
	for _, cid := range a.Calendars {
		if _, err := tx.Exec(ctx, `INSERT INTO event_attribute_calendars (attribute_id, calendar_id)
			SELECT ?, id FROM calendars WHERE id = ?`, a.ID, cid); err != nil {
			return fmt.Errorf("calendar: attribute %d calendars: %w", a.ID, err)
		}
	}
	return nil
}

// Attribute returns one definition.
func (s *Store) Attribute(ctx context.Context, id int64) (Attribute, error) {
	all, err := s.Attributes(ctx)
	if err != nil {
		return Attribute{}, err
	}
	for _, a := range all {
		if a.ID == id {
			return a, nil
		}
	}
	return Attribute{}, db.ErrNotFound
}

// CreateAttribute defines a new attribute, with its audit entry
// (administrators only). A key already used is a validation error.
func (s *Store) CreateAttribute(ctx context.Context, actor access.Actor, a Attribute) (int64, error) {
	if err := requireAdmin(actor, "create attribute"); err != nil {
		return 0, err
	}
	if err := a.validate(); err != nil {
		return 0, err
	}
	keyTaken := valid.One("cle", "calendar.error.attr_key_taken")
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM event_attributes WHERE key = ?", a.Key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return keyTaken
		}
		err := tx.QueryRow(ctx, "INSERT INTO event_attributes (key, label, type, choices, help, position) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			a.Key, a.Label, a.Type, strings.Join(a.Choices, "\n"), strings.TrimSpace(a.Help), a.Position).Scan(&id)
		if err != nil {
			if isConflict(err) {
				return keyTaken
			}
			return fmt.Errorf("calendar: create attribute: %w", err)
		}
		a.ID = id
		if err := setAttributeCalendars(ctx, tx, a); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, s.Now(), "calendar.attribute_created", audit.Object("attribute", id), a.Key)
	})
	return id, err
}

// UpdateAttribute changes an attribute's label, type, choices and help, with
// its audit entry (administrators only); the key is stable (feeds export
// it): a.Key is ignored. Values that no longer fit stay stored but a choice
// filter only matches current choices.
func (s *Store) UpdateAttribute(ctx context.Context, actor access.Actor, a Attribute) error {
	if err := requireAdmin(actor, "update attribute"); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT key FROM event_attributes WHERE id = ?", a.ID).Scan(&a.Key); err != nil {
			return db.NotFound(err)
		}
		if err := a.validate(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE event_attributes SET label = ?, type = ?, choices = ?, help = ?, position = ? WHERE id = ?",
			a.Label, a.Type, strings.Join(a.Choices, "\n"), strings.TrimSpace(a.Help), a.Position, a.ID); err != nil {
			return fmt.Errorf("calendar: update attribute %d: %w", a.ID, err)
		}
		if err := setAttributeCalendars(ctx, tx, a); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, s.Now(), "calendar.attribute_updated", audit.Object("attribute", a.ID), a.Key)
	})
}

// DeleteAttribute removes an attribute and its values, with its audit entry
// (administrators only).
func (s *Store) DeleteAttribute(ctx context.Context, actor access.Actor, id int64) error {
	if err := requireAdmin(actor, "delete attribute"); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var key string
		if err := tx.QueryRow(ctx, "SELECT key FROM event_attributes WHERE id = ?", id).Scan(&key); err != nil {
			return db.NotFound(err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM event_attributes WHERE id = ?", id); err != nil {
			return fmt.Errorf("calendar: delete attribute %d: %w", id, err)
		}
		return audit.Record(ctx, tx, actor, s.Now(), "calendar.attribute_deleted", audit.Object("attribute", id), key)
	})
}

// attributeValues returns an event's filled attributes, in display order.
func attributeValues(ctx context.Context, q db.Querier, eventID int64) ([]AttributeValue, error) {
	rows, err := q.Query(ctx, `SELECT a.id, a.key, a.label, a.type, a.choices, a.help, a.position, v.value
		FROM event_attribute_values v JOIN event_attributes a ON a.id = v.attribute_id
		WHERE v.event_id = ? ORDER BY a.position, a.id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("calendar: attribute values of %d: %w", eventID, err)
	}
	defer rows.Close()
	var out []AttributeValue
	for rows.Next() {
		var v AttributeValue
		var choices string
		if err := rows.Scan(&v.ID, &v.Key, &v.Label, &v.Type, &choices, &v.Help, &v.Position, &v.Value); err != nil {
			return nil, err
		}
		if choices != "" {
			v.Choices = strings.Split(choices, "\n")
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func isConflict(err error) bool { return errors.Is(err, db.ErrConflict) }
