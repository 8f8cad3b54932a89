package web

import (
	"net/http"
	"strconv"
	"time"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/users"
)

// calendarAdminCal is a calendar with its grants, for the admin form.
type calendarAdminCal struct {
	calendar.CalendarInfo
	Grants map[int64]access.Level
}

// LevelName returns the grant level of a group as a form value.
func (c calendarAdminCal) LevelName(group int64) string { return c.Grants[group].String() }

type calendarAdminPage struct {
	Page
	Calendars []calendarAdminCal
	Groups    []users.Group
	New       calendar.Calendar
	NewGrants map[int64]string
	Events    []calendar.EventSummary
	Total     int
	Query     string
	CalID     int64
	From, To  string
	FormID    string // which form the errors belong to
}

func (s *Server) calendarAdminPage(r *http.Request) (calendarAdminPage, error) {
	ctx := r.Context()
	st := s.calendar
	page := calendarAdminPage{Page: s.page(r, s.cat.T("calendar.admin.title")), New: calendar.Calendar{Colour: "#1f5fa8", TimeZone: calendar.DefaultTimeZone}}
	cals, err := st.Calendars(ctx, principal(r), access.View)
	if err != nil {
		return page, err
	}
	for _, c := range cals {
		g, err := st.Grants(ctx, c.ID)
		if err != nil {
			return page, err
		}
		page.Calendars = append(page.Calendars, calendarAdminCal{CalendarInfo: c, Grants: g})
	}
	if page.Groups, err = s.groups.List(ctx); err != nil {
		return page, err
	}
	q := r.URL.Query()
	page.Query = q.Get("q")
	page.CalID, _ = strconv.ParseInt(q.Get("agenda"), 10, 64)
	page.From, page.To = q.Get("du"), q.Get("au")
	eq := calendar.EventQuery{Text: page.Query, CalendarID: page.CalID, Limit: 100}
	loc := s.cfg.Location()
	if d, err := time.ParseInLocation("2006-01-02", page.From, loc); err == nil {
		eq.From = d
	}
	if d, err := time.ParseInLocation("2006-01-02", page.To, loc); err == nil {
		eq.To = d.AddDate(0, 0, 1)
	}
	page.Events, page.Total, err = st.FindEvents(ctx, principal(r), eq)
	return page, err
}

func (s *Server) calendarAdmin(w http.ResponseWriter, r *http.Request) error {
	page, err := s.calendarAdminPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "calendar_admin", page)
	return nil
}

func (s *Server) calendarAdminCreate(w http.ResponseWriter, r *http.Request) error {
	page, err := s.calendarAdminPage(r)
	if err != nil {
		return err
	}
	c := calendarFromForm(r)
	grants, kept := grantsFromForm(r, page.Groups)
	_, err = s.calendar.CreateCalendar(r.Context(), s.actor(r), c, grants)
	if ve, ok := formErrors(err); ok {
		page.New, page.NewGrants, page.FormID = c, kept, "new"
		return s.unprocessable(w, r, "calendar_admin", &page, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "calendar.flash.calendar_saved", "/admin/agenda")
}

func (s *Server) calendarAdminUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	page, err := s.calendarAdminPage(r)
	if err != nil {
		return err
	}
	c := calendarFromForm(r)
	c.ID = id
	grants, _ := grantsFromForm(r, page.Groups)
	err = s.calendar.UpdateCalendar(r.Context(), s.actor(r), c, grants)
	if ve, ok := formErrors(err); ok {
		page.FormID = "cal-" + strconv.FormatInt(id, 10)
		return s.unprocessable(w, r, "calendar_admin", &page, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "calendar.flash.calendar_saved", "/admin/agenda")
}

// eventCount says how many events a calendar holds (none, one, n).
func (s *Server) eventCount(n int) string {
	switch n {
	case 0:
		return s.cat.T("calendar.admin.events_none")
	case 1:
		return s.cat.T("calendar.admin.events_one")
	}
	return s.cat.T("calendar.admin.events_many", n)
}

// calendarAdminDeleteConfirm asks before deleting a calendar, saying what
// goes with it. Deleting is for administrators only (the /admin guard): a
// group with "manage" on a calendar changes its events, not its existence.
func (s *Server) calendarAdminDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st := s.calendar
	c, err := st.Calendar(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	n, err := st.CountEvents(r.Context(), id)
	if err != nil {
		return err
	}
	count := s.eventCount(n)
	s.render(w, r, http.StatusOK, "admin_confirm", confirmPage{
		Page:     s.page(r, s.cat.T("calendar.admin.delete_title", c.Name)),
		Question: s.cat.T("calendar.admin.delete_question", c.Name, count),
		Action:   "/admin/agenda/agendas/" + strconv.FormatInt(id, 10) + "/supprimer",
		Cancel:   "/admin/agenda",
		Button:   s.cat.T("calendar.admin.delete_confirm", count),
	})
	return nil
}

// calendarAdminDelete deletes a calendar with its events (and their search
// entries); the audit trail keeps its name and how many events went.
func (s *Server) calendarAdminDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.calendar.DeleteCalendar(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "calendar.flash.calendar_deleted", "/admin/agenda")
}

type calendarAttributesPage struct {
	Page
	Attributes []calendar.Attribute
	Types      []string
	New        calendar.Attribute
	NewChoices string
	FormID     string
	Calendars  []calendar.CalendarInfo // to limit an attribute to some of them
}

func (s *Server) calendarAttributesPage(r *http.Request) (calendarAttributesPage, error) {
	attrs, err := s.calendar.Attributes(r.Context())
	if err != nil {
		return calendarAttributesPage{}, err
	}
	cals, err := s.calendar.Calendars(r.Context(), principal(r), access.View)
	return calendarAttributesPage{Page: s.page(r, s.cat.T("calendar.attrs.title")), Attributes: attrs, Types: calendar.AttributeTypes,
		New: calendar.Attribute{Type: calendar.AttrText}, Calendars: cals}, err
}

func (s *Server) calendarAttributes(w http.ResponseWriter, r *http.Request) error {
	page, err := s.calendarAttributesPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "calendar_attributes", page)
	return nil
}

func (s *Server) calendarAttributeCreate(w http.ResponseWriter, r *http.Request) error {
	a := attributeFromForm(r)
	_, err := s.calendar.CreateAttribute(r.Context(), s.actor(r), a)
	if ve, ok := formErrors(err); ok {
		page, err := s.calendarAttributesPage(r)
		if err != nil {
			return err
		}
		page.New, page.NewChoices, page.FormID = a, r.PostFormValue("choix"), "new"
		return s.unprocessable(w, r, "calendar_attributes", &page, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "calendar.flash.attribute_saved", "/admin/agenda/attributs")
}

// calendarAttributeUpdate changes an attribute; its key is stable (the
// store keeps the stored one).
func (s *Server) calendarAttributeUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := attributeFromForm(r)
	a.ID = id
	err = s.calendar.UpdateAttribute(r.Context(), s.actor(r), a)
	if ve, ok := formErrors(err); ok {
		page, err := s.calendarAttributesPage(r)
		if err != nil {
			return err
		}
		page.FormID = "attr-" + strconv.FormatInt(id, 10)
		return s.unprocessable(w, r, "calendar_attributes", &page, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "calendar.flash.attribute_saved", "/admin/agenda/attributs")
}

func (s *Server) calendarAttributeDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.calendar.DeleteAttribute(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "calendar.flash.attribute_deleted", "/admin/agenda/attributs")
}
