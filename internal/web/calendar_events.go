package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/db"
	"portique/internal/documents"
)

// calendarEventPage is the data of an event's page (also the popup's source).
type calendarEventPage struct {
	Page
	Event       calendar.Event
	Description template.HTML // sanitised by the calendar store
	When        string
	Occurrence  int64 // original start (unix) of the occurrence shown; 0 for the series
	Cancelled   bool
	CanEdit     bool
	Recurrence  string
	Upcoming    []occView
	Answer      answerForm // a convened member's answer, when the event is a session
	// Files are the linked documents the viewer may download, by id, for
	// their format, size and date beside each link.
	Files map[string]*documents.Document
}

func (s *Server) calendarEventShow(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	idText, ics := strings.CutSuffix(file, ".ics")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return db.ErrNotFound
	}
	st := s.calendar
	p := principal(r)
	if ics {
		var buf bytes.Buffer
		if err := st.WriteEventICS(r.Context(), &buf, p, id, s.cfg.BaseURL); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="evenement-`+idText+`.ics"`)
		_, err := w.Write(buf.Bytes())
		return err
	}
	e, lvl, err := st.Event(r.Context(), p, id)
	if err != nil {
		return err
	}
	loc := s.cfg.Location()
	page := calendarEventPage{Page: s.page(r, e.Title), Event: e, CanEdit: lvl >= access.Edit,
		Description: template.HTML(e.Description)} //nolint:gosec // sanitised with bluemonday on save
	start, end := e.Start, e.End
	title, location := e.Title, e.Location
	if o, ok := occurrenceParam(r.URL.Query().Get("occurrence")); ok && e.Recurring() {
		// Show that occurrence, with its exception if any.
		found := false
		for _, ov := range e.Overrides {
			if !ov.OriginalStart.Equal(o) {
				continue
			}
			found, page.Cancelled = true, ov.Cancelled
			start, end = o, o.Add(e.End.Sub(e.Start))
			if ov.Start != nil && ov.End != nil {
				start, end = *ov.Start, *ov.End
			}
			if ov.Title != nil {
				title = *ov.Title
			}
			if ov.Location != nil {
				location = *ov.Location
			}
			if ov.Description != nil {
				page.Description = template.HTML(*ov.Description) //nolint:gosec // sanitised with bluemonday on save
			}
		}
		if !found {
			occ, err := st.Occurrences(r.Context(), p, o, o.Add(time.Second), calendar.Filter{CalendarIDs: []int64{e.CalendarID}})
			if err != nil {
				return err
			}
			for _, x := range occ {
				if x.EventID == id && x.OriginalStart.Equal(o) {
					found, start, end = true, x.Start, x.End
				}
			}
		}
		if found {
			page.Occurrence = o.Unix()
		}
	}
	page.Event.Title, page.Event.Location = title, location
	page.Title = title
	page.When = s.whenLabel(start, end, e.AllDay, loc)
	if e.Recurring() {
		page.Recurrence = s.recurrenceLabel(e)
		now := s.now()
		occ, err := st.Occurrences(r.Context(), p, now, now.AddDate(0, 6, 0), calendar.Filter{CalendarIDs: []int64{e.CalendarID}})
		if err != nil {
			return err
		}
		for _, o := range occ {
			if o.EventID == id && len(page.Upcoming) < 8 {
				page.Upcoming = append(page.Upcoming, s.occView(o, loc))
			}
		}
	}
	if err := s.eventAnswer(r, id, &page.Answer); err != nil {
		return err
	}
	var fileIDs []int64
	for _, d := range e.Documents {
		fileIDs = append(fileIDs, d.ID)
	}
	for _, a := range e.Attributes {
		if id, err := strconv.ParseInt(a.Value, 10, 64); a.Type == "document" && err == nil {
			fileIDs = append(fileIDs, id)
		}
	}
	if page.Files, err = s.fileFacts(r, fileIDs); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "calendar_event", page)
	return nil
}

// whenLabel says when an occurrence happens, in French.
func (s *Server) whenLabel(start, end time.Time, allDay bool, loc *time.Location) string {
	ls, le := start.In(loc), end.In(loc)
	if allDay {
		last := le.AddDate(0, 0, -1)
		if !last.After(ls) {
			return frenchDate(ls)
		}
		return s.cat.T("calendar.from_to_days", frenchDate(ls), frenchDate(last))
	}
	if ls.YearDay() == le.YearDay() && ls.Year() == le.Year() {
		return s.cat.T("calendar.on_from_to", frenchDate(ls), ls.Format("15:04"), le.Format("15:04"))
	}
	return s.cat.T("calendar.from_to_days", s.cat.T("calendar.date_at", frenchDate(ls), ls.Format("15:04")), s.cat.T("calendar.date_at", frenchDate(le), le.Format("15:04")))
}

// recurrenceLabel describes a series in French ("toutes les semaines le lundi").
func (s *Server) recurrenceLabel(e calendar.Event) string {
	f, err := calendar.RecurrenceFromRule(e.RRule, time.UTC)
	if err != nil {
		return s.cat.T("calendar.recurring")
	}
	t := s.cat.T
	n := 1
	if f.Interval != "" {
		n, _ = strconv.Atoi(f.Interval)
	}
	var out string
	switch f.Freq {
	case calendar.FreqDaily:
		out = t("calendar.rec.daily")
		if n > 1 {
			out = t("calendar.rec.every_n_days", n)
		}
	case calendar.FreqWeekly:
		var days []string
		for _, c := range f.Weekdays {
			days = append(days, t("calendar.weekday."+c))
		}
		out = t("calendar.rec.weekly", strings.Join(days, ", "))
		if n > 1 {
			out = t("calendar.rec.every_n_weeks", n, strings.Join(days, ", "))
		}
	case calendar.FreqMonthly:
		if f.MonthlyBy == "weekday" {
			out = t("calendar.rec.monthly_weekday", t("calendar.pos."+f.SetPos), t("calendar.weekday."+f.Weekday))
		} else {
			out = t("calendar.rec.monthly_day", f.MonthDay)
		}
		if n > 1 {
			out += " " + t("calendar.rec.every_n_months", n)
		}
	case calendar.FreqYearly:
		out = t("calendar.rec.yearly")
	}
	switch f.End {
	case calendar.EndCount:
		out += ", " + t("calendar.rec.count", f.Count)
	case calendar.EndUntil:
		if d, err := time.Parse("2006-01-02", f.Until); err == nil {
			out += ", " + t("calendar.rec.until", frenchDate(d))
		}
	}
	return out
}

// calendarFormPage is the data of the event form.
type calendarFormPage struct {
	Page
	Action     string
	Form       calendar.EventForm
	Calendars  []calendar.CalendarInfo
	Attributes []calendar.Attribute
	Weekdays   []string
	Freqs      []string
	Positions  []string
	Ends       []string
	EventID    int64
	Occurrence int64  // editing one occurrence or "this and following"
	Scope      string // "", "une" (this occurrence) or "suivantes"
	// AttrCalendars names, for an attribute limited to some calendars, those
	// of them the editor may use ("" when the attribute is for every calendar).
	AttrCalendars map[int64]string
	// DocPicker: the documents to choose without JavaScript (docpicker.go).
	DocPicker *docPickerData
}

// Checked reports whether a weekday code is ticked in the form.
func (p calendarFormPage) Checked(code string) bool {
	for _, c := range p.Form.Recurrence.Weekdays {
		if c == code {
			return true
		}
	}
	return false
}

func (s *Server) calendarFormPage(r *http.Request, title string, f calendar.EventForm) (calendarFormPage, error) {
	st := s.calendar
	cals, err := st.Calendars(r.Context(), principal(r), access.Edit)
	if err != nil {
		return calendarFormPage{}, err
	}
	attrs, err := st.Attributes(r.Context())
	if err != nil {
		return calendarFormPage{}, err
	}
	if f.Attributes == nil {
		f.Attributes = map[string]string{}
	}
	limited := map[int64]string{}
	for _, a := range attrs {
		var names []string
		for _, c := range cals {
			if len(a.Calendars) > 0 && a.AppliesTo(c.ID) {
				names = append(names, c.Name)
			}
		}
		if len(a.Calendars) > 0 {
			limited[a.ID] = strings.Join(names, ", ")
		}
	}
	picker, err := s.docPicker(r, "documents", f.Documents)
	if err != nil {
		return calendarFormPage{}, err
	}
	return calendarFormPage{Page: s.page(r, title), Form: f, Calendars: cals, Attributes: attrs, AttrCalendars: limited, DocPicker: picker, Weekdays: calendar.WeekdayCodes,
		Freqs:     []string{calendar.FreqNone, calendar.FreqDaily, calendar.FreqWeekly, calendar.FreqMonthly, calendar.FreqYearly},
		Positions: []string{"1", "2", "3", "4", "-1"}, Ends: []string{calendar.EndNever, calendar.EndUntil, calendar.EndCount}}, nil
}

func (s *Server) calendarEventNew(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	date := parseViewDate(q.Get("date"), s.cfg.Location(), s.now())
	f := calendar.EventForm{CalendarID: q.Get("agenda"), StartDate: date.Format("2006-01-02"), EndDate: date.Format("2006-01-02"),
		StartTime: "09:00", EndTime: "10:00", Recurrence: calendar.RecurrenceForm{End: calendar.EndNever}}
	page, err := s.calendarFormPage(r, s.cat.T("calendar.new_event"), f)
	if err != nil {
		return err
	}
	if len(page.Calendars) == 0 {
		return access.ErrForbidden
	}
	page.Action = "/agenda/evenements"
	s.render(w, r, http.StatusOK, "calendar_event_form", page)
	return nil
}

func (s *Server) calendarEventCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	f := parseEventForm(r.PostForm)
	id, err := s.calendar.CreateEvent(r.Context(), s.actor(r), f)
	if ve, ok := formErrors(err); ok {
		page, err := s.calendarFormPage(r, s.cat.T("calendar.new_event"), f)
		if err != nil {
			return err
		}
		page.Action = "/agenda/evenements"
		return s.unprocessable(w, r, "calendar_event_form", &page, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "calendar.flash.created", calendar.EventURL(id))
}

func (s *Server) calendarEventEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st := s.calendar
	e, lvl, err := st.Event(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	if lvl < access.Edit {
		return access.ErrForbidden
	}
	f := calendar.FormFromEvent(e)
	page, err := s.calendarFormPage(r, s.cat.T("calendar.edit_event", e.Title), f)
	if err != nil {
		return err
	}
	page.EventID = id
	page.Action = "/agenda/evenements/" + strconv.FormatInt(id, 10) + "/modifier"
	if o, ok := occurrenceParam(r.URL.Query().Get("occurrence")); ok && e.Recurring() {
		scope := r.URL.Query().Get("portee")
		if scope != "suivantes" {
			scope = "une"
		}
		page.Occurrence, page.Scope = o.Unix(), scope
		loc := time.UTC
		if l, err := time.LoadLocation(e.TimeZone); err == nil {
			loc = l
		}
		// Start the form at that occurrence, keeping the times.
		lo := o.In(loc)
		dur := e.End.Sub(e.Start)
		page.Form.StartDate = lo.Format("2006-01-02")
		page.Form.EndDate = lo.Add(dur).Format("2006-01-02")
		if e.AllDay {
			page.Form.EndDate = lo.Add(dur).AddDate(0, 0, -1).Format("2006-01-02")
		}
		for _, ov := range e.Overrides {
			if ov.OriginalStart.Equal(o) && ov.Start != nil && ov.End != nil && scope == "une" {
				page.Form.StartDate, page.Form.StartTime = ov.Start.In(loc).Format("2006-01-02"), ov.Start.In(loc).Format("15:04")
				page.Form.EndDate, page.Form.EndTime = ov.End.In(loc).Format("2006-01-02"), ov.End.In(loc).Format("15:04")
			}
		}
	}
	s.render(w, r, http.StatusOK, "calendar_event_form", page)
	return nil
}

func (s *Server) calendarEventUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	f := parseEventForm(r.PostForm)
	st := s.calendar
	a := s.actor(r)
	scope := r.PostForm.Get("portee")
	o, hasOcc := occurrenceParam(r.PostForm.Get("occurrence"))
	saved := id // the event shown next: a split makes a new one
	switch {
	case hasOcc && scope == "une":
		err = st.ChangeOccurrence(r.Context(), a, id, o, occurrenceChange(f))
	case hasOcc && scope == "suivantes":
		saved, err = st.SplitSeries(r.Context(), a, id, o, f)
	default:
		err = st.UpdateEvent(r.Context(), a, id, f)
	}
	if ve, ok := formErrors(err); ok {
		page, err := s.calendarFormPage(r, s.cat.T("calendar.edit_event", f.Title), f)
		if err != nil {
			return err
		}
		page.EventID = id
		page.Action = "/agenda/evenements/" + strconv.FormatInt(id, 10) + "/modifier"
		if hasOcc {
			page.Occurrence, page.Scope = o.Unix(), scope
		}
		return s.unprocessable(w, r, "calendar_event_form", &page, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "calendar.flash.saved", calendar.EventURL(saved))
}

// calendarEventDelete deletes an event. A whole series goes only after
// its confirmation page (a post without confirme=1 is sent there).
func (s *Server) calendarEventDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if r.PostFormValue("confirme") != "1" {
		e, lvl, err := s.calendar.Event(r.Context(), principal(r), id)
		if err != nil {
			return err
		}
		if lvl < access.Edit {
			return access.ErrForbidden
		}
		if e.Recurring() {
			http.Redirect(w, r, calendar.EventURL(id)+"/supprimer", http.StatusSeeOther)
			return nil
		}
	}
	if err := s.calendar.DeleteEvent(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "calendar.flash.deleted", "/agenda")
}

// calendarEventDeleteConfirm asks before an event (a whole series) is
// deleted.
func (s *Server) calendarEventDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, lvl, err := s.calendar.Event(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	if lvl < access.Edit {
		return access.ErrForbidden
	}
	q, button := "calendar.delete_question", "calendar.delete"
	if e.Recurring() {
		q, button = "calendar.delete_series_question", "calendar.delete_series"
	}
	s.render(w, r, http.StatusOK, "admin_confirm", confirmPage{
		Page:     s.page(r, s.cat.T("calendar.delete_title", e.Title)),
		Question: s.cat.T(q, e.Title),
		Action:   calendar.EventURL(id) + "/supprimer",
		Cancel:   calendar.EventURL(id),
		Button:   s.cat.T(button),
		Confirm:  true,
	})
	return nil
}

func (s *Server) calendarOccurrenceCancel(w http.ResponseWriter, r *http.Request) error {
	return s.calendarOccurrenceAction(w, r, true)
}

func (s *Server) calendarOccurrenceRestore(w http.ResponseWriter, r *http.Request) error {
	return s.calendarOccurrenceAction(w, r, false)
}

func (s *Server) calendarOccurrenceAction(w http.ResponseWriter, r *http.Request, cancel bool) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, ok := occurrenceParam(r.PostFormValue("occurrence"))
	if !ok {
		return errBadRequest
	}
	st, a := s.calendar, s.actor(r)
	flash := "calendar.flash.restored"
	if cancel {
		err, flash = st.CancelOccurrence(r.Context(), a, id, o), "calendar.flash.cancelled"
	} else {
		err = st.RestoreOccurrence(r.Context(), a, id, o)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, flash, calendar.EventURL(id)+"?occurrence="+strconv.FormatInt(o.Unix(), 10))
}
