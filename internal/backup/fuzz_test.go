package backup_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"portique/internal/backup"
)

// FuzzVerify feeds the archive reader arbitrary bytes (from a real
// archive): it must never panic, and whatever it accepts must be
// consistent.
func FuzzVerify(f *testing.F) {
	good, err := os.ReadFile(writeArchive(f, newSource(f)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	cut := bytes.Clone(good[:len(good)/2])
	f.Add(cut)
	f.Add([]byte{})
	f.Add([]byte("not an archive"))
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := backup.Verify(bytes.NewReader(b))
		if err != nil {
			var be *backup.Error
			if !errors.As(err, &be) || !errors.Is(err, backup.ErrCorrupt) {
				t.Fatalf("refusal without a message key: %v", err)
			}
			return
		}
		if m.Format < 1 || m.Format > backup.Format {
			t.Fatalf("accepted format %d", m.Format)
		}
	})
}
