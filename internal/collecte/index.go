package collecte

import (
	"context"
	"fmt"
	"strings"

	"portique/internal/db"
	"portique/internal/search"
)

// SearchDoc is the site search's document of a commune: its name, INSEE
// code, postcodes, sectors and notice, visible to whoever may read the
// area, leading to its collection days.
func SearchDoc(c Commune) search.Doc {
	var body strings.Builder
	body.WriteString(c.INSEE + " " + strings.Join(c.Postcodes, " "))
	for _, x := range c.Sectors {
		body.WriteString("\n" + x.Name)
		if x.Description != "" {
			body.WriteString(" " + x.Description)
		}
	}
	if c.Notice != "" {
		body.WriteString("\n" + c.Notice)
	}
	return search.Doc{
		Kind:    SearchKind,
		ID:      c.ID,
		ACLKind: Area,
		ACLID:   NodeID,
		Title:   c.Name,
		Body:    body.String(),
		URL:     c.URL(),
		Extra:   c.PostcodeList(),
	}
}

// reindex refreshes a commune's search document, in the caller's
// transaction.
func (s *Store) reindex(ctx context.Context, q db.Querier, communeID int64) error {
	if s.index == nil {
		return nil
	}
	c, err := s.communeWith(ctx, q, "c.id = ?", communeID)
	if err != nil {
		return err
	}
	if err := s.index.Replace(ctx, q, SearchKind, c.ID, []search.Doc{SearchDoc(c)}); err != nil {
		return fmt.Errorf("collecte: index commune %d: %w", c.ID, err)
	}
	return nil
}

func (s *Store) unindex(ctx context.Context, q db.Querier, communeID int64) error {
	if s.index == nil {
		return nil
	}
	if err := s.index.Delete(ctx, q, SearchKind, communeID); err != nil {
		return fmt.Errorf("collecte: unindex commune %d: %w", communeID, err)
	}
	return nil
}

// Reindex rebuilds the search documents of every commune (the reindex
// subcommand) and returns how many were indexed.
func (s *Store) Reindex(ctx context.Context) (int, error) {
	ids, err := db.IDs(ctx, s.db, "SELECT id FROM collecte_communes ORDER BY id")
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
