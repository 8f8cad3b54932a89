package acts

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// Demo seed data: a year of the fictional syndicate's acts, written for
// the demo (every person, figure and vote is invented). French text is
// allowed here: it is seed data, not the interface.

// DemoEvents are the calendar events the demo's sessions link to.
type DemoEvents struct {
	Comite, Bureau int64
}

type demoDelib struct {
	subject string
	matter  string
	vote    [5]int // members, present, for, against, abstain
	budget  string
	text    []string
}

type demoSession struct {
	body      Body
	monthsAgo int // 0: the last session, four days before now
	delibs    []demoDelib
}

var (
	demoPresident = Person{First: "Bernard", Last: "Coste", Title: "Président du SYDRAV"}
	demoPublisher = Person{First: "Karim", Last: "Benali", Title: "Chargé du secrétariat des assemblées"}
	frMonths      = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

func frDate(d string) string {
	t := day(d)
	n := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		n = "1er"
	}
	return n + " " + frMonths[t.Month()-1] + " " + fmt.Sprint(t.Year())
}

func vote(members, present, pour, contre, abst int) [5]int {
	return [5]int{members, present, pour, contre, abst}
}

var demoSessions = []demoSession{
	{Comite, 11, []demoDelib{
		{"Débat d’orientation budgétaire pour l’exercice à venir", "7.1", vote(42, 36, 36, 0, 0), "", []string{
			"Le rapport d’orientation budgétaire présente l’évolution des tonnages collectés, la hausse de la taxe générale sur les activités polluantes et le programme d’investissement des déchèteries.",
			"Le comité syndical prend acte de la tenue du débat d’orientation budgétaire sur la base du rapport annexé."}},
		{"Adhésion au groupement de commandes pour la fourniture de bacs roulants", "1.1", vote(42, 36, 34, 0, 2), "", []string{
			"Le groupement, coordonné par la communauté d’agglomération, permet d’obtenir de meilleurs prix pour les bacs de collecte sélective et d’ordures ménagères.",
			"Le comité syndical approuve la convention constitutive du groupement de commandes et autorise le Président à la signer."}},
		{"Convention avec l’éco-organisme pour la collecte des déchets d’équipements électriques", "8.8", vote(42, 36, 36, 0, 0), "", []string{
			"La convention fixe les soutiens versés au syndicat pour chaque tonne de déchets d’équipements électriques et électroniques collectée en déchèterie.",
			"Le comité syndical approuve la convention pour une durée de six ans."}},
	}},
	{Bureau, 10, []demoDelib{
		{"Attribution d’une subvention à la ressourcerie de Nyons", "7.5", vote(12, 10, 10, 0, 0), "", []string{
			"La ressourcerie détourne de l’enfouissement près de 180 tonnes d’objets par an grâce au réemploi.",
			"Le bureau syndical attribue une subvention de 15 000 euros au titre de l’année en cours."}},
	}},
	{Comite, 9, []demoDelib{
		{"Adoption du budget primitif principal", "7.1", vote(42, 38, 33, 3, 2), "budget", []string{
			"Le budget primitif s’équilibre à 31 420 000 euros en fonctionnement et 6 850 000 euros en investissement.",
			"Les contributions des membres sont maintenues au niveau de l’exercice précédent grâce aux recettes de revente des matériaux.",
			"Le comité syndical adopte le budget primitif principal, voté par chapitre."}},
		{"Fixation des tarifs des déchèteries pour les professionnels", "7.2", vote(42, 38, 38, 0, 0), "", []string{
			"Les tarifs d’accès des professionnels aux déchèteries sont fixés par catégorie de déchets : gravats, bois, déchets verts, encombrants.",
			"Le tarif des déchets verts est fixé à 28 euros la tonne ; celui des encombrants à 142 euros la tonne."}},
		{"Création d’un emploi d’animateur prévention des déchets", "4.1", vote(42, 38, 36, 0, 2), "", []string{
			"Un emploi permanent d’animateur de la prévention des déchets, de catégorie B, est créé à temps complet pour accompagner le programme local de prévention.",
			"Le tableau des emplois est modifié en conséquence."}},
	}},
	{Comite, 7, []demoDelib{
		{"Approbation du compte financier unique", "7.1", vote(42, 34, 34, 0, 0), "budget", []string{
			"Le compte financier unique fait apparaître un excédent de fonctionnement de 1 240 000 euros et un besoin de financement de la section d’investissement de 310 000 euros.",
			"Le Président ayant quitté la salle, le comité syndical approuve le compte financier unique sous la présidence du doyen d’âge."}},
		{"Rectification des tarifs des déchèteries pour les professionnels", "7.2", vote(42, 34, 34, 0, 0), "", []string{
			"Une erreur matérielle affectait le tarif des encombrants dans la délibération de la séance précédente : le tarif exact est de 124 euros la tonne et non de 142 euros.",
			"La présente délibération rectifie cette erreur ; les autres tarifs sont inchangés."}},
		{"Programme local de prévention des déchets ménagers et assimilés", "8.8", vote(42, 34, 31, 1, 2), "", []string{
			"Le programme vise une baisse de 15 % des déchets ménagers par habitant en six ans : compostage de proximité, lutte contre le gaspillage alimentaire, réemploi.",
			"Le comité syndical adopte le programme local de prévention et sa commission consultative d’élaboration et de suivi."}},
	}},
	{Bureau, 6, []demoDelib{
		{"Désignation des représentants au comité de suivi du centre de tri", "5.3", vote(12, 11, 11, 0, 0), "", []string{
			"Le bureau désigne deux représentants titulaires et deux suppléants au comité de suivi du centre de tri de Vaux.",
			"Sont désignés titulaires : Mme Claire Roux et M. Paul Séguin ; suppléants : Mme Inès Morel et M. Louis Brun."}},
	}},
	{Comite, 5, []demoDelib{
		{"Lancement de l’étude de tarification incitative", "8.8", vote(42, 37, 30, 4, 3), "", []string{
			"L’étude évaluera une part variable de la contribution des usagers selon la quantité de déchets présentée à la collecte, sur deux territoires tests.",
			"Le comité syndical autorise le lancement de la consultation pour l’étude et sollicite l’aide de l’Agence de la transition écologique."}},
		{"Rapport annuel sur le prix et la qualité du service public de prévention et de gestion des déchets", "8.8", vote(42, 37, 37, 0, 0), "", []string{
			"Le rapport présente les indicateurs techniques et financiers du service : 118 000 tonnes de déchets traitées, taux de valorisation matière de 43 %.",
			"Le comité syndical prend acte du rapport, qui sera transmis aux communautés membres."}},
		{"Décision modificative n° 1 du budget principal", "7.1", vote(42, 37, 37, 0, 0), "budget", []string{
			"La décision modificative inscrit les crédits nécessaires à l’extension de la déchèterie de Saint-Aubin et ajuste les dépenses de carburant.",
			"Le comité syndical adopte la décision modificative n° 1."}},
	}},
	{Comite, 3, []demoDelib{
		{"Attribution de l’accord-cadre de transport et de traitement des déchets verts", "1.1", vote(42, 35, 35, 0, 0), "", []string{
			"Après avis de la commission d’appel d’offres, l’accord-cadre est attribué pour quatre ans à la société Compost Rhodanien.",
			"Le comité syndical autorise le Président à signer l’accord-cadre et ses marchés subséquents."}},
		{"Modification du règlement des déchèteries", "8.8", vote(42, 35, 33, 0, 2), "", []string{
			"Le règlement limite les apports de gravats à un mètre cube par jour pour les particuliers et introduit l’accès par badge.",
			"Le nouveau règlement entre en vigueur le premier jour du mois suivant sa publication."}},
	}},
	{Comite, 1, []demoDelib{
		{"Régime indemnitaire des agents du syndicat", "4.5", vote(42, 33, 33, 0, 0), "", []string{
			"Le régime indemnitaire tenant compte des fonctions, des sujétions, de l’expertise et de l’engagement professionnel est étendu aux agents contractuels.",
			"Les montants plafonds par groupe de fonctions figurent au tableau annexé."}},
		{"Convention de partenariat avec la recyclerie de Valréas", "8.8", vote(42, 33, 32, 0, 1), "", []string{
			"La convention organise la récupération des objets réemployables dans les caissons dédiés des déchèteries du sud du territoire.",
			"Le comité syndical approuve la convention pour trois ans."}},
	}},
	{Bureau, 0, []demoDelib{
		{"Subvention à l’association Compost en Drôme provençale", "7.5", vote(12, 9, 9, 0, 0), "", []string{
			"L’association anime quarante sites de compostage partagé et forme les guides composteurs bénévoles.",
			"Le bureau syndical attribue une subvention de 6 000 euros."}},
	}},
}

