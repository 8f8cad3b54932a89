package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// ErrBadToken: a signed link whose signature does not match, or which is
// malformed. web answers 404 (nothing tells a forger why).
var ErrBadToken = errors.New("notify: bad token")

// Signer signs the tokens of links that work without a session (one-click
// unsubscribe, convocation answers): a purpose and numbers, HMAC-SHA256 with
// a key derived from the site's secret key. Tokens do not expire: an
// unsubscribe link in a year-old e-mail must still work, and an answer link
// only works while its session accepts answers.
type Signer struct{ key []byte }

// NewSigner derives the signing key for links from the site's secret.
func NewSigner(secret string) *Signer {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("portique notify links v1"))
	return &Signer{key: m.Sum(nil)}
}

func (s *Signer) mac(msg string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(msg))
	return m.Sum(nil)[:20]
}

// Sign returns the token for purpose and fields (no dots or colons in
// purpose or fields).
func (s *Signer) Sign(purpose string, fields ...string) string {
	msg := purpose + ":" + strings.Join(fields, ":")
	return base64.RawURLEncoding.EncodeToString([]byte(msg)) + "." + base64.RawURLEncoding.EncodeToString(s.mac(msg))
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."

var strictB64 = base64.RawURLEncoding.Strict()

// Verify checks token and returns its fields when it was signed for
// purpose with n fields; ErrBadToken otherwise.
func (s *Signer) Verify(token, purpose string, n int) ([]string, error) {
	// One spelling per token: only the characters Sign writes (the
	// decoder would skip line breaks) and strict base64 (no stray bits).
	if len(token) > 512 || strings.Trim(token, tokenAlphabet) != "" {
		return nil, ErrBadToken
	}
	b64msg, b64sig, ok := strings.Cut(token, ".")
	if !ok {
		return nil, ErrBadToken
	}
	msg, err := strictB64.DecodeString(b64msg)
	if err != nil {
		return nil, ErrBadToken
	}
	sig, err := strictB64.DecodeString(b64sig)
	if err != nil || !hmac.Equal(sig, s.mac(string(msg))) {
		return nil, ErrBadToken
	}
	parts := strings.Split(string(msg), ":")
	if len(parts) != n+1 || parts[0] != purpose {
		return nil, ErrBadToken
	}
	return parts[1:], nil
}

// IDs parses fields as positive ids.
func IDs(fields []string) ([]int64, error) {
	out := make([]int64, len(fields))
	for i, f := range fields {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, ErrBadToken
		}
		out[i] = id
	}
	return out, nil
}

// UnsubscribeToken is the token of the one-click unsubscribe link of an
// account for an area.
func (s *Signer) UnsubscribeToken(userID int64, area string) string {
	return s.Sign("unsub", strconv.FormatInt(userID, 10), area)
}

// ParseUnsubscribe returns the account and area of an unsubscribe token.
func (s *Signer) ParseUnsubscribe(token string) (int64, string, error) {
	f, err := s.Verify(token, "unsub", 2)
	if err != nil {
		return 0, "", err
	}
	ids, err := IDs(f[:1])
	if err != nil || (!ValidArea(f[1]) && f[1] != AllAreas) {
		return 0, "", ErrBadToken
	}
	return ids[0], f[1], nil
}
