// Package collecte holds the collection days of the territory: its
// communes (name, INSEE code, postcodes), their sectors, the waste streams
// (ordures ménagères, emballages, verre…), the schedule of each stream per
// commune or per sector as an RFC 5545 recurrence rule (expanded with
// rrule-go, the calendar's library) and the exceptions editors set once per
// day: a public holiday (computed with rickar/cal's French holidays) moves,
// cancels or keeps the collections of that day.
//
// Permission contract: the area is one access node (kind Area, id
// NodeID). Reading needs access.View on it (granted to Everyone by the
// migration: collection days are public); every change needs access.Edit;
// choosing who may edit needs access.Manage (administrators). Every
// mutation takes an access.Actor and writes its audit entry in its own
// transaction.
//
// Dates of collections are civil dates (time.Time at 00:00 UTC, stored as
// 'YYYY-MM-DD'): a collection is a day, not an instant, so a DST change
// never moves one. "Today" is the site's time zone's date (Store.Location).
package collecte

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/pages"
	"portique/internal/valid"
)

// The area's one access node: Area is its kind, NodeID its id.
const (
	Area   access.Kind = "collecte"
	NodeID int64       = 1
)

// SearchKind is the site search's kind of a commune.
const SearchKind = "commune"

// Commune is a commune of the territory.
type Commune struct {
	ID        int64
	Name      string
	Slug      string
	INSEE     string
	Postcodes []string
	Notice    string
	Sectors   []Sector // filled by the reads that say so
	// Schedules counts the commune's schedules (lists only), so a commune
	// without any collection shows in the management list.
	Schedules int
	UpdatedAt time.Time
}

// URL is the commune's public page.
func (c Commune) URL() string { return "/collecte/" + c.Slug }

// PostcodeList is the postcodes joined for display ("26000, 26500").
func (c Commune) PostcodeList() string { return strings.Join(c.Postcodes, ", ") }

// HasSectors reports whether the commune is divided into sectors.
func (c Commune) HasSectors() bool { return len(c.Sectors) > 0 }

// Sector is a part of a commune with its own collection days.
type Sector struct {
	ID          int64
	CommuneID   int64
	Name        string
	Slug        string
	Description string
	Position    int
}

// Stream is a kind of waste collected separately.
type Stream struct {
	ID       int64
	Name     string
	Slug     string
	Code     string // short mark on the yearly calendar
	Colour   string // #rrggbb; white text on it has a contrast of at least 4.5:1
	Help     string
	Position int
}

// Schedule is the collection of one stream in a commune (SectorID 0) or in
// one of its sectors, as a recurrence rule from Start (until End, when set).
type Schedule struct {
	ID        int64
	CommuneID int64
	SectorID  int64 // 0: the whole commune
	StreamID  int64
	Rule      string    // RRULE value without DTSTART
	Start     time.Time // civil date
	End       time.Time // civil date, inclusive; zero: no end
	Note      string
}

// Exception actions.
const (
	ActionMove   = "move"   // the collections of the day take place on Replacement
	ActionCancel = "cancel" // no collection that day
	ActionKeep   = "keep"   // a public holiday on which collections take place as usual
)

// Exception is the decision taken once for the collections of one day,
// everywhere or for one stream and/or one commune.
type Exception struct {
	ID          int64
	Day         time.Time // civil date
	StreamID    int64     // 0: every stream
	CommuneID   int64     // 0: every commune
	Action      string
	Replacement time.Time // ActionMove only
	Note        string
	// Names of the scope, for lists (empty for "all").
	StreamName  string
	CommuneName string
}

// Limits of the fields.
const (
	maxName        = 100
	maxText        = 500
	maxPostcodes   = 10
	maxSectors     = 50
	maxRuleLen     = 300
	maxNote        = 200
	maxStreamCode  = 4
	minContrast    = 4.5
	dateLayout     = "2006-01-02"
	firstYear      = 2000
	lastYear       = 2100
	defaultColour  = "#1b5e20"
	maxImportBytes = 2 << 20
	maxImportLines = 20000
)

