package pages

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"portique/internal/contact/form"
	"portique/internal/i18n"
	"portique/internal/valid"
)

// Block kinds.
const (
	BlockText      = "text"      // rich text (sanitised HTML)
	BlockImage     = "image"     // an uploaded image with its alternative text
	BlockChildren  = "children"  // list of the page's sub-pages
	BlockDocuments = "documents" // a folder of the document space
	BlockEvents    = "events"    // upcoming events of a calendar
	BlockCalendar  = "calendar"  // a calendar's month grid (embedded calendar)
	BlockContact   = "contact"   // a contact form (package contact/form)
	BlockNews      = "news"      // the latest news items (home page)
)

// BlockKinds lists the kinds in the order the editor offers them.
var BlockKinds = []string{BlockText, BlockImage, BlockHero, BlockTiles, BlockChildren, BlockDocuments, BlockEvents, BlockCalendar, BlockNews, BlockSearch, BlockContact}

// Limits of block content.
const (
	MaxBlocks    = 100
	MaxHTML      = 200_000 // bytes of one text block
	MaxAlt       = 250
	MaxCaption   = 300
	MaxTitle     = 150
	MaxMenuTitle = 60
	MaxMeta      = 300
	MaxNote      = 300
	MaxEvents    = 20
)

// Block is one piece of a page's content. Only the fields of its kind are
// used; the others stay empty (and are omitted from the stored JSON).
type Block struct {
	Type       string `json:"type"`
	HTML       string `json:"html,omitempty"`        // text
	ImageID    int64  `json:"image_id,omitempty"`    // image, hero (optional)
	Alt        string `json:"alt,omitempty"`         // image, hero: required alternative text, unless decorative
	Decorative bool   `json:"decorative,omitempty"`  // image, hero: marked decorative by the editor (empty alt, RGAA 1.2)
	Title      string `json:"title,omitempty"`       // hero: its heading; tiles, events, news, search: a heading ("": the default)
	Lead       string `json:"lead,omitempty"`        // hero: a short text
	LinkLabel  string `json:"link_label,omitempty"`  // hero: the button's label (optional, with LinkURL)
	LinkURL    string `json:"link_url,omitempty"`    // hero: the button's address (CheckLink)
	Tiles      []Tile `json:"tiles,omitempty"`       // tiles
	Caption    string `json:"caption,omitempty"`     // image
	FolderID   int64  `json:"folder_id,omitempty"`   // documents
	CalendarID int64  `json:"calendar_id,omitempty"` // events, calendar
	Limit      int    `json:"limit,omitempty"`       // events: how many (default 5)
	// Contact is the contact form's configuration (contact blocks).
	Contact *form.Config `json:"contact,omitempty"`
}

// Text returns the readable text of a block (for search and diffs); the
// blocks that are not text read as their catalogue entry
// (pages.block_text.*), in the site's language.
func (b Block) Text() string {
	t := i18n.French().T
	switch b.Type {
	case BlockText:
		return PlainText(b.HTML)
	case BlockImage:
		s := t("pages.block_text.image", b.Alt)
		if b.Caption != "" {
			s += " " + b.Caption
		}
		return s
	case BlockChildren:
		return t("pages.block_text.children")
	case BlockDocuments:
		return t("pages.block_text.documents", b.FolderID)
	case BlockEvents:
		return t("pages.block_text.events", b.CalendarID)
	case BlockCalendar:
		return t("pages.block_text.calendar", b.CalendarID)
	case BlockContact:
		return t("contact.block_text")
	case BlockNews:
		return t("pages.block_text.news")
	case BlockHero:
		return strings.TrimSpace(b.Title + "\n" + b.Lead + "\n" + b.LinkLabel)
	case BlockTiles:
		labels := make([]string, 0, len(b.Tiles)+1)
		if b.Title != "" {
			labels = append(labels, b.Title)
		}
		for _, tl := range b.Tiles {
			labels = append(labels, tl.Label)
		}
		return strings.Join(labels, "\n")
	case BlockSearch:
		return t("pages.block_text.search")
	}
	return ""
}

