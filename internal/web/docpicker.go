package web

import (
	"net/http"
	"strconv"
	"strings"

	"portique/internal/documents"
)

// The document picker of forms that link documents by number (the event
// form's « Documents liés »; any form that takes document numbers uses the
// same pieces): with JavaScript, web/editor/docpicker.js opens a search
// dialog beside input[data-doc-picker]; without it, the partial
// "doc-picker-fallback" lists the documents the person may see in a
// multiple select named "<field>_ajout", whose choices the handler adds to
// the field (docPickerValue). Nobody has to know a document's number.

// docPickerMax bounds the no-JS list (the newest documents first; the
// search dialog, or the document's number, reaches the others).
const docPickerMax = 200

// docGroup is one folder of the no-JS document list.
type docGroup struct {
	Folder string
	Docs   []docChoice
}

// docChoice is one document of the no-JS list.
type docChoice struct {
	ID    int64
	Label string
}

// docPickerData is what the partial "doc-picker-fallback" draws.
type docPickerData struct {
	Field  string // the text field's name and id ("documents")
	Groups []docGroup
}

// docPicker lists, by folder, the newest documents the person may see
// that the field (current, numbers) does not hold yet.
func (s *Server) docPicker(r *http.Request, field, current string) (*docPickerData, error) {
	have := map[string]bool{}
	for _, id := range strings.FieldsFunc(current, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' }) {
		have[id] = true
	}
	docs, _, err := s.docs.List(r.Context(), principal(r), documents.ListQuery{Limit: docPickerMax})
	if err != nil {
		return nil, err
	}
	d := &docPickerData{Field: field}
	at := map[string]int{}
	for _, doc := range docs {
		if have[strconv.FormatInt(doc.ID, 10)] {
			continue
		}
		i, ok := at[doc.FolderName]
		if !ok {
			i = len(d.Groups)
			at[doc.FolderName] = i
			d.Groups = append(d.Groups, docGroup{Folder: doc.FolderName})
		}
		d.Groups[i].Docs = append(d.Groups[i].Docs, docChoice{ID: doc.ID,
			Label: s.cat.T("pages.docpicker.option", doc.Title, doc.ID)})
	}
	return d, nil
}

// docPickerValue is the field's numbers with those chosen in the no-JS
// list added.
func docPickerValue(typed string, chosen []string) string {
	if len(chosen) == 0 {
		return typed
	}
	parts := []string{}
	if t := strings.TrimSpace(typed); t != "" {
		parts = append(parts, t)
	}
	return strings.Join(append(parts, chosen...), ", ")
}
