package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"portique/internal/access"
	"portique/internal/collecte"
	"portique/internal/db"
	"portique/internal/users"
	"portique/internal/valid"
)

// The editors' other tools: streams, holidays and exceptions, CSV import
// and export, and (administrators) who may edit.

type collecteStreamForm struct {
	collecte.Stream
	Input  collecte.StreamInput
	Prefix string
}

type collecteStreamsPage struct {
	Page
	Streams []collecteStreamForm
	New     collecte.StreamInput
}

func (s *Server) collecteStreamsData(r *http.Request) (collecteStreamsPage, error) {
	p := collecteStreamsPage{Page: s.page(r, s.cat.T("collecte.streams.title")), New: collecte.StreamInput{Colour: "#1b5e20"}}
	p.Breadcrumb = []NavItem{{Label: s.cat.T("collecte.manage.title"), URL: "/collecte/gestion"}, {Label: p.Title, Current: true}}
	if err := s.collecte.CheckEdit(r.Context(), principal(r)); err != nil {
		return p, err
	}
	sts, err := s.collecte.Streams(r.Context(), principal(r))
	for _, st := range sts {
		p.Streams = append(p.Streams, collecteStreamForm{Stream: st, Prefix: "t" + strconv.FormatInt(st.ID, 10) + "-",
			Input: collecte.StreamInput{Name: st.Name, Code: st.Code, Colour: st.Colour, Help: st.Help, Position: strconv.Itoa(st.Position)}})
	}
	return p, err
}

func streamForm(r *http.Request, prefix string) collecte.StreamInput {
	return collecte.StreamInput{Name: r.PostFormValue(prefix + "stream_name"), Code: r.PostFormValue(prefix + "stream_code"),
		Colour: r.PostFormValue(prefix + "stream_colour"), Help: r.PostFormValue(prefix + "stream_help"), Position: r.PostFormValue(prefix + "stream_position")}
}

func (s *Server) collecteStreams(w http.ResponseWriter, r *http.Request) error {
	p, err := s.collecteStreamsData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "collecte_streams", &p)
	return nil
}

