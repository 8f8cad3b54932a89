// Package site holds the settings of the site itself: who publishes it (the
// body's name, logo, address, contacts, SIRET, director of publication, its
// host) and the result of its accessibility audit. The legal pages
// (/mentions-legales, /accessibilite), the header, the footer and the
// e-mails read them; the administrators change them at /admin/parametres or
// with `portique settings set`.
//
// Every setting is a Field: a key, a kind that says how it is checked and
// stored, and a length limit. A later setting (the identity's colours, a
// favicon) is one more line in Fields, nothing else.
package site

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/valid"
)

// Kind says how a field's value is checked and kept.
type Kind int

const (
	Text     Kind = iota // one line
	LongText             // several lines (an address, a list)
	Email                // an e-mail address
	Phone                // a telephone number: digits, spaces, + . ( ) -
	SIRET                // 14 digits passing the Luhn check
	Date                 // YYYY-MM-DD
	Percent              // 0 to 100, at most one decimal
	URL                  // an absolute http(s) address
	Colour               // #rrggbb (kept lower case), for the identity's colours
)

// Field is one setting.
type Field struct {
	Key  string
	Kind Kind
	Max  int // characters; 0: the kind's default
}

// The keys of the settings, as the code reads them.
const (
	Name         = "name"              // name of the body, in the header, titles and e-mails
	LogoAlt      = "logo_alt"          // alternative text of the logo
	Address      = "address"           // postal address
	ContactMail  = "email"             // contact e-mail
	Telephone    = "phone"             // telephone
	Hours        = "hours"             // opening hours of the offices, one a line (footer)
	Siret        = "siret"             // SIRET number of the body
	Director     = "director"          // director of publication
	HostName     = "host_name"         // the host (hébergeur): name
	HostAddress  = "host_address"      // the host: address and telephone
	AuditDate    = "audit_date"        // date of the last accessibility audit
	AuditRate    = "audit_rate"        // share of RGAA criteria respected, in %
	AuditBy      = "audit_by"          // who carried the audit out
	AuditPages   = "audit_pages"       // pages checked, one a line
	AuditTools   = "audit_tools"       // tools used, one a line
	AuditEnv     = "audit_env"         // test environment (browsers, assistive technologies)
	NonCompliant = "a11y_noncompliant" // non-conformities, one a line
	Derogations  = "a11y_derogations"  // exemptions for disproportionate burden
	Exempt       = "a11y_exempt"       // contents not subject to the obligation
	PlanURL      = "a11y_plan_url"     // address of the multi-year plan and yearly action plan
	Privacy      = "privacy"           // personal data: what is kept, how to exercise one's rights
	Updated      = "updated"           // date of the last change (written by the store)
)

// Fields lists every setting, in the order of the form.
var Fields = []Field{
	{Name, Text, 200},
	{LogoAlt, Text, 200},
	{Address, LongText, 500},
	{ContactMail, Email, 254},
	{Telephone, Phone, 30},
	{Hours, LongText, 1000},
	{Siret, SIRET, 20},
	{Director, Text, 200},
	{HostName, Text, 200},
	{HostAddress, LongText, 500},
	{AuditDate, Date, 10},
	{AuditRate, Percent, 8},
	{AuditBy, Text, 200},
	{AuditPages, LongText, 4000},
	{AuditTools, LongText, 2000},
	{AuditEnv, LongText, 2000},
	{NonCompliant, LongText, 8000},
	{Derogations, LongText, 4000},
	{Exempt, LongText, 4000},
	{PlanURL, URL, 500},
	{Privacy, LongText, 4000},
	{Primary, Colour, 7},
	{Secondary, Colour, 7},
}

// FieldOf returns the field of key.
func FieldOf(key string) (Field, bool) {
	for _, f := range Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

var (
	phoneRe   = regexp.MustCompile(`^\+?[0-9 .()\-]{6,30}$`)
	dateRe    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	percentRe = regexp.MustCompile(`^\d{1,3}(\.\d)?$`)
	colourRe  = regexp.MustCompile(`^#[0-9a-f]{6}$`)
)

// Normalize checks a value typed for field f and returns it as stored, or
// the catalogue key of the reason it is refused. An empty value is always
// accepted (the setting is cleared).
func (f Field) Normalize(v string) (string, string) {
	v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	if v == "" {
		return "", ""
	}
	if max := f.Max; max > 0 && utf8.RuneCountInString(v) > max {
		return "", "site.error.too_long"
	}
	if f.Kind != LongText && strings.ContainsAny(v, "\n\r\t") {
		return "", "site.error.one_line"
	}
	switch f.Kind {
	case Email:
		a, err := mail.ParseAddress(v)
		if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
			return "", "site.error.email"
		}
	case Phone:
		if !phoneRe.MatchString(v) {
			return "", "site.error.phone"
		}
	case SIRET:
		d := strings.NewReplacer(" ", "", "\u00a0", "", ".", "").Replace(v)
		if len(d) != 14 || strings.Trim(d, "0123456789") != "" {
			return "", "site.error.siret_digits"
		}
		if !Luhn(d) {
			return "", "site.error.siret_luhn"
		}
		v = d
	case Date:
		t, err := time.Parse(time.DateOnly, v)
		if !dateRe.MatchString(v) || err != nil || t.Year() < 2000 {
			return "", "site.error.date"
		}
	case Percent:
		t := strings.Replace(strings.TrimSpace(strings.TrimSuffix(v, "%")), ",", ".", 1)
		p, err := strconv.ParseFloat(t, 64)
		if !percentRe.MatchString(t) || err != nil || p > 100 {
			return "", "site.error.percent"
		}
		v = strconv.FormatFloat(p, 'f', -1, 64)
	case Colour:
		v = strings.ToLower(v)
		if !colourRe.MatchString(v) {
			return "", "site.error.colour"
		}
	case URL:
		if !(strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://")) || strings.ContainsAny(v, " \"'<>") || len(v) < 11 {
			return "", "site.error.url"
		}
	}
	return v, ""
}

