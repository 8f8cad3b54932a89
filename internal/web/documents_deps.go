package web

import (
	"net/url"
	"strconv"
	"strings"

	"portique/internal/documents"
	"portique/internal/valid"
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

// joinMessages translates the messages of several files of one form (an
// upload of many) into one text for their field.
func (s *Server) joinMessages(msgs []valid.Message) string {
	parts := make([]string, len(msgs))
	for i, m := range msgs {
		parts[i] = s.cat.T(m.Key, m.Args...)
	}
	return strings.Join(parts, " ")
}

// reasonText is the text saying why a document has no indexable text: the
// store keeps a catalogue key (extract.Reason*); a value that is not one
// (written by an older version) is shown as it is.
func (s *Server) reasonText(reason string) string {
	switch {
	case reason == "":
		return s.cat.T("documents.reason.unknown")
	case strings.HasPrefix(reason, "documents.reason.") && s.cat.Has(reason):
		return s.cat.T(reason)
	}
	return reason
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
