// Package captcha is the self-hosted, privacy-friendly check of the password
// recovery form: an ALTCHA proof of work (the browser spends a fraction of
// a second finding a number; no third party, no cookie, no visual puzzle),
// with a simple French arithmetic question as the fallback when JavaScript
// does not run. Both are signed with the server's secret key, expire, and
// work once (replay guard in the shared throttle table, so it holds across
// instances).
package captcha

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"

	"portique/internal/db"
	"portique/internal/users"
)

// Captcha creates and verifies challenges.
type Captcha struct {
	Key       string // HMAC key (the server's secret key)
	DB        *db.DB
	Now       func() time.Time
	MaxNumber int64         // proof-of-work difficulty; default 100 000
	TTL       time.Duration // default 10 minutes
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
	exp := c.Now().Add(c.ttl())
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
	if err != nil || c.Now().Unix() > exp {
		return false, nil
	}
	ok, err := altcha.VerifySolutionSafe(p, c.Key, false)
	if err != nil || !ok {
		return false, nil
	}
	return users.Once(ctx, c.DB, "captcha:"+p.Signature, time.Unix(exp, 0))
}

// Question is the no-JavaScript fallback: a sum to compute, in words.
type Question struct {
	Text  string // "Combien font trois plus quatre ?"
	Token string // signed; carries no answer
}

var numbers = []string{"zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"}

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
	exp := strconv.FormatInt(c.Now().Add(c.ttl()).Unix(), 10)
	n := hex.EncodeToString(nonce[:])
	return Question{
		Text:  fmt.Sprintf("Combien font %s plus %s ?", numbers[a], numbers[b]),
		Token: exp + "." + n + "." + c.mac(exp, n, strconv.FormatInt(a+b, 10)),
	}
}

func (c *Captcha) mac(exp, nonce, answer string) string {
	m := hmac.New(sha256.New, []byte(c.Key))
	m.Write([]byte("question|" + exp + "|" + nonce + "|" + answer))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckAnswer verifies the answer to a question (digits, or the French word
// for the number), its expiry, and that it is used once.
func (c *Captcha) CheckAnswer(ctx context.Context, token, answer string) (bool, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > 200 {
		return false, nil
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || c.Now().Unix() > exp {
		return false, nil
	}
	answer = normaliseAnswer(answer)
	if !hmac.Equal([]byte(c.mac(parts[0], parts[1], answer)), []byte(parts[2])) {
		return false, nil
	}
	return users.Once(ctx, c.DB, "question:"+parts[1], time.Unix(exp, 0))
}

var words = map[string]string{
	"deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6", "sept": "7", "huit": "8", "neuf": "9",
	"dix": "10", "onze": "11", "douze": "12", "treize": "13", "quatorze": "14", "quinze": "15", "seize": "16",
	"dix-sept": "17", "dix-huit": "18", "dix-neuf": "19", "vingt": "20",
}

func normaliseAnswer(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Join(strings.Fields(s), "-")
	if d, ok := words[s]; ok {
		return d
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < 100 {
		return strconv.Itoa(n)
	}
	return ""
}
