package collecte

import (
	"slices"
	"strings"
	"testing"
	"time"

	"portique/internal/valid"
)

func TestRuleFromForm(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   RuleInput
		want string
		errs []string // fields in error
	}{
		{"weekly", RuleInput{Freq: FreqWeekly, Days: []string{"TH", "MO", "MO"}}, "FREQ=WEEKLY;BYDAY=MO,TH", nil},
		{"biweekly", RuleInput{Freq: FreqBiweekly, Days: []string{"FR"}}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", nil},
		{"monthly", RuleInput{Freq: FreqMonthly, Days: []string{"WE"}, Positions: []string{"3", "1"}}, "FREQ=MONTHLY;BYDAY=+1WE,+3WE", nil},
		{"monthly last", RuleInput{Freq: FreqMonthly, Days: []string{"TU"}, Positions: []string{"-1"}}, "FREQ=MONTHLY;BYDAY=-1TU", nil},
		{"custom", RuleInput{Freq: FreqCustom, Custom: " rrule:freq=weekly;byday=tu;bymonth=6,7,8 "}, "FREQ=WEEKLY;BYMONTH=6,7,8;BYDAY=TU", nil},
		{"no day", RuleInput{Freq: FreqWeekly}, "", []string{"days"}},
		{"forged day", RuleInput{Freq: FreqWeekly, Days: []string{"XX"}}, "", []string{"days"}},
		{"no position", RuleInput{Freq: FreqMonthly, Days: []string{"TU"}}, "", []string{"positions"}},
		{"no freq", RuleInput{Freq: "hourly", Days: []string{"TU"}}, "", []string{"freq"}},
		{"custom empty", RuleInput{Freq: FreqCustom}, "", []string{"custom"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := valid.Errors{}
			got := tc.in.rule(errs)
			var fields []string
			for f := range errs {
				fields = append(fields, f)
			}
			slices.Sort(fields)
			if !slices.Equal(fields, tc.errs) {
				t.Fatalf("errors on %v, want %v (%v)", fields, tc.errs, errs)
			}
			if got != tc.want {
				t.Fatalf("rule = %q, want %q", got, tc.want)
			}
		})
	}
}

// Rules an editor may type are limited to what a collection needs, so no
// rule makes an expansion expensive.
func TestNormalizeRuleRefuses(t *testing.T) {
	for rule, key := range map[string]string{
		"":                                    "collecte.error.rule_required",
		"FREQ=SOMETIMES":                      "collecte.error.rule_invalid",
		"BYDAY=MO":                            "collecte.error.rule_invalid",
		"FREQ=DAILY":                          "collecte.error.rule_freq",
		"FREQ=HOURLY;BYHOUR=5":                "collecte.error.rule_freq",
		"FREQ=WEEKLY;BYDAY=MO;BYHOUR=6":       "collecte.error.rule_parts",
		"FREQ=YEARLY;BYYEARDAY=100":           "collecte.error.rule_parts",
		"FREQ=WEEKLY;BYMONTHDAY=30":           "collecte.error.rule_parts",
		"FREQ=WEEKLY;INTERVAL=53;BYDAY=MO":    "collecte.error.rule_bounds",
		"FREQ=WEEKLY;COUNT=100000;BYDAY=MO":   "collecte.error.rule_bounds",
		strings.Repeat("FREQ=WEEKLY;", 40):    "collecte.error.rule_invalid",
		"FREQ=WEEKLY;BYDAY=MO;FOO=BAR":        "collecte.error.rule_invalid",
		"FREQ=MONTHLY;BYDAY=+9TU":             "collecte.error.rule_invalid",
		"FREQ=WEEKLY;UNTIL=notadate;BYDAY=MO": "collecte.error.rule_invalid",
	} {
		if got, k := NormalizeRule(rule); k != key {
			t.Errorf("NormalizeRule(%q) = %q, %q; want key %q", rule, got, k, key)
		}
	}
	if got, k := NormalizeRule("FREQ=WEEKLY;UNTIL=20271231T000000Z;BYDAY=MO"); k != "" || !strings.Contains(got, "UNTIL=20271231") {
		t.Errorf("UNTIL refused or lost: %q %q", got, k)
	}
	// A rule that never gives a day is refused where the schedule is checked.
	if key := checkRuleDates("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", day("2026-01-01"), time.Time{}); key != "collecte.error.rule_no_date" {
		t.Errorf("30 February: %q", key)
	}
	if key := checkRuleDates("FREQ=WEEKLY;BYDAY=MO", day("2026-01-01"), day("2026-01-03")); key != "collecte.error.rule_no_date" {
		t.Errorf("ended before its first Monday: %q", key)
	}
}

