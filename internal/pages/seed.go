package pages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"portique/internal/access"
	"portique/internal/db"
)

// SeedDemo writes the demo site of the syndicate (SYDRAV) when the tree is
// empty: a public site and one extranet section per group. groups maps group
// keys to ids; the keys used are "elus", "techniciens", "stagiaires" (each
// gets its private section) and, when present, "editeurs" (the
// communication team, granted Manage on the whole site). Keys are compared
// as slugs, so the group names themselves ("Élus", "Techniciens") work. adminID authors the
// revisions. Pages are not indexed for search here (no index is given): run
// Store.Reindex afterwards, or use Store.SeedDemo with an indexed store.
func SeedDemo(ctx context.Context, d *db.DB, now time.Time, groups map[string]int64, adminID int64) error {
	return New(d, nil).SeedDemo(ctx, now, groups, adminID)
}

// SeedDemo is the package function SeedDemo on this store (its index gets
// the pages).
func (s *Store) SeedDemo(ctx context.Context, now time.Time, groups map[string]int64, adminID int64) error {
	if _, err := s.Home(ctx); err == nil {
		return nil // a site exists: never overwrite it
	}
	// Keys may be group names ("Élus") or their slugs ("elus").
	norm := make(map[string]int64, len(groups))
	for k, v := range groups {
		norm[Slugify(k)] = v
	}
	groups = norm
	var name string
	if adminID != 0 {
		if err := s.d.QueryRow(ctx, "SELECT name FROM users WHERE id = ?", adminID).Scan(&name); err != nil {
			return fmt.Errorf("pages: seed: admin %d: %w", adminID, db.NotFound(err))
		}
	}
	clock := s.Now
	tick := now.UTC()
	s.Now = func() time.Time { tick = tick.Add(time.Second); return tick }
	defer func() { s.Now = clock }()
	a := access.Actor{Principal: access.Member(adminID, true, nil), Name: name}

	home, err := s.CreateHome(ctx, a, "Accueil")
	if err != nil {
		return err
	}
	if id, ok := groups["editeurs"]; ok {
		if err := s.d.InTx(ctx, func(tx *db.Tx) error {
			return access.SetGrants(ctx, tx, access.Page, home.ID, []access.Grant{
				{GroupID: access.Everyone, Level: access.View}, {GroupID: id, Level: access.Manage}})
		}); err != nil {
			return err
		}
	}
	// The home page content is a draft on top of the empty first revision.
	if err := s.seedHome(ctx, a, home); err != nil {
		return err
	}

	type demo struct {
		title, slug, menu, meta, html string
		hidden                        bool     // out of the main menu (linked from the footer)
		extra                         []string // extra block kinds after the text
		picture                       bool     // a picture inside the text (composterAlt)
		children                      []demo
	}
	site := []demo{
		{title: "Le syndicat", meta: "Le SYDRAV, syndicat de traitement des déchets : missions, territoire, élus.", html: syndicatHTML,
			extra: []string{BlockChildren},
			children: []demo{
				{title: "Nos missions", html: missionsHTML},
				{title: "Le comité syndical", html: comiteHTML},
			}},
		{title: "Réduire ses déchets", meta: "Compostage, réemploi, stop-pub : les gestes qui allègent la poubelle.", html: reduireHTML, picture: true},
		{title: "Guide du tri", meta: "Où jeter quoi : emballages, verre, papier, biodéchets.", html: triHTML},
		// /decheteries itself is the directory of the centres (a reserved
		// address): this page introduces it from the menu.
		{title: "Déchèteries et points de collecte", slug: "decheteries-et-points-de-collecte", menu: "Déchèteries",
			meta: "Adresses, horaires et déchets acceptés dans les déchèteries du syndicat.", html: decheteriesHTML},
		// The news index: its items are seeded by seedNews.
		{title: "Actualités", meta: "Les actualités du syndicat : collecte, déchèteries, prévention et vie du syndicat.", html: `<p>Les dernières nouvelles du syndicat.</p>`},
		{title: "Documents publics", meta: "Rapports annuels, délibérations et règlements.", html: documentsHTML},
		// The accessibility statement and the legal notice are built from
		// the site settings (site.SeedDemo), not pages of the tree.
	}
	var add func(parent int64, list []demo) error
	add = func(parent int64, list []demo) error {
		for _, p := range list {
			pg, err := s.Create(ctx, a, parent, NewPage{Title: p.title, Slug: p.slug, MenuTitle: p.menu, MetaDescription: p.meta, HideFromMenu: p.hidden})
			if err != nil {
				return fmt.Errorf("pages: seed %q: %w", p.title, err)
			}
			html := p.html
			if p.picture {
				if html, err = s.seedPicture(ctx, a, pg.ID, html, "<h2>Composter", composterAlt); err != nil {
					return err
				}
			}
			if err := s.seedContent(ctx, a, pg.ID, pg.DraftRev, p.title, html, p.extra...); err != nil {
				return err
			}
			if err := add(pg.ID, p.children); err != nil {
				return err
			}
		}
		return nil
	}
	if err := add(home.ID, site); err != nil {
		return err
	}

	extranet := []struct{ key, title, html string }{
		{"elus", "Espace élus", `<p>Bienvenue dans l’espace réservé aux élus du comité syndical.</p><h2>Prochaine séance</h2><p>Le comité syndical se réunit le <strong>jeudi 11 décembre à 18 h</strong> au siège du syndicat. L’ordre du jour et les rapports sont disponibles dans l’espace documentaire.</p><ul><li>Budget primitif 2027</li><li>Tarifs des déchèteries pour les professionnels</li><li>Rapport annuel sur le prix et la qualité du service</li></ul>`},
		{"techniciens", "Espace techniciens", `<p>Ressources pour les techniciens des collectivités adhérentes.</p><h2>Procédures</h2><ul><li>Signaler un bac endommagé ou un dépôt sauvage</li><li>Demander une rotation de benne supplémentaire</li><li>Transmettre les tonnages mensuels avant le 5 du mois</li></ul><p>Astreinte : le numéro figure sur le planning partagé de l’agenda.</p>`},
		{"stagiaires", "Espace stagiaires", `<p>Bienvenue ! Cet espace rassemble ce qu’il faut savoir pour votre stage au syndicat.</p><h2>Premiers jours</h2><ol><li>Accueil par votre tuteur ou tutrice à 9 h</li><li>Visite du centre de tri (chaussures de sécurité fournies)</li><li>Présentation des outils : messagerie, agenda, documents partagés</li></ol>`},
	}
	for _, x := range extranet {
		gid, ok := groups[x.key]
		if !ok {
			continue
		}
		pg, err := s.Create(ctx, a, home.ID, NewPage{Title: x.title})
		if err != nil {
			return fmt.Errorf("pages: seed %q: %w", x.title, err)
		}
		if err := s.d.InTx(ctx, func(tx *db.Tx) error {
			g := []access.Grant{{GroupID: gid, Level: access.View}}
			if ed, ok := groups["editeurs"]; ok {
				g = append(g, access.Grant{GroupID: ed, Level: access.Manage})
			}
			return access.SetGrants(ctx, tx, access.Page, pg.ID, g)
		}); err != nil {
			return err
		}
		if err := s.seedContent(ctx, a, pg.ID, pg.DraftRev, x.title, x.html); err != nil {
			return err
		}
	}
	return s.seedNews(ctx, a, now, groups)
}

