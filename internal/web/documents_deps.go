package web

import (
	"net/http"
	"net/url"
	"strconv"

	"portique/internal/access"
	"portique/internal/documents"
)

// Documents returns the document store (app seeds the demo with it and
// runs its extraction jobs).
func (s *Server) Documents() *documents.Store { return s.docs }

func documentURL(id int64) string { return "/documents/" + strconv.FormatInt(id, 10) }

func folderURL(id int64, archived bool) string {
	if archived {
		return "/documents/archives/dossiers/" + strconv.FormatInt(id, 10)
	}
	return "/documents/dossiers/" + strconv.FormatInt(id, 10)
}

func documentObject(id int64) string { return "document:" + strconv.FormatInt(id, 10) }

func folderObject(id int64) string { return "folder:" + strconv.FormatInt(id, 10) }

// documentFieldErrors turns the documents package's French field messages into the
// page's error map.
func documentFieldErrors(p *Page, fe documents.FieldErrors) {
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	for k, v := range fe {
		p.Errors[k] = v
	}
}

// levelOn is p's level on a folder (for showing tools; decisions are taken
// by the store).
func (s *Server) levelOn(r *http.Request, folderID int64) access.Level {
	lvl, err := access.LevelOf(r.Context(), s.db, principal(r), access.Folder, folderID)
	if err != nil {
		return access.None
	}
	return lvl
}

// withQuery returns path?query with one parameter changed.
func withQuery(path string, q url.Values, key, value string) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = append([]string(nil), vs...)
	}
	if value == "" {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}