var (
	inseeRe    = regexp.MustCompile(`^(?:[0-9]{2}|2[AB])[0-9]{3}$`)
	postcodeRe = regexp.MustCompile(`^[0-9]{5}$`)
	colourRe   = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// reservedCommuneSlugs are the paths under /collecte the area serves itself.
var reservedCommuneSlugs = map[string]bool{"gestion": true}

// reservedSectorSlugs are the paths under /collecte/{commune} that are not
// sectors.
var reservedSectorSlugs = map[string]bool{"calendrier": true, "collectes": true}

// CommuneInput is the commune form as typed.
type CommuneInput struct {
	Name      string
	INSEE     string
	Postcodes string // separated by spaces, commas or slashes
	Notice    string
}

type communeValues struct {
	name, insee, notice string
	postcodes           []string
}

func (in CommuneInput) validate() (communeValues, error) {
	errs := valid.Errors{}
	v := communeValues{name: clean(in.Name), insee: strings.ToUpper(strings.TrimSpace(in.INSEE)), notice: clean(in.Notice)}
	checkText(errs, "name", v.name, true, maxName)
	if v.insee == "" {
		errs.Add("insee", "collecte.error.insee_required")
	} else if !inseeRe.MatchString(v.insee) {
		errs.Add("insee", "collecte.error.insee_invalid", v.insee)
	}
	pcs, bad := splitPostcodes(in.Postcodes)
	switch {
	case bad != "":
		errs.Add("postcodes", "collecte.error.postcode_invalid", bad)
	case len(pcs) == 0:
		errs.Add("postcodes", "collecte.error.postcode_required")
	case len(pcs) > maxPostcodes:
		errs.Add("postcodes", "collecte.error.postcode_too_many", maxPostcodes)
	}
	v.postcodes = pcs
	checkText(errs, "notice", v.notice, false, maxText)
	return v, errs.Err()
}

// splitPostcodes splits a list of postcodes, without duplicates, in the
// order typed; bad is the first item that is not a postcode.
func splitPostcodes(s string) (out []string, bad string) {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '/' || r == '\t' }) {
		if !postcodeRe.MatchString(f) {
			return nil, f
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, ""
}

// SectorInput is the sector form as typed.
type SectorInput struct {
	Name        string
	Description string
	Position    string
}

func (in SectorInput) validate() (name, desc string, pos int, err error) {
	errs := valid.Errors{}
	name, desc = clean(in.Name), clean(in.Description)
	checkText(errs, "sector_name", name, true, maxName)
	checkText(errs, "sector_description", desc, false, maxText)
	pos = parsePosition(errs, "sector_position", in.Position)
	if name != "" && reservedSectorSlugs[pages.Slugify(name)] {
		errs.Add("sector_name", "collecte.error.sector_reserved", name)
	}
	return name, desc, pos, errs.Err()
}

// StreamInput is the stream form as typed.
type StreamInput struct {
	Name     string
	Code     string
	Colour   string
	Help     string
	Position string
}

type streamValues struct {
	name, code, colour, help string
	pos                      int
}

func (in StreamInput) validate() (streamValues, error) {
	errs := valid.Errors{}
	v := streamValues{name: clean(in.Name), code: strings.ToUpper(clean(in.Code)), colour: strings.ToLower(strings.TrimSpace(in.Colour)), help: clean(in.Help)}
	checkText(errs, "stream_name", v.name, true, maxName)
	if v.name != "" && pages.Slugify(v.name) == "collectes" {
		errs.Add("stream_name", "collecte.error.stream_reserved", v.name)
	}
	if v.code == "" {
		errs.Add("stream_code", "collecte.error.code_required")
	} else if utf8.RuneCountInString(v.code) > maxStreamCode {
		errs.Add("stream_code", "collecte.error.code_too_long", maxStreamCode)
	}
	if v.colour == "" {
		v.colour = defaultColour
	}
	if !colourRe.MatchString(v.colour) {
		errs.Add("stream_colour", "collecte.error.colour_invalid")
	} else if c := contrastWithWhite(v.colour); c < minContrast {
		errs.Add("stream_colour", "collecte.error.colour_contrast", strconv.FormatFloat(c, 'f', 1, 64))
	}
	checkText(errs, "stream_help", v.help, false, maxText)
	v.pos = parsePosition(errs, "stream_position", in.Position)
	return v, errs.Err()
}

// ExceptionInput is the exception form as typed. Day is the day whose
// collections change.
type ExceptionInput struct {
	Day         string
	StreamID    string // "" or "0": every stream
	CommuneID   string // "" or "0": every commune
	Action      string
	Replacement string
	Note        string
}

type exceptionValues struct {
	day, replacement    time.Time
	streamID, communeID int64
	action, note        string
}

func (in ExceptionInput) validate() (exceptionValues, error) {
	errs := valid.Errors{}
	var v exceptionValues
	v.day = parseDate(errs, "day", in.Day, true)
	v.streamID = parseOptionalID(errs, "exception_stream", in.StreamID)
	v.communeID = parseOptionalID(errs, "exception_commune", in.CommuneID)
	v.action = strings.TrimSpace(in.Action)
	v.note = clean(in.Note)
	switch v.action {
	case ActionMove:
		v.replacement = parseDate(errs, "replacement", in.Replacement, false)
		if strings.TrimSpace(in.Replacement) == "" {
			errs.Add("replacement", "collecte.error.replacement_required")
		} else if !v.day.IsZero() && v.replacement.Equal(v.day) {
			errs.Add("replacement", "collecte.error.replacement_same")
		} else if !v.day.IsZero() && !v.replacement.IsZero() && absDays(v.replacement.Sub(v.day)) > 14 {
			errs.Add("replacement", "collecte.error.replacement_far")
		}
	case ActionCancel, ActionKeep:
	default:
		errs.Add("action", "collecte.error.action_required")
	}
	checkText(errs, "note", v.note, false, maxNote)
	return v, errs.Err()
}

func absDays(d time.Duration) int {
	n := int(d / (24 * time.Hour))
	if n < 0 {
		return -n
	}
	return n
}

// clean trims a text and folds its line breaks and runs of spaces.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func checkText(errs valid.Errors, field, v string, required bool, max int) {
	switch {
	case v == "" && required:
		errs.Add(field, "collecte.error.required")
	case utf8.RuneCountInString(v) > max:
		errs.Add(field, "collecte.error.too_long", max)
	case !utf8.ValidString(v):
		errs.Add(field, "collecte.error.encoding")
	}
}

