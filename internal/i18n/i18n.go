// Package i18n holds the interface texts. Each language is one folder of JSON
// files (one file per area, merged at load; a key defined twice is an error),
// so another language is added by adding a folder.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed fr/*.json
var files embed.FS

// Catalog maps message keys to texts of one language.
type Catalog struct {
	Lang     string
	messages map[string]string
}

// Load reads the catalogue of lang ("fr").
func Load(lang string) (*Catalog, error) {
	entries, err := fs.ReadDir(files, lang)
	if err != nil {
		return nil, fmt.Errorf("i18n: no catalogue for %q: %w", lang, err)
	}
	c := &Catalog{Lang: lang, messages: map[string]string{}}
	for _, e := range entries {
		b, err := fs.ReadFile(files, path.Join(lang, e.Name()))
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s/%s: %w", lang, e.Name(), err)
		}
		for k, v := range m {
			if _, dup := c.messages[k]; dup {
				return nil, fmt.Errorf("i18n: key %q defined twice (%s/%s)", k, lang, e.Name())
			}
			c.messages[k] = v
		}
	}
	return c, nil
}

// MustLoad is Load that panics, for start-up.
func MustLoad(lang string) *Catalog {
	c, err := Load(lang)
	if err != nil {
		panic(err)
	}
	return c
}

// T returns the text of key, formatted with args (fmt verbs) when given. A
// missing key returns "⟦key⟧" so it shows in pages and fails the template test.
func (c *Catalog) T(key string, args ...any) string {
	msg, ok := c.messages[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether key exists.
func (c *Catalog) Has(key string) bool { _, ok := c.messages[key]; return ok }

// Keys lists every key, sorted.
func (c *Catalog) Keys() []string {
	out := make([]string, 0, len(c.messages))
	for k := range c.messages {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Missing is the marker T returns for unknown keys.
func Missing(s string) bool { return strings.Contains(s, "⟦") }
