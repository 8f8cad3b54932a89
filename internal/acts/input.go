package acts

import (
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/valid"
)

// Input is an act as the secretariat's form gives it. Numbers stay text:
// the store parses and validates them, so bad input gets a field error.
type Input struct {
	Kind       Kind
	Number     string
	Date       string
	Subject    string
	SessionID  int64
	MatterCode string
	// The vote (deliberations): members, present, for, against, abstain.
	Members, Present, For, Against, Abstain string
	Signer                                  Person
	Individual                              bool
	Public                                  bool
	// PublicConfirmed: the publisher read the warning and still wants an
	// individual act (or one with personal data) public.
	PublicConfirmed bool
	BudgetYear      string
	BudgetName      string
	PrefDate        string
	// Corrects is the published act this draft rectifies (0: none).
	Corrects int64
}

// Upload is a file sent with the form; Body nil means none.
type Upload struct {
	Name  string
	Title string // annexes: the title shown (the file name when empty)
	Body  io.Reader
}

// SessionInput is a session as the form gives it.
type SessionInput struct {
	Body              Body
	HeldOn            string
	Place             string
	EventID           int64
	MinutesApprovedOn string
}

var (
	numberRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$`)
	yearRe   = regexp.MustCompile(`^[0-9]{4}(/[0-9]{4})?$`)
)

// maxCount bounds the figures of a vote (no body has more members).
const maxCount = 10000

// ParseCount reads one figure of a vote: digits only (spaces allowed
// around), 0 to 10 000. ok is false for anything else.
func ParseCount(s string) (n int, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 5 {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxCount {
		return 0, false
	}
	return n, true
}

// ParseVote reads and checks a deliberation's vote: every figure present
// and a whole number, the voters no more than the members, the votes cast
// (for + against + abstentions) no more than the voters. The errors are
// keyed by the form fields vote_members … vote_abstain.
func ParseVote(members, present, pour, contre, abst string) (Vote, valid.Errors) {
	errs := valid.Errors{}
	var v Vote
	for _, f := range []struct {
		field string
		in    string
		out   *int
	}{
		{"vote_members", members, &v.Members},
		{"vote_present", present, &v.Present},
		{"vote_for", pour, &v.For},
		{"vote_against", contre, &v.Against},
		{"vote_abstain", abst, &v.Abstain},
	} {
		n, ok := ParseCount(f.in)
		if !ok {
			errs.Add(f.field, "acts.error.count", maxCount)
			continue
		}
		*f.out = n
	}
	if len(errs) > 0 {
		return Vote{}, errs
	}
	if v.Members == 0 {
		errs.Add("vote_members", "acts.error.members_zero")
	}
	if v.Present > v.Members {
		errs.Add("vote_present", "acts.error.present_over", v.Members)
	}
	if cast := v.For + v.Against + v.Abstain; cast > v.Present {
		errs.Add("vote_for", "acts.error.cast_over", cast, v.Present)
	}
	if len(errs) > 0 {
		return Vote{}, errs
	}
	return v, nil
}

// ParseDay checks a calendar day YYYY-MM-DD.
func ParseDay(s string) (string, bool) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// checked is an Input once validated.
type checked struct {
	Input
	vote *Vote
}

// validate checks the fields that need no database; today is the site's
// current day (an act cannot be dated in the future).
func (in Input) validate(today string) (checked, valid.Errors) {
	errs := valid.Errors{}
	c := checked{Input: in}
	c.Number = strings.TrimSpace(in.Number)
	c.Subject = clean(in.Subject)
	c.Signer = Person{First: clean(in.Signer.First), Last: clean(in.Signer.Last), Title: clean(in.Signer.Title)}
	c.BudgetName = clean(in.BudgetName)
	c.BudgetYear = strings.TrimSpace(in.BudgetYear)
	c.MatterCode = strings.TrimSpace(in.MatterCode)
	if !in.Kind.Valid() {
		errs.Add("kind", "acts.error.kind")
	}
	switch {
	case c.Number == "":
		errs.Add("number", "acts.error.number_required")
	case !numberRe.MatchString(c.Number):
		errs.Add("number", "acts.error.number_format")
	}
	if d, ok := ParseDay(in.Date); !ok {
		errs.Add("date", "acts.error.date")
	} else if d > today {
		errs.Add("date", "acts.error.date_future")
	} else {
		c.Date = d
	}
	switch {
	case c.Subject == "":
		errs.Add("subject", "acts.error.subject_required")
	case tooLong(c.Subject, 500):
		errs.Add("subject", "acts.error.too_long", 500)
	}
	if in.Kind.InSession() && in.SessionID == 0 {
		errs.Add("session", "acts.error.session_required")
	}
	if c.MatterCode != "" && MatterOf(c.MatterCode).Code == "" {
		errs.Add("matter", "acts.error.matter")
	} else if c.MatterCode == "" && in.Kind == Deliberation {
		errs.Add("matter", "acts.error.matter_required")
	}
	if in.Kind == Deliberation {
		v, verrs := ParseVote(in.Members, in.Present, in.For, in.Against, in.Abstain)
		errs.Merge(verrs)
		if verrs == nil {
			c.vote = &v
		}
	}
	for _, f := range []struct{ field, v string }{{"signer_first", c.Signer.First}, {"signer_last", c.Signer.Last}, {"signer_title", c.Signer.Title}} {
		switch {
		case f.v == "":
			errs.Add(f.field, "acts.error.signer_required")
		case tooLong(f.v, 120):
			errs.Add(f.field, "acts.error.too_long", 120)
		}
	}
	if c.BudgetYear != "" && !yearRe.MatchString(c.BudgetYear) {
		errs.Add("budget_year", "acts.error.budget_year")
	}
	if tooLong(c.BudgetName, 200) {
		errs.Add("budget_name", "acts.error.too_long", 200)
	}
	if strings.TrimSpace(in.PrefDate) != "" {
		if d, ok := ParseDay(in.PrefDate); !ok {
			errs.Add("pref_date", "acts.error.date")
		} else if c.Date != "" && d < c.Date {
			errs.Add("pref_date", "acts.error.pref_before")
		} else {
			c.PrefDate = d
		}
	} else {
		c.PrefDate = ""
	}
	// CNIL: an individual act, or one holding personal data, is not put
	// online for everyone unless the publisher confirms it was reviewed.
	if in.Individual && in.Public && !in.PublicConfirmed {
		errs.Add("public", "acts.error.individual_public")
	}
	return c, errs
}

// validate checks a session's fields.
func (in SessionInput) validate() (SessionInput, valid.Errors) {
	errs := valid.Errors{}
	out := in
	out.Place = clean(in.Place)
	if !in.Body.Valid() {
		errs.Add("body", "acts.error.body")
	}
	if d, ok := ParseDay(in.HeldOn); !ok {
		errs.Add("held_on", "acts.error.date")
	} else {
		out.HeldOn = d
	}
	if tooLong(out.Place, 200) {
		errs.Add("place", "acts.error.too_long", 200)
	}
	if strings.TrimSpace(in.MinutesApprovedOn) != "" {
		if d, ok := ParseDay(in.MinutesApprovedOn); !ok {
			errs.Add("minutes_approved_on", "acts.error.date")
		} else if out.HeldOn != "" && d < out.HeldOn {
			errs.Add("minutes_approved_on", "acts.error.approved_before")
		} else {
			out.MinutesApprovedOn = d
		}
	} else {
		out.MinutesApprovedOn = ""
	}
	return out, errs
}

// checkPublisher checks the publication form's identity.
func checkPublisher(p Person) (Person, valid.Errors) {
	errs := valid.Errors{}
	out := Person{First: clean(p.First), Last: clean(p.Last), Title: clean(p.Title)}
	for _, f := range []struct{ field, v string }{{"first", out.First}, {"last", out.Last}, {"title", out.Title}} {
		switch {
		case f.v == "":
			errs.Add(f.field, "acts.error.publisher_required")
		case tooLong(f.v, 120):
			errs.Add(f.field, "acts.error.too_long", 120)
		}
	}
	return out, errs
}
