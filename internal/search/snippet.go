package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Snippets are built here rather than by the engines (FTS5's snippet() needs
// the text in the FTS table, ts_headline uses its own parser): one builder
// means the same passage and the same <mark>s on both engines, and the
// escaping is ours, so user text never reaches the page unescaped.

const (
	snippetWords   = 32      // words shown around the best passage
	snippetScanMax = 1 << 18 // bytes of a body looked at (a page is far less)
)

// snippet returns escaped HTML: the passage of text with the most query
// terms, matched words wrapped in <mark>. When nothing matches (the title
// did), it is the start of the text, without marks.
func snippet(text string, terms map[string]bool) string {
	if len(text) > snippetScanMax {
		cut := snippetScanMax
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	type word struct {
		start, end int
		hit        string // matched term, "" if none
	}
	prefixes := map[string]bool{}
	for t := range terms {
		prefixes[prefix3(t)] = true
	}
	var words []word
	eachWord(text, func(start, end int, raw string, elided bool) {
		w := word{start: start, end: end}
		if !elided && len(terms) > 0 {
			w.hit = matchWord(raw, terms, prefixes)
		}
		words = append(words, w)
	})
	if len(words) == 0 {
		return ""
	}
	// Best window: most distinct terms, then most hits; earliest wins ties.
	// Sliding window with counts: O(words).
	counts := map[string]int{}
	distinct, hits := 0, 0
	add := func(w word, d int) {
		if w.hit == "" {
			return
		}
		hits += d
		counts[w.hit] += d
		switch {
		case d > 0 && counts[w.hit] == 1:
			distinct++
		case d < 0 && counts[w.hit] == 0:
			distinct--
		}
	}
	n := min(snippetWords, len(words))
	for k := 0; k < n; k++ {
		add(words[k], 1)
	}
	best, bestDistinct, bestHits := 0, distinct, hits
	for s := 1; s+n <= len(words); s++ {
		add(words[s-1], -1)
		add(words[s+n-1], 1)
		if distinct > bestDistinct || (distinct == bestDistinct && hits > bestHits) {
			best, bestDistinct, bestHits = s, distinct, hits
		}
	}
	// Centre the hits of the best window so they read in context.
	if bestHits > 0 {
		first, last := -1, -1
		for k := best; k < best+n; k++ {
			if words[k].hit != "" {
				if first < 0 {
					first = k
				}
				last = k
			}
		}
		best = max(0, min(first-(n-(last-first+1))/2, len(words)-n))
	}
	end := best + n
	var b strings.Builder
	from := words[best].start
	if best > 0 {
		b.WriteString("… ")
	}
	for k := best; k < end; k++ {
		w := words[k]
		b.WriteString(html.EscapeString(collapseSpace(text[from:w.start])))
		if w.hit != "" {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(text[w.start:w.end]))
			b.WriteString("</mark>")
		} else {
			b.WriteString(html.EscapeString(text[w.start:w.end]))
		}
		from = w.end
	}
	if end < len(words) {
		b.WriteString(" …")
	} else {
		b.WriteString(html.EscapeString(collapseSpace(text[from:])))
	}
	return strings.TrimSpace(b.String())
}

// collapseSpace turns each run of white space into one space (PDF text is
// full of line breaks).
func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// matchWord returns the query term a raw word of the text stands for, or "".
// The cheap prefix test spares stemming most words: a stem keeps the first
// letters of its word.
func matchWord(raw string, terms, prefixes map[string]bool) string {
	if toks, ok := cache.get(raw); ok {
		for _, t := range toks {
			if terms[t] {
				return t
			}
		}
		return ""
	}
	n := normalizeWord(raw)
	if !prefixes[prefix3(n)] {
		// Short stems ("or") are their own prefix; a longer word can still
		// start with them.
		ok := false
		for p := range prefixes {
			if len(p) < 3 && strings.HasPrefix(n, p) {
				ok = true
				break
			}
		}
		if !ok {
			return ""
		}
	}
	for _, t := range appendStems(nil, raw) {
		if terms[t] {
			return t
		}
	}
	return ""
}

func prefix3(s string) string {
	n := 0
	for i := range s {
		if n == 3 {
			return s[:i]
		}
		n++
	}
	return s
}