// demoStandalone are the arrêtés and décisions of the year.
var demoStandalone = []struct {
	kind       Kind
	monthsAgo  int
	subject    string
	matter     string
	individual bool
	text       []string
	withdrawn  string
}{
	{Arrete, 10, "Arrêté portant délégation de signature au directeur général des services", "5.5", false, []string{
		"Délégation de signature est donnée au directeur général des services pour les bons de commande inférieurs à 25 000 euros hors taxes et les courriers de gestion courante."}, ""},
	{Decision, 9, "Décision de signer le contrat de maintenance du pont-bascule de la déchèterie de Pierrelatte", "1.4", false, []string{
		"Le contrat de maintenance est conclu pour un an renouvelable deux fois, pour un montant annuel de 4 200 euros hors taxes."}, ""},
	{Arrete, 8, "Arrêté portant nomination d’un régisseur de recettes des déchèteries", "4.1", true, []string{
		"Madame Élodie Marchal, adjointe administrative, est nommée régisseuse titulaire de la régie de recettes des déchèteries.",
		"Elle percevra l’indemnité de responsabilité prévue par la réglementation."}, ""},
	{Decision, 6, "Décision de louer un local de stockage à Nyons", "3.3", false, []string{
		"Le syndicat loue un local de 120 mètres carrés pour stocker les composteurs distribués aux habitants, pour un loyer mensuel de 650 euros."}, "Décision retirée à la suite des observations du contrôle de légalité sur la durée du bail ; une nouvelle décision sera prise."},
	{Arrete, 4, "Arrêté fixant les horaires d’hiver des déchèteries", "6.4", false, []string{
		"Du 1er novembre au 31 mars, les déchèteries sont ouvertes du lundi au samedi de 9 heures à 12 heures et de 13 h 30 à 17 heures."}, ""},
	{Decision, 2, "Décision de demander une subvention pour l’extension de la déchèterie de Saint-Aubin", "7.5", false, []string{
		"Une subvention de 240 000 euros est sollicitée auprès de la Région au titre du programme d’économie circulaire."}, ""},
}

