package users

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

var phcRe = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestArgon2idFormatWithDefaultParams(t *testing.T) {
	h := NewHasher(DefaultParams, 2)
	got, err := h.Hash(context.Background(), "une phrase de passe")
	if err != nil {
		t.Fatal(err)
	}
	if !phcRe.MatchString(got) {
		t.Fatalf("hash %q is not an argon2id PHC string with m=19 MiB, t=2, p=1", got)
	}
	again, _ := h.Hash(context.Background(), "une phrase de passe")
	if again == got {
		t.Fatal("two hashes of the same password are equal (no salt)")
	}
	ok, rehash, err := h.Verify(context.Background(), got, "une phrase de passe")
	if err != nil || !ok || rehash {
		t.Fatalf("Verify = %v, %v, %v", ok, rehash, err)
	}
	if ok, _, _ := h.Verify(context.Background(), got, "une phrase de passe!"); ok {
		t.Fatal("a wrong password verified")
	}
}

func TestRehashWhenParamsChange(t *testing.T) {
	old := NewHasher(CheapParams, 1)
	enc, _ := old.Hash(context.Background(), "une phrase de passe")
	stronger := NewHasher(Params{Memory: 128, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}, 1)
	ok, rehash, err := stronger.Verify(context.Background(), enc, "une phrase de passe")
	if err != nil || !ok || !rehash {
		t.Fatalf("Verify with new params = %v, rehash %v, %v", ok, rehash, err)
	}
}

func TestMalformedHashes(t *testing.T) {
	h := NewHasher(CheapParams, 1)
	good, _ := h.Hash(context.Background(), "x")
	for _, bad := range []string{"", "plain", "$2a$10$abcdefghijklmnopqrstuv", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		strings.Replace(good, "m=64", "m=4194304", 1), strings.Replace(good, "t=1", "t=0", 1), strings.Replace(good, "v=19", "v=16", 1),
		good + "$extra", strings.Replace(good, "p=1", "p=1,x=2", 1)} {
		if _, _, err := h.Verify(context.Background(), bad, "x"); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Verify(%q) err = %v, want ErrMalformedHash", bad, err)
		}
	}
}

func TestHashConcurrencyCap(t *testing.T) {
	h := NewHasher(CheapParams, 1)
	h.sem <- struct{}{} // the one slot is taken
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash with the slot taken: err = %v, want to wait and give up", err)
	}
	<-h.sem
	if _, err := h.Hash(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
}

// FuzzDecodePHC: no input makes the parser panic or accept absurd costs.
func FuzzDecodePHC(f *testing.F) {
	h := NewHasher(CheapParams, 1)
	good, _ := h.Hash(context.Background(), "x")
	for _, s := range []string{good, "", "$argon2id$v=19$m=,t=,p=$$", "$argon2id$v=19$m=1048577,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := decodePHC(s)
		if err != nil {
			return
		}
		if p.Memory > 1<<20 || p.Time > 20 || p.Threads > 16 || len(salt) < 8 || len(key) < 16 {
			t.Fatalf("decodePHC(%q) accepted %+v", s, p)
		}
		if encodePHC(p, salt, key) != s && !strings.HasPrefix(s, "$argon2id$v=19$") {
			t.Fatalf("round trip of %q", s)
		}
	})
}

func TestPasswordPolicy(t *testing.T) {
	for _, c := range []struct {
		pw   string
		ctx  []string
		want string
	}{
		{"court", nil, "accounts.password.too_short"},
		{"onze-caract", nil, "accounts.password.too_short"},
		{"éèàùçôîâêûë", nil, "accounts.password.too_short"}, // 11 runes, more bytes
		{strings.Repeat("a", 257), nil, "accounts.password.too_long"},
		{"motdepasse12", nil, "accounts.password.common"},
		{"MotDePasse2026!", nil, "accounts.password.common"},
		{"azerty123456", nil, "accounts.password.common"},
		{"AZERTYUIOP123", nil, "accounts.password.common"},
		{"soleil-soleil-2026", nil, "accounts.password.common"},
		{"123456789012", nil, "accounts.password.common"},
		{"aaaaaaaaaaaaaaaa", nil, "accounts.password.common"},
		{"abababababababab", nil, "accounts.password.common"},
		{"Sydrav2026!!", nil, "accounts.password.common"}, // in the shipped list
		{"Portique-2026", []string{"Portique"}, "accounts.password.common"},
		{"SMICTOM-Loire-2026", []string{"SMICTOM Loire"}, "accounts.password.context"},
		{"jeanne.martin1", []string{"Jeanne Martin"}, "accounts.password.context"},
		// Accepted: long enough, no composition rule.
		{"cheval agrafe pile correcte", []string{"SYDRAV", "Jeanne Martin"}, ""},
		{"le soleil brille sur la mer", []string{"SYDRAV"}, ""},
		{"tout en minuscules sans chiffres", nil, ""},
		{"482917365028", nil, ""},
	} {
		if got := CheckPassword(c.pw, c.ctx...); got != c.want {
			t.Errorf("CheckPassword(%q) = %q, want %q", c.pw, got, c.want)
		}
	}
}

func TestCommonListHasFrenchEntries(t *testing.T) {
	for _, w := range []string{"motdepasse", "azerty123", "soleil", "sydrav", "bonjour", "123456"} {
		if !commonPasswords[w] {
			t.Errorf("the shipped list lacks %q", w)
		}
	}
	if len(commonPasswords) < 150 {
		t.Errorf("the shipped list has only %d entries", len(commonPasswords))
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h := NewHasher(DefaultParams, 4)
	for b.Loop() {
		h.Hash(context.Background(), "une phrase de passe") //nolint:errcheck
	}
}
