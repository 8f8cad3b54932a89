package web

import (
	"errors"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/calendar"
	"portique/internal/valid"
)

// actsManagePage is the secretariat's screen: drafts, the sessions whose
// list or minutes are due, integrity alerts, the sessions.
type actsManagePage struct {
	Page
	Level     access.Level
	Drafts    []acts.Act
	Deadlines []acts.Deadline
	Failures  []acts.Failure
	Sessions  []acts.Session
	Settings  acts.Settings
	IsAdmin   bool
	Grants    []grantRow // administrators: the register's grants
}

func (s *Server) actsManage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	pr := principal(r)
	d := &actsManagePage{Page: s.page(r, s.cat.T("acts.manage.title")), IsAdmin: pr.Admin}
	var err error
	if d.Level, err = s.acts.Level(ctx, pr); err != nil {
		return err
	}
	if d.Level < access.Edit {
		return access.ErrForbidden
	}
	if d.Drafts, _, _, err = s.acts.Find(ctx, pr, acts.Filter{Drafts: true, Limit: 200}); err != nil {
		return err
	}
	if d.Deadlines, err = s.acts.Deadlines(ctx, pr); err != nil {
		return err
	}
	if d.Failures, err = s.acts.Failures(ctx, pr); err != nil {
		return err
	}
	if d.Sessions, err = s.acts.Sessions(ctx, pr, 0); err != nil {
		return err
	}
	if d.Settings, err = s.acts.Settings(ctx); err != nil {
		return err
	}
	if pr.Admin {
		if d.Grants, err = s.actsGrantRows(r); err != nil {
			return err
		}
	}
	w.Header().Set("Cache-Control", "private, no-store")
	s.render(w, r, http.StatusOK, "acts_manage", d)
	return nil
}

// actsGrantRows lists every group with its level on the register.
func (s *Server) actsGrantRows(r *http.Request) ([]grantRow, error) {
	grants, err := s.acts.Grants(r.Context(), principal(r))
	if err != nil {
		return nil, err
	}
	levels := map[int64]access.Level{}
	for _, g := range grants {
		levels[g.GroupID] = g.Level
	}
	groups, err := s.groups.List(r.Context())
	if err != nil {
		return nil, err
	}
	var rows []grantRow
	for _, g := range groups {
		rows = append(rows, grantRow{Group: g, Level: levels[g.ID].String()})
	}
	return rows, nil
}

// actsGrantsSave stores the register's grants (administrators): one level
// per group (level_<group id>).
func (s *Server) actsGrantsSave(w http.ResponseWriter, r *http.Request) error {
	grants, err := s.grantsForm(r)
	if err != nil {
		return err
	}
	if err := s.acts.SetGrants(r.Context(), s.actor(r), grants); err != nil {
		return err
	}
	return s.seeOther(w, r, "acts.flash.grants", "/actes/gestion")
}

// actFormPage is the form of a draft (new, edit, or a correction).
type actFormPage struct {
	Page
	ID       int64 // 0: a new act
	In       acts.Input
	Kinds    []acts.Kind
	Sessions []acts.Session
	Matters  []acts.Matter
	Annexes  []acts.Annex // of a draft being edited
	Filename string       // the draft's current file
	Corrects *acts.Act    // the published act rectified
	Action   string
	CSRFURL  string // the form's action with its CSRF token (multipart)
}

func (s *Server) actFormData(r *http.Request, title string) (*actFormPage, error) {
	d := &actFormPage{Page: s.page(r, title), Kinds: acts.Kinds, Matters: acts.Matters()}
	var err error
	if d.Sessions, err = s.acts.Sessions(r.Context(), principal(r), 0); err != nil {
		return nil, err
	}
	return d, nil
}

// requireLevel refuses the secretariat's screens to whoever lacks lvl on
// the register (the store checks again on every change).
func (s *Server) requireLevel(r *http.Request, lvl access.Level) error {
	got, err := s.acts.Level(r.Context(), principal(r))
	if err != nil {
		return err
	}
	if got < lvl {
		return access.ErrForbidden
	}
	return nil
}

