package pages

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"portique/internal/valid"
)

// Page kinds.
const (
	KindPage      = "page"
	KindNewsIndex = "news_index" // the list of news (/actualites)
	KindNews      = "news"       // a news item, a child of a news index
)

// IsNews reports whether p is a news item.
func (p *Page) IsNews() bool { return p.Kind == KindNews }

// IsNewsIndex reports whether p lists news items.
func (p *Page) IsNewsIndex() bool { return p.Kind == KindNewsIndex }

// LiveAt reports whether visitors who may view p see it at t: it is
// published and t is inside its publication window.
func (p *Page) LiveAt(t time.Time) bool {
	return p.Published() && (p.PublishAt.IsZero() || !t.Before(p.PublishAt)) &&
		(p.UnpublishAt.IsZero() || t.Before(p.UnpublishAt))
}

// Scheduled reports whether p is published but outside its window at t
// (not yet, or no longer, shown to visitors).
func (p *Page) Scheduled(t time.Time) bool { return p.Published() && !p.LiveAt(t) }

// liveWhere is THE condition for a page "p" that visitors see at an
// instant: published, and inside its window. Its two arguments are the
// instant (liveArgs).
const liveWhere = "p.published_rev IS NOT NULL AND (p.publish_at IS NULL OR p.publish_at <= ?) AND (p.unpublish_at IS NULL OR p.unpublish_at > ?)"

func liveArgs(t time.Time) []any { t = t.UTC(); return []any{t, t} }

// Minute is the precision of scheduled publication.
const Minute = time.Minute

// Schedule is the publication window of a page as the form sends it:
// "YYYY-MM-DDTHH:MM" (an <input type="datetime-local">) in the site's time
// zone; empty: open.
type Schedule struct {
	PublishAt, UnpublishAt string
}

// parseLocal reads a datetime-local value (seconds accepted, dropped) in loc.
func parseLocal(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil && t.Year() >= 2000 && t.Year() <= 9999 {
			return t.UTC().Truncate(Minute), true
		}
	}
	return time.Time{}, false
}

// ParseSchedule checks a publication window: each bound empty or a date and
// time, and unpublication after publication. Field keys are "publish_at"
// and "unpublish_at".
func ParseSchedule(sc Schedule, loc *time.Location) (from, until time.Time, err error) {
	if loc == nil {
		loc = time.UTC
	}
	ve := valid.Errors{}
	if strings.TrimSpace(sc.PublishAt) != "" {
		var ok bool
		if from, ok = parseLocal(sc.PublishAt, loc); !ok {
			ve.Add("publish_at", "news.error.date_invalid")
		}
	}
	if strings.TrimSpace(sc.UnpublishAt) != "" {
		var ok bool
		if until, ok = parseLocal(sc.UnpublishAt, loc); !ok {
			ve.Add("unpublish_at", "news.error.date_invalid")
		}
	}
	if !from.IsZero() && !until.IsZero() && !until.After(from) {
		ve.Add("unpublish_at", "news.error.unpublish_before")
	}
	if len(ve) > 0 {
		return time.Time{}, time.Time{}, ve
	}
	return from, until, nil
}

// FormatLocal is the datetime-local value of t in loc ("" for zero).
func FormatLocal(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02T15:04")
}

// LiveUntil is NextChange kept under the content version it was read at:
// until the content changes or that instant comes, it is the same, so the
// pages and lists kept until then need not ask the database each time.
func (s *Store) LiveUntil(ctx context.Context, now time.Time) (time.Time, error) {
	v, verr := s.d.ContentVersion(ctx)
	if c := s.next.Load(); verr == nil && c != nil && c.version == v && (c.next.IsZero() || now.Before(c.next)) && !now.Before(c.at) {
		return c.next, nil
	}
	t, err := s.NextChange(ctx, now)
	if err != nil {
		return t, err
	}
	if verr == nil {
		s.next.Store(&nextChange{version: v, at: now, next: t})
	}
	return t, nil
}

// nextChange is the next scheduled change as read at a content version.
type nextChange struct {
	version  int64
	at, next time.Time
}

// NextChange returns the first instant after now at which a published page
// appears or disappears by its schedule (zero: none): the visitors' page
// cache keeps nothing past it, so menus, lists and pages change at that
// minute without anyone touching the site.
func (s *Store) NextChange(ctx context.Context, now time.Time) (time.Time, error) {
	now = now.UTC()
	var next time.Time
	for _, col := range []string{"publish_at", "unpublish_at"} {
		var t time.Time
		err := s.d.QueryRow(ctx, "SELECT "+col+" FROM pages WHERE trashed_at IS NULL AND published_rev IS NOT NULL AND "+col+" > ? ORDER BY "+col+" LIMIT 1", now).Scan(&t)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("pages: next change: %w", err)
		}
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next, nil
}
