package notify_test

import (
	"strings"
	"testing"

	"portique/internal/notify"
)

// FuzzParseUnsubscribe: no token makes the parser of signed links panic,
// and a token it accepts is exactly one the signer made (a forged or
// altered link never passes).
func FuzzParseUnsubscribe(f *testing.F) {
	s := notify.NewSigner("fuzz secret")
	good := s.UnsubscribeToken(42, notify.AllAreas)
	for _, seed := range []string{good, good[:len(good)-1], strings.Replace(good, ".", "..", 1), "", ".", "x.y",
		s.Sign("unsub", "0", "all"), s.Sign("unsub", "-3", "documents"), s.Sign("rsvp", "1", "2"), strings.Repeat("A", 600) + "." + "B"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		id, area, err := s.ParseUnsubscribe(token)
		if err != nil {
			return
		}
		if id <= 0 || (area != notify.AllAreas && !notify.ValidArea(area)) {
			t.Fatalf("accepted %q as account %d, area %q", token, id, area)
		}
		if s.UnsubscribeToken(id, area) != token {
			t.Fatalf("accepted %q, which the signer did not make", token)
		}
	})
}
