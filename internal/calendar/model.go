// Package calendar holds the shared calendars of Portique: calendars (each an
// access node of kind access.Calendar), events with RFC 5545 recurrence
// (expanded with rrule-go in the calendar's time zone, always bounded by a
// window), exceptions to single occurrences, admin-defined attributes, links
// to documents, personal feed tokens and the iCalendar export.
//
// Permission contract: reading needs access.View on the event's calendar,
// writing access.Edit. Every list, feed and count is filtered inside its SQL
// query with access.Principal.Filter; a single object is checked with
// access.Can, which runs the same fragment. Calendars, their grants and the
// event attributes are administrators' (access.Actor.Admin).
//
// Every mutation takes the access.Actor who makes it and writes its audit
// entry (audit.Record) in its own transaction. Bad input is valid.Errors:
// form field → catalogue key (calendar.error.*) with its arguments.
package calendar

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // calendars name IANA zones; do not depend on the host's zoneinfo

	"github.com/microcosm-cc/bluemonday"
)

// ErrNotRecurring: one occurrence of an event that is not a series was
// asked to change (the event itself is changed directly). A state refusal:
// web answers 409 with its own message.
var ErrNotRecurring = errors.New("calendar: the event is not a series")

// DefaultTimeZone is the zone of a calendar created without one.
const DefaultTimeZone = "Europe/Paris"

// Calendar is a named, coloured set of events with its own grants.
type Calendar struct {
	ID          int64
	Name        string
	Colour      string // #rrggbb
	TimeZone    string // IANA name
	Description string
	Position    int
	CreatedAt   time.Time
}

// Location returns the calendar's zone (DefaultTimeZone if unknown).
func (c Calendar) Location() *time.Location { return loadLocation(c.TimeZone) }

// Event is a stored event: a single one, or the first occurrence of a series
// when RRule is set. Start and End are UTC; for all-day events they are the
// local midnights (in the calendar's zone) of the first day and of the day
// after the last.
type Event struct {
	ID           int64
	UID          string
	CalendarID   int64
	CalendarName string
	Colour       string
	TimeZone     string
	Title        string
	Description  string // sanitised HTML
	Location     string
	Start, End   time.Time
	AllDay       bool
	RRule        string // RRULE value without DTSTART; "" for a single event
	SeriesEnd    *time.Time
	Sequence     int
	CreatedBy    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Attributes   []AttributeValue
	Documents    []DocumentLink
	Overrides    []Override
}

// Recurring reports whether the event is a series.
func (e Event) Recurring() bool { return e.RRule != "" }

// Override is an exception to one occurrence of a series, keyed by the
// occurrence's original start. Nil fields keep the series' values.
type Override struct {
	OriginalStart time.Time
	Cancelled     bool
	Start, End    *time.Time
	Title         *string
	Location      *string
	Description   *string
}

// Occurrence is one concrete instance of an event inside a window.
type Occurrence struct {
	EventID       int64
	UID           string
	CalendarID    int64
	CalendarName  string
	Colour        string
	Title         string
	Description   string
	Location      string
	Start, End    time.Time // UTC
	AllDay        bool
	Recurring     bool
	OriginalStart time.Time // the occurrence's key in its series (= Start when unchanged)
	Changed       bool
}

// Attribute types.
const (
	AttrText     = "text"
	AttrLongText = "longtext"
	AttrNumber   = "number"
	AttrDate     = "date"
	AttrBool     = "bool"
	AttrChoice   = "choice"
	AttrLink     = "link"
	AttrDocument = "document"
)

// AttributeTypes lists the types in the order the admin form offers them.
var AttributeTypes = []string{AttrText, AttrLongText, AttrNumber, AttrDate, AttrBool, AttrChoice, AttrLink, AttrDocument}

// Attribute is an extra field defined by administrators for every event.
type Attribute struct {
	ID       int64
	Key      string // [a-z0-9-]+, stable (exported as X-PORTIQUE-KEY)
	Label    string
	Type     string
	Choices  []string // type choice
	Help     string
	Position int
	// Calendars limits the attribute to these calendars (its field, its
	// values and the agenda's filter); empty: every calendar.
	Calendars []int64
}

// AppliesTo reports whether the attribute is used by calendar id.
func (a Attribute) AppliesTo(id int64) bool {
	return len(a.Calendars) == 0 || slices.Contains(a.Calendars, id)
}

// AppliesToAny reports whether the attribute is used by one of the
// calendars (those a visitor sees, for the agenda's filter).
func (a Attribute) AppliesToAny(ids []int64) bool {
	return len(a.Calendars) == 0 || slices.ContainsFunc(ids, a.AppliesTo)
}

// AttributeValue is an attribute's value on one event.
type AttributeValue struct {
	Attribute
	Value string
}

// DocumentLink is a document linked to an event. Title is empty when the
// documents area is not installed or the viewer may not see the document.
type DocumentLink struct {
	ID    int64
	Title string
}

// descriptionPolicy keeps the formatting a rich-text editor produces and
// nothing executable.
var descriptionPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return p
}()

var textPolicy = bluemonday.StrictPolicy()

// SanitizeHTML returns the description with anything unsafe removed.
func SanitizeHTML(s string) string { return strings.TrimSpace(descriptionPolicy.Sanitize(s)) }

// PlainText strips every tag (for ICS, search and snippets).
func PlainText(s string) string {
	if s == "" {
		return ""
	}
	out := textPolicy.Sanitize(blockBreaks.Replace(s))
	return strings.TrimSpace(entities.Replace(out))
}

var (
	blockBreaks = strings.NewReplacer("</p>", "</p>\n", "<br>", "\n", "<br/>", "\n", "</li>", "</li>\n")
	entities    = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", "\"", "&#39;", "'", "&nbsp;", " ")
	locations   sync.Map // zone name → *time.Location (LoadLocation reads the zone database each time)
)

func loadLocation(name string) *time.Location {
	if name == "" {
		name = DefaultTimeZone
	}
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err == nil {
		locations.Store(name, loc)
	}
	if err != nil {
		loc, err = time.LoadLocation(DefaultTimeZone)
		if err != nil {
			return time.UTC
		}
	}
	return loc
}
