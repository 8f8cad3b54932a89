// Package guide is the sorting guide "Où jeter ?": items (a kind of waste,
// its synonyms, the stream it goes to, the instructions and an optional
// picture), the streams, a search tolerant of accents, plurals and typos
// (the French analysis of internal/search, with fuzzy matching on the
// guide's own words), CSV import and export, and the site search entries.
//
// The whole guide is one object of the access model (kind "guide", node 1):
// viewing it needs View (Everyone, by default), changing it needs Edit
// (granted by an administrator to the group that manages it), changing who
// may do what needs Manage. Every check is made here, in the store.
package guide

import (
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/pages"
	"portique/internal/valid"
)

// Kind is the kind of the guide's access node; NodeID is its id.
const (
	Kind   access.Kind = "guide"
	NodeID int64       = 1
)

// SearchKind is the kind of the guide's items in the site search.
const SearchKind = "guide"

// Limits of an item's fields.
const (
	MaxName         = 120
	MaxSynonyms     = 40
	MaxInstructions = 4000
	MaxImageBytes   = 5 << 20
	MaxImageAlt     = 250
)

// Stream is where an item goes: the yellow bin, glass, a recycling centre…
// Streams are data (migration 0600), in the order shown to residents.
type Stream struct {
	Code     string
	Label    string
	Advice   string
	Position int
}

// Item is one entry of the guide.
type Item struct {
	ID           int64
	Slug         string
	Name         string
	Synonyms     []string
	Stream       string // a Stream's code
	Instructions string // plain text; paragraphs are separated by blank lines
	HasImage     bool
	ImageAlt     string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// URL is the item's public address.
func (it Item) URL() string { return "/ou-jeter/" + it.Slug }

// Version identifies the stored state of an item, for the edit form: an
// update based on another version is refused (someone saved in between).
func (it Item) Version() string { return it.UpdatedAt.UTC().Format(time.RFC3339Nano) }

// Paragraphs splits the instructions into paragraphs.
func (it Item) Paragraphs() []string { return paragraphs(it.Instructions) }

func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Input is what an editor sends to create or change an item.
type Input struct {
	Name         string
	Slug         string // empty: made from the name
	Synonyms     string // separated by commas or new lines
	Stream       string
	Instructions string
	// Image is a new picture (nil: keep the current one); RemoveImage drops
	// the current one. ImageAlt is required with a picture.
	Image       []byte
	ImageAlt    string
	RemoveImage bool
	// Version is the Item.Version the form was built on ("" on creation).
	Version string
}

// reservedSlugs are the addresses under /ou-jeter/ the site itself serves.
var reservedSlugs = map[string]bool{"gestion": true, "suggestions": true, "import": true, "export": true}

// SplitSynonyms reads a list of synonyms separated by commas, semicolons or
// new lines, trimmed, without empty or repeated entries.
func SplitSynonyms(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == '|' }) {
		f = strings.Join(strings.Fields(f), " ")
		k := strings.ToLower(f)
		if f == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// clean normalises the input and checks it; streams are the known codes.
// It returns the slug to use.
func (in *Input) clean(streams map[string]bool) (string, valid.Errors) {
	ve := valid.Errors{}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Slug = strings.TrimSpace(in.Slug)
	in.Stream = strings.TrimSpace(in.Stream)
	in.Instructions = strings.TrimSpace(strings.ReplaceAll(in.Instructions, "\r\n", "\n"))
	in.ImageAlt = strings.Join(strings.Fields(in.ImageAlt), " ")
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		ve.Add("nom", "guide.error.name_required")
	case n > MaxName:
		ve.Add("nom", "guide.error.name_long", MaxName)
	}
	slug := in.Slug
	if slug == "" {
		slug = pages.Slugify(in.Name)
	}
	switch {
	case in.Slug != "" && pages.Slugify(in.Slug) != in.Slug:
		ve.Add("slug", "guide.error.slug_invalid")
	case reservedSlugs[slug]:
		ve.Add("slug", "guide.error.slug_reserved", slug)
	case slug == "" && in.Name != "":
		ve.Add("slug", "guide.error.slug_invalid")
	}
	syn := SplitSynonyms(in.Synonyms)
	if len(syn) > MaxSynonyms {
		ve.Add("synonymes", "guide.error.synonyms_many", MaxSynonyms)
	}
	for _, s := range syn {
		if utf8.RuneCountInString(s) > MaxName {
			ve.Add("synonymes", "guide.error.synonym_long", MaxName)
		}
	}
	in.Synonyms = strings.Join(syn, "\n")
	if in.Stream == "" {
		ve.Add("filiere", "guide.error.stream_required")
	} else if !streams[in.Stream] {
		ve.Add("filiere", "guide.error.stream_unknown", in.Stream)
	}
	if utf8.RuneCountInString(in.Instructions) > MaxInstructions {
		ve.Add("consignes", "guide.error.instructions_long", MaxInstructions)
	}
	if utf8.RuneCountInString(in.ImageAlt) > MaxImageAlt {
		ve.Add("image_alt", "guide.error.image_alt_long", MaxImageAlt)
	}
	return slug, ve
}
