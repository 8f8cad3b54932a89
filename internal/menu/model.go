// Package menu owns the main menu that editors compose (issue 13 A, issue
// 15): top-level entries in order — pages (their sub-pages as sub-menu, or a
// list of their own), built-in areas of the site, custom links and groups —
// each with an optional sub-menu of its own entries. What a visitor sees is
// filtered by the page access rule: a page, or a custom link into a page,
// the visitor may not see is left out, so its title never reaches them.
package menu

import (
	"fmt"
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/valid"
)

// Kind is the kind of the menu's access node; NodeID is its id. Edit on it
// lets a group change the menu (administrators always may).
const (
	Kind   access.Kind = "menu"
	NodeID int64       = 1
)

// EntryKind says what an entry points to.
type EntryKind string

// The kinds of entries.
const (
	KindPage  EntryKind = "page"  // a page of the tree
	KindArea  EntryKind = "area"  // a built-in area (Areas)
	KindLink  EntryKind = "link"  // a custom link: a label and a site path or an https URL
	KindGroup EntryKind = "group" // a label whose sub-menu is its own entries (top level only)
)

// Kinds lists the kinds in the order forms offer them.
var Kinds = []EntryKind{KindPage, KindArea, KindLink, KindGroup}

// Valid reports whether k is a known kind.
func (k EntryKind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Area is a built-in part of the site a menu entry may lead to. LabelKey is
// the catalogue key of its default label.
type Area struct {
	Key, Path, LabelKey string
}

// Areas are the built-in areas, in the order forms offer them.
var Areas = []Area{
	{"agenda", "/agenda", "site.agenda"},
	{"documents", "/documents", "site.documents"},
	{"actes", "/actes", "acts.nav"},
	{"ou-jeter", "/ou-jeter", "guide.title"},
	{"collecte", "/collecte", "collecte.title"},
	{"decheteries", "/decheteries", "centres.title"},
	{"recherche", "/recherche", "menu.area.search"},
	{"plan-du-site", "/plan-du-site", "menu.area.sitemap"},
}

// AreaByKey returns the built-in area of that key.
func AreaByKey(key string) (Area, bool) {
	for _, a := range Areas {
		if a.Key == key {
			return a, true
		}
	}
	return Area{}, false
}

// Entry is one stored entry of the menu.
type Entry struct {
	ID, ParentID int64
	Position     int
	Kind         EntryKind
	PageID       int64
	Area         string
	Label        string // "" for pages and areas: their own title
	URL          string // custom links
	Subpages     bool   // a top-level page without entries of its own: its sub-pages as sub-menu
	// Filled by Store.Entries (the editors' view):
	PageTitle string   // the page's menu title ("" when the editor may not see it)
	Children  []*Entry // sub-menu entries, in order
}

// Input is what the entry form sends.
type Input struct {
	ParentID int64 // 0: a top-level entry
	Kind     EntryKind
	PageID   int64
	Area     string
	Label    string
	URL      string
	Subpages bool
}

// MaxLabel is the longest label, in characters (a menu entry is short).
const MaxLabel = 60

// MaxURL is the longest custom link.
const MaxURL = 500

// ErrStale: the menu changed since the form was drawn (another editor saved
// in between); nothing was written. It is a db.ErrConflict.
var ErrStale = fmt.Errorf("menu: the menu changed in between: %w", db.ErrConflict)

// normalize trims the input and checks it; the page's existence and
// visibility are checked by the store.
func (in *Input) normalize() valid.Errors {
	errs := valid.Errors{}
	in.Label = strings.TrimSpace(in.Label)
	in.URL = strings.TrimSpace(in.URL)
	in.Area = strings.TrimSpace(in.Area)
	if !in.Kind.Valid() {
		errs.Add("kind", "menu.error.kind")
		return errs
	}
	if in.ParentID != 0 && in.Kind == KindGroup {
		errs.Add("kind", "menu.error.group_nested")
	}
	if utf8.RuneCountInString(in.Label) > MaxLabel {
		errs.Add("label", "menu.error.label_long", MaxLabel)
	} else if strings.ContainsFunc(in.Label, unicode.IsControl) {
		errs.Add("label", "menu.error.label_control")
	}
	switch in.Kind {
	case KindPage:
		if in.PageID <= 0 {
			errs.Add("page", "menu.error.page")
		}
	case KindArea:
		if _, ok := AreaByKey(in.Area); !ok {
			errs.Add("area", "menu.error.area")
		}
	case KindLink, KindGroup:
		if in.Label == "" {
			errs.Add("label", "menu.error.label_required")
		}
	}
	if in.Kind == KindLink {
		u, key := CheckURL(in.URL)
		if key != "" {
			errs.Add("url", key, MaxURL)
		}
		in.URL = u
	}
	// Fields the kind does not use are cleared, so an entry stores one target.
	if in.Kind != KindPage {
		in.PageID = 0
	}
	if in.Kind != KindArea {
		in.Area = ""
	}
	if in.Kind != KindLink {
		in.URL = ""
	}
	if in.Kind != KindPage || in.ParentID != 0 {
		in.Subpages = false
	}
	return errs
}

// CheckURL checks the address of a custom link: a path of this site
// ("/collecte", "/documents?tri=date") or an https URL of another site. It
// returns the address to store and "" or the catalogue key of the refusal.
func CheckURL(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "menu.error.url_required"
	}
	if len(s) > MaxURL {
		return s, "menu.error.url_long"
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) || strings.Contains(s, `\`) {
		return s, "menu.error.url"
	}
	u, err := url.Parse(s)
	if err != nil {
		return s, "menu.error.url"
	}
	if strings.HasPrefix(s, "/") {
		// A path of this site; "//host" would be another site.
		if strings.HasPrefix(s, "//") || u.Scheme != "" || u.Host != "" || u.User != nil {
			return s, "menu.error.url"
		}
		return s, ""
	}
	if u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" || strings.HasPrefix(u.Host, ".") || !strings.HasPrefix(s, "https://") {
		return s, "menu.error.url"
	}
	if h := u.Hostname(); h == "" || strings.ContainsAny(h, "%_") {
		return s, "menu.error.url"
	}
	return s, ""
}

// Internal reports whether a custom link's address is a path of this site.
func Internal(u string) bool { return strings.HasPrefix(u, "/") }

// sitePath is the page path a site address leads to, as the server reads
// it (decoded, without query or fragment, dots and double slashes resolved,
// in lower case as page paths are), for the access check of an internal link.
func sitePath(u string) string {
	p := u
	if x, err := url.Parse(u); err == nil {
		p = x.Path
	}
	return strings.ToLower(path.Clean("/" + p))
}
