package web

import (
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/documents"
	"portique/internal/pages"
	"portique/internal/valid"
)

// actsIndexPage is the public register: filters, results, the export links.
type actsIndexPage struct {
	Page
	Kinds    []acts.Kind
	Years    []int
	Sessions []acts.Session
	// The filters as typed.
	Kind, Year, Session, From, To, Q string
	Acts                             []acts.Act
	Snippets                         map[int64]template.HTML
	Total                            int
	Searched                         bool
	PageNum                          int
	Prev, Next                       string
	Level                            access.Level
}

const actsPerPage = 30

// parseActsFilter reads the register's filters from a query string; bad
// values give field errors (keyed by the query parameter).
func parseActsFilter(q url.Values) (acts.Filter, valid.Errors) {
	errs := valid.Errors{}
	f := acts.Filter{Text: strings.TrimSpace(q.Get("q"))}
	if k := q.Get("type"); k != "" {
		if !acts.Kind(k).Valid() {
			errs.Add("type", "acts.error.kind")
		}
		f.Kind = acts.Kind(k)
	}
	if y := q.Get("annee"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1900 || n > 2200 {
			errs.Add("annee", "acts.error.year")
		}
		f.Year = n
	}
	if v := q.Get("seance"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs.Add("seance", "acts.error.session")
		}
		f.SessionID = n
	}
	for _, d := range []struct {
		name string
		out  *string
	}{{"du", &f.From}, {"au", &f.To}} {
		if v := strings.TrimSpace(q.Get(d.name)); v != "" {
			day, ok := acts.ParseDay(v)
			if !ok {
				errs.Add(d.name, "acts.error.date")
			}
			*d.out = day
		}
	}
	if len(errs) > 0 {
		return f, errs
	}
	return f, nil
}

// actsIndex is the public register at /actes: ?type=…&annee=…&seance=…&du=…&au=…&q=…
func (s *Server) actsIndex(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	pr := principal(r)
	q := r.URL.Query()
	d := &actsIndexPage{
		Page: s.page(r, s.cat.T("acts.title")), Kinds: acts.Kinds,
		Kind: q.Get("type"), Year: q.Get("annee"), Session: q.Get("seance"), From: q.Get("du"), To: q.Get("au"), Q: strings.TrimSpace(q.Get("q")),
		PageNum: 1,
	}
	var err error
	if d.Level, err = s.acts.Level(ctx, pr); err != nil {
		return err
	}
	if d.Years, err = s.acts.Years(ctx, pr); err != nil {
		return err
	}
	if d.Sessions, err = s.acts.Sessions(ctx, pr, 0); err != nil {
		return err
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n <= 1000 {
		d.PageNum = n
	}
	f, errs := parseActsFilter(q)
	if errs != nil {
		return s.unprocessable(w, r, "acts_index", d, errs)
	}
	f.Limit, f.Offset = actsPerPage, (d.PageNum-1)*actsPerPage
	d.Searched = f.Text != ""
	list, total, snippets, err := s.acts.Find(ctx, pr, f)
	if err != nil {
		return err
	}
	d.Acts, d.Total = list, total
	d.Snippets = map[int64]template.HTML{}
	for id, sn := range snippets {
		d.Snippets[id] = template.HTML(pages.SanitizeSnippet(sn)) //nolint:gosec // escaped text with <mark>, sanitised
	}
	link := func(n int) string {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(n))
		return "/actes?" + v.Encode()
	}
	if d.PageNum > 1 {
		d.Prev = link(d.PageNum - 1)
	}
	if d.PageNum*actsPerPage < total {
		d.Next = link(d.PageNum + 1)
	}
	s.render(w, r, http.StatusOK, "acts_index", d)
	return nil
}

// actShowPage is the page of one act.
type actShowPage struct {
	Page
	Act   acts.Act
	Level access.Level
	// Fingerprint is the SHA-256 recorded at publication, in groups of
	// eight for reading aloud or comparing by eye.
	Fingerprint []string
	URL         string // the permanent download address, absolute
}

