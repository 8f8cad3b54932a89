package pages

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"time"

	"portique/internal/access"
)

// seedNews makes the demo's /actualites a news index with three
// categories and eight items with pictures: one scheduled three days
// ahead, one private to the élus. The home page's latest-news block shows
// the newest.
func (s *Store) seedNews(ctx context.Context, a access.Actor, now time.Time, groups map[string]int64) error {
	index, err := scanPage(s.d.QueryRow(ctx, "SELECT "+pageCols+" FROM pages p WHERE p.path = '/actualites' AND p.trashed_at IS NULL"))
	if err != nil {
		return fmt.Errorf("pages: seed news: %w", err)
	}
	if _, err := s.UpdateProps(ctx, a, index.ID, Props{Slug: index.Slug, MetaDescription: index.MetaDescription, NewsIndex: true}); err != nil {
		return fmt.Errorf("pages: seed news index: %w", err)
	}
	cats := map[string]*Category{}
	for _, name := range []string{"Collecte et déchèteries", "Prévention et compostage", "Vie du syndicat"} {
		c, err := s.AddCategory(ctx, a, index.ID, name)
		if err != nil {
			return fmt.Errorf("pages: seed category %q: %w", name, err)
		}
		cats[name] = c
	}
	day := 24 * time.Hour
	base := now.UTC().Truncate(time.Hour)
	items := []struct {
		title, category, teaser, html, alt string
		at                                 time.Duration // from now
		private                            bool
		hue                                float64
	}{
		{"Nouveaux horaires d’hiver des déchèteries", "Collecte et déchèteries",
			"Du 1er novembre au 28 février, les déchèteries ferment à 17 h. Le samedi, elles restent ouvertes de 9 h à 17 h sans interruption.",
			`<p>Comme chaque année, les déchèteries passent à l’horaire d’hiver. Du 1<sup>er</sup> novembre au 28 février, elles ferment à <strong>17 h</strong> du lundi au vendredi.</p><p>Le samedi, elles restent ouvertes de 9 h à 17 h sans interruption. Retrouvez les horaires de chaque site dans l’annuaire des <a href="/decheteries">déchèteries</a>.</p>`,
			"Le portail d’une déchèterie au coucher du soleil", -2 * day, false, 30},
		{"Distribution gratuite de composteurs", "Prévention et compostage",
			"Le syndicat distribue des composteurs de 400 litres aux foyers du territoire, avec un atelier de 30 minutes à chaque remise.",
			`<p>Le syndicat distribue des composteurs de 400 litres aux foyers du territoire. Inscription en ligne ou à l’accueil de votre mairie ; un atelier de 30 minutes accompagne chaque remise.</p>`,
			"Un composteur en bois dans un jardin potager", -5 * day, false, 110},
		{"Collecte décalée pendant les fêtes", "Collecte et déchèteries",
			"Les collectes du 25 décembre et du 1er janvier sont reportées au lendemain. Sortez vos bacs la veille au soir.",
			`<p>Les jours fériés de fin d’année, les collectes sont décalées d’un jour : celle du jeudi 25 décembre a lieu le vendredi 26, celle du jeudi 1<sup>er</sup> janvier le vendredi 2.</p><p>Consultez vos jours de collecte sur la page <a href="/collecte">Collecte</a>.</p>`,
			"Un camion de collecte dans une rue enneigée", -9 * day, false, 200},
		{"Le rapport annuel 2025 est en ligne", "Vie du syndicat",
			"Tonnages, coûts et qualité du service : le rapport annuel sur le prix et la qualité du service public est publié.",
			`<p>Le rapport annuel sur le prix et la qualité du service public de prévention et de gestion des déchets est disponible dans les <a href="/documents-publics">documents publics</a>.</p><p>En 2025, chaque habitant a produit 512 kg de déchets, dont 41 % ont été recyclés.</p>`,
			"La couverture du rapport annuel posée sur un bureau", -16 * day, false, 260},
		{"Atelier réparation de petits appareils", "Prévention et compostage",
			"Grille-pain, lampe, radio : venez les réparer avec les bénévoles du Repair Café, samedi à la ressourcerie de Vallon.",
			`<p>Un grille-pain qui ne chauffe plus, une lampe qui grésille ? Les bénévoles du Repair Café vous aident à réparer vos petits appareils, gratuitement, à la ressourcerie de Vallon.</p>`,
			"Des outils sur un établi à côté d’une radio ouverte", -23 * day, false, 50},
		{"Visite du centre de tri ouverte au public", "Vie du syndicat",
			"Les portes ouvertes du centre de tri ont réuni 600 visiteurs : retour en images sur le parcours des emballages.",
			`<p>Les portes ouvertes du centre de tri ont réuni 600 visiteurs. Le parcours suivait les emballages du bac jaune jusqu’aux balles de matière envoyées aux recycleurs.</p>`,
			"Des visiteurs sur la passerelle du centre de tri", -37 * day, false, 180},
		{"Consigne de tri : les petits emballages métalliques", "Collecte et déchèteries",
			"Capsules de café, opercules, papier d’aluminium : tous les petits métaux vont dans le bac jaune, en vrac.",
			`<p>Capsules de café, opercules de yaourt, papier d’aluminium froissé en boule : tous les petits emballages métalliques se trient dans le bac jaune. Pas besoin de les laver, il suffit de bien les vider.</p><p>Un doute ? Consultez le guide <a href="/ou-jeter">Où jeter ?</a></p>`,
			"Des capsules et des opercules en aluminium dans une main", 3 * day, false, 330},
		{"Comité syndical : ordre du jour de la séance", "Vie du syndicat",
			"Budget primitif 2027, tarifs des déchèteries pour les professionnels : l’ordre du jour de la prochaine séance est disponible.",
			`<p>Réservé aux élus : l’ordre du jour de la prochaine séance du comité syndical et les rapports sont dans l’espace documentaire des élus.</p>`,
			"La salle du comité syndical avant la séance", -1 * day, true, 0},
	}
	for i, it := range items {
		p, err := s.Create(ctx, a, index.ID, NewPage{Title: it.title})
		if err != nil {
			return fmt.Errorf("pages: seed news %q: %w", it.title, err)
		}
		pic, err := s.ReadImage(fmt.Sprintf("actualite-%d.jpg", i+1), it.alt, bytes.NewReader(demoPicture(it.hue, i)))
		if err != nil {
			return err
		}
		at := base.Add(it.at)
		if _, err := s.UpdateProps(ctx, a, p.ID, Props{Slug: p.Slug, Loc: time.UTC,
			Schedule: Schedule{PublishAt: FormatLocal(at, time.UTC)},
			News:     NewsProps{Teaser: it.teaser, CategoryID: cats[it.category].ID, Image: pic, ImageAlt: it.alt}}); err != nil {
			return fmt.Errorf("pages: seed news %q: %w", it.title, err)
		}
		if err := s.seedContent(ctx, a, p.ID, p.DraftRev, it.title, it.html); err != nil {
			return err
		}
		if gid, ok := groups["elus"]; ok && it.private {
			grants := []access.Grant{{GroupID: gid, Level: access.View}}
			if ed, ok := groups["editeurs"]; ok {
				grants = append(grants, access.Grant{GroupID: ed, Level: access.Manage})
			}
			if err := s.SetGrants(ctx, a, p.ID, false, grants); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoPicture draws a landscape picture for a demo news item (a sky, hills
// and a sun in the hue of the item), as a JPEG.
func demoPicture(hue float64, n int) []byte {
	const w, h = 1200, 675
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	sky := hsl(hue, 0.55, 0.78)
	hill := hsl(math.Mod(hue+120, 360), 0.45, 0.42)
	far := hsl(math.Mod(hue+120, 360), 0.35, 0.6)
	sun := hsl(math.Mod(hue+40, 360), 0.9, 0.6)
	sx, sy, sr := 250+float64(n*97%700), 180.0, 70.0
	for y := range h {
		for x := range w {
			fx, fy := float64(x), float64(y)
			c := mix(sky, color.RGBA{255, 255, 255, 255}, fy/float64(h))
			if (fx-sx)*(fx-sx)+(fy-sy)*(fy-sy) < sr*sr {
				c = sun
			}
			if fy > 420+50*math.Sin(fx/170+float64(n)) {
				c = far
			}
			if fy > 500+40*math.Sin(fx/110+float64(2*n)) {
				c = hill
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}) //nolint:errcheck // writes to memory
	return buf.Bytes()
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	t = math.Max(0, math.Min(1, t*0.6))
	l := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}

// hsl converts a hue (degrees), saturation and lightness to a colour.
func hsl(h, s, l float64) color.RGBA {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g = c, x
	case h < 120:
		r, g = x, c
	case h < 180:
		g, b = c, x
	case h < 240:
		g, b = x, c
	case h < 300:
		r, b = x, c
	default:
		r, b = c, x
	}
	return color.RGBA{uint8((r + m) * 255), uint8((g + m) * 255), uint8((b + m) * 255), 255}
}
