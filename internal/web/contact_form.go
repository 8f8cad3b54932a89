package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"portique/internal/captcha"
	"portique/internal/contact"
	"portique/internal/contact/form"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/pages"
	"portique/internal/users"
	"portique/internal/valid"
)

// contactView is a contact form block ready for the page (partial
// "contact-form").
type contactView struct {
	ID        string // "contact-2": prefix of the form's ids
	Action    string
	CSRF      string
	Key       string // submission key: a form sent twice is stored once
	Fields    []contactFieldView
	Purpose   string
	Retention string
	Rights    string
	DPO       string
	Consent   bool
	// Errors in the order of the form, each linking to its field (RGAA 11.10).
	Errors       []contactErrorLink
	ConsentError string
	CaptchaError string
	GeneralError string
	Question     captcha.Question
	Widget       bool
	MaxFiles     int
	MaxFileSize  string
	HasFiles     bool
	Script       string // dist/contact.js: drag and drop, progress bar
}

type contactFieldView struct {
	Name, ID, Label, Kind, Value, Error string
	Autocomplete                        string
	Required                            bool
	Options                             []string
}

type contactErrorLink struct{ Target, Message string }

// contactState is what a visitor sent, when the page is shown again with
// the errors of their message (422).
type contactState struct {
	Index   int
	Values  map[string]string
	Consent bool
	Errors  valid.Errors
}

type contactStateKey struct{}

// contactFormView prepares block i of page p.
func (s *Server) contactFormView(r *http.Request, p *pages.Page, i int, c *form.Config) *contactView {
	if c == nil {
		return nil
	}
	fields, err := form.Parse(c.Fields)
	if err != nil {
		return nil // saved blocks are valid; an old one that is not shows nothing
	}
	st, _ := r.Context().Value(contactStateKey{}).(*contactState)
	if st != nil && st.Index != i {
		st = nil
	}
	id, tok := "contact-"+strconv.Itoa(i), state(r).token()
	v := &contactView{
		ID:     id,
		Action: fmt.Sprintf("/formulaire-contact/%d/%d?csrf=%s", p.ID, i, tok),
		CSRF:   tok, Key: users.NewToken(),
		Purpose: c.Purpose, Retention: c.Retention, Rights: c.Rights, DPO: c.DPO,
		Question: s.captcha.NewQuestion(), Widget: s.static.exists(altchaWidget),
		MaxFiles: s.contact.MaxFiles, MaxFileSize: documents.HumanSize(s.contact.MaxFileSize),
	}
	if s.static.exists("dist/contact.js") {
		v.Script = s.static.url("dist/contact.js")
	}
	if v.Retention == "" {
		v.Retention = s.cat.T("contact.notice.retention_default", int(s.cfg.ContactRetention.Hours()/24))
	}
	if v.Rights == "" {
		v.Rights = s.cat.T("contact.notice.rights_default")
	}
	msg := func(field string) string {
		if st == nil {
			return ""
		}
		if m, ok := st.Errors[field]; ok {
			return s.cat.T(m.Key, m.Args...)
		}
		return ""
	}
	if st != nil {
		v.Consent = st.Consent
		v.GeneralError = msg("")
	}
	for j, f := range fields {
		fv := contactFieldView{Name: form.Name(j), ID: id + "-" + form.Name(j), Label: f.Label, Kind: f.Kind, Required: f.Required, Options: f.Options, Autocomplete: form.Autocomplete(f)}
		if st != nil {
			fv.Value = st.Values[fv.Name]
			fv.Error = msg(fv.Name)
		}
		if fv.Error != "" {
			v.Errors = append(v.Errors, contactErrorLink{Target: fv.ID, Message: fv.Error})
		}
		v.HasFiles = v.HasFiles || f.Kind == form.File
		v.Fields = append(v.Fields, fv)
	}
	if v.ConsentError = msg("consent"); v.ConsentError != "" {
		v.Errors = append(v.Errors, contactErrorLink{Target: id + "-consent", Message: v.ConsentError})
	}
	if v.CaptchaError = msg("captcha"); v.CaptchaError != "" {
		v.Errors = append(v.Errors, contactErrorLink{Target: id + "-question", Message: v.CaptchaError})
	}
	if v.GeneralError != "" {
		v.Errors = append(v.Errors, contactErrorLink{Target: id, Message: v.GeneralError})
	}
	return v
}

// contactBody is the largest message body read: the files allowed plus
// the text fields.
func (s *Server) contactBody() int64 {
	return int64(s.contact.MaxFiles)*s.contact.MaxFileSize + 1<<20
}

