package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/users"
)

// The calendar's forms, read from the request into the calendar's typed
// inputs (the calendar validates them).

// parseEventForm reads the event form's fields, as typed.
func parseEventForm(v url.Values) calendar.EventForm {
	f := calendar.EventForm{
		CalendarID:  v.Get("calendrier"),
		Title:       v.Get("titre"),
		Description: v.Get("description"),
		Location:    v.Get("lieu"),
		StartDate:   v.Get("debut_date"),
		StartTime:   v.Get("debut_heure"),
		EndDate:     v.Get("fin_date"),
		EndTime:     v.Get("fin_heure"),
		AllDay:      v.Get("journee") != "",
		Documents:   docPickerValue(v.Get("documents"), v["documents_ajout"]),
		Attributes:  map[string]string{},
		Recurrence: calendar.RecurrenceForm{
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

// occurrenceChange is the part of the event form that changes one
// occurrence of a series.
func occurrenceChange(f calendar.EventForm) calendar.OccurrenceChange {
	return calendar.OccurrenceChange{StartDate: f.StartDate, StartTime: f.StartTime, EndDate: f.EndDate, EndTime: f.EndTime,
		Title: f.Title, Location: f.Location, Description: f.Description}
}

// occurrenceParam reads ?occurrence=UNIX (the original start of one
// occurrence of a series).
func occurrenceParam(v string) (time.Time, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// calendarFromForm reads the admin form of a calendar.
func calendarFromForm(r *http.Request) calendar.Calendar {
	pos, _ := strconv.Atoi(r.PostFormValue("position"))
	return calendar.Calendar{Name: r.PostFormValue("nom"), Colour: r.PostFormValue("couleur"), TimeZone: strings.TrimSpace(r.PostFormValue("fuseau")),
		Description: r.PostFormValue("description"), Position: pos}
}

// grantsFromForm reads one select per group: "acces_{group}" = view/edit/manage.
func grantsFromForm(r *http.Request, groups []users.Group) ([]access.Grant, map[int64]string) {
	var out []access.Grant
	kept := map[int64]string{}
	for _, g := range groups {
		v := r.PostFormValue("acces_" + strconv.FormatInt(g.ID, 10))
		if lvl := access.ParseLevel(v); lvl != access.None {
			out = append(out, access.Grant{GroupID: g.ID, Level: lvl})
			kept[g.ID] = v
		}
	}
	return out, kept
}

// attributeFromForm reads the admin form of an event attribute; its
// choices are one per line of a text area.
func attributeFromForm(r *http.Request) calendar.Attribute {
	pos, _ := strconv.Atoi(r.PostFormValue("position"))
	choices := strings.Split(strings.ReplaceAll(r.PostFormValue("choix"), "\r\n", "\n"), "\n")
	var cals []int64
	for _, v := range r.PostForm["agendas"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			cals = append(cals, id)
		}
	}
	return calendar.Attribute{Key: r.PostFormValue("cle"), Label: r.PostFormValue("libelle"), Type: r.PostFormValue("type"),
		Choices: choices, Help: r.PostFormValue("aide"), Position: pos, Calendars: cals}
}