// seedHome composes the demo's home page from the home blocks: a hero
// with a picture, the quick-access tiles residents come for, a search box
// and the latest news (demoLinks, in package app, adds the upcoming
// events). Nothing repeats the menu.
func (s *Store) seedHome(ctx context.Context, a access.Actor, home *Page) error {
	pic, err := s.ReadImage("accueil.jpg", "Des collines au soleil levant", bytes.NewReader(demoPicture(95, 3)))
	if err != nil {
		return err
	}
	blocks := []Block{
		{Type: BlockHero, Title: "Moins de déchets, mieux triés",
			Lead:      "Le SYDRAV collecte, trie et valorise les déchets ménagers de 177 communes et de 235 000 habitants.",
			LinkLabel: "Trouver mes jours de collecte", LinkURL: "/collecte", Decorative: true},
		{Type: BlockTiles, Title: "Accès rapides", Tiles: []Tile{
			{Label: "Où jeter ?", URL: "/ou-jeter", Icon: "trash-2"},
			{Label: "Mes jours de collecte", URL: "/collecte", Icon: "calendar-days"},
			{Label: "Déchèteries : horaires", URL: "/decheteries", Icon: "clock"},
			{Label: "Actualités", URL: "/actualites", Icon: "newspaper"},
			{Label: "Nous contacter", URL: "/contact", Icon: "mail"},
		}},
		{Type: BlockSearch},
		{Type: BlockNews, Limit: 3},
	}
	_, _, err = s.Save(ctx, a, home.ID, Edit{Base: home.PublishedRev, Title: "Accueil", Blocks: blocks,
		Uploads: map[int]*Upload{0: pic}, Publish: true, Note: "Contenu de démonstration"})
	if err != nil {
		return fmt.Errorf("pages: seed home: %w", err)
	}
	return nil
}

