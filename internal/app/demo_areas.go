package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"time"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/calendar"
	"portique/internal/centres"
	"portique/internal/collecte"
	"portique/internal/config"
	"portique/internal/contact"
	"portique/internal/contact/form"
	"portique/internal/db"
	"portique/internal/documents"
	"portique/internal/guide"
	"portique/internal/i18n"
	"portique/internal/menu"
	"portique/internal/pages"
	"portique/internal/search"
	"portique/internal/site"
	"portique/internal/users"
)

// seedAreas writes the demo content of each area (pages, calendar,
// documents) for the demo groups and administrator, and indexes it for the
// site search. Document texts are indexed by the extraction jobs it queues.
func seedAreas(ctx context.Context, d *db.DB, idx search.Index, docs *documents.Store, register *acts.Store, now time.Time, res *users.DemoResult) error {
	if err := pages.SeedDemo(ctx, d, now, res.Groups, res.AdminID); err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	if err := calendar.SeedDemo(ctx, d, now, res.Groups); err != nil {
		return fmt.Errorf("calendar: %w", err)
	}
	if err := documents.SeedDemo(ctx, docs, now, res.Groups); err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	// The residents' services, managed by the communication team.
	g := guide.New(d, idx)
	g.Now = func() time.Time { return now }
	if err := g.SeedDemo(ctx, res.Groups["Communication"]); err != nil {
		return err
	}
	c := residentsCentres(d, idx)
	c.Now = g.Now
	if err := c.SeedDemo(ctx, res.Groups["Communication"]); err != nil {
		return err
	}
	if err := collecte.New(d, idx).SeedDemo(ctx, now, res.Groups); err != nil {
		return fmt.Errorf("collecte: %w", err)
	}
	if err := demoLinks(ctx, d, idx, now); err != nil {
		return err
	}
	if err := demoRegister(ctx, d, register, now, res); err != nil {
		return fmt.Errorf("acts: %w", err)
	}
	if err := demoContact(ctx, d, idx, now, res.Groups["Communication"]); err != nil {
		return fmt.Errorf("contact: %w", err)
	}
	// The syndicate's menu (its pages exist now), changed by the communication team.
	m := menu.New(d, pages.New(d, nil))
	m.Now = func() time.Time { return now }
	if err := m.SeedDemo(ctx, res.Groups["Communication"]); err != nil {
		return fmt.Errorf("menu: %w", err)
	}
	// The body's legal mentions and its audit (the legal pages, the footer).
	if err := site.New(d).SeedDemo(ctx, now); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	_, err := reindexAll(ctx, d, idx, docs)
	return err
}

// demoLinks puts the other areas' blocks on the demo pages: the public
// events on the home page, the public documents on their page, and each
// group's calendar and folder in its extranet section.
func demoLinks(ctx context.Context, d *db.DB, idx search.Index, now time.Time) error {
	id := func(table, name string) (int64, error) {
		var id int64
		err := d.QueryRow(ctx, "SELECT id FROM "+table+" WHERE name = ? ORDER BY id LIMIT 1", name).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("demo %s %q: %w", table, name, db.NotFound(err))
		}
		return id, nil
	}
	var links []pages.DemoLink
	for _, l := range []struct{ path, calendar, folder string }{
		{"/", "Animations grand public", ""},
		{"/documents-publics", "", "Public"},
		{"/documents-publics", "", "Rapports"},
		{"/espace-elus", "Instances", "Comité syndical"},
		{"/espace-techniciens", "Technique", "Technique"},
		{"/espace-stagiaires", "Formation des stagiaires", "Formation"},
	} {
		if l.calendar != "" {
			cid, err := id("calendars", l.calendar)
			if err != nil {
				return err
			}
			b := pages.Block{Type: pages.BlockEvents, CalendarID: cid, Limit: 5}
			if l.path == "/" {
				b.Title, b.Limit = "Prochains rendez-vous", 4
			}
			links = append(links, pages.DemoLink{Path: l.path, Block: b})
		}
		if l.folder != "" {
			fid, err := id("folders", l.folder)
			if err != nil {
				return err
			}
			links = append(links, pages.DemoLink{Path: l.path, Block: pages.Block{Type: pages.BlockDocuments, FolderID: fid}})
		}
	}
	// The élus' section also shows the month of their meetings.
	cid, err := id("calendars", "Instances")
	if err != nil {
		return err
	}
	links = append(links, pages.DemoLink{Path: "/espace-elus", Block: pages.Block{Type: pages.BlockCalendar, CalendarID: cid}})
	st := pages.New(d, idx)
	images, err := demoImages(ctx, st)
	if err != nil {
		return err
	}
	return st.AddDemoLinks(ctx, now, append(links, images...))
}