// Luhn reports whether a string of digits passes the Luhn check (the key
// of SIREN and SIRET numbers).
func Luhn(digits string) bool {
	if digits == "" {
		return false
	}
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		n := int(c - '0')
		if double {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

// Validate checks values (key → typed text) and returns them as stored.
// An unknown key is an error on that key.
func Validate(values map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(values))
	errs := valid.Errors{}
	for k, v := range values {
		f, ok := FieldOf(k)
		if !ok {
			errs.Add(k, "site.error.unknown")
			continue
		}
		n, key := f.Normalize(v)
		if key != "" {
			errs.Add(k, key)
			continue
		}
		if (k == Primary || k == Secondary) && !checkContrast(errs, k, n) {
			continue
		}
		out[k] = n
	}
	// A rate without a date (or the reverse) is not an audit.
	_, rate := values[AuditRate]
	_, date := values[AuditDate]
	if rate && date && errs[AuditRate].Key == "" && errs[AuditDate].Key == "" && (out[AuditRate] == "") != (out[AuditDate] == "") {
		if out[AuditRate] == "" {
			errs.Add(AuditRate, "site.error.audit_pair")
		} else {
			errs.Add(AuditDate, "site.error.audit_pair")
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Status is the conformity of the site with the RGAA, as the law names it.
type Status string

const (
	NotCompliant       Status = "non"     // no audit yet, or under 50 % of the criteria
	PartiallyCompliant Status = "partiel" // at least 50 %
	FullyCompliant     Status = "total"   // every criterion
)

// Settings are the current values, key → stored text, plus the pictures.
type Settings struct {
	Values  map[string]string
	Logo    *Logo            // nil: none
	Favicon *Logo            // nil: none (the program's own icon)
	Heroes  map[string]*Logo // page kind (HeroKinds) → its banner picture
}

// Hero returns the banner picture of a page kind (nil: none) and its
// alternative text ("" when the administrator marked it decorative).
func (s *Settings) Hero(kind string) (*Logo, string) {
	if s == nil || s.Heroes[kind] == nil {
		return nil, ""
	}
	return s.Heroes[kind], s.Get(HeroAltKey(kind))
}

// Get returns the value of key ("" when not set).
func (s *Settings) Get(key string) string {
	if s == nil {
		return ""
	}
	return s.Values[key]
}

// Has reports whether key is set.
func (s *Settings) Has(key string) bool { return s.Get(key) != "" }

// Lines returns the value of key split into its non-empty lines.
func (s *Settings) Lines(key string) []string {
	var out []string
	for _, l := range strings.Split(s.Get(key), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Audited reports whether an audit was entered (a date and a rate).
func (s *Settings) Audited() bool { return s.Has(AuditDate) && s.Has(AuditRate) }

// Rate returns the audited share of criteria respected.
func (s *Settings) Rate() float64 {
	r, _ := strconv.ParseFloat(s.Get(AuditRate), 64)
	return r
}

// Status is the conformity the law lets the site claim: not compliant
// until an audit is entered, then by the rate (100 %: fully; 50 % and
// more: partially).
func (s *Settings) Status() Status {
	if !s.Audited() {
		return NotCompliant
	}
	switch r := s.Rate(); {
	case r >= 100:
		return FullyCompliant
	case r >= 50:
		return PartiallyCompliant
	}
	return NotCompliant
}

// Date returns the time of a Date field (zero when not set).
func (s *Settings) Date(key string) time.Time {
	t, _ := time.Parse(time.DateOnly, s.Get(key))
	return t
}

// Logo is the body's logo.
type Logo struct {
	MediaType     string
	SHA256        string
	Width, Height int
	Data          []byte
	Updated       time.Time
}

// ETag identifies the logo's bytes for HTTP caching.
func (l *Logo) ETag() string { return `"` + l.SHA256[:16] + `"` }
