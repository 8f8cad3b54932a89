// Package valid carries form validation errors from domain packages to the
// web layer without either knowing the other: a domain returns Errors (form
// field → catalogue key of the message, with its arguments), the web layer
// re-renders the form with the translated messages and the user's input kept
// (status 422). No French text lives in a domain: it is in internal/i18n.
package valid

import (
	"fmt"
	"sort"
	"strings"
)

// Message is one field's error: a catalogue key and the arguments its text
// is formatted with (the file name, a limit…).
type Message struct {
	Key  string
	Args []any
}

// String is the key with its arguments, for logs and tests.
func (m Message) String() string {
	if len(m.Args) == 0 {
		return m.Key
	}
	return m.Key + fmt.Sprint(m.Args)
}

// Errors maps a form field to its error message. The field "" holds a
// message about the whole form.
type Errors map[string]Message

// One returns Errors holding one message.
func One(field, key string, args ...any) Errors {
	return Errors{field: {Key: key, Args: args}}
}

// Error lists the fields and keys, for logs and tests.
func (e Errors) Error() string {
	parts := make([]string, 0, len(e))
	for f, m := range e {
		parts = append(parts, f+": "+m.String())
	}
	sort.Strings(parts)
	return "invalid input (" + strings.Join(parts, ", ") + ")"
}

// Add records the first error of a field.
func (e Errors) Add(field, key string, args ...any) {
	if _, ok := e[field]; !ok {
		e[field] = Message{Key: key, Args: args}
	}
}

// Key returns the catalogue key of field's error, "" when it has none.
func (e Errors) Key(field string) string { return e[field].Key }

// Merge adds the errors of o that e does not hold yet.
func (e Errors) Merge(o Errors) {
	for f, m := range o {
		if _, ok := e[f]; !ok {
			e[f] = m
		}
	}
}

// Err returns e as an error, or nil when empty.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}
