package calendar

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"portique/internal/db"
)

var keyRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

// validate checks an attribute definition.
func (a *Attribute) validate() error {
	errs := fieldErrors{}
	a.Key = strings.TrimSpace(a.Key)
	a.Label = strings.TrimSpace(a.Label)
	if !keyRe.MatchString(a.Key) {
		errs.add("cle", "La clé commence par une lettre et ne contient que des minuscules sans accent, des chiffres et des tirets (40 caractères au plus).")
	}
	if a.Label == "" {
		errs.add("libelle", "Indiquez le libellé affiché.")
	} else if utf8.RuneCountInString(a.Label) > 100 {
		errs.add("libelle", "Le libellé ne doit pas dépasser 100 caractères.")
	}
	if !slices.Contains(AttributeTypes, a.Type) {
		errs.add("type", "Choisissez un type proposé.")
	}
	var choices []string
	for _, c := range a.Choices {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(choices, c) {
			choices = append(choices, c)
		}
	}
	a.Choices = choices
	if a.Type == AttrChoice && len(a.Choices) == 0 {
		errs.add("choix", "Indiquez au moins un choix (un par ligne).")
	}
	if a.Type != AttrChoice {
		a.Choices = nil
	}
	return errs.err()
}

// ParseChoices splits the admin form's text area (one choice per line).
func ParseChoices(s string) []string {
	return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

// Attributes lists the attribute definitions in display order.
func (s *Store) Attributes(ctx context.Context) ([]Attribute, error) {
	return s.attributes(ctx, s.db)
}

func (s *Store) attributes(ctx context.Context, q db.Querier) ([]Attribute, error) {
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
	return out, rows.Err()
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

// CreateAttribute defines a new attribute (administrators only; the web
// layer checks). A key already used is a validation error.
func (s *Store) CreateAttribute(ctx context.Context, a Attribute) (int64, error) {
	if err := a.validate(); err != nil {
		return 0, err
	}
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM event_attributes WHERE key = ?", a.Key).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, &ValidationError{Fields: map[string]string{"cle": "Cette clé est déjà utilisée par un autre attribut."}}
	}
	var id int64
	err := s.db.QueryRow(ctx, "INSERT INTO event_attributes (key, label, type, choices, help, position) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		a.Key, a.Label, a.Type, strings.Join(a.Choices, "\n"), strings.TrimSpace(a.Help), a.Position).Scan(&id)
	if err != nil {
		if isConflict(err) {
			return 0, &ValidationError{Fields: map[string]string{"cle": "Cette clé est déjà utilisée par un autre attribut."}}
		}
		return 0, fmt.Errorf("calendar: create attribute: %w", err)
	}
	return id, nil
}

// UpdateAttribute changes an attribute's label, type, choices and help; the
// key is stable (feeds export it). Values that no longer fit stay stored
// but a choice filter only matches current choices.
func (s *Store) UpdateAttribute(ctx context.Context, a Attribute) error {
	if err := a.validate(); err != nil {
		return err
	}
	res, err := s.db.Exec(ctx, "UPDATE event_attributes SET label = ?, type = ?, choices = ?, help = ?, position = ? WHERE id = ?",
		a.Label, a.Type, strings.Join(a.Choices, "\n"), strings.TrimSpace(a.Help), a.Position, a.ID)
	if err != nil {
		return fmt.Errorf("calendar: update attribute %d: %w", a.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// DeleteAttribute removes an attribute and its values.
func (s *Store) DeleteAttribute(ctx context.Context, id int64) error {
	res, err := s.db.Exec(ctx, "DELETE FROM event_attributes WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("calendar: delete attribute %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
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
