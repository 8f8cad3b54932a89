package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"portique/internal/access"
	"portique/internal/contact"
)

// inboxData is the data of contact_inbox.html.
type inboxData struct {
	Page
	Messages  []*contact.Message
	Total     int
	Status    string
	Offset    int
	Next      int // offset of the next page, 0 when none
	Prev      int // offset of the previous page, -1 when none
	Unsent    int
	CanRights bool
	Retention int // days
}

const inboxPage = 50

// contactInbox lists the messages (Manage on the inbox), newest first,
// filtered by status ("a-traiter", "traites").
func (s *Server) contactInbox(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := contact.Filter{Limit: inboxPage}
	d := inboxData{Page: s.page(r, s.cat.T("contact.inbox.title")), Prev: -1, Retention: int(s.cfg.ContactRetention.Hours() / 24)}
	switch q.Get("statut") {
	case "a-traiter":
		f.Status, d.Status = "todo", "a-traiter"
	case "traites":
		f.Status, d.Status = "done", "traites"
	}
	f.Offset, _ = strconv.Atoi(q.Get("depuis"))
	f.Offset = max(f.Offset, 0)
	msgs, total, err := s.contact.List(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	d.Messages, d.Total, d.Offset = msgs, total, f.Offset
	if f.Offset+len(msgs) < total {
		d.Next = f.Offset + inboxPage
	}
	if f.Offset > 0 {
		d.Prev = max(f.Offset-inboxPage, 0)
	}
	if d.Unsent, err = s.contact.Unsent(r.Context(), principal(r)); err != nil {
		return err
	}
	d.CanRights = principal(r).Admin
	s.render(w, r, http.StatusOK, "contact_inbox", &d)
	return nil
}

// messageData is the data of contact_message.html.
type messageData struct {
	Page
	M *contact.Message
}

// contactMessage shows one message (Manage on the inbox).
func (s *Server) contactMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.contact.Get(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	title := m.Subject
	if title == "" {
		title = s.cat.T("contact.message.untitled", m.ID)
	}
	d := messageData{Page: s.page(r, title), M: m}
	d.Breadcrumb = []NavItem{{Label: s.cat.T("contact.inbox.title"), URL: "/admin/messages"}, {Label: title, Current: true}}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "contact_message", &d)
	return nil
}

// contactMessageStatus marks a message "traité" or back to do.
func (s *Server) contactMessageStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	done := r.PostFormValue("traite") == "1"
	if err := s.contact.SetDone(r.Context(), s.actor(r), id, done); err != nil {
		return err
	}
	key := "contact.flash.todo"
	if done {
		key = "contact.flash.done"
	}
	return s.seeOther(w, r, key, "/admin/messages/"+strconv.FormatInt(id, 10))
}

// contactAttachment serves a file of a message to staff who may read the
// inbox, always as a download: visitors' files are never shown inline.
func (s *Server) contactAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	fid, err := pathID(r, "file")
	if err != nil {
		return err
	}
	a, err := s.contact.Attachment(r.Context(), principal(r), id, fid)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", a.MediaType)
	h.Set("Content-Length", strconv.FormatInt(int64(len(a.Data)), 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Write(a.Data) //nolint:errcheck // the client went away
	return nil
}

// contactExport downloads the inbox as CSV.
func (s *Server) contactExport(w http.ResponseWriter, r *http.Request) error {
	// The access rule is checked before anything is written.
	if _, err := s.contact.Grants(r.Context(), principal(r)); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", "attachment; filename="+url.PathEscape("messages-"+s.now().In(s.cfg.Location()).Format("2006-01-02")+".csv"))
	h.Set("Cache-Control", "no-store")
	w.Write([]byte("\ufeff")) //nolint:errcheck // spreadsheets read the UTF-8 mark
	return s.contact.Export(r.Context(), principal(r), w, s.cfg.Location())
}

// contactRights shows who may read the inbox (administrators).
func (s *Server) contactRights(w http.ResponseWriter, r *http.Request) error {
	grants, err := s.contact.Grants(r.Context(), principal(r))
	if err != nil {
		return err
	}
	d, err := s.rightsPage(r, "contact", "/admin/messages", "/admin/messages/droits", grants)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "guide_rights", d)
	return nil
}

// contactRightsSave changes who may read the inbox.
func (s *Server) contactRightsSave(w http.ResponseWriter, r *http.Request) error {
	grants, err := s.rightsInput(r)
	if err != nil {
		return err
	}
	// Only "manage" means something on the inbox: reading it is managing it.
	for i := range grants {
		grants[i].Level = access.Manage
	}
	if err := s.contact.SetGrants(r.Context(), s.actor(r), grants); err != nil {
		return err
	}
	return s.seeOther(w, r, "contact.flash.rights", "/admin/messages")
}
