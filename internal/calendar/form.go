package calendar

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/valid"
)

// EventForm is the event form as typed (kept verbatim so an invalid form is
// shown again with the user's input); web reads it from the request. The
// fields of its valid.Errors are the form's HTML names: calendrier, titre,
// lieu, description, debut_date, debut_heure, fin_date, fin_heure,
// documents, attr_{key} and those of RecurrenceForm.
type EventForm struct {
	CalendarID  string
	Title       string
	Description string
	Location    string
	StartDate   string // AAAA-MM-JJ
	StartTime   string // HH:MM (ignored when AllDay)
	EndDate     string // AAAA-MM-JJ (empty: the start date)
	EndTime     string // HH:MM
	AllDay      bool
	Recurrence  RecurrenceForm
	Attributes  map[string]string // attribute key → value
	Documents   string            // document ids separated by commas or spaces
}

// FormFromEvent fills the form from a stored event, for editing.
func FormFromEvent(e Event) EventForm {
	loc := loadLocation(e.TimeZone)
	start, end := e.Start.In(loc), e.End.In(loc)
	f := EventForm{
		CalendarID:  strconv.FormatInt(e.CalendarID, 10),
		Title:       e.Title,
		Description: e.Description,
		Location:    e.Location,
		StartDate:   start.Format("2006-01-02"),
		StartTime:   start.Format("15:04"),
		EndDate:     end.Format("2006-01-02"),
		EndTime:     end.Format("15:04"),
		AllDay:      e.AllDay,
		Attributes:  map[string]string{},
	}
	if e.AllDay {
		f.StartTime, f.EndTime = "", ""
		f.EndDate = end.AddDate(0, 0, -1).Format("2006-01-02")
	}
	f.Recurrence, _ = RecurrenceFromRule(e.RRule, loc)
	for _, a := range e.Attributes {
		f.Attributes[a.Key] = a.Value
	}
	ids := make([]string, 0, len(e.Documents))
	for _, d := range e.Documents {
		ids = append(ids, strconv.FormatInt(d.ID, 10))
	}
	f.Documents = strings.Join(ids, ", ")
	return f
}

// eventValues is a validated form.
type eventValues struct {
	calendarID  int64
	title       string
	description string
	location    string
	start, end  time.Time // local, in the calendar's zone
	allDay      bool
	rule        string
	attrs       map[int64]string
	documents   []int64
}

// Limits of the text fields.
const (
	maxTitle       = 200
	maxLocation    = 300
	maxDescription = 50000
	maxAttrValue   = 2000
	maxDocuments   = 50
	// The years an event may start in.
	minYear, maxYear = 1900, 2200
)

// parseTimes validates the dates and times in the calendar's zone.
func (f EventForm) parseTimes(loc *time.Location, errs valid.Errors) (start, end time.Time, ok bool) {
	sd, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(f.StartDate), loc)
	if err != nil {
		errs.Add("debut_date", "calendar.error.start_date")
		return start, end, false
	}
	ed := sd
	if s := strings.TrimSpace(f.EndDate); s != "" {
		ed, err = time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			errs.Add("fin_date", "calendar.error.end_date")
			return start, end, false
		}
	}
	if sd.Year() < minYear || sd.Year() > maxYear || ed.Year() > maxYear {
		errs.Add("debut_date", "calendar.error.year_range", minYear, maxYear)
		return start, end, false
	}
	if f.AllDay {
		if ed.Before(sd) {
			errs.Add("fin_date", "calendar.error.end_day_before_start")
			return start, end, false
		}
		// All-day: local midnights of the first day and of the day after the last.
		return sd, time.Date(ed.Year(), ed.Month(), ed.Day()+1, 0, 0, 0, 0, loc), true
	}
	sh, sm, okS := parseClock(f.StartTime)
	if !okS {
		errs.Add("debut_heure", "calendar.error.start_time")
	}
	eh, em, okE := sh+1, sm, true
	if strings.TrimSpace(f.EndTime) != "" {
		eh, em, okE = parseClock(f.EndTime)
		if !okE {
			errs.Add("fin_heure", "calendar.error.end_time")
		}
	}
	if !okS || !okE {
		return start, end, false
	}
	start = time.Date(sd.Year(), sd.Month(), sd.Day(), sh, sm, 0, 0, loc)
	end = time.Date(ed.Year(), ed.Month(), ed.Day(), eh, em, 0, 0, loc)
	if !end.After(start) {
		errs.Add("fin_heure", "calendar.error.end_before_start")
		return start, end, false
	}
	if end.Sub(start) > 366*24*time.Hour {
		errs.Add("fin_date", "calendar.error.longer_than_a_year")
		return start, end, false
	}
	return start, end, true
}

