package collecte

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"portique/internal/access"
)

// Demo data: the territory of the demo syndicate, 24 communes around
// Valence (Drôme) with their real INSEE codes and postcodes, four streams,
// sectors in Valence and Romans-sur-Isère, schedules for every commune and
// the decisions for some of the coming public holidays (the others are left
// for the editors to take, as the management page shows).

type demoCommune struct {
	name, insee, postcodes string
	om, emb, glass         string   // BYDAY codes ("MO", "TU,FR"); glass: monthly position + day, "" for none
	bio                    string   // weekly BYDAY, "" for none
	sectors                []string // sector names; their schedules are built from om/emb shifted per sector
}

var demoCommunes = []demoCommune{
	{name: "Valence", insee: "26362", postcodes: "26000", glass: "1TU", sectors: []string{"Centre-ville", "Nord", "Sud", "Fontbarlettes"}},
	{name: "Romans-sur-Isère", insee: "26281", postcodes: "26100", glass: "2WE", sectors: []string{"Centre historique", "Quartiers nord", "Quartiers sud"}},
	{name: "Bourg-lès-Valence", insee: "26058", postcodes: "26500", om: "MO,TH", emb: "WE", glass: "3TU", bio: "FR"},
	{name: "Portes-lès-Valence", insee: "26252", postcodes: "26800", om: "TU", emb: "TH", glass: "2MO", bio: "FR"},
	{name: "Saint-Marcel-lès-Valence", insee: "26313", postcodes: "26320", om: "WE", emb: "MO", glass: "1TH"},
	{name: "Chabeuil", insee: "26064", postcodes: "26120", om: "TH", emb: "TU", glass: "4WE"},
	{name: "Étoile-sur-Rhône", insee: "26124", postcodes: "26800", om: "FR", emb: "WE", glass: "2TH"},
	{name: "Beaumont-lès-Valence", insee: "26037", postcodes: "26760", om: "MO", emb: "FR", glass: "1WE"},
	{name: "Montélier", insee: "26197", postcodes: "26120", om: "TU", emb: "MO", glass: "3FR"},
	{name: "Alixan", insee: "26004", postcodes: "26300", om: "WE", emb: "TH", glass: "2TU"},
	{name: "Bourg-de-Péage", insee: "26057", postcodes: "26300", om: "MO,TH", emb: "TU", glass: "1FR", bio: "WE"},
	{name: "Châteauneuf-sur-Isère", insee: "26079", postcodes: "26300", om: "FR", emb: "TU", glass: "3WE"},
	{name: "Malissard", insee: "26170", postcodes: "26120", om: "TH", emb: "WE", glass: "4TU"},
	{name: "Beauvallon", insee: "26039", postcodes: "26800", om: "TU", emb: "FR", glass: "1MO"},
	{name: "Montéléger", insee: "26196", postcodes: "26760", om: "WE", emb: "MO", glass: "2FR"},
	{name: "Upie", insee: "26358", postcodes: "26120", om: "MO", emb: "TH", glass: "3MO"},
	{name: "Livron-sur-Drôme", insee: "26165", postcodes: "26250", om: "TU,FR", emb: "WE", glass: "4TH", bio: "MO"},
	{name: "Loriol-sur-Drôme", insee: "26166", postcodes: "26270", om: "TH", emb: "MO", glass: "1TU"},
	{name: "Tain-l’Hermitage", insee: "26347", postcodes: "26600", om: "MO,TH", emb: "TU", glass: "2WE", bio: "FR"},
	{name: "Mercurol-Veaunes", insee: "26179", postcodes: "26600", om: "WE", emb: "FR", glass: "3TH"},
	{name: "Pont-de-l’Isère", insee: "26250", postcodes: "26600", om: "TU", emb: "TH", glass: "4MO"},
	{name: "La Roche-de-Glun", insee: "26271", postcodes: "26600", om: "FR", emb: "MO", glass: "1WE"},
	{name: "Chatuzange-le-Goubet", insee: "26084", postcodes: "26300", om: "TH", emb: "WE", glass: "2TU"},
	{name: "Peyrins", insee: "26231", postcodes: "26380", om: "MO", emb: "TU", glass: "3FR"},
	{name: "Mours-Saint-Eusèbe", insee: "26218", postcodes: "26540", om: "WE", emb: "FR", glass: "4WE"},
}

var demoStreams = []StreamInput{
	{Name: "Ordures ménagères", Code: "OM", Colour: "#4a4a4a", Help: "Bac gris à couvercle bordeaux : sortez-le la veille au soir, poignée côté rue, et rentrez-le après le passage.", Position: "1"},
	{Name: "Emballages et papiers", Code: "EMB", Colour: "#7a5900", Help: "Bac jaune : tous les emballages et les papiers, vidés, en vrac (pas dans un sac).", Position: "2"},
	{Name: "Verre", Code: "V", Colour: "#1b5e20", Help: "Caissette verte : bouteilles, pots et bocaux sans bouchon ni couvercle. Les colonnes à verre restent accessibles tous les jours de 7 h à 22 h.", Position: "3"},
	{Name: "Biodéchets", Code: "BIO", Colour: "#6d3a1e", Help: "Bioseau marron : épluchures, restes de repas, marc de café. Pas de sacs plastiques, même « biodégradables ».", Position: "4"},
}

// sectorShift gives each sector of a commune its own days.
var sectorDays = []struct{ om, emb, bio string }{
	{"MO,TH", "WE", "TU,FR"}, {"TU", "TH", "WE"}, {"WE", "FR", "MO"}, {"TH", "MO", "TU"},
}

