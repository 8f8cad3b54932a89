package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/convocations"
	"portique/internal/db"
	"portique/internal/users"
)

// convocationPage is /agenda/evenements/{id}/convocation: for the organiser
// the session form, the sending and the attendance; for a convened member
// their answer.
type convocationPage struct {
	Page
	Event       calendar.Event
	Conv        *convocations.Convocation // nil: the event is not a session yet
	CanOrganise bool
	Bodies      []string
	Groups      []users.Group
	BodyValue   string
	GroupValue  int64
	AgendaValue string
	Attendance  *convocations.Attendance
	Answer      answerForm
	Print       bool // the printable attendance list
}

// answerForm is the data of the "convocation_answer" partial.
type answerForm struct {
	Show     bool
	Action   string
	CSRF     string
	Answer   string
	ProxyTo  int64
	Members  []users.User // whom a proxy may go to (not oneself)
	Errors   map[string]string
	Sent     bool
	Answered bool
	Choices  []string
}

func (s *Server) convocationLoad(r *http.Request) (*convocationPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	pr := principal(r)
	p := &convocationPage{Bodies: convocations.Bodies}
	e, lvl, err := s.calendar.Event(ctx, pr, id)
	switch {
	case err == nil:
		p.Event, p.CanOrganise = e, lvl >= access.Edit
	case errors.Is(err, access.ErrForbidden):
		// A convened member without a grant on the calendar still reads
		// their convocation (Get decides).
	default:
		return nil, err
	}
	c, err := s.convs.Get(ctx, pr, id)
	if err != nil && !(errors.Is(err, db.ErrNotFound) && p.CanOrganise) {
		if errors.Is(err, access.ErrForbidden) {
			return nil, db.ErrNotFound
		}
		return nil, err
	}
	p.Conv = c
	if p.Event.ID == 0 { // read for the convened member
		if p.Event, _, err = s.calendar.Event(ctx, access.System().Principal, id); err != nil {
			return nil, err
		}
		p.Event.Documents = nil // links are checked in the e-mail; the page lists none it cannot check
	}
	p.Page = s.page(r, s.cat.T("convocations.page.title", p.Event.Title))
	if p.CanOrganise {
		if p.Groups, err = s.groups.List(ctx); err != nil {
			return nil, err
		}
		if c != nil {
			p.BodyValue, p.GroupValue, p.AgendaValue = c.Body, c.GroupID, c.Agenda
			if p.Attendance, err = s.convs.Attendance(ctx, pr, id); err != nil {
				return nil, err
			}
		}
	}
	if c != nil {
		if err := s.fillAnswer(r, &p.Answer, c, currentUser(r).ID, fmt.Sprintf("/agenda/evenements/%d/convocation/reponse", id)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// fillAnswer prepares the answer form of userID when they are convened.
func (s *Server) fillAnswer(r *http.Request, f *answerForm, c *convocations.Convocation, userID int64, action string) error {
	members, err := s.convs.Members(r.Context(), c)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.ID == userID {
			f.Show = true
		} else {
			f.Members = append(f.Members, m)
		}
	}
	if !f.Show {
		f.Members = nil
		return nil
	}
	f.Action, f.CSRF, f.Sent = action, state(r).token(), c.SentAt != nil
	f.Choices = []string{convocations.Present, convocations.Absent, convocations.Proxy}
	if f.Answer == "" {
		f.Answer, f.ProxyTo, err = s.convs.MyAnswer(r.Context(), c.EventID, userID)
		f.Answered = f.Answer != ""
	}
	return err
}

func (s *Server) convocationPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.convocationLoad(r)
	if err != nil {
		return err
	}
	if !p.CanOrganise && !p.Answer.Show {
		return db.ErrNotFound
	}
	s.render(w, r, http.StatusOK, "convocations_page", p)
	return nil
}

func convocationURL(id int64) string { return fmt.Sprintf("/agenda/evenements/%d/convocation", id) }

func (s *Server) convocationSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	gid, _ := strconv.ParseInt(r.PostFormValue("group"), 10, 64)
	f := convocations.Form{Body: r.PostFormValue("body"), GroupID: gid, Agenda: r.PostFormValue("agenda")}
	err = s.convs.Save(r.Context(), s.actor(r), id, f)
	if ve, ok := formErrors(err); ok {
		p, err := s.convocationLoad(r)
		if err != nil {
			return err
		}
		p.BodyValue, p.GroupValue, p.AgendaValue = f.Body, f.GroupID, f.Agenda
		return s.unprocessable(w, r, "convocations_page", p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "convocations.flash.saved", convocationURL(id))
}

func (s *Server) convocationSend(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.convs.Send(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "convocations.flash.sent", convocationURL(id))
}

func answerInput(r *http.Request) (string, int64) {
	to, _ := strconv.ParseInt(r.PostFormValue("proxy_to"), 10, 64)
	return r.PostFormValue("answer"), to
}

func (s *Server) convocationAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	answer, to := answerInput(r)
	err = s.convs.Answer(r.Context(), s.actor(r), id, answer, to)
	if ve, ok := formErrors(err); ok {
		p, err := s.convocationLoad(r)
		if err != nil {
			return err
		}
		p.Answer.Answer, p.Answer.ProxyTo = answer, to
		s.withErrors(&p.Page, ve)
		p.Answer.Errors = p.Errors
		return s.unprocessable(w, r, "convocations_page", p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "convocations.flash.answered", convocationURL(id))
}

// answerLinkPage is the page of a member's signed answer link: it works
// without logging in (the token names the session and the member).
type answerLinkPage struct {
	Page
	Event  calendar.Event
	Conv   *convocations.Convocation
	Name   string
	Answer answerForm
	Done   bool
}

func (s *Server) answerLinkLoad(r *http.Request) (*answerLinkPage, *users.User, error) {
	token := r.PathValue("token")
	eventID, userID, err := s.convs.ParseAnswerToken(token)
	if err != nil {
		return nil, nil, db.ErrNotFound
	}
	ctx := r.Context()
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return nil, nil, db.ErrNotFound
	}
	c, err := s.convs.Get(ctx, u.Principal(), eventID)
	if err != nil {
		return nil, nil, db.ErrNotFound
	}
	e, _, err := s.calendar.Event(ctx, access.System().Principal, eventID)
	if err != nil {
		return nil, nil, err
	}
	p := &answerLinkPage{Page: s.page(r, s.cat.T("convocations.page.title", e.Title)), Event: e, Conv: c, Name: u.Name}
	if err := s.fillAnswer(r, &p.Answer, c, u.ID, "/convocations/reponse/"+token); err != nil {
		return nil, nil, err
	}
	if !p.Answer.Show {
		return nil, nil, db.ErrNotFound // no longer convened
	}
	return p, u, nil
}

