package search

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"html"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hbollon/go-edlib"

	"portique/internal/access"
	"portique/internal/db"
)

// Spelling suggestions. search_terms holds every word ever indexed, folded
// (lower case, accents and ligatures removed, not stemmed: a typo in a
// suffix would change the stem beyond recognition), without saying where:
// it only grows (a word left by a deleted object is harmless, see below),
// and `portique reindex` fills it for content indexed before it existed.
// When a query finds nothing, each of its words unknown to the index is
// replaced by the closest known words (Damerau-Levenshtein distance 1, or 2
// for words of six letters or more, same first letter), and the corrected
// query is run for real, with the searcher's permission filter and filters:
// it is offered only if it finds something the searcher may see, spelt as in
// that hit. So a suggestion never reveals a word of a document the searcher
// may not download.

// Limits keep a query that finds nothing cheap.
const (
	maxUnknownWords = 3 // unknown words corrected in one query
	maxCandidates   = 3 // candidate words tried per unknown word
)

// addTerms records the folded words of an object's texts.
func addTerms(ctx context.Context, q db.Querier, texts ...string) error {
	raws := map[string]bool{}
	for _, text := range texts {
		eachWord(text, func(_, _ int, raw string, elided bool) {
			if !elided {
				raws[raw] = true
			}
		})
	}
	set := map[string]bool{}
	for raw := range raws {
		for _, w := range foldedWords(raw) {
			set[w] = true
		}
	}
	// Sorted: concurrent transactions take the rows' locks in one order.
	terms := slices.Sorted(maps.Keys(set))
	for chunk := range slices.Chunk(terms, 250) {
		values := strings.TrimSuffix(strings.Repeat("(?), ", len(chunk)), ", ")
		if _, err := q.Exec(ctx, "INSERT INTO search_terms (term) VALUES "+values+" ON CONFLICT (term) DO NOTHING", db.Args(chunk)...); err != nil {
			return fmt.Errorf("terms: %w", err)
		}
	}
	return nil
}

// foldedWords returns the folded words of one raw word worth correcting:
// runs of three letters or more, without digits.
func foldedWords(raw string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(normalizeWord(raw), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		if len(w) <= maxTokenBytes && utf8.RuneCountInString(w) >= 3 && !strings.ContainsFunc(w, unicode.IsNumber) {
			out = append(out, w)
		}
	}
	return out
}

// suggest returns the corrected query text, or "" when there is none.
func (e *engine) suggest(ctx context.Context, p access.Principal, q Query) (string, error) {
	type word struct {
		start, end int
		folded     string
	}
	var words []word
	var folded []string
	eachWord(q.Text, func(start, end int, raw string, elided bool) {
		if w := foldedWords(raw); !elided && len(w) == 1 {
			words = append(words, word{start, end, w[0]})
			folded = append(folded, w[0])
		}
	})
	if len(words) == 0 {
		return "", nil
	}
	known := map[string]bool{}
	err := e.read(ctx, "SELECT term FROM search_terms WHERE term IN ("+db.In(len(folded))+")", db.Args(folded), func(rows *sql.Rows) error {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		known[t] = true
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("search: suggest: %w", err)
	}
	candidates := map[string][]string{}
	for _, w := range folded {
		if known[w] || candidates[w] != nil {
			continue
		}
		if len(candidates) == maxUnknownWords {
			return "", nil
		}
		c, err := e.closeTerms(ctx, w)
		if err != nil {
			return "", err
		}
		if len(c) == 0 {
			return "", nil // a word nothing resembles: no useful suggestion
		}
		candidates[w] = c
	}
	if len(candidates) == 0 {
		return "", nil
	}
	// The i-th candidate of every unknown word (or its last), best first.
	tries := 0
	for _, c := range candidates {
		tries = max(tries, len(c))
	}
	for i := range tries {
		// The query with the candidates in place, as folded words.
		var b strings.Builder
		last := 0
		fixed := map[string]bool{}
		for _, w := range words {
			if c, ok := candidates[w.folded]; ok {
				b.WriteString(q.Text[last:w.start])
				b.WriteString(c[min(i, len(c)-1)])
				last = w.end
				fixed[c[min(i, len(c)-1)]] = true
			}
		}
		b.WriteString(q.Text[last:])
		alt := parseQuery(b.String())
		if alt.empty() {
			continue
		}
		res, itemIDs, err := e.find(ctx, p, q, alt, 1, 0)
		if err != nil {
			return "", err
		}
		if len(res.Hits) == 0 {
			continue
		}
		if err := e.snippets(ctx, alt, itemIDs, res.Hits); err != nil {
			return "", err
		}
		if text, ok := respell(b.String(), fixed, res.Hits[0]); ok {
			return text, nil
		}
	}
	return "", nil
}

// closeTerms returns the indexed words closest to the folded word t, best
// first.
func (e *engine) closeTerms(ctx context.Context, t string) ([]string, error) {
	r, size := utf8.DecodeRuneInString(t)
	n := utf8.RuneCountInString(t)
	maxDist := 1
	if n >= 6 {
		maxDist = 2
	}
	type cand struct {
		term string
		dist int
	}
	var found []cand
	err := e.read(ctx, "SELECT term FROM search_terms WHERE term >= ? AND term < ? AND LENGTH(term) BETWEEN ? AND ?",
		[]any{t[:size], string(r + 1), n - maxDist, n + maxDist}, func(rows *sql.Rows) error {
			var c string
			if err := rows.Scan(&c); err != nil {
				return err
			}
			if d := edlib.OSADamerauLevenshteinDistance(t, c); d > 0 && d <= maxDist {
				found = append(found, cand{c, d})
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("search: suggest: %w", err)
	}
	slices.SortFunc(found, func(a, b cand) int {
		return cmp.Or(a.dist-b.dist, abs(len(a.term)-len(t))-abs(len(b.term)-len(t)), strings.Compare(a.term, b.term))
	})
	out := make([]string, 0, maxCandidates)
	for _, c := range found[:min(len(found), maxCandidates)] {
		out = append(out, c.term)
	}
	return out, nil
}

var markRe = regexp.MustCompile(`<mark>([^<]*)</mark>`)

// respell writes each folded word of text that fixed names as the hit
// writes it (a marked word of its snippet, or a word of its title): the
// same word if there, else a word of the same stem (a plural). It fails when
// a word is found in neither.
func respell(text string, fixed map[string]bool, h Hit) (string, bool) {
	var seen []string
	for _, m := range markRe.FindAllStringSubmatch(h.Snippet, -1) {
		seen = append(seen, html.UnescapeString(m[1]))
	}
	eachWord(h.Title, func(_, _ int, raw string, _ bool) { seen = append(seen, raw) })
	spelling := func(folded string) (string, bool) {
		stem := Analyze(folded)
		var sameStem string
		for _, w := range seen {
			if f := foldedWords(w); len(f) == 1 && f[0] == folded {
				return strings.ToLower(w), true
			}
			if sameStem == "" && slices.Equal(Analyze(w), stem) {
				sameStem = strings.ToLower(w)
			}
		}
		return sameStem, sameStem != ""
	}
	var b strings.Builder
	last := 0
	ok := true
	eachWord(text, func(start, end int, raw string, _ bool) {
		if !fixed[raw] {
			return
		}
		w, found := spelling(raw)
		if !found {
			ok = false
			return
		}
		b.WriteString(text[last:start])
		b.WriteString(w)
		last = end
	})
	b.WriteString(text[last:])
	return b.String(), ok
}

func abs(n int) int { return max(n, -n) }