// demoImages puts two pictures on « Nos missions »: a chart with its
// caption (shown as a figure named by it, RGAA 1.9) and a band the editor
// marked decorative (empty alternative, RGAA 1.2). They are drawn here, so
// the demo needs no image file.
func demoImages(ctx context.Context, st *pages.Store) ([]pages.DemoLink, error) {
	const path = "/le-syndicat/nos-missions"
	p, _, err := st.Resolve(ctx, path)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a := access.Actor{Principal: access.Member(0, true, nil), Name: "démonstration"}
	// Tonnages of 2025 by stream, in thousands of tonnes.
	bars := []struct {
		t int
		c color.RGBA
	}{{62, color.RGBA{0x5b, 0x5b, 0x5b, 255}}, {21, color.RGBA{0xc9, 0xa2, 0x00, 255}}, {9, color.RGBA{0x2e, 0x7d, 0x32, 255}}, {34, color.RGBA{0x1f, 0x5f, 0xa8, 255}}}
	chart := image.NewRGBA(image.Rect(0, 0, 960, 540))
	draw.Draw(chart, chart.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for i, b := range bars {
		x := 80 + i*220
		draw.Draw(chart, image.Rect(x, 500-b.t*7, x+160, 500), image.NewUniform(b.c), image.Point{}, draw.Src)
	}
	draw.Draw(chart, image.Rect(40, 500, 920, 504), image.NewUniform(color.Black), image.Point{}, draw.Src)
	band := image.NewRGBA(image.Rect(0, 0, 960, 120))
	for x := 0; x < 960; x++ {
		for y := 0; y < 120; y++ {
			band.Set(x, y, color.RGBA{0x2e, uint8(0x7d + (x/40%2)*0x30), 0x32, 255})
		}
	}
	var out []pages.DemoLink
	for _, pic := range []struct {
		img   image.Image
		file  string
		block pages.Block
	}{
		{chart, "tonnages-2025.png", pages.Block{Type: pages.BlockImage,
			Alt:     "Diagramme en barres des tonnages collectés en 2025 : ordures ménagères 62 000 t, emballages 21 000 t, verre 9 000 t, déchèteries 34 000 t.",
			Caption: "Les tonnages collectés par le syndicat en 2025, par filière."}},
		{band, "bandeau.png", pages.Block{Type: pages.BlockImage, Decorative: true}},
	} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, pic.img); err != nil {
			return nil, err
		}
		alt := pic.block.Alt
		if alt == "" {
			alt = "Bandeau"
		}
		img, err := st.UploadImage(ctx, a, p.ID, pic.file, alt, &buf)
		if err != nil {
			return nil, fmt.Errorf("demo image %s: %w", pic.file, err)
		}
		pic.block.ImageID = img.ID
		out = append(out, pages.DemoLink{Path: path, Block: pic.block})
	}
	return out, nil
}

// demoRegister gives the register of acts its secretariat (a group holding
// manage on it, with the demo technician in it) and a year of acts, whose
// sessions link to the comité's and the bureau's events of the agenda.
func demoRegister(ctx context.Context, d *db.DB, register *acts.Store, now time.Time, res *users.DemoResult) error {
	groups := &users.Groups{DB: d, Now: func() time.Time { return now }}
	sec, err := groups.Create(ctx, access.System(), "Secrétariat")
	if err != nil {
		return err
	}
	for _, a := range res.Accounts {
		if a.Group == "Techniciens" {
			if err := groups.AddMember(ctx, access.System(), sec, a.ID); err != nil {
				return err
			}
		}
	}
	event := func(title string) int64 {
		var id int64
		d.QueryRow(ctx, "SELECT id FROM events WHERE title = ? ORDER BY id LIMIT 1", title).Scan(&id) //nolint:errcheck // no event: no link
		return id
	}
	return register.SeedDemo(ctx, now, sec, acts.DemoEvents{Comite: event("Comité syndical"), Bureau: event("Bureau syndical")})
}

// reindexAll re-feeds the search index from every area, records the
// analyser version it was built with, and returns how many objects were
// indexed.
func reindexAll(ctx context.Context, d *db.DB, idx search.Index, docs *documents.Store) (int, error) {
	total := 0
	for name, f := range map[string]func(context.Context) (int, error){
		"pages":     pages.New(d, idx).Reindex,
		"calendar":  calendar.New(d, idx).Reindex,
		"documents": docs.ReindexAll,
		"acts":      acts.New(d, nil, idx).Reindex,
		"guide":     guide.New(d, idx).Reindex,
		"centres":   residentsCentres(d, idx).Reindex,
		"collecte":  collecte.New(d, idx).Reindex,
	} {
		n, err := f(ctx)
		if err != nil {
			return total, fmt.Errorf("reindex %s: %w", name, err)
		}
		total += n
	}
	// The index now holds this analyser's tokens (no rebuild at start-up).
	return total, search.MarkAnalyzed(ctx, d)
}