func (s *Store) seedContent(ctx context.Context, a access.Actor, id, base int64, title, html string, extra ...string) error {
	blocks := []Block{{Type: BlockText, HTML: strings.TrimSpace(html)}}
	for _, k := range extra {
		blocks = append(blocks, Block{Type: k})
	}
	rev, err := s.SaveDraft(ctx, a, id, base, title, blocks)
	if err != nil {
		return fmt.Errorf("pages: seed %q: %w", title, err)
	}
	if _, err := s.Publish(ctx, a, id, rev.ID, "Contenu de démonstration"); err != nil {
		return fmt.Errorf("pages: seed %q: %w", title, err)
	}
	return nil
}

const syndicatHTML = `
<p>Le Syndicat de traitement des déchets de la vallée (SYDRAV) est un établissement public de coopération intercommunale créé en 1994. Il assure pour ses collectivités membres le traitement et la valorisation des déchets ménagers et assimilés.</p>
<h2>Le territoire</h2>
<p>Sept communautés de communes et une communauté d’agglomération, 177 communes, 235 000 habitants ; 12 déchèteries, un centre de tri et une plateforme de compostage.</p>`

const missionsHTML = `
<ul>
<li>Exploiter le réseau des déchèteries et le centre de tri ;</li>
<li>valoriser les biodéchets et les déchets verts par compostage ;</li>
<li>accompagner les habitants, les écoles et les entreprises dans la réduction des déchets.</li>
</ul>`

const comiteHTML = `
<p>Le comité syndical réunit 42 délégués désignés par les collectivités membres. Il vote le budget, fixe les tarifs et élit le bureau.</p>
<table><caption>Composition du bureau</caption><thead><tr><th scope="col">Fonction</th><th scope="col">Nom</th></tr></thead>
<tbody><tr><td>Président</td><td>Jean Martin</td></tr><tr><td>Vice-présidente</td><td>Claire Dubois</td></tr><tr><td>Vice-président</td><td>Karim Benali</td></tr></tbody></table>`

// composterAlt describes the picture inside the text of « Réduire ses
// déchets » (the editor's image dialog in the demo).
const composterAlt = "Dessin d’un composteur de jardin : une caisse à lattes de bois fermée par un couvercle, posée sur la pelouse, à côté d’épluchures."

const reduireHTML = `
<p>Le meilleur déchet est celui que l’on ne produit pas. Quelques gestes simples allègent la poubelle d’un tiers.</p>
<h2>Composter ses biodéchets</h2>
<p>Épluchures, marc de café et restes de repas représentent près d’un tiers de nos ordures ménagères. Le syndicat fournit gratuitement un composteur à chaque foyer qui en fait la demande.</p>
<h2>Donner une seconde vie aux objets</h2>
<p>Meubles, vélos, jouets : les <strong>ressourceries</strong> partenaires les réparent et les revendent à petit prix. Chaque déchèterie dispose d’un espace de réemploi.</p>
<h2>Refuser la publicité</h2>
<p>Un autocollant « Stop pub » sur la boîte aux lettres évite en moyenne 30 kg de papier par an.</p>`

