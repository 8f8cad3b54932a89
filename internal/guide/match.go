package guide

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hbollon/go-edlib"

	"portique/internal/search"
)

// The guide's own search. Residents type the name of a thing ("pot de
// yahourt", "piles", "électroménager"), often on a phone, with typos and
// without accents; the guide holds a few hundred to a few thousand short
// names and synonyms. So matching runs in memory on a snapshot of the
// items (rebuilt when the content version moves), word by word, with the
// site search's French analysis (internal/search: folding of case, accents
// and ligatures, then the French stem, so "yaourts" meets "yaourt") and, for
// words the guide does not know, the same edit distance as the site
// search's suggestions (go-edlib's Damerau-Levenshtein, distance 1, or 2
// for words of six letters or more, same first letter). The last word of a
// query may be unfinished (instant suggestions): a word of the guide that
// starts with it matches too.
//
// Every word of the query that carries meaning must match a word of the
// item's name or of one of its synonyms; short function words ("de", "à",
// "les"…) are ignored. Items are ranked by how well they match (same word
// or stem, then a word being typed, then a typo), matches in the name
// before matches in a synonym, then shorter names first.

// Match is one item found by the guide's search.
type Match struct {
	ID     int64
	Slug   string
	Name   string
	Stream string
	// Via is the synonym that matched when the name itself did not ("" when
	// the name matched), shown as "pot de yaourt → Emballage en plastique".
	Via   string
	score int
}

// URL is the item's public address.
func (m Match) URL() string { return "/ou-jeter/" + m.Slug }

// snapshot is the searchable form of every item.
type snapshot struct {
	version int64
	vocab   []term         // every distinct folded word of the guide
	byWord  map[string]int // folded word → index in vocab
	items   []entry
}

type term struct {
	word  string // folded (lower case, no accents)
	stem  string
	first rune
	runes int
}

// entry is an item: its texts (name first, then synonyms), each as the
// vocab indexes of its words.
type entry struct {
	id     int64
	slug   string
	name   string
	stream string
	texts  []string
	words  [][]int
}

// ignored are the function words of French that carry no meaning in a
// search for a thing (folded). Words of one or two letters are ignored too.
var ignored = map[string]bool{
	"les": true, "des": true, "une": true, "aux": true, "pour": true, "avec": true, "sans": true,
	"dans": true, "sur": true, "par": true, "est": true, "que": true, "qui": true, "mon": true,
	"mes": true, "son": true, "ses": true, "nos": true, "vos": true, "leur": true, "leurs": true,
}

