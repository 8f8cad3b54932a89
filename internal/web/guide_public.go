package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"portique/internal/access"
	"portique/internal/centres"
	"portique/internal/guide"
)

// streamView is a stream with its items, for the guide's index.
type streamView struct {
	guide.Stream
	Items []guide.Item
}

// guideIndexData is the data of guide_index.html: the search form, its
// results, and (without a query) every item by stream.
type guideIndexData struct {
	Page
	Q        string
	Searched bool
	Result   guide.Result
	Streams  map[string]guide.Stream
	ByStream []streamView
	Count    int
	CanEdit  bool
}

func (s *Server) streamMap(r *http.Request) (map[string]guide.Stream, []guide.Stream, error) {
	list, err := s.guide.Streams(r.Context())
	if err != nil {
		return nil, nil, err
	}
	m := make(map[string]guide.Stream, len(list))
	for _, st := range list {
		m[st.Code] = st
	}
	return m, list, nil
}

// guideIndex is /ou-jeter: the search (?q=), or the whole guide by stream.
// It works without JavaScript; with it, guide.js turns the field into a
// combobox of instant suggestions.
func (s *Server) guideIndex(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	d := guideIndexData{Page: s.page(r, s.cat.T("guide.title")), Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	d.BodyClass = "guide"
	streams, list, err := s.streamMap(r)
	if err != nil {
		return err
	}
	d.Streams = streams
	if d.Q != "" {
		d.Searched = true
		d.Title = s.cat.T("guide.results_title", d.Q)
		if d.Result, err = s.guide.Find(r.Context(), p, d.Q); err != nil {
			return err
		}
		if len(d.Result.Matches) == 1 && guide.Exact(d.Result.Matches[0], d.Q) {
			// One item named exactly so: its page.
			http.Redirect(w, r, d.Result.Matches[0].URL(), http.StatusSeeOther)
			return nil
		}
	} else {
		items, err := s.guide.List(r.Context(), p)
		if err != nil {
			return err
		}
		d.Count = len(items)
		for _, st := range list {
			v := streamView{Stream: st}
			for _, it := range items {
				if it.Stream == st.Code {
					v.Items = append(v.Items, it)
				}
			}
			if len(v.Items) > 0 {
				d.ByStream = append(d.ByStream, v)
			}
		}
	}
	lvl, err := s.guide.Level(r.Context(), p)
	if err != nil {
		return err
	}
	d.CanEdit = lvl >= access.Edit
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, r, http.StatusOK, "guide_index", &d)
	return nil
}

// suggestion is one instant suggestion, as guide.js reads it.
type suggestion struct {
	Name   string `json:"name"`
	Via    string `json:"via,omitempty"`
	Stream string `json:"stream"`
	URL    string `json:"url"`
}

// guideSuggest answers the combobox: JSON {"q":…, "results":[…]}, at most
// 8 items. Visitors' browsers may keep it a minute.
func (s *Server) guideSuggest(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("q")
	if len(q) > 200 {
		q = q[:200]
	}
	matches, err := s.guide.Suggest(r.Context(), principal(r), q, 8)
	if err != nil {
		return err
	}
	streams, _, err := s.streamMap(r)
	if err != nil {
		return err
	}
	out := struct {
		Q       string       `json:"q"`
		Results []suggestion `json:"results"`
	}{Q: q, Results: make([]suggestion, 0, len(matches))}
	for _, m := range matches {
		out.Results = append(out.Results, suggestion{Name: m.Name, Via: m.Via, Stream: streams[m.Stream].Label, URL: m.URL()})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if currentUser(r) == nil {
		// private: a first answer may carry the visitor's CSRF cookie.
		h.Set("Cache-Control", "private, max-age=60")
	}
	return json.NewEncoder(w).Encode(out)
}

// guideItemData is the data of guide_item.html.
type guideItemData struct {
	Page
	Item    *guide.Item
	Stream  guide.Stream
	Centres []centres.Centre
	CanEdit bool
}

// guideItem is an item's page: where it goes, how, and which centres take it.
func (s *Server) guideItem(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	it, err := s.guide.Get(r.Context(), p, r.PathValue("slug"))
	if err != nil {
		return err
	}
	streams, _, err := s.streamMap(r)
	if err != nil {
		return err
	}
	cs, err := s.centres.ForItem(r.Context(), p, it.ID)
	if err != nil {
		return err
	}
	lvl, err := s.guide.Level(r.Context(), p)
	if err != nil {
		return err
	}
	d := guideItemData{Page: s.page(r, it.Name), Item: it, Stream: streams[it.Stream], Centres: cs, CanEdit: lvl >= access.Edit}
	d.Breadcrumb = []NavItem{{Label: s.cat.T("site.home"), URL: "/"}, {Label: s.cat.T("guide.title"), URL: "/ou-jeter"}, {Label: it.Name, Current: true}}
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, r, http.StatusOK, "guide_item", &d)
	return nil
}

// guideImage serves an item's picture (View on the guide).
func (s *Server) guideImage(w http.ResponseWriter, r *http.Request) error {
	data, mt, err := s.guide.Image(r.Context(), principal(r), r.PathValue("slug"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=3600")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", mt)
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(data) //nolint:errcheck // the client went away
	return nil
}
