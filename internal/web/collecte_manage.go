package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"portique/internal/collecte"
	"portique/internal/valid"
)

// Management of the collection days (editors: Edit on the area). Every
// page opens on collecte.Store.CheckEdit, every change is the store's.

type collecteManagePage struct {
	Page
	Communes []collecte.Commune
	Form     collecte.CommuneInput
	Streams  []collecte.Stream
	// Undecided are the public holidays of the next three months on which
	// collections are scheduled and nothing was decided for everybody.
	Undecided []collecte.HolidayCase
	Empty     int // communes without any collection
	IsAdmin   bool
}

func (s *Server) collecteManageData(r *http.Request) (collecteManagePage, error) {
	ctx := r.Context()
	p := collecteManagePage{Page: s.page(r, s.cat.T("collecte.manage.title"))}
	p.Breadcrumb = []NavItem{{Label: s.cat.T("collecte.title"), URL: "/collecte"}, {Label: p.Title, URL: "/collecte/gestion", Current: true}}
	if err := s.collecte.CheckEdit(ctx, principal(r)); err != nil {
		return p, err
	}
	var err error
	if p.Communes, err = s.collecte.Communes(ctx, principal(r)); err != nil {
		return p, err
	}
	for _, c := range p.Communes {
		if c.Schedules == 0 {
			p.Empty++
		}
	}
	if p.Streams, err = s.collecte.Streams(ctx, principal(r)); err != nil {
		return p, err
	}
	today := s.collecte.Today()
	cases, err := s.collecte.HolidayCases(ctx, principal(r), today, today.AddDate(0, 3, 0))
	if err != nil {
		return p, err
	}
	for _, h := range cases {
		if h.Communes > 0 && !h.Decided() {
			p.Undecided = append(p.Undecided, h)
		}
	}
	p.IsAdmin = currentUser(r).Admin
	return p, nil
}

func (s *Server) collecteManage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.collecteManageData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "collecte_manage", &p)
	return nil
}

func communeForm(r *http.Request) collecte.CommuneInput {
	return collecte.CommuneInput{Name: r.PostFormValue("name"), INSEE: r.PostFormValue("insee"), Postcodes: r.PostFormValue("postcodes"), Notice: r.PostFormValue("notice")}
}

