package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The query language is a small, forgiving subset of what web search boxes
// accept, parsed here in Go so that both engines get the same meaning and no
// engine syntax can ever be injected (the engines receive only our own
// tokens, which are letters and digits):
//
//	déchets verts         both words (AND)
//	"mise en œuvre"       a phrase (consecutive words)
//	accord-cadre          a hyphenated word is a phrase too
//	bioseau OR composteur either (also OU); binds tighter than AND
//	-verre                without this word (or -"phrase")
//
// Anything else (*, parentheses, NEAR, column filters, quotes left open)
// is read as plain text: punctuation disappears, words stay words.

// Limits keep a hostile query cheap.
const (
	maxQueryBytes = 1000
	maxClauses    = 16
	maxAlts       = MaxAlternatives
	maxPhraseLen  = 16
)

// MaxAlternatives is the number of OU alternatives of one word that are
// searched; past it (or past 16 words) the query is cut and Result.Cut says
// so, so that the searcher is told.
const MaxAlternatives = 32

// phrase is a run of consecutive tokens (one token for a plain word).
type phrase []string

// clause is one AND-ed element: alternatives (OR), possibly negated.
type clause struct {
	neg  bool
	alts []phrase
}

// parsedQuery is the engine-neutral form of a query.
type parsedQuery struct {
	clauses []clause
	cut     bool // words or alternatives past the limits were left out
}

// empty reports whether nothing positive is left to search for: a query of
// only exclusions or only punctuation matches nothing (it would otherwise
// list the whole site).
func (pq parsedQuery) empty() bool {
	for _, c := range pq.clauses {
		if !c.neg {
			return false
		}
	}
	return true
}

// terms returns the distinct tokens of the positive clauses (to highlight).
func (pq parsedQuery) terms() map[string]bool {
	m := map[string]bool{}
	for _, c := range pq.clauses {
		if c.neg {
			continue
		}
		for _, p := range c.alts {
			for _, t := range p {
				m[t] = true
			}
		}
	}
	return m
}

// parseQuery reads a search box.
func parseQuery(text string) parsedQuery {
	if len(text) > maxQueryBytes {
		cut := maxQueryBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	var pq parsedQuery
	orNext := false
	i := 0
	for i < len(text) && len(pq.clauses) < maxClauses {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) || r == 0 {
			i += size
			continue
		}
		neg := false
		if r == '-' && i+size < len(text) {
			if n, _ := utf8.DecodeRuneInString(text[i+size:]); !unicode.IsSpace(n) {
				neg = true
				i += size
				r, size = utf8.DecodeRuneInString(text[i:])
			}
		}
		var raw string
		quoted := false
		if r == '"' {
			quoted = true
			end := strings.IndexByte(text[i+1:], '"')
			if end < 0 {
				raw = text[i+1:]
				i = len(text)
			} else {
				raw = text[i+1 : i+1+end]
				i += end + 2
			}
		} else {
			j := i
			for j < len(text) {
				c, s := utf8.DecodeRuneInString(text[j:])
				if unicode.IsSpace(c) || c == '"' || c == 0 {
					break
				}
				j += s
			}
			if j == i { // a lone character we stop on: skip it
				j = i + size
			}
			raw = text[i:j]
			i = j
		}
		if !quoted && !neg && (raw == "OR" || raw == "OU") {
			orNext = len(pq.clauses) > 0
			continue
		}
		toks := Analyze(raw)
		if len(toks) == 0 {
			continue
		}
		if len(toks) > maxPhraseLen {
			toks = toks[:maxPhraseLen]
		}
		last := len(pq.clauses) - 1
		switch {
		case orNext && !neg && last >= 0 && !pq.clauses[last].neg && len(pq.clauses[last].alts) < maxAlts:
			pq.clauses[last].alts = append(pq.clauses[last].alts, toks)
		case orNext && !neg && last >= 0 && !pq.clauses[last].neg:
			pq.cut = true // one alternative too many: left out, and said
		default:
			pq.clauses = append(pq.clauses, clause{neg: neg, alts: []phrase{toks}})
		}
		orNext = false
	}
	if i < len(text) && len(Analyze(text[i:])) > 0 {
		pq.cut = true // words past maxClauses
	}
	return pq
}

