package web

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/dbtest"
	"portique/internal/i18n"
	"portique/internal/valid"
)

func TestParseEventForm(t *testing.T) {
	v := url.Values{"calendrier": {"3"}, "titre": {"Comité"}, "lieu": {"Siège"}, "description": {"<p>x</p>"},
		"debut_date": {"2026-03-02"}, "debut_heure": {"18:00"}, "fin_date": {"2026-03-03"}, "fin_heure": {"19:00"}, "journee": {"on"},
		"documents": {"12, 14"}, "repetition": {"monthly"}, "intervalle": {"2"}, "jours": {"MO", "WE"}, "mensuel": {"weekday"},
		"jour_du_mois": {"15"}, "mois": {"4"}, "position": {"-1"}, "jour_semaine": {"FR"}, "fin_repetition": {"count"},
		"jusqu_au": {"2026-12-31"}, "occurrences": {"5"}, "attr_salle": {"Salle 2", "ignorée"}, "attr": {"pas un attribut"}}
	f := parseEventForm(v)
	r := f.Recurrence
	if f.CalendarID != "3" || f.Title != "Comité" || f.Location != "Siège" || f.Description != "<p>x</p>" || f.StartDate != "2026-03-02" ||
		f.StartTime != "18:00" || f.EndDate != "2026-03-03" || f.EndTime != "19:00" || !f.AllDay || f.Documents != "12, 14" {
		t.Errorf("event fields: %+v", f)
	}
	if r.Freq != "monthly" || r.Interval != "2" || !slices.Equal(r.Weekdays, []string{"MO", "WE"}) || r.MonthlyBy != "weekday" || r.MonthDay != "15" ||
		r.Month != "4" || r.SetPos != "-1" || r.Weekday != "FR" || r.End != "count" || r.Until != "2026-12-31" || r.Count != "5" {
		t.Errorf("recurrence fields: %+v", r)
	}
	if len(f.Attributes) != 1 || f.Attributes["salle"] != "Salle 2" {
		t.Errorf("attributes: %v", f.Attributes)
	}
	if parseEventForm(url.Values{}).AllDay {
		t.Error("all day without the box ticked")
	}
}

// FuzzEventForm posts any form body to the calendar, as the handlers do:
// parsed here, validated by the store on a real database. The answer is an
// event or field errors whose French text exists, never another error.
func FuzzEventForm(f *testing.F) {
	f.Add("titre=R%C3%A9union&debut_date=2026-03-02&debut_heure=18:00&fin_heure=19:00&repetition=weekly&jours=MO&fin_repetition=count&occurrences=5")
	f.Add("titre=X&debut_date=2026-02-28&journee=on&repetition=yearly&mois=2&jour_du_mois=30")
	f.Add("titre=X&debut_date=2026-01-31&debut_heure=10:00&repetition=monthly&mensuel=weekday&position=-1&jour_semaine=FR")
	f.Add("titre=X&debut_date=9999-99-99&debut_heure=99:99&repetition=daily&intervalle=-1&fin_repetition=until&jusqu_au=x")
	f.Add("titre=X&debut_date=2026-03-02&debut_heure=10:00&attr_salle=a%0Ab&documents=1,x")
	ctx := context.Background()
	st := calendar.New(dbtest.NewDB(f), nil)
	sys := access.System()
	calID, err := st.CreateCalendar(ctx, sys, calendar.Calendar{Name: "Instances"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := st.CreateAttribute(ctx, sys, calendar.Attribute{Key: "salle", Label: "Salle", Type: calendar.AttrText}); err != nil {
		f.Fatal(err)
	}
	cat := i18n.MustLoad("fr")
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		v.Set("calendrier", strconv.FormatInt(calID, 10))
		_, err = st.CreateEvent(ctx, sys, parseEventForm(v))
		if err == nil {
			return
		}
		var ve valid.Errors
		if !errors.As(err, &ve) {
			t.Fatalf("not a form error: %v", err)
		}
		for field, m := range ve {
			if msg := cat.T(m.Key, m.Args...); i18n.Missing(msg) {
				t.Fatalf("field %s: no text for %v", field, m)
			}
		}
	})
}