func (s *Server) collecteCommuneCreate(w http.ResponseWriter, r *http.Request) error {
	in := communeForm(r)
	id, err := s.collecte.CreateCommune(r.Context(), s.actor(r), in)
	if ve, ok := formErrors(err); ok {
		p, err := s.collecteManageData(r)
		if err != nil {
			return err
		}
		p.Form = in
		return s.unprocessable(w, r, "collecte_manage", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.commune_created", collecteCommuneURL(id))
}

func collecteCommuneURL(id int64) string {
	return "/collecte/gestion/communes/" + strconv.FormatInt(id, 10)
}

// collecteScheduleRow is a schedule as the commune's management page lists it.
type collecteScheduleRow struct {
	collecte.Schedule
	Stream     string
	Sector     string
	Rule       string
	Next       []string // its next three days
	StartLabel string
}

type collecteCommunePage struct {
	Page
	Commune   collecte.Commune
	Form      collecte.CommuneInput
	NewSector collecte.SectorInput
	// Sectors are the sector forms, with what was typed on a refused one.
	Sectors   []collecteSectorForm
	Schedules []collecteScheduleRow
	Streams   []collecte.Stream
	PlanURL   string
}

type collecteSectorForm struct {
	collecte.Sector
	Input  collecte.SectorInput
	Prefix string // of its fields' ids ("s12-")
}

func (s *Server) collecteCommuneData(r *http.Request, id int64) (collecteCommunePage, error) {
	ctx := r.Context()
	var p collecteCommunePage
	if err := s.collecte.CheckEdit(ctx, principal(r)); err != nil {
		return p, err
	}
	c, err := s.collecte.Commune(ctx, principal(r), id)
	if err != nil {
		return p, err
	}
	p = collecteCommunePage{Page: s.page(r, s.cat.T("collecte.commune.title", c.Name)), Commune: c, PlanURL: c.URL(),
		Form: collecte.CommuneInput{Name: c.Name, INSEE: c.INSEE, Postcodes: strings.Join(c.Postcodes, " "), Notice: c.Notice}}
	p.Breadcrumb = []NavItem{{Label: s.cat.T("collecte.title"), URL: "/collecte"}, {Label: s.cat.T("collecte.manage.title"), URL: "/collecte/gestion"}, {Label: c.Name, Current: true}}
	sectorName := map[int64]string{}
	for _, x := range c.Sectors {
		sectorName[x.ID] = x.Name
		p.Sectors = append(p.Sectors, collecteSectorForm{Sector: x, Prefix: "s" + strconv.FormatInt(x.ID, 10) + "-",
			Input: collecte.SectorInput{Name: x.Name, Description: x.Description, Position: strconv.Itoa(x.Position)}})
	}
	if p.Streams, err = s.collecte.Streams(ctx, principal(r)); err != nil {
		return p, err
	}
	streamName := map[int64]string{}
	for _, st := range p.Streams {
		streamName[st.ID] = st.Name
	}
	scheds, err := s.collecte.Schedules(ctx, principal(r), id)
	if err != nil {
		return p, err
	}
	today := s.collecte.Today()
	plans := map[int64]collecte.Plan{} // by sector (0: the commune's own)
	for _, sc := range scheds {
		row := collecteScheduleRow{Schedule: sc, Stream: streamName[sc.StreamID], Sector: sectorName[sc.SectorID], Rule: s.ruleText(sc), StartLabel: s.dayLabel(sc.Start, true)}
		plan, ok := plans[sc.SectorID]
		if !ok {
			slug := ""
			for _, x := range c.Sectors {
				if x.ID == sc.SectorID {
					slug = x.Slug
				}
			}
			if plan, err = s.collecte.PlanFor(ctx, principal(r), c.Slug, slug, today, today.AddDate(0, 3, 0)); err != nil {
				return p, err
			}
			plans[sc.SectorID] = plan
		}
		// The next days as residents will see them (exceptions applied).
		for _, col := range plan.Collections {
			if col.ScheduleID != sc.ID || col.Cancelled() {
				continue
			}
			label := s.dayLabel(col.Date, false)
			if col.Moved() {
				label += " (" + s.cat.T("collecte.status.moved") + ")"
			}
			row.Next = append(row.Next, label)
			if len(row.Next) == 3 {
				break
			}
		}
		p.Schedules = append(p.Schedules, row)
	}
	return p, nil
}

func (s *Server) collecteCommuneEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.collecteCommuneData(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "collecte_commune", &p)
	return nil
}

func (s *Server) collecteCommuneUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := communeForm(r)
	err = s.collecte.UpdateCommune(r.Context(), s.actor(r), id, in)
	if ve, ok := formErrors(err); ok {
		p, err := s.collecteCommuneData(r, id)
		if err != nil {
			return err
		}
		p.Form = in
		return s.unprocessable(w, r, "collecte_commune", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.commune_saved", collecteCommuneURL(id))
}

// collecteConfirmPage asks before a deletion, saying what goes with it.
type collecteConfirmPage struct {
	Page
	Message string
	Action  string
	Back    string
	Button  string
}

func (s *Server) collecteCommuneDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.collecteCommuneData(r, id)
	if err != nil {
		return err
	}
	c := collecteConfirmPage{Page: s.page(r, s.cat.T("collecte.commune.delete_title", p.Commune.Name)),
		Message: s.cat.T("collecte.commune.delete_confirm", p.Commune.Name, len(p.Commune.Sectors), len(p.Schedules)),
		Action:  collecteCommuneURL(id) + "/supprimer", Back: collecteCommuneURL(id), Button: s.cat.T("collecte.commune.delete")}
	s.render(w, r, http.StatusOK, "collecte_confirm", &c)
	return nil
}

func (s *Server) collecteCommuneDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.collecte.DeleteCommune(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.commune_deleted", "/collecte/gestion")
}

func sectorForm(r *http.Request, prefix string) collecte.SectorInput {
	return collecte.SectorInput{Name: r.PostFormValue(prefix + "sector_name"), Description: r.PostFormValue(prefix + "sector_description"),
		Position: r.PostFormValue(prefix + "sector_position")}
}

// prefixed renames the fields of errs for a form whose ids carry a prefix
// (several forms of one kind on a page).
func prefixed(errs valid.Errors, prefix string) valid.Errors {
	out := make(valid.Errors, len(errs))
	for f, m := range errs {
		out[prefix+f] = m
	}
	return out
}

func (s *Server) collecteSectorCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := sectorForm(r, "")
	_, err = s.collecte.CreateSector(r.Context(), s.actor(r), id, in)
	if ve, ok := formErrors(err); ok {
		p, err := s.collecteCommuneData(r, id)
		if err != nil {
			return err
		}
		p.NewSector = in
		return s.unprocessable(w, r, "collecte_commune", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.sector_saved", collecteCommuneURL(id)+"#secteurs")
}

func (s *Server) collecteSectorUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := s.collecte.Sector(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	prefix := "s" + strconv.FormatInt(id, 10) + "-"
	in := sectorForm(r, prefix)
	err = s.collecte.UpdateSector(r.Context(), s.actor(r), id, in)
	if ve, ok := formErrors(err); ok {
		p, err := s.collecteCommuneData(r, x.CommuneID)
		if err != nil {
			return err
		}
		for i := range p.Sectors {
			if p.Sectors[i].ID == id {
				p.Sectors[i].Input = in
			}
		}
		return s.unprocessable(w, r, "collecte_commune", &p, prefixed(ve, prefix))
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.sector_saved", collecteCommuneURL(x.CommuneID)+"#secteurs")
}

func (s *Server) collecteSectorDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := s.collecte.Sector(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	p, err := s.collecteCommuneData(r, x.CommuneID)
	if err != nil {
		return err
	}
	n := 0
	for _, sc := range p.Schedules {
		if sc.SectorID == id {
			n++
		}
	}
	c := collecteConfirmPage{Page: s.page(r, s.cat.T("collecte.sector.delete_title", x.Name)),
		Message: s.cat.T("collecte.sector.delete_confirm", x.Name, p.Commune.Name, n),
		Action:  "/collecte/gestion/secteurs/" + strconv.FormatInt(id, 10) + "/supprimer", Back: collecteCommuneURL(x.CommuneID) + "#secteurs",
		Button: s.cat.T("collecte.sector.delete")}
	s.render(w, r, http.StatusOK, "collecte_confirm", &c)
	return nil
}

func (s *Server) collecteSectorDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := s.collecte.Sector(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	if err := s.collecte.DeleteSector(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.sector_deleted", collecteCommuneURL(x.CommuneID)+"#secteurs")
}

// collecteSchedulePage is the schedule form.
type collecteSchedulePage struct {
	Page
	Commune   collecte.Commune
	Streams   []collecte.Stream
	Form      collecte.ScheduleInput
	Action    string
	ID        int64
	Freqs     []string
	Weekdays  []string
	Positions []int
}

// Checked reports whether a day code or a position is ticked in the form.
func (p collecteSchedulePage) Checked(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) collecteScheduleData(r *http.Request, communeID, id int64, in collecte.ScheduleInput) (collecteSchedulePage, error) {
	ctx := r.Context()
	var p collecteSchedulePage
	if err := s.collecte.CheckEdit(ctx, principal(r)); err != nil {
		return p, err
	}
	c, err := s.collecte.Commune(ctx, principal(r), communeID)
	if err != nil {
		return p, err
	}
	title := s.cat.T("collecte.schedule.new_title", c.Name)
	action := collecteCommuneURL(communeID) + "/calendriers"
	if id != 0 {
		title = s.cat.T("collecte.schedule.edit_title", c.Name)
		action = "/collecte/gestion/calendriers/" + strconv.FormatInt(id, 10)
	}
	p = collecteSchedulePage{Page: s.page(r, title), Commune: c, Form: in, Action: action, ID: id, Weekdays: collecte.WeekdayCodes, Positions: collecte.Positions,
		Freqs: []string{collecte.FreqWeekly, collecte.FreqBiweekly, collecte.FreqMonthly, collecte.FreqCustom}}
	p.Breadcrumb = []NavItem{{Label: s.cat.T("collecte.manage.title"), URL: "/collecte/gestion"}, {Label: c.Name, URL: collecteCommuneURL(communeID)}, {Label: title, Current: true}}
	p.Streams, err = s.collecte.Streams(ctx, principal(r))
	return p, err
}

func scheduleForm(r *http.Request, communeID int64) collecte.ScheduleInput {
	r.ParseForm() //nolint:errcheck // a bad body leaves the fields empty: the store says so
	return collecte.ScheduleInput{CommuneID: communeID, SectorID: r.PostFormValue("sector"), StreamID: r.PostFormValue("stream"),
		Rule:  collecte.RuleInput{Freq: r.PostFormValue("freq"), Days: r.PostForm["days"], Positions: r.PostForm["positions"], Custom: r.PostFormValue("custom")},
		Start: r.PostFormValue("start"), End: r.PostFormValue("end"), Note: r.PostFormValue("note")}
}

func (s *Server) collecteScheduleNew(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	today := s.collecte.Today()
	in := collecte.ScheduleInput{CommuneID: id, Rule: collecte.RuleInput{Freq: collecte.FreqWeekly}, Start: collecte.FormatDay(time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC))}
	if sec := r.URL.Query().Get("secteur"); sec != "" {
		in.SectorID = sec
	}
	p, err := s.collecteScheduleData(r, id, 0, in)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "collecte_schedule", &p)
	return nil
}

func (s *Server) collecteScheduleCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := scheduleForm(r, id)
	_, err = s.collecte.CreateSchedule(r.Context(), s.actor(r), in)
	if ve, ok := formErrors(err); ok {
		p, err := s.collecteScheduleData(r, id, 0, in)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "collecte_schedule", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.schedule_saved", collecteCommuneURL(id)+"#calendriers")
}

func (s *Server) collecteScheduleEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.collecte.Schedule(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	in := collecte.ScheduleInput{CommuneID: sc.CommuneID, SectorID: strconv.FormatInt(sc.SectorID, 10), StreamID: strconv.FormatInt(sc.StreamID, 10),
		Rule: collecte.InputFromRule(sc.Rule), Start: collecte.FormatDay(sc.Start), End: collecte.FormatDay(sc.End), Note: sc.Note}
	p, err := s.collecteScheduleData(r, sc.CommuneID, id, in)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "collecte_schedule", &p)
	return nil
}

func (s *Server) collecteScheduleUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.collecte.Schedule(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	in := scheduleForm(r, sc.CommuneID)
	err = s.collecte.UpdateSchedule(r.Context(), s.actor(r), id, in)
	if ve, ok := formErrors(err); ok {
		p, err := s.collecteScheduleData(r, sc.CommuneID, id, in)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "collecte_schedule", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.schedule_saved", collecteCommuneURL(sc.CommuneID)+"#calendriers")
}

func (s *Server) collecteScheduleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.collecte.Schedule(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	if err := s.collecte.DeleteSchedule(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.schedule_deleted", collecteCommuneURL(sc.CommuneID)+"#calendriers")
}
