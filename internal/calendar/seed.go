package calendar

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// SeedDemo fills an empty database with the demo calendars and a year of
// plausible events around now. groups maps group names ("Élus",
// "Techniciens", "Stagiaires") to ids; a missing group is simply not granted.
// Events are not indexed for search: use Store.SeedDemo with an indexer, or
// run Store.Reindex afterwards.
func SeedDemo(ctx context.Context, d *db.DB, now time.Time, groups map[string]int64) error {
	return New(d, nil).SeedDemo(ctx, now, groups)
}

// SeedDemo is the package-level SeedDemo on this store (indexing when the
// store has an indexer).
func (s *Store) SeedDemo(ctx context.Context, now time.Time, groups map[string]int64) error {
	sys := access.System()
	grant := func(name string, lvl access.Level) []access.Grant {
		if id, ok := groups[name]; ok {
			return []access.Grant{{GroupID: id, Level: lvl}}
		}
		return nil
	}
	join := func(gs ...[]access.Grant) []access.Grant {
		var out []access.Grant
		for _, g := range gs {
			out = append(out, g...)
		}
		return out
	}
	attrs := []Attribute{
		{Key: "instance", Label: "Instance", Type: AttrChoice, Choices: []string{"Comité syndical", "Bureau syndical", "Commission finances", "Commission collecte"}, Help: "Pour les réunions statutaires.", Position: 1},
		{Key: "salle", Label: "Salle", Type: AttrText, Position: 2},
		{Key: "visio", Label: "Lien de visioconférence", Type: AttrLink, Position: 3},
		{Key: "quorum", Label: "Quorum requis", Type: AttrBool, Position: 4},
		{Key: "places", Label: "Nombre de places", Type: AttrNumber, Position: 5},
		{Key: "inscription", Label: "Date limite d’inscription", Type: AttrDate, Position: 6},
		{Key: "consignes", Label: "Consignes", Type: AttrLongText, Position: 7},
	}
	for _, a := range attrs {
		if _, err := s.CreateAttribute(ctx, sys, a); err != nil {
			return fmt.Errorf("calendar: demo attribute %s: %w", a.Key, err)
		}
	}
	type cal struct {
		name, colour string
		grants       []access.Grant
	}
	cals := []cal{
		{"Instances", "#1f5fa8", join(grant("Élus", access.View), grant("Techniciens", access.Edit))},
		{"Technique", "#2e7d32", join(grant("Techniciens", access.Edit), grant("Élus", access.View))},
		{"Formation des stagiaires", "#8e4585", join(grant("Stagiaires", access.View), grant("Techniciens", access.Edit))},
		{"Animations grand public", "#b85c00", join([]access.Grant{{GroupID: access.Everyone, Level: access.View}}, grant("Techniciens", access.Edit))},
	}
	ids := map[string]string{}
	for i, c := range cals {
		id, err := s.CreateCalendar(ctx, sys, Calendar{Name: c.name, Colour: c.colour, TimeZone: DefaultTimeZone, Position: i}, c.grants)
		if err != nil {
			return fmt.Errorf("calendar: demo calendar %s: %w", c.name, err)
		}
		ids[c.name] = strconv.FormatInt(id, 10)
	}
	// The statutory bodies are an internal category: limited to the
	// Instances calendar, the public agenda's filter does not offer them.
	all, err := s.Attributes(ctx)
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.Key == "instance" {
			inst, _ := strconv.ParseInt(ids["Instances"], 10, 64)
			a.Calendars = []int64{inst}
			if err := s.UpdateAttribute(ctx, sys, a); err != nil {
				return fmt.Errorf("calendar: demo attribute %s: %w", a.Key, err)
			}
		}
	}
	loc := loadLocation(DefaultTimeZone)
	today := dateOf(now.In(loc))
	start := today.AddDate(0, -2, 0)
	ymd := func(t time.Time) string { return t.Format("2006-01-02") }
	// nextWeekday returns the first date on or after t falling on wd.
	nextWeekday := func(t time.Time, wd time.Weekday) time.Time {
		return t.AddDate(0, 0, (int(wd)-int(t.Weekday())+7)%7)
	}
	events := []EventForm{
		{CalendarID: ids["Instances"], Title: "Comité syndical", Location: "Siège du SYDRAV, salle du conseil",
			Description: "<p>Réunion mensuelle du comité syndical. L’ordre du jour et les pièces sont envoyés huit jours avant la séance.</p>",
			StartDate:   ymd(start), StartTime: "18:00", EndTime: "20:30",
			Recurrence: RecurrenceForm{Freq: FreqMonthly, MonthlyBy: "weekday", SetPos: "-1", Weekday: "TH", End: EndCount, Count: "12"},
			Attributes: map[string]string{"instance": "Comité syndical", "salle": "Salle du conseil", "quorum": "oui", "visio": "https://visio.sydrav.fr/comite"}},
		{CalendarID: ids["Instances"], Title: "Bureau syndical", Location: "Siège du SYDRAV",
			StartDate: ymd(start), StartTime: "17:00", EndTime: "18:30",
			Recurrence: RecurrenceForm{Freq: FreqMonthly, MonthlyBy: "weekday", SetPos: "2", Weekday: "TU", End: EndCount, Count: "12"},
			Attributes: map[string]string{"instance": "Bureau syndical", "salle": "Salle 2", "quorum": "non"}},
		{CalendarID: ids["Instances"], Title: "Commission finances : préparation du budget", Location: "Siège du SYDRAV",
			StartDate: ymd(nextWeekday(today.AddDate(0, 1, 0), time.Wednesday)), StartTime: "14:00", EndTime: "16:00",
			Attributes: map[string]string{"instance": "Commission finances", "salle": "Salle 2"}},
		{CalendarID: ids["Technique"], Title: "Réunion technique hebdomadaire", Location: "Siège du SYDRAV, salle 3",
			Description: "<p>Point sur les tournées de collecte, les déchetteries et le centre de tri.</p>",
			StartDate:   ymd(nextWeekday(start, time.Monday)), StartTime: "09:00", EndTime: "10:30",
			Recurrence: RecurrenceForm{Freq: FreqWeekly, Weekdays: []string{"MO"}, End: EndUntil, Until: ymd(today.AddDate(0, 10, 0))},
			Attributes: map[string]string{"salle": "Salle 3", "visio": "https://visio.sydrav.fr/technique"}},
		{CalendarID: ids["Technique"], Title: "Visite de chantier : extension de la déchetterie de Saint-Aubin", Location: "Déchetterie de Saint-Aubin",
			StartDate: ymd(nextWeekday(today.AddDate(0, 0, 10), time.Thursday)), StartTime: "10:00", EndTime: "12:00",
			Attributes: map[string]string{"consignes": "Chaussures de sécurité et gilet obligatoires."}},
		{CalendarID: ids["Formation des stagiaires"], Title: "Formation des stagiaires : sécurité au centre de tri", Location: "Centre de tri de Vaux",
			Description: "<p>Trois jours de formation : règles de sécurité, tri des flux, visite de la chaîne.</p>",
			StartDate:   ymd(nextWeekday(today.AddDate(0, 0, 14), time.Tuesday)), EndDate: ymd(nextWeekday(today.AddDate(0, 0, 14), time.Tuesday).AddDate(0, 0, 2)), AllDay: true,
			Attributes: map[string]string{"places": "12", "inscription": ymd(today.AddDate(0, 0, 7)), "consignes": "Prévoir des chaussures de sécurité."}},
		{CalendarID: ids["Formation des stagiaires"], Title: "Accueil des stagiaires", Location: "Siège du SYDRAV",
			StartDate: ymd(nextWeekday(today.AddDate(0, 0, 3), time.Monday)), StartTime: "09:30", EndTime: "12:00"},
		{CalendarID: ids["Animations grand public"], Title: "Journée portes ouvertes du centre de tri", Location: "Centre de tri de Vaux",
			Description: "<p>Visites guidées toutes les heures, ateliers pour les enfants, stand compostage. Entrée libre.</p>",
			StartDate:   ymd(nextWeekday(today.AddDate(0, 1, 10), time.Saturday)), StartTime: "10:00", EndTime: "17:00",
			Attributes: map[string]string{"places": "300", "consignes": "Chaussures fermées conseillées."}},
		{CalendarID: ids["Animations grand public"], Title: "Atelier compostage", Location: "Jardin partagé des Tilleuls",
			StartDate: ymd(nextWeekday(start, time.Saturday)), StartTime: "10:00", EndTime: "12:00",
			Recurrence: RecurrenceForm{Freq: FreqMonthly, MonthlyBy: "weekday", SetPos: "1", Weekday: "SA", End: EndCount, Count: "10"},
			Attributes: map[string]string{"places": "20"}},
	}
	// Collecte des sapins: the first two weeks of the next January.
	jan := time.Date(today.Year()+1, 1, 5, 0, 0, 0, 0, loc)
	if today.Month() == time.January && today.Day() < 5 {
		jan = time.Date(today.Year(), 1, 5, 0, 0, 0, 0, loc)
	}
	events = append(events, EventForm{CalendarID: ids["Animations grand public"], Title: "Collecte des sapins", Location: "Points de collecte des communes membres",
		Description: "<p>Déposez votre sapin naturel, sans décoration ni sac, au point de collecte de votre commune.</p>",
		StartDate:   ymd(jan), EndDate: ymd(jan.AddDate(0, 0, 11)), AllDay: true})

	var technique int64
	for _, f := range events {
		id, err := s.CreateEvent(ctx, sys, f)
		if err != nil {
			return fmt.Errorf("calendar: demo event %q: %w", f.Title, err)
		}
		if f.Title == "Réunion technique hebdomadaire" {
			technique = id
		}
	}
	// One cancelled and one moved occurrence of the technical meeting.
	e, _, err := s.Event(ctx, sys.Principal, technique)
	if err != nil {
		return err
	}
	ser, err := newSeries(e.Start, e.End, e.RRule, loc)
	if err != nil {
		return err
	}
	upcoming := ser.between(today, today.AddDate(0, 2, 0), 10)
	if len(upcoming) >= 4 {
		if err := s.CancelOccurrence(ctx, sys, technique, upcoming[1]); err != nil {
			return err
		}
		moved := upcoming[3].AddDate(0, 0, 1)
		if err := s.ChangeOccurrence(ctx, sys, technique, upcoming[3], OccurrenceChange{
			StartDate: ymd(moved), StartTime: "14:00", EndTime: "15:30", Location: "Centre de tri de Vaux",
		}); err != nil {
			return err
		}
	}
	return nil
}