func (s *Server) answerLinkForm(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.answerLinkLoad(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "convocations_answer", p)
	return nil
}

func (s *Server) answerLinkSubmit(w http.ResponseWriter, r *http.Request) error {
	p, u, err := s.answerLinkLoad(r)
	if err != nil {
		return err
	}
	answer, to := answerInput(r)
	a := access.Actor{Principal: u.Principal(), Name: u.Email, IP: state(r).ip}
	err = s.convs.Answer(r.Context(), a, p.Conv.EventID, answer, to)
	if ve, ok := formErrors(err); ok {
		p.Answer.Answer, p.Answer.ProxyTo = answer, to
		s.withErrors(&p.Page, ve)
		p.Answer.Errors = p.Errors
		return s.unprocessable(w, r, "convocations_answer", p, ve)
	}
	if err != nil {
		return err
	}
	p.Done = true
	p.Answer.Answer, p.Answer.ProxyTo = answer, to
	s.render(w, r, http.StatusOK, "convocations_answer", p)
	return nil
}

func (s *Server) attendanceLoad(r *http.Request) (*convocationPage, error) {
	p, err := s.convocationLoad(r)
	if err != nil {
		return nil, err
	}
	if !p.CanOrganise {
		return nil, fmt.Errorf("attendance: %w", access.ErrForbidden)
	}
	if p.Attendance == nil {
		return nil, db.ErrNotFound
	}
	return p, nil
}

// attendancePrint is the attendance list as a page to print (the list to
// sign at the session).
func (s *Server) attendancePrint(w http.ResponseWriter, r *http.Request) error {
	p, err := s.attendanceLoad(r)
	if err != nil {
		return err
	}
	p.Print = true
	p.BodyClass = "print-page"
	s.render(w, r, http.StatusOK, "convocations_attendance", p)
	return nil
}

// attendanceCSV exports the attendance list (semicolons and a byte order
// mark, as spreadsheets set up in French read it).
func (s *Server) attendanceCSV(w http.ResponseWriter, r *http.Request) error {
	p, err := s.attendanceLoad(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="presences-%d.csv"`, p.Event.ID))
	w.Write([]byte("\ufeff")) //nolint:errcheck // the client went away
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.Write([]string{s.cat.T("convocations.csv.name"), s.cat.T("convocations.csv.email"), s.cat.T("convocations.csv.answer"), //nolint:errcheck // Flush reports
		s.cat.T("convocations.csv.proxy_to"), s.cat.T("convocations.csv.holds_from"), s.cat.T("convocations.csv.answered_at")})
	for _, l := range p.Attendance.Lines {
		ans := s.cat.T("convocations.answer.none")
		if l.Answer != "" {
			ans = s.cat.T("convocations.answer." + l.Answer)
		}
		at := ""
		if l.AnsweredAt != nil {
			at = s.cat.DateTime(l.AnsweredAt.In(s.cfg.Location()))
		}
		cw.Write([]string{csvSafe(l.Name), l.Email, ans, csvSafe(l.ProxyName), csvSafe(l.HoldsFrom), at}) //nolint:errcheck // Flush reports
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@') {
		return "'" + v
	}
	return v
}

// eventAnswer fills the answer form shown on the event page to a convened
// member of its session (nothing for others, or when it is no session).
func (s *Server) eventAnswer(r *http.Request, eventID int64, f *answerForm) error {
	u := currentUser(r)
	if u == nil {
		return nil
	}
	c, err := s.convs.Get(r.Context(), u.Principal(), eventID)
	if errors.Is(err, db.ErrNotFound) || errors.Is(err, access.ErrForbidden) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.fillAnswer(r, f, c, u.ID, convocationURL(eventID)+"/reponse")
}
