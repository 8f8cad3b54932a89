package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"portique/internal/audit"
	"portique/internal/valid"
)

// journalActions are the action prefixes offered in the journal filter.
var journalActions = []string{"login.", "account.", "recovery.", "invitation.", "user.", "group.", "membership.", "password.", "session.", "grant.", "twofa.",
	"page.", "document.", "folder.", "event.", "calendar."}

type journalPage struct {
	Page
	Entries  []audit.Entry
	Actions  []string
	Action   string
	Account  string
	From, To string // AAAA-MM-JJ as entered
	PageNo   int
	PrevURL  string
	NextURL  string
}

const journalPageSize = 50

// adminJournal shows the audit trail, newest first, filtered by action,
// account (email substring) and dates (Paris days, both included).
func (s *Server) adminJournal(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := journalPage{
		Page: s.page(r, s.cat.T("accounts.admin.journal")), Actions: journalActions,
		Action: q.Get("action"), Account: q.Get("compte"), From: q.Get("du"), To: q.Get("au"),
	}
	f := audit.Filter{Action: p.Action, Actor: p.Account, Limit: journalPageSize}
	loc := s.cfg.Location()
	errs := valid.Errors{}
	if p.From != "" {
		d, err := time.ParseInLocation("2006-01-02", p.From, loc)
		if err != nil {
			errs.Add("du", "accounts.journal.bad_date")
		}
		f.From = d
	}
	if p.To != "" {
		d, err := time.ParseInLocation("2006-01-02", p.To, loc)
		if err != nil {
			errs.Add("au", "accounts.journal.bad_date")
		}
		f.To = d.AddDate(0, 0, 1)
	}
	p.PageNo, _ = strconv.Atoi(q.Get("page"))
	if p.PageNo < 1 || p.PageNo > 100000 {
		p.PageNo = 1
	}
	if len(errs) > 0 {
		return s.unprocessable(w, r, "admin_journal", &p, errs)
	}
	f.Offset = (p.PageNo - 1) * journalPageSize
	entries, more, err := s.audits.Find(r.Context(), f)
	if err != nil {
		return err
	}
	if p.Entries, err = s.namedGroups(r.Context(), entries); err != nil {
		return err
	}
	link := func(n int) string {
		v := url.Values{}
		for k, val := range map[string]string{"action": p.Action, "compte": p.Account, "du": p.From, "au": p.To} {
			if val != "" {
				v.Set(k, val)
			}
		}
		v.Set("page", strconv.Itoa(n))
		return "/admin/journal?" + v.Encode()
	}
	if p.PageNo > 1 {
		p.PrevURL = link(p.PageNo - 1)
	}
	if more {
		p.NextURL = link(p.PageNo + 1)
	}
	s.render(w, r, http.StatusOK, "admin_journal", &p)
	return nil
}

// Group ids as the areas write them in the trail (audit details are data):
// the object "group:3", "grants=3:view,4:edit", "groups=3:view",
// "group3=view", "group:3=view".
var (
	groupRef  = regexp.MustCompile(`\bgroup:?(\d+)\b`)
	grantList = regexp.MustCompile(`\b(grants|groups)=([0-9a-z:,]+)`)
	grantItem = regexp.MustCompile(`\b(\d+):`)
)

// namedGroups shows the trail with group names instead of group ids
// ("grants=Élus:view", "group:3 (Élus)"), the names of today; a group
// since deleted keeps its id.
func (s *Server) namedGroups(ctx context.Context, entries []audit.Entry) ([]audit.Entry, error) {
	groups, err := s.groups.List(ctx)
	if err != nil {
		return nil, err
	}
	name := map[string]string{}
	for _, g := range groups {
		name[strconv.FormatInt(g.ID, 10)] = g.Name
	}
	if len(name) == 0 {
		return entries, nil
	}
	named := func(id string) (string, bool) { n, ok := name[id]; return n, ok }
	for i := range entries {
		e := &entries[i]
		if id, ok := strings.CutPrefix(e.Object, "group:"); ok {
			if n, ok := named(id); ok {
				e.Object += " (" + n + ")"
			}
		}
		e.Detail = grantList.ReplaceAllStringFunc(e.Detail, func(m string) string {
			return grantItem.ReplaceAllStringFunc(m, func(item string) string {
				if n, ok := named(strings.TrimSuffix(item, ":")); ok {
					return n + ":"
				}
				return item
			})
		})
		e.Detail = groupRef.ReplaceAllStringFunc(e.Detail, func(m string) string {
			if n, ok := named(groupRef.FindStringSubmatch(m)[1]); ok {
				return n
			}
			return m
		})
	}
	return entries, nil
}
