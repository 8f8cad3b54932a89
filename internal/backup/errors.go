package backup

import (
	"errors"
	"fmt"
)

// Error is a refusal the operator must read: a catalogue key
// (internal/i18n/fr/backup.json) with its arguments, and the cause when
// there is one. The command line prints the key's French text; the package
// holds no sentence of its own.
type Error struct {
	Key  string
	Args []any
	Err  error
}

func (e *Error) Error() string {
	s := e.Key
	if len(e.Args) > 0 {
		s += fmt.Sprint(e.Args)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// refuse returns an Error of key with args.
func refuse(key string, args ...any) error { return &Error{Key: key, Args: args} }

// because returns an Error of key with args caused by err.
func because(err error, key string, args ...any) error {
	return &Error{Key: key, Args: args, Err: err}
}

// The refusals a caller may want to tell apart.
var (
	// ErrCorrupt is wrapped by every refusal of an archive whose bytes do
	// not match what its manifest says (or that cannot be read at all).
	ErrCorrupt = errors.New("backup: archive corrupt")
	// ErrNotEmpty is wrapped when a restore finds data in its target.
	ErrNotEmpty = errors.New("backup: target not empty")
	// ErrNewerSchema is wrapped when an archive comes from a schema this
	// program does not know (a newer version of Portique).
	ErrNewerSchema = errors.New("backup: archive from a newer schema")
)

// corrupt is a refusal of a damaged archive.
func corrupt(key string, args ...any) error {
	return &Error{Key: key, Args: args, Err: ErrCorrupt}
}
