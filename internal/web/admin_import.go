package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"portique/internal/users"
	"portique/internal/valid"
)

// importPage is /admin/utilisateurs/import: the file form, then the
// preview with the errors of each line, then the confirmation.
type importPage struct {
	Page
	Data    string // the file's text, carried from the preview to the confirmation
	Rows    []importLine
	Valid   bool
	Errored int
}

type importLine struct {
	users.ImportRow
	Messages []string
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request) error {
	p := importPage{Page: s.page(r, s.cat.T("accounts.import.title"))}
	s.render(w, r, http.StatusOK, "admin_users_import", &p)
	return nil
}

// importData reads the file of the form (multipart) or the text carried
// by the preview (the "data" field of the confirmation).
func importData(w http.ResponseWriter, r *http.Request) (string, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, 5<<20)
		f, _, err := r.FormFile("fichier")
		if err != nil {
			return "", valid.One("fichier", "accounts.import.error.no_file")
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, 4<<20))
		if err != nil {
			return "", valid.One("fichier", "accounts.import.error.unreadable")
		}
		return string(b), nil
	}
	return r.PostFormValue("data"), nil
}

// importCheck parses and checks the file, filling the preview.
func (s *Server) importCheck(w http.ResponseWriter, r *http.Request) (*importPage, []users.ImportRow, error) {
	p := &importPage{Page: s.page(r, s.cat.T("accounts.import.title"))}
	data, err := importData(w, r)
	if err == nil {
		var rows []users.ImportRow
		rows, err = users.ParseImport(strings.NewReader(data))
		if err == nil {
			p.Data = data
			p.Valid, err = s.accounts.CheckImport(r.Context(), s.actor(r), rows)
			p.fill(s, rows)
			return p, rows, err
		}
	}
	var ve valid.Errors
	if errors.As(err, &ve) {
		if m, ok := ve["file"]; ok { // the parser names the whole file "file"
			ve = valid.Errors{"fichier": m}
		}
		return p, nil, ve
	}
	return p, nil, err
}

func (p *importPage) fill(s *Server, rows []users.ImportRow) {
	p.Rows, p.Errored = nil, 0
	for _, r := range rows {
		l := importLine{ImportRow: r}
		for _, m := range r.Errors {
			l.Messages = append(l.Messages, s.cat.T(m.Key, m.Args...))
		}
		if len(l.Messages) > 0 {
			p.Errored++
		}
		p.Rows = append(p.Rows, l)
	}
}

func (s *Server) importPreview(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.importCheck(w, r)
	if ve, ok := formErrors(err); ok {
		return s.unprocessable(w, r, "admin_users_import", p, ve)
	}
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !p.Valid {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "admin_users_import", p)
	return nil
}

func (s *Server) importConfirm(w http.ResponseWriter, r *http.Request) error {
	p, rows, err := s.importCheck(w, r)
	if ve, ok := formErrors(err); ok {
		return s.unprocessable(w, r, "admin_users_import", p, ve)
	}
	if err != nil {
		return err
	}
	if !p.Valid {
		s.render(w, r, http.StatusUnprocessableEntity, "admin_users_import", p)
		return nil
	}
	_, err = s.accounts.Import(r.Context(), s.actor(r), rows)
	if errors.Is(err, users.ErrImportInvalid) {
		p.Valid = false
		p.fill(s, rows)
		s.render(w, r, http.StatusUnprocessableEntity, "admin_users_import", p)
		return nil
	}
	if ve, ok := formErrors(err); ok { // an address taken in between
		return s.unprocessable(w, r, "admin_users_import", p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "accounts.import.flash.done", "/admin/utilisateurs")
}