// BlocksText is the readable text of a list of blocks, one block per paragraph.
func BlocksText(blocks []Block) string {
	parts := make([]string, 0, len(blocks))
	for _, b := range blocks {
		if t := b.Text(); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n\n")
}

// Normalize validates and cleans blocks: HTML is sanitised, unused fields are
// cleared, limits are checked. Field keys of the returned valid.Errors are
// "blocks.N.field" (N counted from 0) so the form can show each message next
// to its block.
func Normalize(in []Block) ([]Block, error) {
	if len(in) > MaxBlocks {
		return nil, invalid("blocks", "pages.error.blocks_many")
	}
	ve := valid.Errors{}
	out := make([]Block, 0, len(in))
	for i, b := range in {
		key := fmt.Sprintf("blocks.%d.", i)
		n := Block{Type: b.Type}
		if h, ok := normalizeHome(b, key, ve); ok {
			out = append(out, h)
			continue
		}
		switch b.Type {
		case BlockText:
			if len(b.HTML) > MaxHTML {
				ve.Add(key+"html", "pages.error.html_long")
				continue
			}
			n.HTML = SanitizeHTML(b.HTML)
		case BlockImage:
			n.ImageID = b.ImageID
			n.Alt = strings.TrimSpace(b.Alt)
			n.Caption = strings.TrimSpace(b.Caption)
			n.Decorative = b.Decorative
			if n.ImageID <= 0 {
				ve.Add(key+"image", "pages.error.image_missing")
			}
			switch {
			case n.Decorative && n.Caption != "":
				// A captioned image carries information: it is not decorative.
				ve.Add(key+"decorative", "pages.error.decorative_caption")
			case n.Decorative:
				n.Alt = "" // the explicit choice: an empty alternative
			case n.Alt == "":
				ve.Add(key+"alt", "pages.error.alt_required")
			case utf8.RuneCountInString(n.Alt) > MaxAlt:
				ve.Add(key+"alt", "pages.error.alt_long")
			}
			if utf8.RuneCountInString(n.Caption) > MaxCaption {
				ve.Add(key+"caption", "pages.error.caption_long")
			}
		case BlockChildren:
		case BlockDocuments:
			n.FolderID = b.FolderID
			if n.FolderID <= 0 {
				ve.Add(key+"folder", "pages.error.folder_required")
			}
		case BlockEvents:
			n.CalendarID = b.CalendarID
			n.Limit = b.Limit
			if n.CalendarID <= 0 {
				ve.Add(key+"calendar", "pages.error.calendar_required")
			}
			if n.Limit <= 0 {
				n.Limit = 5
			}
			if n.Limit > MaxEvents {
				n.Limit = MaxEvents
			}
			n.Title = heading(b.Title, key, ve)
		case BlockCalendar:
			n.CalendarID = b.CalendarID
			if n.CalendarID <= 0 {
				ve.Add(key+"calendar", "pages.error.calendar_required")
			}
		case BlockContact:
			var c form.Config
			if b.Contact != nil {
				c = *b.Contact
			}
			nc, err := form.Normalize(c)
			if fe, ok := err.(valid.Errors); ok {
				for k, m := range fe {
					ve.Add(key+"contact_"+k, m.Key, m.Args...)
				}
			}
			n.Contact = &nc
		case BlockNews:
			n.Limit = b.Limit
			if n.Limit <= 0 {
				n.Limit = 3
			}
			n.Limit = min(n.Limit, MaxNewsBlock)
			n.Title = heading(b.Title, key, ve)
		default:
			ve.Add(key+"type", "pages.error.block_type")
			continue
		}
		out = append(out, n)
	}
	if len(ve) > 0 {
		return nil, ve
	}
	return out, nil
}

// Refs lists the calendars and the folders that blocks show (events and
// month blocks, documents blocks), for the calendar and documents stores
// to tell which the editor may not see.
func Refs(blocks []Block) (calendars, folders []int64) {
	for _, b := range blocks {
		switch {
		case (b.Type == BlockEvents || b.Type == BlockCalendar) && b.CalendarID > 0:
			calendars = append(calendars, b.CalendarID)
		case b.Type == BlockDocuments && b.FolderID > 0:
			folders = append(folders, b.FolderID)
		}
	}
	return calendars, folders
}

// RefErrors gives a field error to every block that shows a calendar or a
// folder its editor may not see (unseenCalendars and unseenFolders, as the
// calendar and documents stores decide them with the access rule): a
// forged id is refused like a hidden one. An empty choice is left to
// Normalize ("choose one").
func RefErrors(blocks []Block, unseenCalendars, unseenFolders map[int64]bool) valid.Errors {
	ve := valid.Errors{}
	for i, b := range blocks {
		switch {
		case (b.Type == BlockEvents || b.Type == BlockCalendar) && b.CalendarID > 0 && unseenCalendars[b.CalendarID]:
			ve.Add(fmt.Sprintf("blocks.%d.calendar", i), "pages.error.calendar_unknown")
		case b.Type == BlockDocuments && b.FolderID > 0 && unseenFolders[b.FolderID]:
			ve.Add(fmt.Sprintf("blocks.%d.folder", i), "pages.error.folder_unknown")
		}
	}
	return ve
}

// EncodeBlocks is the stored form of blocks.
func EncodeBlocks(b []Block) (string, error) {
	if b == nil {
		b = []Block{}
	}
	j, err := json.Marshal(b)
	return string(j), err
}

// DecodeBlocks reads the stored form.
func DecodeBlocks(s string) ([]Block, error) {
	var b []Block
	if err := json.Unmarshal([]byte(s), &b); err != nil {
		return nil, fmt.Errorf("pages: decode blocks: %w", err)
	}
	return b, nil
}
