package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"portique/internal/db"
	"portique/internal/pages"
)

// The home page's blocks (hero, quick-access tiles, search box): their
// view and their fields in the edit form.

// heroView is what a hero block shows.
type heroView struct {
	Title, Lead string
	Image       *imageView // nil: a plain banner
	Button      *NavItem   // nil: none
}

// tileView is one quick-access tile; Icon is the address of its symbol in
// the bundled sprite ("": none).
type tileView struct {
	Label, URL, Icon string
}

// iconHref is the address of a bundled icon (dist/icons.svg, built from
// internal/pages/icons.txt), "" when the sprite was not built.
func (s *Server) iconHref(name string) string {
	if name == "" || !s.static.exists("dist/icons.svg") {
		return ""
	}
	return s.static.url("dist/icons.svg") + "#" + name
}

// homeBlockView fills v for a hero, tiles or search block; it reports
// false when the block shows nothing (a hero whose picture is gone keeps
// its text).
func (s *Server) homeBlockView(r *http.Request, b pages.Block, v *blockView) (bool, error) {
	switch b.Type {
	case pages.BlockHero:
		h := &heroView{Title: b.Title, Lead: b.Lead}
		if b.LinkURL != "" && b.LinkLabel != "" {
			h.Button = &NavItem{Label: b.LinkLabel, URL: b.LinkURL}
		}
		if b.ImageID > 0 {
			img, err := s.pages.GetImage(r.Context(), principal(r), b.ImageID)
			switch {
			case err == nil:
				h.Image = imageViewOf(img, b.Alt)
				if b.Decorative {
					h.Image.Alt = ""
				}
			case !errors.Is(err, db.ErrNotFound):
				return false, err
			}
		}
		v.Hero = h
	case pages.BlockTiles:
		v.Label = b.Title
		for _, t := range b.Tiles {
			v.Tiles = append(v.Tiles, tileView{Label: t.Label, URL: t.URL, Icon: s.iconHref(t.Icon)})
		}
	case pages.BlockSearch:
		v.Label = b.Title
		if v.Label == "" {
			v.Label = s.cat.T("pages.block.search_heading")
		}
	default:
		return false, nil
	}
	return true, nil
}

// parseTiles reads the tiles of block i of the form (blocks.i.tiles.N.*,
// N from 0 while the row is in the form).
func parseTiles(r *http.Request, key func(string) string) []pages.Tile {
	var out []pages.Tile
	for n := 0; n < pages.MaxTiles+tileSpareRows+1; n++ {
		f := func(name string) string { return key(fmt.Sprintf("tiles.%d.%s", n, name)) }
		if _, ok := r.Form[f("label")]; !ok {
			break
		}
		out = append(out, pages.Tile{Label: r.FormValue(f("label")), URL: r.FormValue(f("url")), Icon: r.FormValue(f("icon"))})
	}
	return out
}

// tileSpareRows is how many empty rows the edit form offers after a tiles
// block's tiles (a tile is added without JavaScript by filling one in).
const tileSpareRows = 2

// editTile is one row of a tiles block in the edit form.
type editTile struct {
	N int
	pages.Tile
}

// Num is the tile's position counted from 1, for labels.
func (t editTile) Num() int { return t.N + 1 }

// tileRows are the rows the edit form shows for a tiles block: its tiles,
// then spare empty ones up to pages.MaxTiles.
func tileRows(tiles []pages.Tile) []editTile {
	out := make([]editTile, 0, len(tiles)+tileSpareRows)
	for i, t := range tiles {
		out = append(out, editTile{N: i, Tile: t})
	}
	for i := len(tiles); i < len(tiles)+tileSpareRows && i < pages.MaxTiles; i++ {
		out = append(out, editTile{N: i})
	}
	return out
}

// iconChoice is an option of the icon select.
type iconChoice struct{ Name, Label string }

func (s *Server) iconChoices() []iconChoice {
	out := make([]iconChoice, 0, len(pages.Icons))
	for _, n := range pages.Icons {
		out = append(out, iconChoice{Name: n, Label: s.cat.T("pages.icon." + strings.ReplaceAll(n, "-", "_"))})
	}
	return out
}

// flattenLinks lists a site map's pages, depth first.
func flattenLinks(out []*pages.Link, l *pages.Link) []*pages.Link {
	out = append(out, l)
	for _, c := range l.Children {
		out = flattenLinks(out, c)
	}
	return out
}

// TileRows are the rows of a tiles block in the edit form.
func (b editBlock) TileRows() []editTile { return tileRows(b.Tiles) }
