package captcha

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"

	"portique/internal/clock"
	"portique/internal/dbtest"
	"portique/internal/i18n"
	"portique/internal/users"
)

// frenchNumbers are the words of the catalogue, as services.New gives them.
func frenchNumbers(t testing.TB) []string {
	t.Helper()
	w := strings.Fields(i18n.MustLoad("fr").T("accounts.captcha.numbers"))
	if len(w) != 21 || w[3] != "trois" || w[17] != "dix-sept" {
		t.Fatalf("catalogue numbers = %q", w)
	}
	return w
}

func newCaptcha(t *testing.T) (*Captcha, *clock.Fake) {
	clk := clock.NewFake(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	return &Captcha{Key: "test-key-0123456789abcdef0123456789", Replay: &users.Throttle{DB: dbtest.NewDB(t)}, Now: clk.Now,
		MaxNumber: 5000, Numbers: frenchNumbers(t)}, clk
}

func solve(t *testing.T, c *Captcha) string {
	t.Helper()
	ch, err := c.Challenge()
	if err != nil {
		t.Fatal(err)
	}
	sol, err := altcha.SolveChallenge(ch.Challenge, ch.Salt, altcha.Algorithm(ch.Algorithm), int(ch.MaxNumber), 0, nil)
	if err != nil || sol == nil {
		t.Fatal("unsolvable", err)
	}
	b, _ := json.Marshal(map[string]any{"algorithm": ch.Algorithm, "challenge": ch.Challenge, "number": sol.Number, "salt": ch.Salt, "signature": ch.Signature})
	return base64.StdEncoding.EncodeToString(b)
}

func TestProofOfWork(t *testing.T) {
	c, clk := newCaptcha(t)
	p := solve(t, c)
	if ok, err := c.Verify(t.Context(), p); !ok || err != nil {
		t.Fatalf("valid solution refused: %v", err)
	}
	if ok, _ := c.Verify(t.Context(), p); ok {
		t.Fatal("replayed solution accepted")
	}
	// Another key (another site) does not accept it.
	p2 := solve(t, c)
	other := *c
	other.Key = "another-key-0123456789abcdef012345"
	if ok, _ := other.Verify(t.Context(), p2); ok {
		t.Fatal("solution accepted under another key")
	}
	// Expired.
	clk.Advance(11 * time.Minute)
	if ok, _ := c.Verify(t.Context(), p2); ok {
		t.Fatal("expired solution accepted")
	}
	for _, junk := range []string{"", "%%%", base64.StdEncoding.EncodeToString([]byte("{}")), strings.Repeat("A", 5000)} {
		if ok, _ := c.Verify(t.Context(), junk); ok {
			t.Fatalf("junk %q accepted", junk)
		}
	}
}

func TestQuestion(t *testing.T) {
	c, clk := newCaptcha(t)
	answer := func(q Question) string {
		a, b := slices.Index(c.Numbers, q.A), slices.Index(c.Numbers, q.B)
		if a < 1 || a > 10 || b < 1 || b > 10 {
			t.Fatalf("question %+v: terms not from 1 to 10 in words", q)
		}
		return strconv.Itoa(a + b)
	}
	q := c.NewQuestion()
	// No field of the token (expiry, nonce, MAC) is the answer itself.
	if slices.Contains(strings.Split(q.Token, "."), answer(q)) {
		t.Fatal("the token carries the answer")
	}
	if ok, _ := c.CheckAnswer(t.Context(), q.Token, "99"); ok {
		t.Fatal("wrong answer accepted")
	}
	if ok, _ := c.CheckAnswer(t.Context(), q.Token, " "+answer(q)+" "); !ok {
		t.Fatal("right answer refused")
	}
	if ok, _ := c.CheckAnswer(t.Context(), q.Token, answer(q)); ok {
		t.Fatal("question answered twice")
	}
	q = c.NewQuestion()
	clk.Advance(11 * time.Minute)
	if ok, _ := c.CheckAnswer(t.Context(), q.Token, answer(q)); ok {
		t.Fatal("expired question accepted")
	}
	q = c.NewQuestion()
	n, _ := strconv.Atoi(answer(q))
	word := c.Numbers[n]
	if ok, _ := c.CheckAnswer(t.Context(), q.Token, strings.ToUpper(word)); !ok {
		t.Fatalf("answer in words %q refused", word)
	}
	// Without words (none given), the question is asked in digits.
	d := &Captcha{Key: c.Key, Replay: c.Replay, Now: c.Now}
	q = d.NewQuestion()
	if _, err := strconv.Atoi(q.A); err != nil {
		t.Fatalf("digits question %+v", q)
	}
}

// FuzzNormaliseAnswer: any input gives "" or a number from 0 to 99.
func FuzzNormaliseAnswer(f *testing.F) {
	for _, s := range []string{"4", " dix-sept ", "DIX SEPT", "-1", "1e3", "٣", "", "0007"} {
		f.Add(s)
	}
	c := &Captcha{Numbers: frenchNumbers(f)}
	f.Fuzz(func(t *testing.T, in string) {
		out := c.normaliseAnswer(in)
		if out == "" {
			return
		}
		n, err := strconv.Atoi(out)
		if err != nil || n < 0 || n > 99 || strconv.Itoa(n) != out {
			t.Fatalf("normaliseAnswer(%q) = %q", in, out)
		}
	})
}