// fold splits text into folded words (letters and digits).
func fold(text string) []string {
	return strings.FieldsFunc(search.Normalize(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

func stemOf(word string) string {
	if t := search.Analyze(word); len(t) > 0 {
		return t[0]
	}
	return word
}

// buildSnapshot indexes items for matching.
func buildSnapshot(version int64, items []Item) *snapshot {
	sn := &snapshot{version: version, byWord: map[string]int{}}
	sn.items = make([]entry, 0, len(items))
	for _, it := range items {
		e := entry{id: it.ID, slug: it.Slug, name: it.Name, stream: it.Stream}
		e.texts = append([]string{it.Name}, it.Synonyms...)
		for _, text := range e.texts {
			var ws []int
			for _, w := range fold(text) {
				i, ok := sn.byWord[w]
				if !ok {
					r, _ := utf8.DecodeRuneInString(w)
					i = len(sn.vocab)
					sn.vocab = append(sn.vocab, term{word: w, stem: stemOf(w), first: r, runes: utf8.RuneCountInString(w)})
					sn.byWord[w] = i
				}
				ws = append(ws, i)
			}
			e.words = append(e.words, ws)
		}
		sn.items = append(sn.items, e)
	}
	return sn
}

// Scores of one query word against one word of the guide.
const (
	scoreSame   = 4 // the same word, or the same stem (a plural)
	scorePrefix = 3 // the word being typed starts a word of the guide
	scoreTypo   = 1 // within the edit distance
)

// queryWords returns the meaningful folded words of a query, and whether
// its last word may be unfinished (no space after it).
func queryWords(q string) ([]string, bool) {
	if len(q) > 200 {
		q = q[:200]
	}
	var out []string
	for _, w := range fold(q) {
		if utf8.RuneCountInString(w) <= 2 && !strings.ContainsFunc(w, unicode.IsNumber) || ignored[w] {
			continue
		}
		if len(out) == 8 {
			break
		}
		out = append(out, w)
	}
	open := q != "" && !unicode.IsSpace(rune(q[len(q)-1]))
	if len(out) == 0 {
		// A query of only short words ("pc", "cd"): take them as they are.
		for _, w := range fold(q) {
			if len(out) < 8 {
				out = append(out, w)
			}
		}
	}
	return out, open
}

// scores gives, for one query word, the score of every word of the vocabulary.
func (sn *snapshot) scores(w string, last bool) []int8 {
	out := make([]int8, len(sn.vocab))
	st := stemOf(w)
	r, _ := utf8.DecodeRuneInString(w)
	n := utf8.RuneCountInString(w)
	maxDist := 0
	switch {
	case n >= 6:
		maxDist = 2
	case n >= 4:
		maxDist = 1
	}
	for i := range sn.vocab {
		t := &sn.vocab[i]
		switch {
		case t.word == w || t.stem == st:
			out[i] = scoreSame
		case last && n >= 2 && strings.HasPrefix(t.word, w):
			out[i] = scorePrefix
		case maxDist > 0 && t.first == r && abs(t.runes-n) <= maxDist &&
			edlib.OSADamerauLevenshteinDistance(w, t.word) <= maxDist:
			out[i] = scoreTypo
		case last && maxDist > 0 && t.first == r && t.runes >= n && typedTypo(w, t.word, n):
			// A typo in a word still being typed ("yahou" for "yaourt").
			out[i] = scoreTypo
		}
	}
	return out
}

// match returns the items matching q, best first, at most limit (0: all).
func (sn *snapshot) match(q string, limit int) []Match {
	words, open := queryWords(q)
	if len(words) == 0 {
		return nil
	}
	per := make([][]int8, len(words))
	for i, w := range words {
		per[i] = sn.scores(w, open && i == len(words)-1)
	}
	var out []Match
	for ei := range sn.items {
		e := &sn.items[ei]
		best, bestText := -1, 0
		for ti, ws := range e.words {
			total := 0
			for _, sc := range per {
				m := int8(0)
				for _, wi := range ws {
					m = max(m, sc[wi])
				}
				if m == 0 {
					total = -1
					break
				}
				total += int(m)
			}
			if total < 0 {
				continue
			}
			total *= 4
			if ti == 0 {
				total += 2 // the name itself
			}
			if len(ws) == len(words) {
				total++ // nothing more than what was asked
			}
			if total > best {
				best, bestText = total, ti
			}
		}
		if best < 0 {
			continue
		}
		m := Match{ID: e.id, Slug: e.slug, Name: e.name, Stream: e.stream, score: best}
		if bestText > 0 {
			m.Via = e.texts[bestText]
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Match) int {
		return cmp.Or(b.score-a.score, len(a.Name)-len(b.Name), strings.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// nearest returns the items that match some of the query's words, for "no
// exact result, did you mean": the best at most limit.
func (sn *snapshot) nearest(q string, limit int) []Match {
	words, _ := queryWords(q)
	if len(words) < 2 {
		return nil
	}
	var all []Match
	seen := map[int64]bool{}
	for _, w := range words {
		for _, m := range sn.match(w, limit) {
			if !seen[m.ID] {
				seen[m.ID] = true
				all = append(all, m)
			}
		}
	}
	slices.SortFunc(all, func(a, b Match) int { return cmp.Or(b.score-a.score, strings.Compare(a.Name, b.Name)) })
	if len(all) > limit {
		all = all[:limit]
	}
	return all
}

func abs(n int) int { return max(n, -n) }

// Exact reports whether the query names the item exactly (its name or the
// synonym that matched, accents, case and plurals aside): the search page
// then opens the item's page at once.
func Exact(m Match, q string) bool {
	f := strings.Join(search.Analyze(q), " ")
	return f != "" && (f == strings.Join(search.Analyze(m.Name), " ") || (m.Via != "" && f == strings.Join(search.Analyze(m.Via), " ")))
}

// typedTypo reports whether w (n letters, being typed) is one edit away
// from the start of word: its first n-1, n or n+1 letters (a letter
// added, replaced or left out).
func typedTypo(w, word string, n int) bool {
	rs := []rune(word)
	for _, l := range []int{n - 1, n, n + 1} {
		if l >= 3 && l <= len(rs) && edlib.OSADamerauLevenshteinDistance(w, string(rs[:l])) <= 1 {
			return true
		}
	}
	return false
}