func (s *Server) actNew(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireLevel(r, access.Edit); err != nil {
		return err
	}
	d, err := s.actFormData(r, s.cat.T("acts.form.new"))
	if err != nil {
		return err
	}
	d.In = acts.Input{Kind: acts.Deliberation, Public: true, Date: s.acts.Today()}
	if k := acts.Kind(r.URL.Query().Get("type")); k.Valid() {
		d.In.Kind = k
	}
	if v, err := strconv.ParseInt(r.URL.Query().Get("seance"), 10, 64); err == nil {
		d.In.SessionID = v
	}
	d.Action = "/actes/gestion/nouveau"
	d.CSRFURL = d.Action + "?csrf=" + d.CSRF
	s.render(w, r, http.StatusOK, "acts_form", d)
	return nil
}

// actCorrectForm is the form of a correction: a new draft, prefilled from
// the published act it rectifies.
func (s *Server) actCorrectForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.requireLevel(r, access.Manage); err != nil {
		return err
	}
	a, err := s.acts.Act(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	if !a.Published() {
		return acts.ErrNotPublished
	}
	d, err := s.actFormData(r, s.cat.T("acts.form.correct", a.Number))
	if err != nil {
		return err
	}
	d.In = inputOf(a)
	d.In.Number = a.Number + "-R"
	d.In.Date = s.acts.Today()
	d.In.Corrects = a.ID
	d.Corrects = &a
	d.Action = "/actes/gestion/nouveau"
	d.CSRFURL = d.Action + "?csrf=" + d.CSRF
	s.render(w, r, http.StatusOK, "acts_form", d)
	return nil
}

// inputOf is the form's values of an act.
func inputOf(a acts.Act) acts.Input {
	in := acts.Input{Kind: a.Kind, Number: a.Number, Date: a.Date, Subject: a.Subject, SessionID: a.SessionID, MatterCode: a.MatterCode,
		Signer: a.Signer, Individual: a.Individual, Public: a.Public, PublicConfirmed: a.Individual && a.Public,
		BudgetYear: a.BudgetYear, BudgetName: a.BudgetName, PrefDate: a.PrefDate}
	if a.Corrects != nil {
		in.Corrects = a.Corrects.ID
	}
	if v := a.Vote; v != nil {
		in.Members, in.Present, in.For, in.Against, in.Abstain = strconv.Itoa(v.Members), strconv.Itoa(v.Present), strconv.Itoa(v.For), strconv.Itoa(v.Against), strconv.Itoa(v.Abstain)
	}
	return in
}

// parseActForm reads the multipart form of a draft into the store's input
// and uploads. The files stay in the request's temporary storage until
// the handler returns.
func (s *Server) parseActForm(w http.ResponseWriter, r *http.Request) (acts.Input, acts.Upload, []acts.Upload, func(), error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.acts.UploadMax*4+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return acts.Input{}, acts.Upload{}, nil, func() {}, err
		}
		return acts.Input{}, acts.Upload{}, nil, func() {}, errBadRequest
	}
	var opened []multipart.File
	closeAll := func() {
		for _, f := range opened {
			f.Close()
		}
		r.MultipartForm.RemoveAll() //nolint:errcheck // temporary files
	}
	v := r.PostFormValue
	id := func(name string) int64 {
		n, _ := strconv.ParseInt(v(name), 10, 64)
		return n
	}
	in := acts.Input{
		Kind: acts.Kind(v("kind")), Number: v("number"), Date: v("date"), Subject: v("subject"), SessionID: id("session"),
		MatterCode: v("matter"), Members: v("vote_members"), Present: v("vote_present"), For: v("vote_for"), Against: v("vote_against"), Abstain: v("vote_abstain"),
		Signer:     acts.Person{First: v("signer_first"), Last: v("signer_last"), Title: v("signer_title")},
		Individual: v("individual") == "1", Public: v("public") == "1", PublicConfirmed: v("public_confirmed") == "1",
		BudgetYear: v("budget_year"), BudgetName: v("budget_name"), PrefDate: v("pref_date"), Corrects: id("corrects"),
	}
	var file acts.Upload
	var annexes []acts.Upload
	for _, fh := range r.MultipartForm.File["file"] {
		if fh.Filename == "" {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return in, file, nil, closeAll, err
		}
		opened = append(opened, f)
		file = acts.Upload{Name: fh.Filename, Body: f}
	}
	for _, fh := range r.MultipartForm.File["annexes"] {
		if fh.Filename == "" {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return in, file, nil, closeAll, err
		}
		opened = append(opened, f)
		annexes = append(annexes, acts.Upload{Name: fh.Filename, Body: f})
	}
	return in, file, annexes, closeAll, nil
}