func (s *Server) collecteStreamCreate(w http.ResponseWriter, r *http.Request) error {
	in := streamForm(r, "")
	_, err := s.collecte.CreateStream(r.Context(), s.actor(r), in)
	if ve, ok := formErrors(err); ok {
		p, err := s.collecteStreamsData(r)
		if err != nil {
			return err
		}
		p.New = in
		return s.unprocessable(w, r, "collecte_streams", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.stream_saved", "/collecte/gestion/flux")
}

func (s *Server) collecteStreamUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	prefix := "t" + strconv.FormatInt(id, 10) + "-"
	in := streamForm(r, prefix)
	err = s.collecte.UpdateStream(r.Context(), s.actor(r), id, in)
	if ve, ok := formErrors(err); ok {
		p, err := s.collecteStreamsData(r)
		if err != nil {
			return err
		}
		for i := range p.Streams {
			if p.Streams[i].ID == id {
				p.Streams[i].Input = in
			}
		}
		return s.unprocessable(w, r, "collecte_streams", &p, prefixed(ve, prefix))
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.stream_saved", "/collecte/gestion/flux")
}

func (s *Server) collecteStreamDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.collecteStreamsData(r)
	if err != nil {
		return err
	}
	var st *collecte.Stream
	for i := range p.Streams {
		if p.Streams[i].ID == id {
			st = &p.Streams[i].Stream
		}
	}
	if st == nil {
		return db.ErrNotFound
	}
	scheds, excs, err := s.collecte.StreamUse(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	c := collecteConfirmPage{Page: s.page(r, s.cat.T("collecte.streams.delete_title", st.Name)),
		Message: s.cat.T("collecte.streams.delete_confirm", st.Name, scheds, excs),
		Action:  "/collecte/gestion/flux/" + strconv.FormatInt(id, 10) + "/supprimer", Back: "/collecte/gestion/flux", Button: s.cat.T("collecte.streams.delete")}
	s.render(w, r, http.StatusOK, "collecte_confirm", &c)
	return nil
}

func (s *Server) collecteStreamDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.collecte.DeleteStream(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.stream_deleted", "/collecte/gestion/flux")
}

// collecteHolidayRow is a public holiday of the coming year as the
// editors' page lists it.
type collecteHolidayRow struct {
	collecte.HolidayCase
	Label      string
	Decisions  []collecteDecision
	DecideURL  string
	Collecting bool
}

type collecteDecision struct {
	ID   int64
	Text string
}

type collecteExceptionsPage struct {
	Page
	Holidays []collecteHolidayRow
	Others   []collecteDecision // exceptions on other days, from today
	Form     collecte.ExceptionInput
	Streams  []collecte.Stream
	Communes []collecte.Commune
}

func (s *Server) decisionText(e collecte.Exception) string {
	scope := s.cat.T("collecte.exceptions.scope_all")
	switch {
	case e.StreamName != "" && e.CommuneName != "":
		scope = s.cat.T("collecte.exceptions.scope_both", e.StreamName, e.CommuneName)
	case e.StreamName != "":
		scope = s.cat.T("collecte.exceptions.scope_stream", e.StreamName)
	case e.CommuneName != "":
		scope = s.cat.T("collecte.exceptions.scope_commune", e.CommuneName)
	}
	var what string
	switch e.Action {
	case collecte.ActionMove:
		what = s.cat.T("collecte.exceptions.moved_to", s.dayLabel(e.Replacement, true))
	case collecte.ActionCancel:
		what = s.cat.T("collecte.exceptions.cancelled")
	default:
		what = s.cat.T("collecte.exceptions.kept")
	}
	out := s.cat.T("collecte.exceptions.decision", s.dayLabel(e.Day, true), scope, what)
	if e.Note != "" {
		out += " — " + e.Note
	}
	return out
}

func (s *Server) collecteExceptionsData(r *http.Request) (collecteExceptionsPage, error) {
	ctx := r.Context()
	p := collecteExceptionsPage{Page: s.page(r, s.cat.T("collecte.exceptions.title"))}
	p.Breadcrumb = []NavItem{{Label: s.cat.T("collecte.manage.title"), URL: "/collecte/gestion"}, {Label: p.Title, Current: true}}
	if err := s.collecte.CheckEdit(ctx, principal(r)); err != nil {
		return p, err
	}
	today := s.collecte.Today()
	end := today.AddDate(1, 1, 0)
	cases, err := s.collecte.HolidayCases(ctx, principal(r), today, end)
	if err != nil {
		return p, err
	}
	holiday := map[time.Time]bool{}
	for _, h := range cases {
		row := collecteHolidayRow{HolidayCase: h, Label: s.dayLabel(h.Day, true), Collecting: h.Communes > 0,
			DecideURL: "/collecte/gestion/exceptions?jour=" + collecte.FormatDay(h.Day) + "#decision"}
		for _, e := range h.Exceptions {
			row.Decisions = append(row.Decisions, collecteDecision{ID: e.ID, Text: s.decisionText(e)})
		}
		holiday[h.Day] = true
		p.Holidays = append(p.Holidays, row)
	}
	all, err := s.collecte.Exceptions(ctx, principal(r), today.AddDate(0, 0, -7), end.AddDate(1, 0, 0))
	if err != nil {
		return p, err
	}
	for _, e := range all {
		if !holiday[e.Day] {
			p.Others = append(p.Others, collecteDecision{ID: e.ID, Text: s.decisionText(e)})
		}
	}
	if p.Streams, err = s.collecte.Streams(ctx, principal(r)); err != nil {
		return p, err
	}
	p.Communes, err = s.collecte.Communes(ctx, principal(r))
	return p, err
}

func (s *Server) collecteExceptions(w http.ResponseWriter, r *http.Request) error {
	p, err := s.collecteExceptionsData(r)
	if err != nil {
		return err
	}
	p.Form.Action = collecte.ActionMove
	if d, ok := collecte.ParseDay(r.URL.Query().Get("jour")); ok {
		// Deciding for a holiday: the next day is the usual replacement.
		p.Form.Day = collecte.FormatDay(d)
		next := d.AddDate(0, 0, 1)
		if next.Weekday() == time.Sunday {
			next = next.AddDate(0, 0, 1)
		}
		p.Form.Replacement = collecte.FormatDay(next)
	}
	s.render(w, r, http.StatusOK, "collecte_exceptions", &p)
	return nil
}

func (s *Server) collecteExceptionSet(w http.ResponseWriter, r *http.Request) error {
	in := collecte.ExceptionInput{Day: r.PostFormValue("day"), StreamID: r.PostFormValue("exception_stream"), CommuneID: r.PostFormValue("exception_commune"),
		Action: r.PostFormValue("action"), Replacement: r.PostFormValue("replacement"), Note: r.PostFormValue("note")}
	_, err := s.collecte.SetException(r.Context(), s.actor(r), in)
	if ve, ok := formErrors(err); ok {
		p, err := s.collecteExceptionsData(r)
		if err != nil {
			return err
		}
		p.Form = in
		return s.unprocessable(w, r, "collecte_exceptions", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.exception_saved", "/collecte/gestion/exceptions")
}

func (s *Server) collecteExceptionDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.collecte.DeleteException(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.exception_deleted", "/collecte/gestion/exceptions")
}

// collecteImportPage is the CSV import: the form, then the preview with
// every error of the file, then the confirmation.
type collecteImportPage struct {
	Page
	Report     *collecte.ImportReport
	LineErrors []collecteLineError
	Data       string // the previewed file, sent back to be applied
}

type collecteLineError struct {
	Line    int
	Column  string
	Message string
}

func (s *Server) collecteImportData(r *http.Request) (collecteImportPage, error) {
	p := collecteImportPage{Page: s.page(r, s.cat.T("collecte.import.title"))}
	p.Breadcrumb = []NavItem{{Label: s.cat.T("collecte.manage.title"), URL: "/collecte/gestion"}, {Label: p.Title, Current: true}}
	return p, s.collecte.CheckEdit(r.Context(), principal(r))
}

func (s *Server) collecteImportForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.collecteImportData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "collecte_import", &p)
	return nil
}

// maxImportBody bounds the import's request: the file's 2 MB, pasted or
// uploaded, and the form around it.
const maxImportBody = 5 << 20

// importBytes reads the file of the import form: an uploaded file, or the
// text pasted (or sent back by the preview) in "data".
func importBytes(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBody)
	if err := r.ParseMultipartForm(maxImportBody); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, valid.One("file", "collecte.import.error.too_large", 2)
		}
		if !errors.Is(err, http.ErrNotMultipart) {
			return nil, valid.One("file", "collecte.import.error.unreadable_upload")
		}
	}
	if f, _, err := r.FormFile("file"); err == nil {
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxImportBody))
		if err != nil {
			return nil, valid.One("file", "collecte.import.error.unreadable_upload")
		}
		if len(bytes.TrimSpace(b)) > 0 {
			return b, nil
		}
	}
	return []byte(r.FormValue("data")), nil
}