// contactSubmit receives a message sent through the contact block
// /formulaire-contact/{page}/{block}: rate limit per client address first
// (a flood gets 429 and reads no body), then the page and its block as
// the visitor may see them, then the store checks and keeps the message.
// Bad input shows the page again with the errors and what was typed (422);
// a form sent twice is stored once.
func (s *Server) contactSubmit(w http.ResponseWriter, r *http.Request) error {
	pageID, err := pathID(r, "page")
	if err != nil {
		return err
	}
	idx, err := strconv.Atoi(r.PathValue("block"))
	if err != nil || idx < 0 {
		return db.ErrNotFound
	}
	ctx := r.Context()
	if err := s.contact.Allow(ctx, clientIP(r)); err != nil {
		return err
	}
	p, block, err := s.contactBlock(r, pageID, idx)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.contactBody())
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return fmt.Errorf("%w: %w", errTooLarge, err)
			}
			return fmt.Errorf("%w: %w", errBadRequest, err)
		}
		defer r.MultipartForm.RemoveAll() //nolint:errcheck
	} else if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %w", errBadRequest, err)
	}
	key := r.PostFormValue("cle")
	if dup, err := s.contact.Received(ctx, key); err != nil {
		return err
	} else if dup {
		return s.seeOther(w, r, "contact.flash.duplicate", p.Path)
	}
	solved, err := s.checkCaptcha(r)
	if err != nil {
		return err
	}
	fields, _ := form.Parse(block.Fields)
	sub := contact.Submission{
		PageID: p.ID, FormTitle: p.Title, Config: *block,
		Values: map[string]string{}, Files: map[string][]contact.Upload{},
		Consent: r.PostFormValue("consentement") == "1", Human: solved, Key: key,
	}
	for i, f := range fields {
		name := form.Name(i)
		if f.Kind == form.File {
			sub.Files[name] = uploads(r, name)
			continue
		}
		sub.Values[name] = r.PostFormValue(name)
	}
	_, err = s.contact.Submit(ctx, s.actor(r), sub)
	if ve, ok := formErrors(err); ok {
		st := &contactState{Index: idx, Values: sub.Values, Consent: sub.Consent, Errors: ve}
		return s.showPage(w, r.WithContext(context.WithValue(ctx, contactStateKey{}, st)), p.Path, http.StatusUnprocessableEntity)
	}
	if errors.Is(err, contact.ErrDuplicate) {
		return s.seeOther(w, r, "contact.flash.duplicate", p.Path)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "contact.flash.sent", p.Path)
}

// contactBlock finds the contact block idx of the published page id, as
// the visitor may see it (db.ErrNotFound otherwise).
func (s *Server) contactBlock(r *http.Request, id int64, idx int) (*pages.Page, *form.Config, error) {
	pg, err := s.pages.Get(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.pages.Show(r.Context(), principal(r), pg.Path, false)
	if err != nil {
		return nil, nil, err
	}
	if v.Redirect != "" || v.Draft || idx >= len(v.Rev.Blocks) || v.Rev.Blocks[idx].Type != pages.BlockContact || v.Rev.Blocks[idx].Contact == nil {
		return nil, nil, db.ErrNotFound
	}
	return v.Page, v.Rev.Blocks[idx].Contact, nil
}

// uploads are the non-empty files of a file field.
func uploads(r *http.Request, name string) []contact.Upload {
	if r.MultipartForm == nil {
		return nil
	}
	var out []contact.Upload
	for _, fh := range r.MultipartForm.File[name] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		out = append(out, contact.Upload{Name: fh.Filename, Size: fh.Size, Open: func() (io.ReadCloser, error) { return fh.Open() }})
	}
	return out
}

// contactDefaults is the configuration of a contact block just added in
// the editor: the catalogue's example fields and notice.
func (s *Server) contactDefaults() *form.Config {
	return &form.Config{
		Fields:  s.cat.T("contact.default.fields"),
		Purpose: s.cat.T("contact.default.purpose"),
		DPO:     s.cat.T("contact.default.dpo"),
	}
}

// contactConfigForm reads the fields of a contact block of the page
// editor (blocks.N.contact_*).
func contactConfigForm(r *http.Request, key func(string) string) *form.Config {
	return &form.Config{
		Fields:    r.FormValue(key("contact_fields")),
		Recipient: r.FormValue(key("contact_recipient")),
		Purpose:   r.FormValue(key("contact_purpose")),
		Retention: r.FormValue(key("contact_retention")),
		Rights:    r.FormValue(key("contact_rights")),
		DPO:       r.FormValue(key("contact_dpo")),
	}
}