func (s *Server) actCreate(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireLevel(r, access.Edit); err != nil {
		return err
	}
	in, file, annexes, done, err := s.parseActForm(w, r)
	defer done()
	if err != nil {
		return err
	}
	id, err := s.acts.CreateDraft(r.Context(), s.actor(r), in, file, annexes)
	if ve, ok := formErrors(err); ok {
		d, err := s.actFormData(r, s.cat.T("acts.form.new"))
		if err != nil {
			return err
		}
		d.In, d.Action = in, "/actes/gestion/nouveau"
		d.CSRFURL = d.Action + "?csrf=" + d.CSRF
		if in.Corrects != 0 {
			if a, err := s.acts.Act(r.Context(), principal(r), in.Corrects); err == nil {
				d.Corrects = &a
			}
		}
		return s.unprocessable(w, r, "acts_form", d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "acts.flash.created", acts.URL(id))
}

func (s *Server) actEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.requireLevel(r, access.Edit); err != nil {
		return err
	}
	a, err := s.acts.Act(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	if a.Published() {
		return acts.ErrPublished
	}
	d, err := s.actEditData(r, a)
	if err != nil {
		return err
	}
	d.In = inputOf(a)
	s.render(w, r, http.StatusOK, "acts_form", d)
	return nil
}

func (s *Server) actEditData(r *http.Request, a acts.Act) (*actFormPage, error) {
	d, err := s.actFormData(r, s.cat.T("acts.form.edit", a.Number))
	if err != nil {
		return nil, err
	}
	d.ID, d.Annexes, d.Filename = a.ID, a.Annexes, a.Filename
	d.Action = "/actes/" + strconv.FormatInt(a.ID, 10) + "/modifier"
	d.CSRFURL = d.Action + "?csrf=" + d.CSRF
	if a.Corrects != nil {
		if c, err := s.acts.Act(r.Context(), principal(r), a.Corrects.ID); err == nil {
			d.Corrects = &c
		}
	}
	return d, nil
}

// actSave saves a draft. On a published act the store refuses (409) and
// records the attempt.
func (s *Server) actSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, file, annexes, done, err := s.parseActForm(w, r)
	defer done()
	if err != nil {
		return err
	}
	var remove []int
	for _, v := range r.MultipartForm.Value["remove_annex"] {
		if n, err := strconv.Atoi(v); err == nil {
			remove = append(remove, n)
		}
	}
	err = s.acts.UpdateDraft(r.Context(), s.actor(r), id, in, acts.DraftChange{File: file, AddAnnexes: annexes, RemoveAnnexes: remove})
	if ve, ok := formErrors(err); ok {
		a, err := s.acts.Act(r.Context(), principal(r), id)
		if err != nil {
			return err
		}
		d, err := s.actEditData(r, a)
		if err != nil {
			return err
		}
		d.In = in
		return s.unprocessable(w, r, "acts_form", d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "acts.flash.saved", acts.URL(id))
}

func (s *Server) actDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.acts.DeleteDraft(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "acts.flash.deleted", "/actes/gestion")
}

// actPublishPage confirms a publication: what goes online, and who puts it
// online (first name, name and title, kept with the act).
type actPublishPage struct {
	Page
	Act acts.Act
	Who acts.Person
}

func (s *Server) actPublishData(r *http.Request, id int64) (*actPublishPage, error) {
	if err := s.requireLevel(r, access.Manage); err != nil {
		return nil, err
	}
	a, err := s.acts.Act(r.Context(), principal(r), id)
	if err != nil {
		return nil, err
	}
	if a.Published() {
		return nil, acts.ErrPublished
	}
	return &actPublishPage{Page: s.page(r, s.cat.T("acts.publish.title", a.Number)), Act: a}, nil
}

