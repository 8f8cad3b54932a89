package pages

import (
	_ "embed" // the icon list
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"portique/internal/valid"
)

// Blocks that compose a home page (they may sit on any page).
const (
	BlockHero   = "hero"   // a banner: heading, short text, optional image and button
	BlockTiles  = "tiles"  // quick-access tiles: label, link, icon
	BlockSearch = "search" // a search box (GET /recherche)
)

// Limits of the home blocks.
const (
	MaxHeroText  = 300
	MaxLinkLabel = 60
	MaxLink      = 500
	MaxTiles     = 12
	MaxTileLabel = 60
)

//go:embed icons.txt
var iconList string

// Icons are the names of the bundled icons a tile may show, in the order
// the editor offers them (icons.txt; web/build.mjs bundles the same list).
var Icons = func() []string {
	var out []string
	for _, l := range strings.Split(iconList, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}()

// Tile is one quick-access tile: a label, the address it leads to (a path
// of the site or an absolute http(s) address) and an icon of Icons ("":
// none).
type Tile struct {
	Label string `json:"label"`
	URL   string `json:"url"`
	Icon  string `json:"icon,omitempty"`
}

// CheckLink returns "" when link is an address a block may point to: a
// path of the site ("/collecte", "/agenda?vue=mois") or an absolute http(s)
// address; else the catalogue key of the reason.
func CheckLink(link string) string {
	switch {
	case link == "":
		return "pages.error.link_required"
	case utf8.RuneCountInString(link) > MaxLink:
		return "pages.error.link_long"
	case strings.ContainsFunc(link, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '"' || r == '<' || r == '>' || r == '\\' }):
		return "pages.error.link_bad"
	}
	if strings.HasPrefix(link, "/") {
		if strings.HasPrefix(link, "//") {
			return "pages.error.link_bad" // another host, without a scheme
		}
		if _, err := url.Parse(link); err != nil {
			return "pages.error.link_bad"
		}
		return ""
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "pages.error.link_bad"
	}
	return ""
}

// oneLine trims s and reports whether it fits max characters on one line.
func oneLine(s string, max int) (string, bool) {
	s = strings.TrimSpace(s)
	return s, utf8.RuneCountInString(s) <= max && !strings.ContainsAny(s, "\r\n")
}

// normalizeHome checks a hero, tiles or search block (key is its field
// prefix, "blocks.N."); it reports false when b is none of them.
func normalizeHome(b Block, key string, ve valid.Errors) (Block, bool) {
	n := Block{Type: b.Type}
	switch b.Type {
	case BlockHero:
		var ok bool
		if n.Title, ok = oneLine(b.Title, MaxTitle); !ok {
			ve.Add(key+"title", "pages.error.hero_title_long", MaxTitle)
		} else if n.Title == "" {
			ve.Add(key+"title", "pages.error.hero_title_required")
		}
		n.Lead = strings.TrimSpace(strings.ReplaceAll(b.Lead, "\r\n", "\n"))
		if utf8.RuneCountInString(n.Lead) > MaxHeroText {
			ve.Add(key+"lead", "pages.error.hero_text_long", MaxHeroText)
		}
		if n.LinkLabel, ok = oneLine(b.LinkLabel, MaxLinkLabel); !ok {
			ve.Add(key+"link_label", "pages.error.link_label_long", MaxLinkLabel)
		}
		n.LinkURL = strings.TrimSpace(b.LinkURL)
		switch {
		case n.LinkLabel == "" && n.LinkURL == "":
		case n.LinkLabel == "":
			ve.Add(key+"link_label", "pages.error.link_label_required")
		case n.LinkURL == "":
			ve.Add(key+"link_url", "pages.error.link_required")
		default:
			if k := CheckLink(n.LinkURL); k != "" {
				ve.Add(key+"link_url", k)
			}
		}
		// The image is optional; when there is one, the same rule as an
		// image block: an alternative text, or the explicit decorative choice.
		if b.ImageID > 0 {
			n.ImageID = b.ImageID
			n.Decorative = b.Decorative
			n.Alt = strings.TrimSpace(b.Alt)
			switch {
			case n.Decorative:
				n.Alt = ""
			case n.Alt == "":
				ve.Add(key+"alt", "pages.error.alt_required")
			case utf8.RuneCountInString(n.Alt) > MaxAlt:
				ve.Add(key+"alt", "pages.error.alt_long")
			}
		}
	case BlockTiles:
		var ok bool
		if n.Title, ok = oneLine(b.Title, MaxTitle); !ok {
			ve.Add(key+"title", "pages.error.heading_long", MaxTitle)
		}
		for i, t := range b.Tiles {
			tk := fmt.Sprintf("%stiles.%d.", key, i)
			label, lok := oneLine(t.Label, MaxTileLabel)
			link := strings.TrimSpace(t.URL)
			icon := strings.TrimSpace(t.Icon)
			if label == "" && link == "" {
				continue // an empty row of the form
			}
			switch {
			case !lok:
				ve.Add(tk+"label", "pages.error.tile_label_long", MaxTileLabel)
			case label == "":
				ve.Add(tk+"label", "pages.error.tile_label_required")
			}
			if k := CheckLink(link); k != "" {
				ve.Add(tk+"url", k)
			}
			if icon != "" && !slices.Contains(Icons, icon) {
				ve.Add(tk+"icon", "pages.error.icon_unknown")
			}
			n.Tiles = append(n.Tiles, Tile{Label: label, URL: link, Icon: icon})
		}
		switch {
		// On a field of the form (the error summary links to it): the
		// first row, or the first row too many.
		case len(n.Tiles) == 0:
			ve.Add(key+"tiles.0.label", "pages.error.tiles_none")
		case len(n.Tiles) > MaxTiles:
			ve.Add(fmt.Sprintf("%stiles.%d.label", key, MaxTiles), "pages.error.tiles_many", MaxTiles)
		}
	case BlockSearch:
		var ok bool
		if n.Title, ok = oneLine(b.Title, MaxTitle); !ok {
			ve.Add(key+"title", "pages.error.heading_long", MaxTitle)
		}
	default:
		return b, false
	}
	return n, true
}

// heading checks the optional heading of an events or news block.
func heading(s, key string, ve valid.Errors) string {
	h, ok := oneLine(s, MaxTitle)
	if !ok {
		ve.Add(key+"title", "pages.error.heading_long", MaxTitle)
	}
	return h
}

// ShowsImage reports whether a block of this kind shows a picture of its
// page (image blocks; hero blocks, optionally): such a picture is uploaded
// with the block, must belong to the page and is published with it.
func ShowsImage(kind string) bool { return kind == BlockImage || kind == BlockHero }
