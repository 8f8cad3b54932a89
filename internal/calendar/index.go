package calendar

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/search"
)

// EventURL is the public path of an event's page.
func EventURL(id int64) string { return "/agenda/evenements/" + strconv.FormatInt(id, 10) }

// SearchDoc builds the search document of an event: title, description,
// location and attribute values, visible through its calendar's node.
func SearchDoc(e Event) search.Doc {
	var body strings.Builder
	body.WriteString(PlainText(e.Description))
	if e.Location != "" {
		body.WriteString("\n" + e.Location)
	}
	for _, a := range e.Attributes {
		if a.Type == AttrDocument || a.Type == AttrBool {
			continue
		}
		body.WriteString("\n" + a.Label + " : " + a.Value)
	}
	return search.Doc{
		Kind:    search.KindEvent,
		ID:      e.ID,
		ACLKind: access.Calendar,
		ACLID:   e.CalendarID,
		Title:   e.Title,
		Body:    strings.TrimSpace(body.String()),
		URL:     EventURL(e.ID),
		Date:    e.Start,
		Extra:   e.CalendarName,
	}
}

// reindex refreshes one event's search document, in the caller's transaction.
func (s *Store) reindex(ctx context.Context, q db.Querier, id int64) error {
	if s.index == nil {
		return nil
	}
	e, err := getEvent(ctx, q, id)
	if err != nil {
		return err
	}
	if e.Attributes, err = attributeValues(ctx, q, id); err != nil {
		return err
	}
	if err := s.index.Replace(ctx, q, search.KindEvent, id, []search.Doc{SearchDoc(e)}); err != nil {
		return fmt.Errorf("calendar: index event %d: %w", id, err)
	}
	return nil
}

func (s *Store) unindex(ctx context.Context, q db.Querier, id int64) error {
	if s.index == nil {
		return nil
	}
	if err := s.index.Delete(ctx, q, search.KindEvent, id); err != nil {
		return fmt.Errorf("calendar: unindex event %d: %w", id, err)
	}
	return nil
}

func (s *Store) reindexCalendar(ctx context.Context, q db.Querier, calendarID int64) error {
	if s.index == nil {
		return nil
	}
	ids, err := db.IDs(ctx, q, "SELECT id FROM events WHERE calendar_id = ?", calendarID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.reindex(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// Reindex rebuilds the search documents of every event (the reindex
// subcommand). It returns how many events were indexed.
func (s *Store) Reindex(ctx context.Context) (int, error) {
	ids, err := db.IDs(ctx, s.db, "SELECT id FROM events ORDER BY id")
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if err := s.reindex(ctx, s.db, id); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}