func parsePosition(errs valid.Errors, field, s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 9999 {
		errs.Add(field, "collecte.error.position")
		return 0
	}
	return n
}

func parseOptionalID(errs valid.Errors, field, s string) int64 {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		errs.Add(field, "collecte.error.choice")
		return 0
	}
	return n
}

// parseDate reads a civil date typed as AAAA-MM-JJ (what <input type=date>
// sends) or JJ/MM/AAAA (what people type, and spreadsheets export).
func parseDate(errs valid.Errors, field, s string, required bool) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			errs.Add(field, "collecte.error.date_required")
		}
		return time.Time{}
	}
	d, ok := ParseDay(s)
	if !ok {
		errs.Add(field, "collecte.error.date_invalid", s)
		return time.Time{}
	}
	return d
}

// ParseDay reads a civil date, AAAA-MM-JJ or JJ/MM/AAAA, between the years
// 2000 and 2100.
func ParseDay(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	var d time.Time
	var err error
	if strings.Contains(s, "/") {
		d, err = time.Parse("02/01/2006", s)
		if err != nil {
			d, err = time.Parse("2/1/2006", s)
		}
	} else {
		d, err = time.Parse(dateLayout, s)
	}
	if err != nil || d.Year() < firstYear || d.Year() > lastYear {
		return time.Time{}, false
	}
	return d, true
}

// Day returns the civil date of t in loc (00:00 UTC of that date).
func Day(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// FormatDay writes a civil date as AAAA-MM-JJ.
func FormatDay(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

// contrastWithWhite is the WCAG contrast ratio of white text on colour.
func contrastWithWhite(hex string) float64 {
	lum := func(s string) float64 {
		n, _ := strconv.ParseUint(s, 16, 8)
		c := float64(n) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	l := 0.2126*lum(hex[1:3]) + 0.7152*lum(hex[3:5]) + 0.0722*lum(hex[5:7])
	return 1.05 / (l + 0.05)
}