var sectorDescriptions = map[string]string{
	"Centre-ville":      "Rues du centre, entre les boulevards et le Rhône ; collecte deux fois par semaine.",
	"Nord":              "Quartiers du Plan, de Chamberlière et de la Chamberlière Nord.",
	"Sud":               "Quartiers de Valensolles, Laprat et des Baumes.",
	"Fontbarlettes":     "Fontbarlettes, Le Polygone et les Hauts de Valence.",
	"Centre historique": "Vieille ville, côte des Cordeliers et quartier Saint-Nicolas.",
	"Quartiers nord":    "La Monnaie, Les Ors et Saint-Romain.",
	"Quartiers sud":     "Les Balmes, Le Petit Chasseur et La Presle.",
}

// SeedDemo fills an empty area with the demo territory (nothing happens when
// a commune exists). groups maps group names to ids: "Techniciens" get Edit.
// Communes are indexed when the store has an indexer.
func (s *Store) SeedDemo(ctx context.Context, now time.Time, groups map[string]int64) error {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM collecte_communes").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	clock := s.Now
	s.Now = func() time.Time { return now }
	defer func() { s.Now = clock }()
	a := access.System()
	a.Name = "démonstration"
	if id, ok := groups["Techniciens"]; ok {
		if err := s.SetGrants(ctx, a, []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: id, Level: access.Edit}}); err != nil {
			return err
		}
	}
	streamIDs := map[string]int64{}
	for _, st := range demoStreams {
		id, err := s.CreateStream(ctx, a, st)
		if err != nil {
			return fmt.Errorf("collecte: demo stream %s: %w", st.Name, err)
		}
		streamIDs[st.Code] = id
	}
	start := time.Date(now.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	schedule := func(communeID, sectorID int64, code, freq, days, positions string) error {
		if days == "" {
			return nil
		}
		in := ScheduleInput{CommuneID: communeID, SectorID: strconv.FormatInt(sectorID, 10), StreamID: strconv.FormatInt(streamIDs[code], 10),
			Rule: RuleInput{Freq: freq, Days: splitCodes(days)}, Start: FormatDay(start)}
		if positions != "" {
			in.Rule.Positions = []string{positions}
		}
		if _, err := s.CreateSchedule(ctx, a, in); err != nil {
			return fmt.Errorf("collecte: demo schedule %s: %w", code, err)
		}
		return nil
	}
	for i, dc := range demoCommunes {
		cid, err := s.CreateCommune(ctx, a, CommuneInput{Name: dc.name, INSEE: dc.insee, Postcodes: dc.postcodes})
		if err != nil {
			return fmt.Errorf("collecte: demo commune %s: %w", dc.name, err)
		}
		if dc.glass != "" {
			if err := schedule(cid, 0, "V", FreqMonthly, dc.glass[1:], dc.glass[:1]); err != nil {
				return err
			}
		}
		if len(dc.sectors) == 0 {
			embFreq := FreqBiweekly
			if dc.bio != "" { // the towns with biodéchets get weekly packaging rounds
				embFreq = FreqWeekly
			}
			for _, x := range []struct{ code, freq, days string }{{"OM", FreqWeekly, dc.om}, {"EMB", embFreq, dc.emb}, {"BIO", FreqWeekly, dc.bio}} {
				if err := schedule(cid, 0, x.code, x.freq, x.days, ""); err != nil {
					return err
				}
			}
			continue
		}
		for j, name := range dc.sectors {
			sid, err := s.CreateSector(ctx, a, cid, SectorInput{Name: name, Description: sectorDescriptions[name], Position: strconv.Itoa(j + 1)})
			if err != nil {
				return fmt.Errorf("collecte: demo sector %s: %w", name, err)
			}
			d := sectorDays[(i+j)%len(sectorDays)]
			embFreq := FreqWeekly
			if j > 0 {
				embFreq = FreqBiweekly
			}
			for _, x := range []struct{ code, freq, days string }{{"OM", FreqWeekly, d.om}, {"EMB", embFreq, d.emb}, {"BIO", FreqWeekly, d.bio}} {
				if err := schedule(cid, sid, x.code, x.freq, x.days, ""); err != nil {
					return err
				}
			}
		}
	}
	return s.seedDemoHolidays(ctx, a, Day(now, s.Location))
}

// seedDemoHolidays takes the usual decisions for the coming year: the 1st
// of January, the 1st of May and Christmas move to the next working day, the
// 15th of August is kept; the other holidays are left to decide.
func (s *Store) seedDemoHolidays(ctx context.Context, a access.Actor, today time.Time) error {
	for _, h := range Holidays(today, today.AddDate(1, 0, 0)) {
		if wd := h.Day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue // no round on weekends in the demo territory
		}
		in := ExceptionInput{Day: FormatDay(h.Day)}
		switch {
		case h.Day.Month() == time.August && h.Day.Day() == 15:
			in.Action = ActionKeep
		case h.Day.Month() == time.January && h.Day.Day() == 1, h.Day.Month() == time.May && h.Day.Day() == 1, h.Day.Month() == time.December && h.Day.Day() == 25:
			next := h.Day.AddDate(0, 0, 1)
			for next.Weekday() == time.Sunday || HolidayName(next) != "" {
				next = next.AddDate(0, 0, 1)
			}
			in.Action, in.Replacement, in.Note = ActionMove, FormatDay(next), "Sortez votre bac la veille au soir, comme d’habitude."
		default:
			continue
		}
		if _, err := s.SetException(ctx, a, in); err != nil {
			return fmt.Errorf("collecte: demo holiday %s: %w", h.Name, err)
		}
	}
	return nil
}

func splitCodes(s string) []string {
	var out []string
	for i := 0; i+1 < len(s); i += 3 {
		out = append(out, s[i:i+2])
	}
	return out
}