// lastWeekday is the last given weekday of the month of t.
func lastWeekday(t time.Time, wd time.Weekday) time.Time {
	d := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// SeedDemo fills the register with a year of the demo syndicate's acts:
// sessions of the comité and the bureau with their deliberations, lists and
// minutes, arrêtés and décisions, one correction, one withdrawal, one
// individual act kept private, a draft and a last session whose list is
// still due (so the deadline view has something to show). secretariat is
// the group given manage on the register. Their PDFs are generated, with a
// real text layer; the extraction jobs queued index them.
func (s *Store) SeedDemo(ctx context.Context, now time.Time, secretariat int64, events DemoEvents) error {
	sys := access.Actor{Principal: access.Principal{Admin: true}, Name: "demo"}
	if err := s.db.InTx(ctx, func(tx *db.Tx) error {
		return access.SetGrants(ctx, tx, Register, RegisterID, []access.Grant{{GroupID: access.Everyone, Level: access.View}, {GroupID: secretariat, Level: access.Manage}})
	}); err != nil {
		return err
	}
	if err := s.SaveSettings(ctx, sys, Settings{CollName: "Syndicat mixte Drôme-Ardèche-Vaucluse pour la prévention et la valorisation des déchets (SYDRAV)",
		CollSIRET: "25260099900017", PrefID: "PREF026"}); err != nil {
		return err
	}
	paris := s.Location
	today := now.In(paris)
	at := func(d string, days, hour int) time.Time {
		t := day(d).AddDate(0, 0, days)
		return time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, paris)
	}
	clock := *s
	st := &clock
	seq := map[string]int{}
	number := func(prefix, d string) string {
		key := fmt.Sprintf("%d-%s", day(d).Year(), prefix)
		seq[key]++
		return fmt.Sprintf("%s%03d", key, seq[key])
	}
	render := func(heading string, lines []string, d string) (Upload, error) {
		b, err := RenderPDF(heading, lines, at(d, 0, 9))
		return Upload{Name: strings.ToLower(strings.NewReplacer(" ", "-", "°", "", "’", "").Replace(heading)) + ".pdf", Body: bytes.NewReader(b)}, err
	}
	create := func(in Input, heading string, lines []string, annexes []Upload) (int64, error) {
		f, err := render(heading, lines, in.Date)
		if err != nil {
			return 0, err
		}
		return st.CreateDraft(ctx, sys, in, f, annexes)
	}
	publish := func(id int64, when time.Time) error {
		if when.After(now) {
			when = now
		}
		st.Now = func() time.Time { return when }
		return st.Publish(ctx, sys, id, demoPublisher)
	}
	header := []string{"Syndicat mixte Drôme-Ardèche-Vaucluse pour la prévention et la valorisation des déchets (SYDRAV) — siège : Pierrelatte (Drôme)"}

	// Session dates: the comité on the last Thursday of its month, the
	// bureau on the second Tuesday; the last session, four days ago.
	type held struct {
		id   int64
		date string
		ses  demoSession
	}
	var sessions []held
	for _, ds := range demoSessions {
		var d time.Time
		if ds.monthsAgo == 0 {
			d = today.AddDate(0, 0, -4)
		} else {
			m := time.Date(today.Year(), today.Month()-time.Month(ds.monthsAgo), 1, 0, 0, 0, 0, time.UTC)
			if ds.body == Comite {
				d = lastWeekday(m, time.Thursday)
			} else {
				d = m.AddDate(0, 0, (int(time.Tuesday)-int(m.Weekday())+7)%7+7)
			}
		}
		date := d.Format(time.DateOnly)
		st.Now = func() time.Time { return at(date, 0, 21) }
		in := SessionInput{Body: ds.body, HeldOn: date, Place: "Siège du SYDRAV, salle du conseil, Pierrelatte"}
		if ds.body == Comite {
			in.EventID = events.Comite
		} else {
			in.EventID = events.Bureau
		}
		if in.EventID != 0 && st.checkEvent(ctx, sys.Principal, in.EventID) != nil {
			in.EventID = 0
		}
		id, err := st.CreateSession(ctx, sys, in)
		if err != nil {
			return fmt.Errorf("acts demo: session %s: %w", date, err)
		}
		sessions = append(sessions, held{id, date, ds})
	}

	var tarifs int64 // the deliberation rectified at the next session
	for i, h := range sessions {
		bodyName := map[Body]string{Comite: "comité syndical", Bureau: "bureau syndical"}[h.ses.body]
		var listLines []string
		var examined []string
		last := h.ses.monthsAgo == 0
		for j, dl := range h.ses.delibs {
			num := number("", h.date)
			v := dl.vote
			in := Input{Kind: Deliberation, Number: num, Date: h.date, Subject: dl.subject, SessionID: h.id, MatterCode: dl.matter,
				Members: fmt.Sprint(v[0]), Present: fmt.Sprint(v[1]), For: fmt.Sprint(v[2]), Against: fmt.Sprint(v[3]), Abstain: fmt.Sprint(v[4]),
				Signer: demoPresident, Public: true}
			if dl.budget != "" {
				in.BudgetYear, in.BudgetName = fmt.Sprint(day(h.date).Year()), "Budget principal"
			}
			in.PrefDate = day(h.date).AddDate(0, 0, 2).Format(time.DateOnly)
			if strings.HasPrefix(dl.subject, "Rectification") && tarifs != 0 {
				in.Corrects = tarifs
			}
			result := fmt.Sprintf("à l’unanimité des %d votants", v[1])
			if v[3] > 0 || v[4] > 0 {
				result = fmt.Sprintf("par %d voix pour, %d voix contre et %d abstention(s)", v[2], v[3], v[4])
			}
			lines := append(append([]string{}, header...),
				"## Extrait du registre des délibérations du "+bodyName,
				"Séance du "+frDate(h.date)+". Membres en exercice : "+fmt.Sprint(v[0])+" ; présents et représentés : "+fmt.Sprint(v[1])+".",
				"## Objet : "+dl.subject,
				"Vu le code général des collectivités territoriales, et notamment ses articles L. 5211-1 et suivants ;",
				"Vu les statuts du syndicat ;")
			lines = append(lines, dl.text...)
			lines = append(lines, "Après en avoir délibéré, le "+bodyName+" adopte la présente délibération "+result+".",
				"Fait à Pierrelatte, le "+frDate(h.date)+".", "Le Président, Bernard Coste")
			var annexes []Upload
			if dl.budget != "" || dl.matter == "4.5" {
				a, err := render("Annexe à la délibération n° "+num, []string{"Tableau annexé à la délibération : " + dl.subject + "."}, h.date)
				if err != nil {
					return err
				}
				a.Title = "Annexe — tableau"
				annexes = append(annexes, a)
			}
			st.Now = func() time.Time { return at(h.date, 1, 9) }
			id, err := create(in, "Délibération n° "+num, lines, annexes)
			if err != nil {
				return fmt.Errorf("acts demo: deliberation %s: %w", num, err)
			}
			if strings.HasPrefix(dl.subject, "Fixation des tarifs") {
				tarifs = id
			}
			listLines = append(listLines, "Délibération n° "+num+" — "+dl.subject+" : adoptée "+result+".")
			examined = append(examined, num)
			if last && j == len(h.ses.delibs)-1 {
				continue // the last session's deliberation is still a draft
			}
			if err := publish(id, at(h.date, 2, 10)); err != nil {
				return fmt.Errorf("acts demo: publish %s: %w", num, err)
			}
		}
		if last {
			continue // its list is due within the week: the deadline view shows it
		}
		// The list of the deliberations examined, two days after the session.
		st.Now = func() time.Time { return at(h.date, 1, 9) }
		listNum := fmt.Sprintf("L-%s", h.date)
		lines := append(append([]string{}, header...), "## Liste des délibérations examinées par le "+bodyName+" en sa séance du "+frDate(h.date))
		lines = append(lines, listLines...)
		lines = append(lines, "Affichée au siège et mise en ligne le "+frDate(day(h.date).AddDate(0, 0, 2).Format(time.DateOnly))+".", "Le Président, Bernard Coste")
		id, err := create(Input{Kind: List, Number: listNum, Date: day(h.date).AddDate(0, 0, 1).Format(time.DateOnly), Subject: "Liste des délibérations examinées en séance du " + frDate(h.date),
			SessionID: h.id, Signer: demoPresident, Public: true}, "Liste des délibérations — séance du "+frDate(h.date), lines, nil)
		if err != nil {
			return fmt.Errorf("acts demo: list %s: %w", listNum, err)
		}
		if err := publish(id, at(h.date, 2, 10)); err != nil {
			return err
		}
		// The minutes, adopted at the next session of the same body and
		// published three days later (the most recent ones still await).
		var next *held
		for k := i + 1; k < len(sessions); k++ {
			if sessions[k].ses.body == h.ses.body {
				next = &sessions[k]
				break
			}
		}
		if next == nil || next.ses.monthsAgo == 0 {
			continue
		}
		in := SessionInput{Body: h.ses.body, HeldOn: h.date, Place: "Siège du SYDRAV, salle du conseil, Pierrelatte", MinutesApprovedOn: next.date}
		ss, _ := st.sessionRow(ctx, st.db, h.id)
		in.EventID = ss.EventID
		if err := st.UpdateSession(ctx, sys, h.id, in); err != nil {
			return err
		}
		st.Now = func() time.Time { return at(next.date, 1, 9) }
		pvLines := append(append([]string{}, header...), "## Procès-verbal de la séance du "+bodyName+" du "+frDate(h.date),
			"La séance est ouverte à 18 heures sous la présidence de M. Bernard Coste. Le quorum est atteint. Mme Claire Roux est désignée secrétaire de séance.",
			"Le procès-verbal de la séance précédente est adopté à l’unanimité.")
		for _, dl := range h.ses.delibs {
			pvLines = append(pvLines, "## "+dl.subject, dl.text[0], "Après débat, la délibération est mise aux voix et adoptée.")
		}
		pvLines = append(pvLines, "Délibérations examinées : "+strings.Join(examined, ", ")+".", "La séance est levée à 20 h 15.",
			"Procès-verbal arrêté en séance du "+frDate(next.date)+". Le Président, Bernard Coste ; la secrétaire de séance, Claire Roux.")
		pvNum := fmt.Sprintf("PV-%s", h.date)
		id, err = create(Input{Kind: Minutes, Number: pvNum, Date: next.date, Subject: "Procès-verbal de la séance du " + frDate(h.date),
			SessionID: h.id, Signer: demoPresident, Public: true}, "Procès-verbal — séance du "+frDate(h.date), pvLines, nil)
		if err != nil {
			return fmt.Errorf("acts demo: minutes %s: %w", pvNum, err)
		}
		if err := publish(id, at(next.date, 3, 10)); err != nil {
			return err
		}
	}

	for _, a := range demoStandalone {
		m := time.Date(today.Year(), today.Month()-time.Month(a.monthsAgo), 1, 0, 0, 0, 0, time.UTC)
		date := m.AddDate(0, 0, 9).Format(time.DateOnly)
		prefix := map[Kind]string{Arrete: "A-", Decision: "D-"}[a.kind]
		num := number(prefix, date)
		kindName := map[Kind]string{Arrete: "Arrêté", Decision: "Décision"}[a.kind]
		lines := append(append([]string{}, header...), "## "+kindName+" n° "+num, "## Objet : "+a.subject,
			"Le Président du syndicat mixte SYDRAV,", "Vu le code général des collectivités territoriales ;")
		if a.kind == Decision {
			lines = append(lines, "Vu la délibération du comité syndical portant délégation d’attributions au Président ;")
		}
		lines = append(lines, a.text...)
		lines = append(lines, "Fait à Pierrelatte, le "+frDate(date)+".", "Le Président, Bernard Coste")
		st.Now = func() time.Time { return at(date, 0, 15) }
		in := Input{Kind: a.kind, Number: num, Date: date, Subject: a.subject, MatterCode: a.matter, Signer: demoPresident,
			Individual: a.individual, Public: !a.individual}
		id, err := create(in, kindName+" n° "+num, lines, nil)
		if err != nil {
			return fmt.Errorf("acts demo: %s: %w", num, err)
		}
		if err := publish(id, at(date, 1, 11)); err != nil {
			return err
		}
		if a.withdrawn != "" {
			st.Now = func() time.Time { return at(date, 20, 10) }
			if err := st.Withdraw(ctx, sys, id, a.withdrawn); err != nil {
				return err
			}
		}
	}
	return nil
}