// Stored rules read back as the form's shapes when they are one, so the
// page says "Un jeudi sur deux" and the form opens on the right choice.
func TestSummarizeRoundTrip(t *testing.T) {
	for _, in := range []RuleInput{
		{Freq: FreqWeekly, Days: []string{"MO", "TH"}},
		{Freq: FreqBiweekly, Days: []string{"FR"}},
		{Freq: FreqMonthly, Days: []string{"WE"}, Positions: []string{"1", "3"}},
		{Freq: FreqMonthly, Days: []string{"TU", "FR"}, Positions: []string{"-1"}},
	} {
		errs := valid.Errors{}
		rule := in.rule(errs)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		back := InputFromRule(rule)
		if back.Freq != in.Freq || !slices.Equal(back.Days, in.Days) || !slices.Equal(back.Positions, in.Positions) {
			t.Errorf("%q read back as %+v, want %+v", rule, back, in)
		}
	}
	for _, rule := range []string{"FREQ=WEEKLY;BYMONTH=6,7,8;BYDAY=TU", "FREQ=MONTHLY;BYDAY=+1TU,+3WE", "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO", "FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=MONTHLY;BYDAY=+5FR"} {
		if s := Summarize(rule); s.Freq != FreqCustom || s.Rule != rule {
			t.Errorf("%q summarized as %+v, want custom", rule, s)
		}
		if in := InputFromRule(rule); in.Freq != FreqCustom || in.Custom != rule {
			t.Errorf("%q: form %+v", rule, in)
		}
	}
	if s := Summarize("FREQ=WEEKLY;BYDAY=MO,TH"); !slices.Equal(s.Days, []time.Weekday{time.Monday, time.Thursday}) {
		t.Errorf("days %v", s.Days)
	}
}

func TestHolidays(t *testing.T) {
	want := map[string]string{
		"2026-01-01": "Nouvel an", "2026-04-06": "Lundi de Pâques", "2026-05-01": "Fête du Travail", "2026-05-08": "Fête de la Victoire",
		"2026-05-14": "Ascension", "2026-05-25": "Lundi de Pentecôte", "2026-07-14": "Fête Nationale", "2026-08-15": "Assomption",
		"2026-11-01": "Toussaint", "2026-11-11": "Armistice de 1918", "2026-12-25": "Noël",
		"2027-03-29": "Lundi de Pâques",
	}
	for d, name := range want {
		if got := HolidayName(day(d)); got != name {
			t.Errorf("%s: %q, want %q", d, got, name)
		}
	}
	if got := HolidayName(day("2026-03-10")); got != "" {
		t.Errorf("an ordinary Tuesday is %q", got)
	}
	if n := len(Holidays(day("2026-01-01"), day("2027-01-01"))); n != 11 {
		t.Errorf("%d holidays in 2026, want 11", n)
	}
}

func TestContrastCheck(t *testing.T) {
	if _, err := (StreamInput{Name: "Verre", Code: "V", Colour: "#ffee00"}).validate(); err == nil {
		t.Fatal("white on yellow accepted")
	}
	if _, err := (StreamInput{Name: "Verre", Code: "V", Colour: "#1b5e20"}).validate(); err != nil {
		t.Fatal(err)
	}
	if c := contrastWithWhite("#000000"); c < 20.9 || c > 21.1 {
		t.Fatalf("black: %v", c)
	}
}

// FuzzNormalizeRule: any text an editor types is refused with a key, or
// accepted as a canonical rule that reads back as itself and compiles.
func FuzzNormalizeRule(f *testing.F) {
	for _, s := range []string{"FREQ=WEEKLY;BYDAY=MO", "FREQ=MONTHLY;BYDAY=+1TU,-1FR", "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24",
		"FREQ=WEEKLY;INTERVAL=2;UNTIL=20271231;BYDAY=TH", "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR", "FREQ=WEEKLY;;;", "freq=weekly;byday=xx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rule, key := NormalizeRule(s)
		if key != "" {
			if rule != "" {
				t.Fatalf("refused %q with %s but returned %q", s, key, rule)
			}
			return
		}
		again, key := NormalizeRule(rule)
		if key != "" || again != rule {
			t.Fatalf("%q → %q → %q (%s)", s, rule, again, key)
		}
		if _, err := compile(rule, day("2026-01-01"), time.Time{}); err != nil {
			t.Fatalf("accepted %q does not compile: %v", rule, err)
		}
	})
}