func (s *Server) actPublishForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.actPublishData(r, id)
	if err != nil {
		return err
	}
	u := currentUser(r)
	if d.Who, err = s.acts.PublisherDefaults(r.Context(), u.ID, u.Name); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "acts_publish", d)
	return nil
}

func (s *Server) actPublish(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	who := acts.Person{First: r.PostFormValue("first"), Last: r.PostFormValue("last"), Title: r.PostFormValue("title")}
	errs := valid.Errors{}
	if r.PostFormValue("confirm") != "1" {
		errs.Add("confirm", "acts.error.confirm")
	}
	if len(errs) == 0 {
		err = s.acts.Publish(r.Context(), s.actor(r), id, who)
		if ve, ok := formErrors(err); ok {
			errs = ve
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		d, err := s.actPublishData(r, id)
		if err != nil {
			return err
		}
		d.Who = who
		return s.unprocessable(w, r, "acts_publish", d, errs)
	}
	return s.seeOther(w, r, "acts.flash.published", acts.URL(id))
}

// actWithdrawPage asks for the reason of a withdrawal.
type actWithdrawPage struct {
	Page
	Act    acts.Act
	Reason string
}

func (s *Server) actWithdrawData(r *http.Request, id int64) (*actWithdrawPage, error) {
	if err := s.requireLevel(r, access.Manage); err != nil {
		return nil, err
	}
	a, err := s.acts.Act(r.Context(), principal(r), id)
	if err != nil {
		return nil, err
	}
	if !a.Published() {
		return nil, acts.ErrNotPublished
	}
	if a.WithdrawnAt != nil {
		return nil, acts.ErrWithdrawn
	}
	return &actWithdrawPage{Page: s.page(r, s.cat.T("acts.withdraw.title", a.Number)), Act: a}, nil
}

func (s *Server) actWithdrawForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.actWithdrawData(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "acts_withdraw", d)
	return nil
}

func (s *Server) actWithdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	err = s.acts.Withdraw(r.Context(), s.actor(r), id, reason)
	if ve, ok := formErrors(err); ok {
		d, err := s.actWithdrawData(r, id)
		if err != nil {
			return err
		}
		d.Reason = reason
		return s.unprocessable(w, r, "acts_withdraw", d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "acts.flash.withdrawn", acts.URL(id))
}

// actsSessionFormPage is the form of a session.
type actsSessionFormPage struct {
	Page
	ID     int64
	In     acts.SessionInput
	Bodies []acts.Body
	Action string
	Events []eventChoice // the agenda's events the secretary may link
}

// eventChoice is one event offered to link a session to.
type eventChoice struct {
	ID    int64
	Label string // « 12 mars 2026 — Comité syndical (Instances) »
}

// sessionForm renders the session form, with the events of the agenda
// the person may see from 18 months before the session to 6 months after
// (the linked one always among them), newest first: nobody types an id.
func (s *Server) sessionForm(w http.ResponseWriter, r *http.Request, status int, d *actsSessionFormPage, ve valid.Errors) error {
	around := s.now()
	if t, err := time.ParseInLocation("2006-01-02", d.In.HeldOn, s.cfg.Location()); err == nil {
		around = t
	}
	list, _, err := s.calendar.FindEvents(r.Context(), principal(r), calendar.EventQuery{From: around.AddDate(0, -18, 0), To: around.AddDate(0, 6, 0), Limit: 300})
	if err != nil {
		return err
	}
	linked := d.In.EventID == 0
	for _, e := range list {
		d.Events = append(d.Events, eventChoice{ID: e.ID, Label: s.cat.Date(e.Start.In(s.cfg.Location())) + " — " + e.Title + " (" + e.CalendarName + ")"})
		linked = linked || e.ID == d.In.EventID
	}
	if !linked {
		if e, _, err := s.calendar.Event(r.Context(), principal(r), d.In.EventID); err == nil {
			d.Events = append([]eventChoice{{ID: e.ID, Label: s.cat.Date(e.Start.In(s.cfg.Location())) + " — " + e.Title}}, d.Events...)
		}
	}
	if ve != nil {
		return s.unprocessable(w, r, "acts_session_form", d, ve)
	}
	s.render(w, r, status, "acts_session_form", d)
	return nil
}