func (s *Server) actShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	pr := principal(r)
	a, err := s.acts.Act(ctx, pr, id)
	if err != nil {
		return err
	}
	d := &actShowPage{Page: s.page(r, s.cat.T("acts.kind."+string(a.Kind))+" "+a.Number), Act: a, URL: s.absURL(r, acts.FileURL(a.ID))}
	if d.Level, err = s.acts.Level(ctx, pr); err != nil {
		return err
	}
	sum := a.SHA256
	if a.Publication != nil {
		sum = a.Publication.SHA256
	}
	for i := 0; i+8 <= len(sum); i += 8 {
		d.Fingerprint = append(d.Fingerprint, sum[i:i+8])
	}
	d.Breadcrumb = []NavItem{{Label: s.cat.T("acts.title"), URL: "/actes"}, {Label: d.Title, Current: true}}
	s.render(w, r, http.StatusOK, "acts_show", d)
	return nil
}

// absURL is the site's public address of path (the configured base URL,
// never the request's Host for what is published).
func (s *Server) absURL(r *http.Request, path string) string {
	base := strings.TrimSuffix(s.cfg.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + path
}

// actDownload serves an act's file (or ?annexe=N) at its permanent
// address, after the register's rule on this very request: a draft is not
// found by whoever may not see it. The SHA-256 recorded at publication is
// sent as the representation's digest and ETag, so anyone can check the
// bytes they received.
func (s *Server) actDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	no := 0
	if v := r.URL.Query().Get("annexe"); v != "" {
		if no, err = strconv.Atoi(v); err != nil || no <= 0 {
			return errBadRequest
		}
	}
	a, f, fh, err := s.acts.Open(r.Context(), principal(r), id, no)
	if err != nil {
		return err
	}
	defer fh.Close()
	sum := f.SHA256
	if no == 0 && a.Publication != nil {
		sum = a.Publication.SHA256
	}
	h := w.Header()
	h.Set("Content-Type", f.MediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	inline := r.URL.Query().Get("inline") == "1"
	h.Set("Content-Disposition", documents.ContentDisposition(f.Filename, inline))
	h.Set("ETag", `"`+sum+`"`)
	if raw, err := hex.DecodeString(sum); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(raw)+":")
	}
	if a.Published() && a.Public {
		h.Set("Cache-Control", "public, max-age=300")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	if inline {
		h.Set("Content-Security-Policy", "default-src 'none'; object-src 'self'; frame-ancestors 'none'")
	} else {
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	}
	modified := a.UpdatedAt
	if a.Publication != nil {
		modified = a.Publication.At
	}
	http.ServeContent(w, r, "", modified, fh)
	return nil
}

// actsSessionPage is the page of a session.
type actsSessionPage struct {
	Page
	Session acts.Session
	Level   access.Level
}

func (s *Server) actsSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	pr := principal(r)
	ss, err := s.acts.Session(ctx, pr, id)
	if err != nil {
		return err
	}
	d := &actsSessionPage{Session: ss}
	d.Page = s.page(r, s.cat.T("acts.session.title", s.cat.T("acts.body."+string(ss.Body)), frenchDate(ss.Day())))
	if d.Level, err = s.acts.Level(ctx, pr); err != nil {
		return err
	}
	d.Breadcrumb = []NavItem{{Label: s.cat.T("acts.title"), URL: "/actes"}, {Label: d.Title, Current: true}}
	s.render(w, r, http.StatusOK, "acts_session", d)
	return nil
}

// actsCSV is the open-data export of the published deliberations,
// following the SCDL « Délibérations » schema.
func (s *Server) actsCSV(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.acts.Deliberations(r.Context(), access.Anonymous(), s.absURL(r, ""))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="deliberations.csv"`)
	w.Header().Set("Cache-Control", "public, max-age=300")
	return acts.WriteCSV(w, rows)
}

// actsJSON is the same data as JSON.
func (s *Server) actsJSON(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.acts.Deliberations(r.Context(), access.Anonymous(), s.absURL(r, ""))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	return acts.WriteJSON(w, rows)
}
