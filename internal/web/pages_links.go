package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"portique/internal/documents"
	"portique/internal/pages"
	"portique/internal/search"
)

// linkChoice is one answer of the rich-text editor's link picker.
type linkChoice struct {
	ID     int64  `json:"id,omitempty"` // documents only (the event form's document picker)
	Label  string `json:"label"`
	URL    string `json:"url"`
	Detail string `json:"detail"` // what it is: "Page /a/b", "Document (Dossier)"
}

// maxLinkChoices bounds the picker's answer.
const maxLinkChoices = 20

// pageLinks answers the link picker of the page editor (JSON): the pages
// and documents the person may see whose title contains every word of q
// (accents and case ignored), pages first. With type=documents (the event
// form's document picker), documents only, the newest first when q is empty. Only editors ask it, but it
// reveals nothing a member could not already see: the stores filter by the
// person's rights.
func (s *Server) pageLinks(w http.ResponseWriter, r *http.Request) error {
	ctx, who := r.Context(), principal(r)
	words := strings.Fields(search.Normalize(r.FormValue("q")))
	match := func(title string) bool {
		t := search.Normalize(title)
		for _, w := range words {
			if !strings.Contains(t, w) {
				return false
			}
		}
		return true
	}
	out := []linkChoice{}
	var walk func(l *pages.Link)
	walk = func(l *pages.Link) {
		if l == nil || len(out) >= maxLinkChoices {
			return
		}
		if match(l.Title) {
			out = append(out, linkChoice{Label: l.Title, URL: l.Path, Detail: s.cat.T("pages.links.page", l.Path)})
		}
		for _, c := range l.Children {
			walk(c)
		}
	}
	onlyDocs := r.FormValue("type") == "documents"
	if !onlyDocs {
		root, err := s.pages.SiteMap(ctx, who)
		if err != nil {
			return err
		}
		walk(root)
	}
	if len(words) > 0 || onlyDocs {
		docs, _, err := s.docs.List(ctx, who, documents.ListQuery{Limit: 500})
		if err != nil {
			return err
		}
		for _, d := range docs {
			if len(out) >= maxLinkChoices {
				break
			}
			if match(d.Title) || match(d.Filename) {
				out = append(out, linkChoice{ID: d.ID, Label: d.Title, URL: "/documents/" + strconv.FormatInt(d.ID, 10),
					Detail: s.cat.T("pages.links.document", d.FolderName, humanBytes(d.Size))})
			}
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(out)
}