func (s *Server) actsSessionNew(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireLevel(r, access.Edit); err != nil {
		return err
	}
	d := &actsSessionFormPage{Page: s.page(r, s.cat.T("acts.session.new")), Bodies: acts.Bodies,
		In: acts.SessionInput{Body: acts.Comite, HeldOn: s.acts.Today()}, Action: "/actes/gestion/seances/nouvelle"}
	return s.sessionForm(w, r, http.StatusOK, d, nil)
}

func sessionInput(r *http.Request) acts.SessionInput {
	ev, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("event")), 10, 64)
	return acts.SessionInput{Body: acts.Body(r.PostFormValue("body")), HeldOn: r.PostFormValue("held_on"), Place: r.PostFormValue("place"),
		EventID: ev, MinutesApprovedOn: r.PostFormValue("minutes_approved_on")}
}

func (s *Server) actsSessionCreate(w http.ResponseWriter, r *http.Request) error {
	in := sessionInput(r)
	id, err := s.acts.CreateSession(r.Context(), s.actor(r), in)
	if ve, ok := formErrors(err); ok {
		d := &actsSessionFormPage{Page: s.page(r, s.cat.T("acts.session.new")), Bodies: acts.Bodies, In: in, Action: "/actes/gestion/seances/nouvelle"}
		return s.sessionForm(w, r, http.StatusUnprocessableEntity, d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "acts.flash.session_saved", "/actes/seances/"+strconv.FormatInt(id, 10))
}

func (s *Server) actsSessionEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.requireLevel(r, access.Edit); err != nil {
		return err
	}
	ss, err := s.acts.Session(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	d := &actsSessionFormPage{Page: s.page(r, s.cat.T("acts.session.edit")), ID: id, Bodies: acts.Bodies,
		In:     acts.SessionInput{Body: ss.Body, HeldOn: ss.HeldOn, Place: ss.Place, EventID: ss.EventID, MinutesApprovedOn: ss.MinutesApprovedOn},
		Action: "/actes/seances/" + strconv.FormatInt(id, 10) + "/modifier"}
	return s.sessionForm(w, r, http.StatusOK, d, nil)
}

func (s *Server) actsSessionSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := sessionInput(r)
	err = s.acts.UpdateSession(r.Context(), s.actor(r), id, in)
	if ve, ok := formErrors(err); ok {
		d := &actsSessionFormPage{Page: s.page(r, s.cat.T("acts.session.edit")), ID: id, Bodies: acts.Bodies, In: in,
			Action: "/actes/seances/" + strconv.FormatInt(id, 10) + "/modifier"}
		return s.sessionForm(w, r, http.StatusUnprocessableEntity, d, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "acts.flash.session_saved", "/actes/seances/"+strconv.FormatInt(id, 10))
}

func (s *Server) actsSessionDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.acts.DeleteSession(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "acts.flash.session_deleted", "/actes/gestion")
}

// actsSettingsPage is the register's open-data settings.
type actsSettingsPage struct {
	Page
	Settings acts.Settings
}

func (s *Server) actsSettings(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireLevel(r, access.Manage); err != nil {
		return err
	}
	st, err := s.acts.Settings(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "acts_settings", &actsSettingsPage{Page: s.page(r, s.cat.T("acts.settings.title")), Settings: st})
	return nil
}

func (s *Server) actsSettingsSave(w http.ResponseWriter, r *http.Request) error {
	st := acts.Settings{CollName: r.PostFormValue("coll_name"), CollSIRET: r.PostFormValue("coll_siret"), PrefID: r.PostFormValue("pref_id")}
	err := s.acts.SaveSettings(r.Context(), s.actor(r), st)
	if ve, ok := formErrors(err); ok {
		return s.unprocessable(w, r, "acts_settings", &actsSettingsPage{Page: s.page(r, s.cat.T("acts.settings.title")), Settings: st}, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "acts.flash.settings", "/actes/gestion")
}