// fts5 renders the query as an FTS5 MATCH expression. Every token is
// double-quoted, so FTS5 keywords (AND, NEAR…) and operators are inert.
func (pq parsedQuery) fts5() string { return pq.renderFTS5(false) }

// fts5Title matches items whose title holds every positive clause (the
// title signal of the ranking).
func (pq parsedQuery) fts5Title() string { return "{title} : (" + pq.renderFTS5(true) + ")" }

func (pq parsedQuery) renderFTS5(positiveOnly bool) string {
	var pos, neg []string
	for _, c := range pq.clauses {
		alts := make([]string, len(c.alts))
		for i, p := range c.alts {
			alts[i] = `"` + strings.Join(p, " ") + `"`
		}
		if c.neg {
			neg = append(neg, alts...)
			continue
		}
		if len(alts) == 1 {
			pos = append(pos, alts[0])
		} else {
			pos = append(pos, "("+strings.Join(alts, " OR ")+")")
		}
	}
	s := strings.Join(pos, " AND ")
	if positiveOnly {
		return s
	}
	if len(neg) > 0 {
		s = "(" + s + ") NOT (" + strings.Join(neg, " OR ") + ")"
	}
	return s
}

// tsquery renders the query for PostgreSQL's to_tsquery('simple', …). Every
// token is single-quoted; tokens never contain quotes or backslashes.
func (pq parsedQuery) tsquery() string { return pq.renderTS(true) }

// plainTSQuery is tsquery without positions: a phrase becomes all of its
// words. It selects a superset of tsquery's matches from a GIN index of
// position-free vectors without reading any vector (no recheck). A negated
// phrase is left out (excluding its words one by one would drop documents
// that only hold them apart); hasPhrase tells the caller to check the
// positions of the candidates with tsquery.
func (pq parsedQuery) plainTSQuery() string { return pq.renderTS(false) }

func (pq parsedQuery) renderTS(positions bool) string {
	var parts []string
	for _, c := range pq.clauses {
		if c.neg && !positions && c.hasPhrase() {
			continue
		}
		alts := make([]string, len(c.alts))
		for i, p := range c.alts {
			q := make([]string, len(p))
			for k, t := range p {
				q[k] = "'" + t + "'"
			}
			op := " & "
			if positions {
				op = " <-> "
			}
			alts[i] = strings.Join(q, op)
			if len(p) > 1 {
				alts[i] = "(" + alts[i] + ")"
			}
		}
		s := strings.Join(alts, " | ")
		if len(alts) > 1 {
			s = "(" + s + ")"
		}
		if c.neg {
			s = "!" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " & ")
}

// titleTSQuery matches a title holding every positive clause (without
// positions): the title signal of the ranking, as fts5Title on SQLite.
func (pq parsedQuery) titleTSQuery() string {
	pos := parsedQuery{}
	for _, c := range pq.clauses {
		if !c.neg {
			pos.clauses = append(pos.clauses, c)
		}
	}
	return pos.renderTS(false)
}

// hasPhrase reports whether some clause holds a phrase of several tokens.
func (pq parsedQuery) hasPhrase() bool {
	return slices.ContainsFunc(pq.clauses, clause.hasPhrase)
}

func (c clause) hasPhrase() bool {
	return slices.ContainsFunc(c.alts, func(p phrase) bool { return len(p) > 1 })
}

// score tells how well a token stream (one part of an object) answers the
// query: how many positive clauses it satisfies, and how many times their
// phrases occur. It picks the page of a document shown in a hit.
func (pq parsedQuery) score(toks []string) (clauses, count int) {
	for _, c := range pq.clauses {
		if c.neg {
			continue
		}
		n := 0
		for _, p := range c.alts {
			n += occurrences(toks, p)
		}
		if n > 0 {
			clauses++
			count += n
		}
	}
	return clauses, count
}

func occurrences(toks []string, p phrase) int {
	n := 0
	for i := 0; i+len(p) <= len(toks); i++ {
		if toks[i] != p[0] {
			continue
		}
		ok := true
		for k := 1; k < len(p); k++ {
			if toks[i+k] != p[k] {
				ok = false
				break
			}
		}
		if ok {
			n++
		}
	}
	return n
}