const triHTML = `
<p>Depuis le 1<sup>er</sup> janvier 2023, <strong>tous les emballages</strong> et tous les papiers se trient dans le bac jaune : inutile de les laver, il suffit de bien les vider et de les déposer en vrac. Depuis 2024, les biodéchets (restes de repas, épluchures) se trient aussi : au composteur ou dans le bac à biodéchets.</p>
<h2>Chercher un déchet</h2>
<p>Un doute sur un objet ? Le guide <a href="/ou-jeter"><strong>« Où jeter ? »</strong></a> répond pour plus de 150 déchets du quotidien, avec les déchèteries qui les acceptent.</p>
<ul>
<li><a href="/ou-jeter?q=pot+de+yaourt">Pot de yaourt</a> : bac jaune</li>
<li><a href="/ou-jeter?q=bouteille+en+verre">Bouteille en verre</a> : colonne à verre</li>
<li><a href="/ou-jeter?q=piles">Piles</a> : point de collecte</li>
</ul>
<blockquote><p>En cas de doute, déposez le déchet dans la poubelle d’ordures ménagères plutôt que dans le bac jaune.</p></blockquote>`

const decheteriesHTML = `
<p>Les déchèteries du syndicat accueillent gratuitement les particuliers du territoire, sur présentation de la carte d’accès. Des points de collecte (textiles, verre, piles) complètent le réseau.</p>
<p><a href="/decheteries"><strong>Toutes les déchèteries et points de collecte</strong></a> : adresses, horaires du jour (« ouvert maintenant »), fermetures exceptionnelles et déchets acceptés.</p>
<h2>Déchets acceptés</h2>
<p>Encombrants, déchets verts, gravats, bois, métaux, cartons, équipements électriques, peintures et solvants, huiles de vidange. Pour un objet précis, consultez le guide <a href="/ou-jeter">« Où jeter ? »</a>.</p>`

const documentsHTML = `
<p>Les documents publics du syndicat — rapports annuels, délibérations du comité syndical, règlements des déchèteries — sont consultables et téléchargeables dans l’<a href="/documents">espace documentaire</a>.</p>`

// DemoLink is a block to add to a demo page once the other areas' demo
// content exists: a documents block (a folder) or an events block (a
// calendar).
type DemoLink struct {
	Path  string // page path, e.g. "/documents-publics"
	Block Block
}

// AddDemoLinks appends blocks to pages of the demo site and publishes them,
// as an administrator. Pages that do not exist are skipped (a site built
// without the demo); invalid blocks (a folder id of 0…) are an error.
func (s *Store) AddDemoLinks(ctx context.Context, now time.Time, links []DemoLink) error {
	clock := s.Now
	tick := now.UTC()
	s.Now = func() time.Time { tick = tick.Add(time.Second); return tick }
	defer func() { s.Now = clock }()
	a := access.Actor{Principal: access.Member(0, true, nil), Name: "démonstration"}
	for _, l := range links {
		p, moved, err := s.Resolve(ctx, l.Path)
		if errors.Is(err, db.ErrNotFound) || moved {
			continue
		}
		if err != nil {
			return err
		}
		_, head, err := s.EditStart(ctx, a.Principal, p.ID)
		if err != nil {
			return err
		}
		rev, err := s.SaveDraft(ctx, a, p.ID, head.ID, head.Title, append(head.Blocks, l.Block))
		if err != nil {
			return fmt.Errorf("pages: demo link on %s: %w", l.Path, err)
		}
		if _, err := s.Publish(ctx, a, p.ID, rev.ID, "Contenu de démonstration"); err != nil {
			return err
		}
	}
	return nil
}
