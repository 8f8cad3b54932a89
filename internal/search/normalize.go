package search

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/french"
	"golang.org/x/text/unicode/norm"
)

// French awareness lives here, in Go, and nowhere else: the text of every
// indexed field and of every query goes through Analyze, and the engines only
// see the resulting stream of plain tokens. That is what makes FTS5 and the
// PostgreSQL tsvector behave identically (same tokens, same positions, same
// stems) whatever their own tokenizers or dictionaries would have done.
//
// The pipeline for one word of the original text:
//
//	NFKC (ligatures ﬃ → ffi, full-width forms) → lower case → œ → oe, æ → ae
//	→ NFD and removal of combining marks (accents; NFD input is handled the
//	same as NFC) → split into runs of letters and digits → French Snowball
//	stem → one extra trailing "e" removed.
//
// Accents are removed BEFORE stemming, so a query typed without accents
// ("electricite") is stemmed exactly like the indexed, accented text
// ("électricité"); the trailing-"e" rule makes the unaccented forms of
// participles meet their noun ("collectées" → "collecte" → "collect").

// maxTokenBytes caps one token: PostgreSQL refuses lexemes over 2 KB, and no
// French word comes close to this.
const maxTokenBytes = 60

// elisions are the French words that lose their vowel before an apostrophe
// (l’Ardèche, d’œufs, qu’il): they are dropped from the token stream so that
// "Ardèche" finds "l’Ardèche".
var elisions = map[string]bool{
	"l": true, "d": true, "j": true, "m": true, "n": true, "s": true, "t": true, "c": true,
	"qu": true, "jusqu": true, "lorsqu": true, "puisqu": true, "quoiqu": true,
}

// Normalize folds text for comparison: Unicode compatibility forms (NFKC,
// so ligature characters become letters), lower case, œ/æ spelled out,
// accents removed, typographic apostrophes made plain ('), soft hyphens
// dropped. It keeps everything else (spaces, punctuation) in place.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = norm.NFKC.String(s)
	s = strings.ToLower(s)
	s = ligatures.Replace(s)
	// NFD splits é into e + U+0301; dropping the marks removes the accent.
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

var ligatures = strings.NewReplacer(
	"œ", "oe", "æ", "ae", "ß", "ss", "ø", "o", "ð", "d", "þ", "th", "ł", "l", "đ", "d", "ı", "i",
	"\u2019", "'", "\u2018", "'", "\u02bc", "'", "\u2032", "'", "\u00ad", "",
)

// Analyze returns the searchable tokens of text, in order: normalised,
// elisions dropped, stemmed. The index stores these tokens (space-joined) and
// queries are made of them, on both engines.
func Analyze(text string) []string {
	var out []string
	eachWord(text, func(_, _ int, raw string, elided bool) {
		if elided {
			return
		}
		out = appendStems(out, raw)
	})
	return out
}

// analyzed is Analyze joined with spaces: what the engines index.
func analyzed(text string) string { return strings.Join(Analyze(text), " ") }

// eachWord calls fn for every raw word of text (a maximal run of letters,
// digits and combining marks) with its byte offsets. elided is true for a
// French elision followed by an apostrophe and a letter (the l of l’eau).
func eachWord(text string, fn func(start, end int, raw string, elided bool)) {
	start := -1
	for i, r := range text {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			fn(start, i, text[start:i], isApostrophe(r) && isElision(text[start:i]) && letterAfter(text, i+utf8.RuneLen(r)))
			start = -1
		}
	}
	if start >= 0 {
		fn(start, len(text), text[start:], false)
	}
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.M, r)
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u02bc' || r == '\u2018'
}

func isElision(raw string) bool {
	if len(raw) > 6 {
		return false
	}
	return elisions[strings.ToLower(raw)]
}

func letterAfter(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r)
}

// appendStems appends the tokens of one raw word. Normalisation can split a
// word (NFKC turns ½ into 1⁄2), hence possibly several tokens. Words repeat
// a lot (Zipf), so their tokens are cached.
func appendStems(out []string, raw string) []string {
	if toks, ok := cache.get(raw); ok {
		return append(out, toks...)
	}
	start := len(out)
	out = analyzeWord(out, raw)
	cache.put(raw, slices.Clone(out[start:])) // a copy: callers own what Analyze returns
	return out
}

func analyzeWord(out []string, raw string) []string {
	n := normalizeWord(raw)
	start := -1
	for i, r := range n {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, stem(n[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, stem(n[start:]))
	}
	return out
}

// normalizeWord is Normalize with a fast path for plain ASCII words, which
// are most words of French text without accents.
func normalizeWord(raw string) string {
	for i := 0; i < len(raw); i++ {
		if raw[i] >= utf8.RuneSelf {
			return Normalize(raw)
		}
	}
	return strings.ToLower(raw)
}

// stem reduces one normalised token to its French stem.
func stem(tok string) string {
	if len(tok) > maxTokenBytes {
		cut := maxTokenBytes
		for cut > 0 && !utf8.RuneStart(tok[cut]) {
			cut--
		}
		tok = tok[:cut]
	}
	if len(tok) <= 2 || !hasLetter(tok) {
		return tok
	}
	s := snowball(tok)
	if v, ok := variants[s]; ok {
		return v
	}
	return s
}

func snowball(tok string) string {
	s := french.Stem(tok, false)
	if len(s) > 3 && strings.HasSuffix(s, "e") {
		s = s[:len(s)-1]
	}
	if s == "" {
		return tok
	}
	return s
}

// variantSpellings are words French writes two ways (the second is the
// one kept): both spellings give the same token, on both engines, so either
// finds the other. Changing this list changes the tokens: raise
// AnalyzerVersion so that the index is rebuilt at the next start.
var variantSpellings = [][2]string{
	{"dechetterie", "decheterie"},
	{"dechetteries", "decheteries"},
	{"clef", "cle"},
	{"clefs", "cles"},
	{"cuillere", "cuiller"},
	{"paye", "paie"},
	{"nenuphar", "nenufar"},
}

// variants maps the stem of a variant spelling to the stem of the kept one.
var variants = func() map[string]string {
	m := map[string]string{}
	for _, v := range variantSpellings {
		if a, b := snowball(v[0]), snowball(v[1]); a != b {
			m[a] = b
		}
	}
	return m
}()

// AnalyzerVersion numbers the analyser's output: when a change makes it
// give other tokens for the same text (variantSpellings, the stemmer), it is
// raised, and the server rebuilds the index once at start-up (see
// AnalyzerStale).
const AnalyzerVersion = 2

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// wordCache maps raw words to their tokens. It is bounded: when full it is
// simply emptied, which keeps hostile input from growing it.
type wordCache struct {
	mu sync.RWMutex
	m  map[string][]string
}

const wordCacheMax = 50_000

var cache = wordCache{m: map[string][]string{}}

func (c *wordCache) get(raw string) ([]string, bool) {
	c.mu.RLock()
	t, ok := c.m[raw]
	c.mu.RUnlock()
	return t, ok
}

func (c *wordCache) put(raw string, toks []string) {
	if len(raw) > maxTokenBytes {
		return
	}
	c.mu.Lock()
	if len(c.m) >= wordCacheMax {
		c.m = make(map[string][]string, wordCacheMax)
	}
	c.m[strings.Clone(raw)] = toks
	c.mu.Unlock()
}
