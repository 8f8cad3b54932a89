// Package valid carries form validation errors from domain packages to the
// web layer without either knowing the other: a domain returns Errors (field
// name → i18n message key), the web layer re-renders the form with the
// translated messages and the user's input kept (status 422).
package valid

import (
	"sort"
	"strings"
)

// Errors maps a form field to the catalogue key of its error message.
type Errors map[string]string

// Error lists the fields and keys, for logs and tests.
func (e Errors) Error() string {
	parts := make([]string, 0, len(e))
	for f, k := range e {
		parts = append(parts, f+": "+k)
	}
	sort.Strings(parts)
	return "invalid input (" + strings.Join(parts, ", ") + ")"
}

// Add records the first error of a field.
func (e Errors) Add(field, key string) {
	if _, ok := e[field]; !ok {
		e[field] = key
	}
}

// Err returns e as an error, or nil when empty.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}