func (s *Server) collecteImportRun(w http.ResponseWriter, r *http.Request, apply bool) error {
	p, err := s.collecteImportData(r)
	if err != nil {
		return err
	}
	data, err := importBytes(w, r)
	if ve, ok := formErrors(err); ok {
		return s.unprocessable(w, r, "collecte_import", &p, ve)
	}
	rep, err := s.collecte.Import(r.Context(), s.actor(r), data, apply)
	if ve, ok := formErrors(err); ok {
		return s.unprocessable(w, r, "collecte_import", &p, ve)
	}
	if err != nil {
		return err
	}
	if rep.Applied {
		return s.seeOther(w, r, "collecte.flash.imported", "/collecte/gestion")
	}
	p.Report = &rep
	p.Data = string(data)
	for _, e := range rep.Errors {
		p.LineErrors = append(p.LineErrors, collecteLineError{Line: e.Line, Column: e.Column, Message: s.cat.T(e.Key, e.Args...)})
	}
	status := http.StatusOK
	if len(rep.Errors) > 0 {
		status = http.StatusUnprocessableEntity
		p.Data = ""
	}
	s.render(w, r, status, "collecte_import", &p)
	return nil
}

func (s *Server) collecteImportPreview(w http.ResponseWriter, r *http.Request) error {
	return s.collecteImportRun(w, r, false)
}

func (s *Server) collecteImportApply(w http.ResponseWriter, r *http.Request) error {
	return s.collecteImportRun(w, r, true)
}

func (s *Server) collecteExport(w http.ResponseWriter, r *http.Request) error {
	if err := s.collecte.CheckEdit(r.Context(), principal(r)); err != nil {
		return err
	}
	var buf bytes.Buffer
	var err error
	file := r.PathValue("file")
	switch file {
	case "communes.csv":
		err = s.collecte.ExportCommunes(r.Context(), &buf, principal(r))
	case "calendriers.csv":
		err = s.collecte.ExportSchedules(r.Context(), &buf, principal(r))
	default:
		return db.ErrNotFound
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+file+`"`)
	_, err = w.Write(buf.Bytes())
	return err
}

// collecteRightsPage says which groups read and edit the collection days.
type collecteRightsPage struct {
	Page
	Groups []users.Group
	Levels map[int64]string
}

func (s *Server) collecteRightsData(r *http.Request) (collecteRightsPage, error) {
	p := collecteRightsPage{Page: s.page(r, s.cat.T("collecte.rights.title")), Levels: map[int64]string{}}
	p.Breadcrumb = []NavItem{{Label: s.cat.T("site.admin"), URL: "/admin"}, {Label: p.Title, Current: true}}
	grants, err := s.collecte.Grants(r.Context(), principal(r))
	if err != nil {
		return p, err
	}
	for _, g := range grants {
		p.Levels[g.GroupID] = g.Level.String()
	}
	p.Groups, err = s.groups.List(r.Context())
	return p, err
}

func (s *Server) collecteRights(w http.ResponseWriter, r *http.Request) error {
	p, err := s.collecteRightsData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "collecte_rights", &p)
	return nil
}

func (s *Server) collecteRightsSave(w http.ResponseWriter, r *http.Request) error {
	p, err := s.collecteRightsData(r)
	if err != nil {
		return err
	}
	var grants []access.Grant
	for _, g := range p.Groups {
		if lvl := access.ParseLevel(r.PostFormValue("acces_" + strconv.FormatInt(g.ID, 10))); lvl != access.None {
			grants = append(grants, access.Grant{GroupID: g.ID, Level: lvl})
		}
	}
	if err := s.collecte.SetGrants(r.Context(), s.actor(r), grants); err != nil {
		return err
	}
	return s.seeOther(w, r, "collecte.flash.rights_saved", "/admin/collecte")
}
