package web

import (
	"net/http"
	"strconv"
	"strings"
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

func calendarFromForm(r *http.Request) calendar.Calendar {
	pos, _ := strconv.Atoi(r.PostFormValue("position"))
	return calendar.Calendar{Name: r.PostFormValue("nom"), Colour: r.PostFormValue("couleur"), TimeZone: strings.TrimSpace(r.PostFormValue("fuseau")),
		Description: r.PostFormValue("description"), Position: pos}
}

func (s *Server) calendarAdminCreate(w http.ResponseWriter, r *http.Request) error {
	page, err := s.calendarAdminPage(r)
	if err != nil {
		return err
	}
	c := calendarFromForm(r)
	grants, kept := grantsFromForm(r, page.Groups)
	id, err := s.calendar.CreateCalendar(r.Context(), c, grants)
	if ve, ok := calendar.IsValidation(err); ok {
		page.New, page.NewGrants, page.FormID, page.Errors = c, kept, "new", ve.Fields
		s.render(w, r, http.StatusUnprocessableEntity, "calendar_admin", page)
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "calendar.created", "calendar:"+strconv.FormatInt(id, 10), c.Name)
	s.flash(w, "calendar.flash.calendar_saved")
	http.Redirect(w, r, "/admin/agenda", http.StatusSeeOther)
	return nil
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
	st := s.calendar
	err = st.UpdateCalendar(r.Context(), c)
	if ve, ok := calendar.IsValidation(err); ok {
		page.FormID, page.Errors = "cal-"+strconv.FormatInt(id, 10), ve.Fields
		s.render(w, r, http.StatusUnprocessableEntity, "calendar_admin", page)
		return nil
	}
	if err != nil {
		return err
	}
	if err := st.SetGrants(r.Context(), id, grants); err != nil {
		return err
	}
	s.audit(r, nil, "calendar.updated", "calendar:"+strconv.FormatInt(id, 10), c.Name)
	s.flash(w, "calendar.flash.calendar_saved")
	http.Redirect(w, r, "/admin/agenda", http.StatusSeeOther)
	return nil
}

// eventCount is "aucun événement", "1 événement", "12 événements".
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
	st := s.calendar
	c, err := st.Calendar(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	n, err := st.CountEvents(r.Context(), id)
	if err != nil {
		return err
	}
	if err := st.DeleteCalendar(r.Context(), id); err != nil {
		return err
	}
	s.audit(r, nil, "calendar.deleted", "calendar:"+strconv.FormatInt(id, 10), c.Name+" ("+s.eventCount(n)+")")
	s.flash(w, "calendar.flash.calendar_deleted")
	http.Redirect(w, r, "/admin/agenda", http.StatusSeeOther)
	return nil
}

type calendarAttributesPage struct {
	Page
	Attributes []calendar.Attribute
	Types      []string
	New        calendar.Attribute
	NewChoices string
	FormID     string
}

func (s *Server) calendarAttributesPage(r *http.Request) (calendarAttributesPage, error) {
	attrs, err := s.calendar.Attributes(r.Context())
	return calendarAttributesPage{Page: s.page(r, s.cat.T("calendar.attrs.title")), Attributes: attrs, Types: calendar.AttributeTypes,
		New: calendar.Attribute{Type: calendar.AttrText}}, err
}

func (s *Server) calendarAttributes(w http.ResponseWriter, r *http.Request) error {
	page, err := s.calendarAttributesPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "calendar_attributes", page)
	return nil
}

func attributeFromForm(r *http.Request) calendar.Attribute {
	pos, _ := strconv.Atoi(r.PostFormValue("position"))
	return calendar.Attribute{Key: r.PostFormValue("cle"), Label: r.PostFormValue("libelle"), Type: r.PostFormValue("type"),
		Choices: calendar.ParseChoices(r.PostFormValue("choix")), Help: r.PostFormValue("aide"), Position: pos}
}

func (s *Server) calendarAttributeCreate(w http.ResponseWriter, r *http.Request) error {
	a := attributeFromForm(r)
	id, err := s.calendar.CreateAttribute(r.Context(), a)
	if ve, ok := calendar.IsValidation(err); ok {
		page, perr := s.calendarAttributesPage(r)
		if perr != nil {
			return perr
		}
		page.New, page.NewChoices, page.FormID, page.Errors = a, r.PostFormValue("choix"), "new", ve.Fields
		s.render(w, r, http.StatusUnprocessableEntity, "calendar_attributes", page)
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "calendar.attribute_created", "attribute:"+strconv.FormatInt(id, 10), a.Key)
	s.flash(w, "calendar.flash.attribute_saved")
	http.Redirect(w, r, "/admin/agenda/attributs", http.StatusSeeOther)
	return nil
}

func (s *Server) calendarAttributeUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st := s.calendar
	old, err := st.Attribute(r.Context(), id)
	if err != nil {
		return err
	}
	a := attributeFromForm(r)
	a.ID, a.Key = id, old.Key // the key is stable
	err = st.UpdateAttribute(r.Context(), a)
	if ve, ok := calendar.IsValidation(err); ok {
		page, perr := s.calendarAttributesPage(r)
		if perr != nil {
			return perr
		}
		page.FormID, page.Errors = "attr-"+strconv.FormatInt(id, 10), ve.Fields
		s.render(w, r, http.StatusUnprocessableEntity, "calendar_attributes", page)
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(r, nil, "calendar.attribute_updated", "attribute:"+strconv.FormatInt(id, 10), a.Key)
	s.flash(w, "calendar.flash.attribute_saved")
	http.Redirect(w, r, "/admin/agenda/attributs", http.StatusSeeOther)
	return nil
}

func (s *Server) calendarAttributeDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.calendar.DeleteAttribute(r.Context(), id); err != nil {
		return err
	}
	s.audit(r, nil, "calendar.attribute_deleted", "attribute:"+strconv.FormatInt(id, 10), "")
	s.flash(w, "calendar.flash.attribute_deleted")
	http.Redirect(w, r, "/admin/agenda/attributs", http.StatusSeeOther)
	return nil
}
