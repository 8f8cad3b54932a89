// Package centres is the directory of recycling centres (déchèteries) and
// drop-off points: address, coordinates, phone, access rules, the waste
// they accept (items of the sorting guide), their regular hours by season,
// exceptional closures and the French public holidays, and from those
// whether a centre is open at a given instant ("Ouvert maintenant — ferme à
// 18 h"), in the site's time zone.
//
// The directory is one object of the access model (kind "centres", node
// 1): View to read it (Everyone by default), Edit to change it, Manage to
// change who may. Every check is made here, in the store.
package centres

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/pages"
	"portique/internal/valid"
)

// Kind is the kind of the directory's access node; NodeID is its id.
const (
	Kind   access.Kind = "centres"
	NodeID int64       = 1
)

// SearchKind is the kind of centres in the site search.
const SearchKind = "centre"

// The kinds of places.
const (
	KindCentre = "decheterie" // a staffed recycling centre
	KindPoint  = "point"      // a drop-off point (textile, glass, batteries…)
)

// ItemRef is an item of the guide a centre accepts.
type ItemRef struct {
	ID     int64
	Slug   string
	Name   string
	Stream string
}

// URL is the item's public address.
func (i ItemRef) URL() string { return "/ou-jeter/" + i.Slug }

// Centre is a recycling centre or drop-off point.
type Centre struct {
	ID                     int64
	Slug, Name, Kind       string
	Address, Postcode      string
	City                   string
	HasGeo                 bool
	Latitude, Longitude    float64
	Phone, Email           string
	AccessRules            string
	HoursText, ClosuresTxt string
	Hours                  Hours
	CreatedAt, UpdatedAt   time.Time
	// Items are the accepted items (filled by Get, and only with the items
	// of a guide the reader may view).
	Items []ItemRef
}

// URL is the centre's public address.
func (c Centre) URL() string { return "/decheteries/" + c.Slug }

// Version identifies the stored state, for the edit form.
func (c Centre) Version() string { return c.UpdatedAt.UTC().Format(time.RFC3339Nano) }

// PhoneURI is the tel: link of the phone number.
func (c Centre) PhoneURI() string {
	var b strings.Builder
	for _, r := range c.Phone {
		if unicode.IsDigit(r) || r == '+' {
			b.WriteRune(r)
		}
	}
	return "tel:" + b.String()
}

// Paragraphs splits the access rules into paragraphs.
func (c Centre) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(c.AccessRules, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Input is what an editor sends to create or change a centre.
type Input struct {
	Name, Slug, Kind    string
	Address, Postcode   string
	City                string
	Latitude, Longitude string // decimal degrees, "." or ","; both or neither
	Phone, Email        string
	AccessRules         string
	Hours, Closures     string // the texts of hours.go
	OpenOnHolidays      bool
	ItemIDs             []int64
	Version             string // Centre.Version the form was built on ("" on creation)
}

var reservedSlugs = map[string]bool{"gestion": true, "carte": true, "import": true, "export": true}

// clean normalises and checks the input; it returns the slug and the
// parsed hours.
func (in *Input) clean(w *Words) (string, Hours, valid.Errors) {
	ve := valid.Errors{}
	one := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	in.Name, in.Slug, in.Kind = one(in.Name), strings.TrimSpace(in.Slug), strings.TrimSpace(in.Kind)
	in.Address, in.Postcode, in.City = one(in.Address), strings.ReplaceAll(in.Postcode, " ", ""), one(in.City)
	in.Phone, in.Email = one(in.Phone), strings.TrimSpace(in.Email)
	in.AccessRules = strings.TrimSpace(strings.ReplaceAll(in.AccessRules, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		ve.Add("nom", "centres.error.name_required")
	case n > 120:
		ve.Add("nom", "centres.error.name_long", 120)
	}
	slug := in.Slug
	if slug == "" {
		slug = pages.Slugify(in.Name)
	}
	switch {
	case in.Slug != "" && pages.Slugify(in.Slug) != in.Slug:
		ve.Add("slug", "centres.error.slug_invalid")
	case reservedSlugs[slug]:
		ve.Add("slug", "centres.error.slug_reserved", slug)
	}
	if in.Kind == "" {
		in.Kind = KindCentre
	}
	if in.Kind != KindCentre && in.Kind != KindPoint {
		ve.Add("type", "centres.error.kind")
	}
	if utf8.RuneCountInString(in.Address) > 200 {
		ve.Add("adresse", "centres.error.address_long", 200)
	}
	if in.Postcode != "" && (len(in.Postcode) != 5 || strings.ContainsFunc(in.Postcode, func(r rune) bool { return r < '0' || r > '9' })) {
		ve.Add("code_postal", "centres.error.postcode")
	}
	if utf8.RuneCountInString(in.City) > 100 {
		ve.Add("commune", "centres.error.city_long", 100)
	}
	if in.Phone != "" {
		digits := 0
		for _, r := range in.Phone {
			switch {
			case unicode.IsDigit(r):
				digits++
			case r == ' ' || r == '.' || r == '-' || r == '+' || r == '(' || r == ')':
			default:
				digits = -100
			}
		}
		if digits < 4 || digits > 15 {
			ve.Add("telephone", "centres.error.phone")
		}
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			ve.Add("courriel", "centres.error.email")
		}
	}
	if utf8.RuneCountInString(in.AccessRules) > 4000 {
		ve.Add("acces", "centres.error.rules_long", 4000)
	}
	var h Hours
	sch, errs := ParseSchedule(in.Hours, w)
	if len(errs) > 0 {
		ve.Add("horaires", errs[0].Key, errs[0].Args...)
	} else {
		h.Schedule = sch
		in.Hours = sch.Format(w)
	}
	cl, errs := ParseClosures(in.Closures, w)
	if len(errs) > 0 {
		ve.Add("fermetures", errs[0].Key, errs[0].Args...)
	} else {
		h.Closures = cl
		in.Closures = FormatClosures(cl, w)
	}
	h.OpenOnHolidays = in.OpenOnHolidays
	return slug, h, ve
}

// coordinates parses the latitude and longitude (both or neither).
func (in *Input) coordinates(ve valid.Errors) (lat, lon any) {
	la, lo := strings.TrimSpace(in.Latitude), strings.TrimSpace(in.Longitude)
	if la == "" && lo == "" {
		return nil, nil
	}
	parse := func(s string, limit float64, field string) (float64, bool) {
		v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		if err != nil || v < -limit || v > limit || v != v {
			ve.Add(field, "centres.error.coordinate", limit)
			return 0, false
		}
		return v, true
	}
	if la == "" || lo == "" {
		ve.Add("latitude", "centres.error.coordinates_both")
		return nil, nil
	}
	a, ok1 := parse(la, 90, "latitude")
	b, ok2 := parse(lo, 180, "longitude")
	if !ok1 || !ok2 {
		return nil, nil
	}
	in.Latitude, in.Longitude = strconv.FormatFloat(a, 'f', -1, 64), strconv.FormatFloat(b, 'f', -1, 64)
	return a, b
}
