package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// JoinHyphenated rejoins the words that a PDF broke with a hyphen at the end
// of a line, so that "hydro-\ncarbures" is indexed (and found) as
// "hydrocarbures". The document extractor calls it on the text of each page
// before indexing.
//
// A line-end hyphen is removed, with the line break, only when the next line
// starts with a lower-case letter and the break does not look like a real
// compound word. It is kept (the line break alone is removed) when:
//   - the continuation itself goes on with a hyphen ("Buis-\nles-Baronnies"),
//   - the part before the hyphen is a known compound start ("Saint-", "après-",
//     "garde-", "non-"…) or the continuation a known compound end ("-midi",
//     "-tout", "-les", "-corps"…),
//   - the next line starts with a capital or a digit ("Saint-Paul-\nTrois-Châteaux",
//     "2026-\n2031"): that is a compound or a range, never hyphenation.
//
// Soft hyphens (U+00AD) at line end are always removed with the line break.
// The function never changes text that has no hyphen at a line end.
func JoinHyphenated(text string) string {
	if !strings.Contains(text, "-\n") && !strings.Contains(text, "-\r\n") &&
		!strings.Contains(text, "\u2010\n") && !strings.Contains(text, "\u00ad\n") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r != '-' && r != '\u2010' && r != '\u00ad' {
			b.WriteString(text[i : i+size])
			i += size
			continue
		}
		// Is it followed by a line break (spaces allowed before it)?
		j := i + size
		for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
			j++
		}
		if j < len(text) && text[j] == '\r' {
			j++
		}
		if j >= len(text) || text[j] != '\n' {
			b.WriteString(text[i : i+size])
			i += size
			continue
		}
		j++
		// Skip the indentation of the next line (pdftotext -layout).
		for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
			j++
		}
		before := wordBefore(text, i)
		after, afterEnd := wordAt(text, j)
		next, _ := utf8.DecodeRuneInString(text[j:])
		switch {
		case r == '\u00ad' && after != "":
			// soft hyphen: always a hyphenation point
		case before == "" || after == "":
			// a dash or a bullet, not a word break: keep the text as it is
			b.WriteString(text[i:j])
			i = j
			continue
		case !unicode.IsLower(next):
			// a capital or a digit: a compound (Saint-\nPaul) or a range
			// (2026-\n2031), never hyphenation. Keep the hyphen, join.
			b.WriteString(text[i : i+size])
			i = j
			continue
		case keepCompound(before, after, text, afterEnd):
			b.WriteString(text[i : i+size])
			i = j
			continue
		}
		// Hyphenation: drop the hyphen and the line break, and move the rest
		// of the line break's content (none) — the word continues.
		i = j
	}
	return b.String()
}

// wordBefore returns the run of letters and digits just before byte offset i.
func wordBefore(text string, i int) string {
	k := i
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:k])
		if !isWordRune(r) {
			break
		}
		k -= size
	}
	return text[k:i]
}

// wordAt returns the run of letters and digits at byte offset j and its end.
func wordAt(text string, j int) (string, int) {
	k := j
	for k < len(text) {
		r, size := utf8.DecodeRuneInString(text[k:])
		if !isWordRune(r) {
			break
		}
		k += size
	}
	return text[j:k], k
}

// keepCompound decides whether a line-end hyphen belongs to a compound word.
func keepCompound(before, after, text string, afterEnd int) bool {
	if afterEnd < len(text) && (text[afterEnd] == '-' || strings.HasPrefix(text[afterEnd:], "\u2010")) {
		return true // the compound goes on: Buis-\nles-Baronnies, vis-\nà-vis
	}
	if utf8.RuneCountInString(before) < 2 {
		return true // hyphenation leaves at least two letters: c'est-à-\ndire
	}
	b := Normalize(before)
	a := Normalize(after)
	return compoundStarts[b] || compoundEnds[a]
}

// compoundStarts are first parts of hyphenated French compounds: a line
// break after them keeps the hyphen. Prefixes that also begin ordinary words
// broken by hyphenation (ex-ploitation, mi-nistre, beau-coup, sur-face) are
// deliberately absent.
var compoundStarts = map[string]bool{
	"saint": true, "sainte": true, "saints": true, "saintes": true,
	"apres": true, "avant": true, "arriere": true, "demi": true, "semi": true,
	"non": true, "vice": true, "quasi": true, "grand": true, "grande": true,
	"garde": true, "gardes": true, "porte": true, "essuie": true, "sous": true,
	"belle": true, "haut": true, "basse": true, "centre": true, "centres": true,
	"accord": true, "accords": true, "chef": true, "chefs": true, "plus": true,
	"moins": true, "rez": true, "lave": true, "pare": true, "peut": true,
	"week": true, "e": true, "dix": true, "vingt": true, "trente": true,
	"quarante": true, "cinquante": true, "soixante": true, "quatre": true,
}

// compoundEnds are last parts of compounds that a hyphenation break never
// leaves alone: the pronouns of inverted questions (dit-il, a-t-elle,
// elles-mêmes) and a few fixed words (celle-ci, après-midi).
var compoundEnds = map[string]bool{
	"il": true, "ils": true, "elle": true, "elles": true, "on": true, "je": true,
	"tu": true, "nous": true, "vous": true, "meme": true, "memes": true,
	"ci": true, "midi": true, "lui": true, "moi": true, "toi": true, "eux": true,
}
