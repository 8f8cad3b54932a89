package menu

import (
	"context"
	"errors"
	"fmt"

	"portique/internal/access"
	"portique/internal/db"
)

// demoEntry is one entry of the demo menu: a page by its path, an area by
// its key, a custom link, or a group, with its sub-menu.
type demoEntry struct {
	page, area, label, url string
	subpages               bool
	children               []demoEntry
}

// The syndicate's menu: six entries for a visitor, on one line at 1280 px;
// the reserved spaces appear to their members only.
var demoMenu = []demoEntry{
	{page: "/le-syndicat", subpages: true},
	{label: "Vos services", children: []demoEntry{
		{area: "ou-jeter"},
		{area: "collecte", label: "Mes jours de collecte"},
		{area: "decheteries", label: "Déchèteries : horaires"},
		{page: "/reduire-ses-dechets"},
		{page: "/contact", label: "Nous contacter"},
		{label: "Démarches en ligne (service-public.fr)", url: "https://www.service-public.fr/"},
	}},
	{page: "/actualites"},
	{area: "agenda"},
	{area: "documents"},
	{area: "actes"},
	{label: "Espaces réservés", children: []demoEntry{
		{page: "/espace-elus"},
		{page: "/espace-techniciens"},
		{page: "/espace-stagiaires"},
	}},
}

// SeedDemo composes the demo menu when none is stored, and lets editors
// (the communication team; 0: nobody) change it. Pages missing from the
// tree are skipped.
func (s *Store) SeedDemo(ctx context.Context, editors int64) error {
	a := access.System()
	top, v, err := s.Entries(ctx, a.Principal)
	if err != nil || len(top) > 0 {
		return err
	}
	add := func(parent int64, d demoEntry) (int64, error) {
		in := Input{ParentID: parent, Label: d.label, Subpages: d.subpages}
		switch {
		case d.page != "":
			p, _, err := s.pages.Resolve(ctx, d.page)
			if errors.Is(err, db.ErrNotFound) {
				return 0, nil
			}
			if err != nil {
				return 0, err
			}
			in.Kind, in.PageID = KindPage, p.ID
		case d.area != "":
			in.Kind, in.Area = KindArea, d.area
		case d.url != "":
			in.Kind, in.URL = KindLink, d.url
		default:
			in.Kind = KindGroup
		}
		id, err := s.Add(ctx, a, v, in)
		if err != nil {
			return 0, fmt.Errorf("menu: seed %+v: %w", d, err)
		}
		v++
		return id, nil
	}
	for _, d := range demoMenu {
		id, err := add(0, d)
		if err != nil {
			return err
		}
		if id == 0 {
			continue
		}
		for _, c := range d.children {
			if _, err := add(id, c); err != nil {
				return err
			}
		}
	}
	if editors == 0 {
		return nil
	}
	return s.SetGrants(ctx, a, []access.Grant{{GroupID: editors, Level: access.Edit}})
}
