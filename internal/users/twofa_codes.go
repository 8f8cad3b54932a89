package users

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// Two-factor login: a time-based one-time password (TOTP, RFC 6238) from
// an authenticator app, with the parameters every app reads from a QR code
// (SHA-1, 6 digits, 30 s), and single-use recovery codes for a lost phone.
// This file holds the codes themselves; twofa.go the stores' methods.
const (
	totpPeriod = 30 // seconds per step
	// totpSkew steps either side of now are accepted (RFC 6238 §5.2: one
	// step of network delay and clock drift).
	totpSkew = 1
	// RecoveryCodeCount recovery codes are issued at enrolment (and when the
	// person asks for new ones); each works once.
	RecoveryCodeCount = 10
	// recoveryAlphabet has 32 letters and digits that cannot be mistaken for
	// one another (no 0/o, 1/l): 5 bits a character.
	recoveryAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	// recoveryLen characters (80 bits) make a code: far beyond what anyone
	// can guess online, and beyond an offline search of its SHA-256 too.
	recoveryLen = 16
)

// CodeKind says what a typed code is.
type CodeKind int

// Kinds of code ParseCode tells apart.
const (
	CodeInvalid  CodeKind = iota
	CodeTOTP              // 6 digits from the authenticator app
	CodeRecovery          // a recovery code (16 letters and digits)
)

// ParseCode reads a code as people type or paste it: spaces, hyphens and
// dots between groups are ignored, letters may be in capitals. It returns
// the kind and the normalised code (6 digits, or 16 lower-case characters
// of the recovery alphabet); anything else is CodeInvalid.
func ParseCode(s string) (CodeKind, string) {
	if len(s) > 64 {
		return CodeInvalid, ""
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '\t' || r == '\u00a0' || r == '\u202f':
			continue
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r > 0x7f:
			return CodeInvalid, ""
		}
		b.WriteRune(r)
	}
	c := b.String()
	switch {
	case len(c) == 6 && allIn(c, "0123456789"):
		return CodeTOTP, c
	case len(c) == recoveryLen && allIn(c, recoveryAlphabet):
		return CodeRecovery, c
	}
	return CodeInvalid, ""
}

func allIn(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

// newRecoveryCodes returns n fresh recovery codes, normalised (as
// ParseCode returns them).
func newRecoveryCodes(n int) []string {
	out := make([]string, n)
	buf := make([]byte, recoveryLen)
	for i := range out {
		if _, err := rand.Read(buf); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		for j, c := range buf {
			buf[j] = recoveryAlphabet[int(c)%len(recoveryAlphabet)] // 256 is a multiple of 32: no bias
		}
		out[i] = string(buf)
	}
	return out
}

// GroupCode writes a secret or a recovery code in groups of four
// characters separated by spaces (or hyphens for recovery codes, which
// people copy by hand): "JBSW Y3DP …", "abcd-efgh-ijkm-npqr".
func GroupCode(s, sep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// hashRecoveryCode is how a recovery code is stored. SHA-256 rather than
// the password hasher: a code has 80 random bits (nothing to guess from a
// dictionary, no salt needed), and a slow hash would make every recovery
// attempt cost ten argon2 computations; with a plain hash the code is
// looked up by its hash in one indexed query.
func hashRecoveryCode(code string) string { return HashToken("recovery:" + code) }

// Enrolment is a secret being set up: what the person copies into their
// authenticator app, by QR code or by hand.
type Enrolment struct {
	Secret string // base32, as the app wants it
	URL    string // otpauth:// URL, what the QR code holds
}

// SecretGroups is the secret in groups of four, for typing by hand.
func (e Enrolment) SecretGroups() string { return GroupCode(e.Secret, " ") }

// QRPNG encodes the otpauth URL as a QR code PNG of size×size pixels.
func (e Enrolment) QRPNG(size int) ([]byte, error) {
	k, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		return nil, fmt.Errorf("users: qr code: %w", err)
	}
	img, err := k.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("users: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("users: qr code: %w", err)
	}
	return buf.Bytes(), nil
}

// newEnrolment generates a secret of 160 bits (RFC 4226's recommendation)
// for account, issued by site (the name the app shows).
func newEnrolment(site, account string) (Enrolment, error) {
	if site == "" {
		site = "Portique"
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: site, AccountName: account, Period: totpPeriod, SecretSize: 20,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("users: totp secret: %w", err)
	}
	return Enrolment{Secret: k.Secret(), URL: k.URL()}, nil
}

// enrolmentOf rebuilds the Enrolment of a stored secret.
func enrolmentOf(site, account, secret string) (Enrolment, error) {
	if site == "" {
		site = "Portique"
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(secret, "="))
	if err != nil {
		return Enrolment{}, errBadSecret
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: site, AccountName: account, Period: totpPeriod,
		Secret: raw, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("users: totp secret: %w", err)
	}
	return Enrolment{Secret: k.Secret(), URL: k.URL()}, nil
}

var errBadSecret = errors.New("users: stored totp secret is not base32")

// matchStep returns the time step (Unix seconds / 30) whose code is code,
// among now's step and totpSkew steps either side, or ok = false. Every
// candidate is computed and compared in constant time.
func matchStep(secret, code string, now time.Time) (step int64, ok bool) {
	cur := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		c, err := hotp.GenerateCodeCustom(secret, uint64(cur+d), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(c), []byte(code)) == 1 {
			step, ok = cur+d, true
		}
	}
	return step, ok
}

// CodeAt returns the code of secret at t: for tests and the demo's
// documentation, which compute what an app would show.
func CodeAt(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}
