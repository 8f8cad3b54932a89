package calendar

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// EventForm is the event form as typed (kept verbatim so an invalid form is
// shown again with the user's input). Field names in ValidationError are the
// HTML names used by ParseEventForm.
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

// ParseEventForm reads the event form's fields.
func ParseEventForm(v url.Values) EventForm {
	f := EventForm{
		CalendarID:  v.Get("calendrier"),
		Title:       v.Get("titre"),
		Description: v.Get("description"),
		Location:    v.Get("lieu"),
		StartDate:   v.Get("debut_date"),
		StartTime:   v.Get("debut_heure"),
		EndDate:     v.Get("fin_date"),
		EndTime:     v.Get("fin_heure"),
		AllDay:      v.Get("journee") != "",
		Documents:   v.Get("documents"),
		Attributes:  map[string]string{},
		Recurrence: RecurrenceForm{
			Freq:      v.Get("repetition"),
			Interval:  v.Get("intervalle"),
			Weekdays:  v["jours"],
			MonthlyBy: v.Get("mensuel"),
			MonthDay:  v.Get("jour_du_mois"),
			Month:     v.Get("mois"),
			SetPos:    v.Get("position"),
			Weekday:   v.Get("jour_semaine"),
			End:       v.Get("fin_repetition"),
			Until:     v.Get("jusqu_au"),
			Count:     v.Get("occurrences"),
		},
	}
	for k, vals := range v {
		if key, ok := strings.CutPrefix(k, "attr_"); ok && len(vals) > 0 {
			f.Attributes[key] = vals[0]
		}
	}
	return f
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
)

// parseTimes validates the dates and times in the calendar's zone.
func (f EventForm) parseTimes(loc *time.Location, errs fieldErrors) (start, end time.Time, ok bool) {
	sd, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(f.StartDate), loc)
	if err != nil {
		errs.add("debut_date", "Indiquez la date de début au format AAAA-MM-JJ.")
		return start, end, false
	}
	ed := sd
	if s := strings.TrimSpace(f.EndDate); s != "" {
		ed, err = time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			errs.add("fin_date", "Indiquez la date de fin au format AAAA-MM-JJ.")
			return start, end, false
		}
	}
	if sd.Year() < 1900 || sd.Year() > 2200 || ed.Year() > 2200 {
		errs.add("debut_date", "Indiquez une date entre 1900 et 2200.")
		return start, end, false
	}
	if f.AllDay {
		if ed.Before(sd) {
			errs.add("fin_date", "La date de fin doit être le jour du début ou après.")
			return start, end, false
		}
		// All-day: local midnights of the first day and of the day after the last.
		return sd, time.Date(ed.Year(), ed.Month(), ed.Day()+1, 0, 0, 0, 0, loc), true
	}
	sh, sm, okS := parseClock(f.StartTime)
	if !okS {
		errs.add("debut_heure", "Indiquez l’heure de début au format HH:MM (par exemple 18:00).")
	}
	eh, em, okE := sh+1, sm, true
	if strings.TrimSpace(f.EndTime) != "" {
		eh, em, okE = parseClock(f.EndTime)
		if !okE {
			errs.add("fin_heure", "Indiquez l’heure de fin au format HH:MM (par exemple 20:00).")
		}
	}
	if !okS || !okE {
		return start, end, false
	}
	start = time.Date(sd.Year(), sd.Month(), sd.Day(), sh, sm, 0, 0, loc)
	end = time.Date(ed.Year(), ed.Month(), ed.Day(), eh, em, 0, 0, loc)
	if !end.After(start) {
		errs.add("fin_heure", "La fin doit être après le début.")
		return start, end, false
	}
	if end.Sub(start) > 366*24*time.Hour {
		errs.add("fin_date", "Un événement ne peut pas durer plus d’un an.")
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
// attributes. It returns a *ValidationError with French messages.
func (f EventForm) validate(loc *time.Location, attrs []Attribute) (eventValues, error) {
	errs := fieldErrors{}
	var v eventValues
	id, err := strconv.ParseInt(strings.TrimSpace(f.CalendarID), 10, 64)
	if err != nil || id <= 0 {
		errs.add("calendrier", "Choisissez un agenda.")
	}
	v.calendarID = id
	v.title = strings.TrimSpace(f.Title)
	switch {
	case v.title == "":
		errs.add("titre", "Indiquez un titre.")
	case utf8.RuneCountInString(v.title) > maxTitle:
		errs.add("titre", fmt.Sprintf("Le titre ne doit pas dépasser %d caractères.", maxTitle))
	}
	v.location = strings.TrimSpace(f.Location)
	if utf8.RuneCountInString(v.location) > maxLocation {
		errs.add("lieu", fmt.Sprintf("Le lieu ne doit pas dépasser %d caractères.", maxLocation))
	}
	if len(f.Description) > maxDescription {
		errs.add("description", "La description est trop longue (50 000 caractères au plus).")
	}
	v.description = SanitizeHTML(f.Description)
	v.allDay = f.AllDay
	start, end, ok := f.parseTimes(loc, errs)
	if ok {
		v.start, v.end = start, end
		rule, err := f.Recurrence.Rule(start)
		if err != nil {
			if ve, ok := err.(*ValidationError); ok {
				for k, m := range ve.Fields {
					errs.add(k, m)
				}
			} else {
				errs.add("repetition", "Cette répétition n’est pas valable.")
			}
		}
		v.rule = rule
	} else if f.Recurrence.Freq != FreqNone {
		// Still report recurrence mistakes, against a neutral start.
		if _, err := f.Recurrence.Rule(time.Date(2024, 1, 1, 0, 0, 0, 0, loc)); err != nil {
			if ve, ok := err.(*ValidationError); ok {
				for k, m := range ve.Fields {
					errs.add(k, m)
				}
			}
		}
	}
	v.attrs = map[int64]string{}
	for _, a := range attrs {
		val, msg := a.normalize(f.Attributes[a.Key])
		if msg != "" {
			errs.add("attr_"+a.Key, msg)
			continue
		}
		if val != "" {
			v.attrs[a.ID] = val
		}
	}
	for _, s := range strings.FieldsFunc(f.Documents, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' }) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			errs.add("documents", "Indiquez les numéros des documents séparés par des virgules.")
			break
		}
		v.documents = append(v.documents, n)
	}
	if len(v.documents) > 50 {
		errs.add("documents", "Liez au plus 50 documents.")
	}
	return v, errs.err()
}