// reindex rebuilds the search index from the stored pages, events and
// document texts (it does not re-extract files).
func reindex(ctx context.Context, e Env, args []string) error {
	return withDB(ctx, e, "reindex", args, func(cfg *config.Config, d *db.DB) error {
		idx := search.New(d)
		docs, err := documents.FromConfig(cfg, d, idx)
		if err != nil {
			return err
		}
		docs.Now = e.Now
		n, err := reindexAll(ctx, d, idx, docs)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout, say("cli.reindex.done", n))
		return nil
	})
}

// residentsCentres is the directory of recycling centres on d, with the
// words of its hours from the catalogue.
func residentsCentres(d *db.DB, idx search.Index) *centres.Store {
	return centres.New(d, idx, centres.WordsFrom(i18n.MustLoad("fr").T))
}

// demoContactFields is the form of the demo's /contact page.
const demoContactFields = `Nom | texte | obligatoire
Adresse e-mail | email | obligatoire
Téléphone | telephone
Commune | texte | obligatoire
Objet | choix | obligatoire | Collecte des déchets ; Bac cassé ou volé ; Déchèteries ; Tri et compostage ; Facturation ; Autre demande
Message | texte-long | obligatoire
Pièce jointe | fichier`

// demoContact publishes the /contact page with its form, lets the
// communication team read the inbox, and puts three messages in it.
func demoContact(ctx context.Context, d *db.DB, idx search.Index, now time.Time, communication int64) error {
	ps := pages.New(d, idx)
	ps.Now = func() time.Time { return now }
	a := access.Actor{Principal: access.Member(0, true, nil), Name: "démonstration"}
	home, err := ps.Home(ctx)
	if err != nil {
		return err
	}
	p, err := ps.Create(ctx, a, home.ID, pages.NewPage{Title: "Contact", MetaDescription: "Écrire au syndicat : une question sur la collecte, les déchèteries, le tri ou la facturation."})
	if err != nil {
		return err
	}
	cfg := &form.Config{
		Fields:    demoContactFields,
		Recipient: "contact@sydrav.example",
		Purpose:   "Répondre à votre demande sur la collecte et le traitement des déchets. Vos données sont lues par les agents du SYDRAV chargés d’y répondre et ne sont transmises à personne d’autre.",
		DPO:       "Délégué à la protection des données du SYDRAV, 12 rue des Tanneurs, 38140 Rives — dpo@sydrav.example",
	}
	rev, err := ps.SaveDraft(ctx, a, p.ID, p.DraftRev, "Contact", []pages.Block{
		{Type: pages.BlockText, HTML: "<p>Une question sur la collecte, un bac abîmé, les déchèteries ou votre facture ? Écrivez-nous : nous répondons sous cinq jours ouvrés. Pour une urgence (dépôt sauvage dangereux), appelez le 04 76 00 00 00.</p>"},
		{Type: pages.BlockContact, Contact: cfg},
	})
	if err != nil {
		return err
	}
	if _, err := ps.Publish(ctx, a, p.ID, rev.ID, "Contenu de démonstration"); err != nil {
		return err
	}
	cs := contact.New(d)
	if communication != 0 {
		cs.Now = func() time.Time { return now }
		if err := cs.SetGrants(ctx, access.System(), []access.Grant{{GroupID: communication, Level: access.Manage}}); err != nil {
			return err
		}
	}
	for i, m := range []map[string]string{
		{"f0": "Jeanne Martin", "f1": "jeanne.martin@example.fr", "f2": "06 12 34 56 78", "f3": "Rives", "f4": "Bac cassé ou volé",
			"f5": "Bonjour,\nle couvercle de notre bac jaune s’est cassé lors de la dernière collecte. Pouvez-vous le remplacer ?\nMerci."},
		{"f0": "Karim Benali", "f1": "k.benali@example.fr", "f3": "Voiron", "f4": "Déchèteries",
			"f5": "La déchèterie de Voiron accepte-t-elle les plaques de plâtre ? Je fais des travaux le mois prochain."},
		{"f0": "Association Les Jardins partagés", "f1": "jardins@example.org", "f2": "04 76 11 22 33", "f3": "Moirans", "f4": "Tri et compostage",
			"f5": "Nous voudrions installer un composteur collectif pour nos 20 parcelles. Le syndicat prête-t-il du matériel ?"},
	} {
		at := now.Add(-time.Duration(3-i) * 26 * time.Hour)
		cs.Now = func() time.Time { return at }
		if _, err := cs.Submit(ctx, access.Actor{IP: "192.0.2.10"}, contact.Submission{PageID: p.ID, FormTitle: "Contact", Config: *cfg,
			Values: m, Consent: true, Human: true, Key: fmt.Sprintf("demo-%d", i)}); err != nil {
			return err
		}
	}
	return nil
}