func parseClock(s string) (h, m int, ok bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

var urlRe = regexp.MustCompile(`^https?://[^\s<>"]+$`)

// validate checks the form against the calendar's zone and the defined
// attributes. It returns valid.Errors.
func (f EventForm) validate(loc *time.Location, attrs []Attribute) (eventValues, error) {
	errs := valid.Errors{}
	var v eventValues
	id, err := strconv.ParseInt(strings.TrimSpace(f.CalendarID), 10, 64)
	if err != nil || id <= 0 {
		errs.Add("calendrier", "calendar.error.calendar_required")
	}
	v.calendarID = id
	v.title = strings.TrimSpace(f.Title)
	switch {
	case v.title == "":
		errs.Add("titre", "calendar.error.title_required")
	case utf8.RuneCountInString(v.title) > maxTitle:
		errs.Add("titre", "calendar.error.title_too_long", maxTitle)
	}
	v.location = strings.TrimSpace(f.Location)
	if utf8.RuneCountInString(v.location) > maxLocation {
		errs.Add("lieu", "calendar.error.location_too_long", maxLocation)
	}
	if len(f.Description) > maxDescription {
		errs.Add("description", "calendar.error.description_too_long")
	}
	v.description = SanitizeHTML(f.Description)
	v.allDay = f.AllDay
	start, end, ok := f.parseTimes(loc, errs)
	if ok {
		v.start, v.end = start, end
		rule, err := f.Recurrence.Rule(start)
		if err != nil {
			if ve, ok := err.(valid.Errors); ok {
				errs.Merge(ve)
			} else {
				errs.Add("repetition", "calendar.error.repetition_invalid")
			}
		}
		v.rule = rule
	} else if f.Recurrence.Freq != FreqNone {
		// Still report recurrence mistakes, against a neutral start.
		if _, err := f.Recurrence.Rule(time.Date(2024, 1, 1, 0, 0, 0, 0, loc)); err != nil {
			if ve, ok := err.(valid.Errors); ok {
				errs.Merge(ve)
			}
		}
	}
	v.attrs = map[int64]string{}
	for _, a := range attrs {
		val, key := a.normalize(f.Attributes[a.Key])
		if key != "" {
			errs.Add("attr_"+a.Key, key, a.Label)
			continue
		}
		if val != "" {
			v.attrs[a.ID] = val
		}
	}
	for _, s := range strings.FieldsFunc(f.Documents, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' }) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			errs.Add("documents", "calendar.error.documents")
			break
		}
		v.documents = append(v.documents, n)
	}
	if len(v.documents) > maxDocuments {
		errs.Add("documents", "calendar.error.too_many_documents", maxDocuments)
	}
	return v, errs.Err()
}

// normalize checks one attribute value and returns its stored form, or the
// catalogue key of its error (formatted with the attribute's label).
func (a Attribute) normalize(raw string) (string, string) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", ""
	}
	if len(s) > maxAttrValue {
		return "", "calendar.error.attr_too_long"
	}
	switch a.Type {
	case AttrText:
		if strings.ContainsAny(s, "\r\n") {
			return "", "calendar.error.attr_one_line"
		}
	case AttrNumber:
		s = strings.ReplaceAll(s, ",", ".")
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "", "calendar.error.attr_number"
		}
	case AttrDate:
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return "", "calendar.error.attr_date"
		}
	case AttrBool:
		switch s {
		case "oui", "on", "1", "true":
			s = "oui"
		case "non", "0", "false":
			s = "non"
		default:
			return "", "calendar.error.attr_bool"
		}
	case AttrChoice:
		found := false
		for _, c := range a.Choices {
			if c == s {
				found = true
			}
		}
		if !found {
			return "", "calendar.error.attr_choice"
		}
	case AttrLink:
		if !urlRe.MatchString(s) {
			return "", "calendar.error.attr_link"
		}
	case AttrDocument:
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || n <= 0 {
			return "", "calendar.error.attr_document"
		}
	}
	return s, ""
}
