package users

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed common_passwords.txt
var commonPasswordsFile string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsFile, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// Password policy (CNIL deliberation 2022-100, OWASP ASVS 2.1): a minimum
// length, no composition rules, and a refusal of common and context-specific
// passwords.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// CheckPassword returns the catalogue key of the reason password is refused,
// or "" when it is acceptable. context holds words specific to this site and
// person (site name, email, display name): a password built on one of them is
// refused.
func CheckPassword(password string, context ...string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return "accounts.password.too_short"
	case n > MaxPasswordLen:
		return "accounts.password.too_long"
	}
	lower := strings.ToLower(strings.TrimSpace(password))
	core := lettersOnly(lower)
	if commonPasswords[lower] || commonPasswords[core] || commonPasswords[strings.ReplaceAll(lower, " ", "")] {
		return "accounts.password.common"
	}
	distinct := map[rune]bool{}
	for _, r := range lower {
		distinct[r] = true
	}
	if len(distinct) < 5 || onlyMadeOf(lower, commonWords) {
		return "accounts.password.common"
	}
	var words []string
	for _, w := range context {
		for _, part := range strings.FieldsFunc(strings.ToLower(w), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			// Short words (a first name of 3 letters) would refuse too much.
			if utf8.RuneCountInString(part) >= 4 {
				words = append(words, part)
			}
		}
	}
	if onlyMadeOf(lower, words) {
		return "accounts.password.context"
	}
	return ""
}

// commonWords are the letter-only entries of the list long enough to be
// looked for inside a password ("Motdepasse!Motdepasse").
var commonWords = func() []string {
	var out []string
	for w := range commonPasswords {
		if len(w) >= 6 && lettersOnly(w) == w {
			out = append(out, w)
		}
	}
	return out
}()

// onlyMadeOf reports whether s, once every occurrence of words is removed,
// has fewer than 6 letters left (and something was removed): "Sydrav-2026-
// Sydrav" is only the site's name and a year.
func onlyMadeOf(s string, words []string) bool {
	rest := s
	for _, w := range words {
		rest = strings.ReplaceAll(rest, w, "")
	}
	return rest != s && utf8.RuneCountInString(lettersOnly(rest)) < 6
}

// lettersOnly keeps the letters: "Motdepasse2026!" → "motdepasse".
func lettersOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
