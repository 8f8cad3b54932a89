// Package captcha is the self-hosted, privacy-friendly check of the password
// recovery form: an ALTCHA proof of work (the browser spends a fraction of
// a second finding a number; no third party, no cookie, no visual puzzle),
// with a simple arithmetic question, in words, as the fallback when
// JavaScript does not run. Both are signed with the server's secret key,
// expire, and work once (replay guard in the shared throttle table, so it
// holds across instances).
package captcha

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"
)

// Replay remembers what was used once: users.Throttle, shared by every
// instance.
type Replay interface {
	// Once records key until expires and reports whether it was new.
	Once(ctx context.Context, key string, expires time.Time) (bool, error)
}

// Captcha creates and verifies challenges.
type Captcha struct {
	Key       string // HMAC key (the server's secret key)
	Replay    Replay
	Now       func() time.Time // time.Now when nil
	MaxNumber int64            // proof-of-work difficulty; default 100 000
	TTL       time.Duration    // default 10 minutes
	// Numbers are the words of the numbers 0 to 20 in the site's language
	// (catalogue accounts.captcha.numbers): the question is asked with them
	// and may be answered with them. Digits when empty.
	Numbers []string
}

func (c *Captcha) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Captcha) ttl() time.Duration {
	if c.TTL <= 0 {
		return 10 * time.Minute
	}
	return c.TTL
}

// Challenge returns a new proof-of-work challenge (JSON for the widget).
func (c *Captcha) Challenge() (altcha.Challenge, error) {
	max := c.MaxNumber
	if max <= 0 {
		max = 100_000
	}
	exp := c.now().Add(c.ttl())
	return altcha.CreateChallenge(altcha.ChallengeOptions{HMACKey: c.Key, MaxNumber: max, Expires: &exp})
}

// Verify checks a solution sent by the widget (base64 JSON): signature,
// expiry (by our clock) and first use.
func (c *Captcha) Verify(ctx context.Context, payload string) (bool, error) {
	if payload == "" || len(payload) > 4096 {
		return false, nil
	}
	raw, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return false, nil
	}
	var p altcha.Payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return false, nil
	}
	if p.Algorithm != string(altcha.SHA256) {
		return false, nil
	}
	exp, err := strconv.ParseInt(altcha.ExtractParams(p).Get("expires"), 10, 64)
	if err != nil || c.now().Unix() > exp {
		return false, nil
	}
	ok, err := altcha.VerifySolutionSafe(p, c.Key, false)
	if err != nil || !ok {
		return false, nil
	}
	return c.Replay.Once(ctx, "captcha:"+p.Signature, time.Unix(exp, 0))
}

// Question is the no-JavaScript fallback: a sum of two numbers to compute.
// The page asks it with the catalogue key accounts.captcha.question.
type Question struct {
	A, B  string // the two terms, in words (Numbers)
	Token string // signed; carries no answer
}

// word returns the word of n (0 to 20), or its digits.
func (c *Captcha) word(n int64) string {
	if n >= 0 && n < int64(len(c.Numbers)) && c.Numbers[n] != "" {
		return c.Numbers[n]
	}
	return strconv.FormatInt(n, 10)
}

func randInt(n int64) int64 {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		panic(err)
	}
	return v.Int64()
}

// NewQuestion returns a question whose answer is a number from 2 to 20.
func (c *Captcha) NewQuestion() Question {
	a, b := randInt(10)+1, randInt(10)+1
	var nonce [12]byte
	rand.Read(nonce[:]) //nolint:errcheck // never fails
	exp := strconv.FormatInt(c.now().Add(c.ttl()).Unix(), 10)
	n := hex.EncodeToString(nonce[:])
	return Question{
		A: c.word(a), B: c.word(b),
		Token: exp + "." + n + "." + c.mac(exp, n, strconv.FormatInt(a+b, 10)),
	}
}

func (c *Captcha) mac(exp, nonce, answer string) string {
	m := hmac.New(sha256.New, []byte(c.Key))
	m.Write([]byte("question|" + exp + "|" + nonce + "|" + answer))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckAnswer verifies the answer to a question (digits, or the word of
// the number), its expiry, and that it is used once.
func (c *Captcha) CheckAnswer(ctx context.Context, token, answer string) (bool, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > 200 {
		return false, nil
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || c.now().Unix() > exp {
		return false, nil
	}
	answer = c.normaliseAnswer(answer)
	if !hmac.Equal([]byte(c.mac(parts[0], parts[1], answer)), []byte(parts[2])) {
		return false, nil
	}
	return c.Replay.Once(ctx, "question:"+parts[1], time.Unix(exp, 0))
}

// normaliseAnswer turns an answer into digits: "17", " dix-sept ", "DIX
// SEPT" give "17"; anything else gives "" or a number below 100.
func (c *Captcha) normaliseAnswer(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Join(strings.Fields(s), "-")
	for n, w := range c.Numbers {
		if w != "" && s == strings.Join(strings.Fields(strings.ToLower(w)), "-") {
			return strconv.Itoa(n)
		}
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < 100 {
		return strconv.Itoa(n)
	}
	return ""
}
