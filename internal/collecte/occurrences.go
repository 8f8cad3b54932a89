package collecte

import (
	"cmp"
	"context"
	"slices"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// Status of a collection.
const (
	StatusRegular   = ""          // on its usual day
	StatusMoved     = "moved"     // moved from Original by an exception
	StatusKept      = "kept"      // on a public holiday, kept by an exception
	StatusPending   = "pending"   // on a public holiday nobody has decided about yet
	StatusCancelled = "cancelled" // no collection (an exception cancelled it)
)

// Collection is one collection day of one stream.
type Collection struct {
	Date       time.Time // civil date (for a cancelled one: the day it would have been)
	Original   time.Time // the rule's day (≠ Date when moved)
	StreamID   int64
	ScheduleID int64
	Status     string
	Holiday    string // the public holiday on Original, if any
	Note       string // the exception's note
}

// Moved reports whether the collection is not on its usual day.
func (c Collection) Moved() bool { return c.Status == StatusMoved }

// Cancelled reports whether there is no collection.
func (c Collection) Cancelled() bool { return c.Status == StatusCancelled }

// Pending reports whether the day is a public holiday without a decision.
func (c Collection) Pending() bool { return c.Status == StatusPending }

// maxShift is how far an exception may move a collection (days): a window
// is expanded this much wider on each side so moves into it are seen.
const maxShift = 15

// exceptionIndex finds the exception that applies to a collection.
type exceptionIndex map[exceptionKey]Exception

type exceptionKey struct {
	day             time.Time
	stream, commune int64
}

func indexExceptions(list []Exception) exceptionIndex {
	idx := make(exceptionIndex, len(list))
	for _, e := range list {
		idx[exceptionKey{e.Day, e.StreamID, e.CommuneID}] = e
	}
	return idx
}

// find applies the most specific exception of the day: for this commune
// and stream, then this commune (every stream), then this stream (every
// commune), then every collection of the day.
func (idx exceptionIndex) find(day time.Time, stream, commune int64) (Exception, bool) {
	for _, k := range [...]exceptionKey{{day, stream, commune}, {day, 0, commune}, {day, stream, 0}, {day, 0, 0}} {
		if e, ok := idx[k]; ok {
			return e, true
		}
	}
	return Exception{}, false
}

// expand gives the collections of schedules in [from, to) with the
// exceptions applied, by date then in the order of the streams (order:
// stream id → rank). Two schedules of one stream on one day give one
// collection.
func expand(scheds []Schedule, idx exceptionIndex, communeID int64, from, to time.Time, order map[int64]int) []Collection {
	var out []Collection
	seen := map[exceptionKey]int{} // (date, stream) → index in out
	wideFrom, wideTo := from.AddDate(0, 0, -maxShift), to.AddDate(0, 0, maxShift)
	for _, sc := range scheds {
		for _, d := range sc.dates(wideFrom, wideTo) {
			c := Collection{Date: d, Original: d, StreamID: sc.StreamID, ScheduleID: sc.ID, Holiday: HolidayName(d)}
			if e, ok := idx.find(d, sc.StreamID, communeID); ok {
				c.Note = e.Note
				switch e.Action {
				case ActionMove:
					c.Date, c.Status = e.Replacement, StatusMoved
				case ActionCancel:
					c.Status = StatusCancelled
				case ActionKeep:
					if c.Holiday != "" {
						c.Status = StatusKept
					}
				}
			} else if c.Holiday != "" {
				c.Status = StatusPending
			}
			if c.Date.Before(from) || !c.Date.Before(to) {
				continue
			}
			k := exceptionKey{day: c.Date, stream: c.StreamID}
			if i, dup := seen[k]; dup {
				if out[i].Cancelled() && !c.Cancelled() {
					out[i] = c
				}
				continue
			}
			seen[k] = len(out)
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Collection) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		if c := cmp.Compare(order[a.StreamID], order[b.StreamID]); c != 0 {
			return c
		}
		return cmp.Compare(a.StreamID, b.StreamID)
	})
	return out
}

// Plan is what a resident sees for a commune or one of its sectors: the
// streams collected there and their collections in [From, To).
type Plan struct {
	Commune Commune
	Sector  Sector // zero: the commune as a whole
	// Streams are those with a schedule here, in display order.
	Streams []Stream
	// Schedules are those that apply here (the commune's own and the
	// sector's).
	Schedules   []Schedule
	Collections []Collection
	From, To    time.Time
	// BySector: the commune has sectors and some streams are scheduled per
	// sector, so the commune's own page cannot say every day.
	BySector bool
}

// Next returns the first collection (not cancelled) of a stream on or
// after day, and whether there is one in the plan.
func (p Plan) Next(streamID int64, day time.Time) (Collection, bool) {
	for _, c := range p.Collections {
		if c.StreamID == streamID && !c.Cancelled() && !c.Date.Before(day) {
			return c, true
		}
	}
	return Collection{}, false
}