// normalize checks one attribute value and returns its stored form, or a
// French message.
func (a Attribute) normalize(raw string) (string, string) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", ""
	}
	if len(s) > maxAttrValue {
		return "", fmt.Sprintf("« %s » est trop long.", a.Label)
	}
	switch a.Type {
	case AttrText:
		if strings.ContainsAny(s, "\r\n") {
			return "", fmt.Sprintf("« %s » tient sur une seule ligne.", a.Label)
		}
	case AttrNumber:
		s = strings.ReplaceAll(s, ",", ".")
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "", fmt.Sprintf("« %s » doit être un nombre.", a.Label)
		}
	case AttrDate:
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return "", fmt.Sprintf("« %s » doit être une date au format AAAA-MM-JJ.", a.Label)
		}
	case AttrBool:
		switch s {
		case "oui", "on", "1", "true":
			s = "oui"
		case "non", "0", "false":
			s = "non"
		default:
			return "", fmt.Sprintf("« %s » vaut « oui » ou « non ».", a.Label)
		}
	case AttrChoice:
		found := false
		for _, c := range a.Choices {
			if c == s {
				found = true
			}
		}
		if !found {
			return "", fmt.Sprintf("Choisissez une valeur proposée pour « %s ».", a.Label)
		}
	case AttrLink:
		if !urlRe.MatchString(s) {
			return "", fmt.Sprintf("« %s » doit être une adresse commençant par https:// ou http://.", a.Label)
		}
	case AttrDocument:
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || n <= 0 {
			return "", fmt.Sprintf("« %s » doit être le numéro d’un document.", a.Label)
		}
	}
	return s, ""
}
