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
	if len(distinct) < 5 {
		return "accounts.password.common"
	}
	for _, w := range context {
		for _, part := range strings.FieldsFunc(strings.ToLower(w), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			// Short words (a first name of 3 letters) would refuse too much.
			if utf8.RuneCountInString(part) >= 4 && (core == lettersOnly(part) || strings.Contains(lower, part) && n-utf8.RuneCountInString(part) < 8) {
				return "accounts.password.context"
			}
		}
	}
	return ""
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
