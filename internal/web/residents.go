package web

import (
	"bufio"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"

	"portique/internal/access"
	"portique/internal/guide"
	"portique/internal/users"
	"portique/internal/valid"
)

// Helpers shared by the residents' services (the sorting guide and the
// directory of recycling centres).

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// csvDownload sends a CSV file written by write, as an attachment.
func (s *Server) csvDownload(w http.ResponseWriter, name string, write func(io.Writer) error) error {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// readUpload reads the CSV file of an import form: the uploaded file
// "fichier", or (the confirmation of a preview) the same bytes carried back
// in the hidden field "donnees", base64-encoded so nothing in them is
// changed by the browser.
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, guide.MaxCSVBytes*2+(1<<20))
	if err := r.ParseMultipartForm(4 << 20); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, valid.One("fichier", "guide.import.error.too_large", guide.MaxCSVBytes>>20)
		}
		return nil, errBadRequest
	}
	if enc := r.PostFormValue("donnees"); enc != "" {
		b, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return nil, errBadRequest
		}
		return b, nil
	}
	f, _, err := r.FormFile("fichier")
	if err != nil {
		return nil, valid.One("fichier", "guide.import.error.no_file")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, guide.MaxCSVBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > guide.MaxCSVBytes {
		return nil, valid.One("fichier", "guide.import.error.too_large", guide.MaxCSVBytes>>20)
	}
	return b, nil
}

// lineErrorView is an import error ready for the template.
type lineErrorView struct {
	Line   int
	Column string
	Text   string
}

func (s *Server) lineErrors(errs []guide.LineError) []lineErrorView {
	out := make([]lineErrorView, 0, len(errs))
	for _, e := range errs {
		out = append(out, lineErrorView{Line: e.Line, Column: e.Field, Text: s.cat.T(e.Msg.Key, e.Msg.Args...)})
	}
	return out
}

// rightsData is the data of the rights forms of the guide and the
// directory (guide_rights.html).
type rightsData struct {
	Page
	Area   string // "guide" or "centres": texts and addresses
	Back   string
	Action string
	Groups []users.Group
	Levels map[int64]string
}

func (s *Server) rightsPage(r *http.Request, area, back, action string, grants []access.Grant) (*rightsData, error) {
	groups, err := s.groups.List(r.Context())
	if err != nil {
		return nil, err
	}
	d := &rightsData{Page: s.page(r, s.cat.T(area+".rights.title")), Area: area, Back: back, Action: action, Groups: groups, Levels: map[int64]string{}}
	for _, g := range grants {
		d.Levels[g.GroupID] = g.Level.String()
	}
	return d, nil
}

// rightsInput reads the rights form: one level per group (acces_{id}).
func (s *Server) rightsInput(r *http.Request) ([]access.Grant, error) {
	groups, err := s.groups.List(r.Context())
	if err != nil {
		return nil, err
	}
	var out []access.Grant
	for _, g := range groups {
		if lvl := access.ParseLevel(r.PostFormValue("acces_" + itoa64(g.ID))); lvl != access.None {
			out = append(out, access.Grant{GroupID: g.ID, Level: lvl})
		}
	}
	return out, nil
}

// encodeUpload carries an uploaded file to the confirmation form.
func encodeUpload(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