// Between returns the plan's collections in [from, to).
func (p Plan) Between(from, to time.Time) []Collection {
	var out []Collection
	for _, c := range p.Collections {
		if !c.Date.Before(from) && c.Date.Before(to) {
			out = append(out, c)
		}
	}
	return out
}

// Stream returns the plan's stream of that id.
func (p Plan) Stream(id int64) Stream {
	for _, st := range p.Streams {
		if st.ID == id {
			return st
		}
	}
	return Stream{}
}

// PlanFor builds the plan of a commune (sectorSlug "") or of one of its
// sectors for [from, to). p needs View; an unknown commune or sector is
// db.ErrNotFound.
func (s *Store) PlanFor(ctx context.Context, p access.Principal, communeSlug, sectorSlug string, from, to time.Time) (Plan, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return Plan{}, err
	}
	c, err := s.communeWith(ctx, s.db, "c.slug = ?", communeSlug)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Commune: c, From: from, To: to}
	if sectorSlug != "" {
		found := false
		for _, x := range c.Sectors {
			if x.Slug == sectorSlug {
				plan.Sector, found = x, true
			}
		}
		if !found {
			return Plan{}, db.ErrNotFound
		}
	}
	return s.fillPlan(ctx, s.db, plan)
}

func (s *Store) fillPlan(ctx context.Context, q db.Querier, plan Plan) (Plan, error) {
	all, err := schedules(ctx, q, "commune_id = ?", plan.Commune.ID)
	if err != nil {
		return plan, err
	}
	var scheds []Schedule
	for _, sc := range all {
		switch {
		case sc.SectorID == 0 || sc.SectorID == plan.Sector.ID:
			scheds = append(scheds, sc)
		case plan.Sector.ID == 0:
			plan.BySector = true
		}
	}
	plan.Schedules = scheds
	sts, err := streams(ctx, q)
	if err != nil {
		return plan, err
	}
	order := make(map[int64]int, len(sts))
	used := map[int64]bool{}
	for _, sc := range scheds {
		used[sc.StreamID] = true
	}
	for i, st := range sts {
		order[st.ID] = i
		if used[st.ID] {
			plan.Streams = append(plan.Streams, st)
		}
	}
	if len(scheds) == 0 {
		return plan, nil
	}
	exc, err := exceptions(ctx, q, "e.day >= ? AND e.day < ? AND (e.commune_id IS NULL OR e.commune_id = ?)",
		FormatDay(plan.From.AddDate(0, 0, -maxShift)), FormatDay(plan.To.AddDate(0, 0, maxShift)), plan.Commune.ID)
	if err != nil {
		return plan, err
	}
	plan.Collections = expand(scheds, indexExceptions(exc), plan.Commune.ID, plan.From, plan.To, order)
	return plan, nil
}

// HolidayCase is a public holiday on which collections are scheduled
// somewhere, with the decisions already taken for it.
type HolidayCase struct {
	Holiday
	// Communes is how many communes have a collection that day.
	Communes   int
	Exceptions []Exception
}

// Decided reports whether an exception covers every collection of the day.
func (h HolidayCase) Decided() bool {
	for _, e := range h.Exceptions {
		if e.StreamID == 0 && e.CommuneID == 0 {
			return true
		}
	}
	return false
}

// HolidayCases lists the public holidays in [from, to) and, for each, how
// many communes collect that day and the exceptions set for it (p needs
// View: the editors' page uses it).
func (s *Store) HolidayCases(ctx context.Context, p access.Principal, from, to time.Time) ([]HolidayCase, error) {
	if err := requireView(ctx, s.db, p); err != nil {
		return nil, err
	}
	all, err := schedules(ctx, s.db, "1 = 1")
	if err != nil {
		return nil, err
	}
	exc, err := exceptions(ctx, s.db, "e.day >= ? AND e.day < ?", FormatDay(from), FormatDay(to))
	if err != nil {
		return nil, err
	}
	byDay := map[time.Time]map[int64]bool{} // holiday → communes collecting that day
	for _, sc := range all {
		for _, d := range sc.dates(from, to) {
			if HolidayName(d) == "" {
				continue
			}
			if byDay[d] == nil {
				byDay[d] = map[int64]bool{}
			}
			byDay[d][sc.CommuneID] = true
		}
	}
	var out []HolidayCase
	for _, h := range Holidays(from, to) {
		hc := HolidayCase{Holiday: h, Communes: len(byDay[h.Day])}
		for _, e := range exc {
			if e.Day.Equal(h.Day) {
				hc.Exceptions = append(hc.Exceptions, e)
			}
		}
		out = append(out, hc)
	}
	return out, nil
}
