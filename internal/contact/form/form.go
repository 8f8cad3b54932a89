// Package form is the definition of a contact form, as an editor writes it
// in a page's "Formulaire de contact" block, and the checks of what a
// visitor sends through it. It is pure (no database, no I/O) so the pages
// area can validate a block and the contact area can validate a submission
// with the same rules.
//
// The fields are written one per line, parts separated by "|":
//
//	Nom | texte | obligatoire
//	Adresse e-mail | email | obligatoire
//	Objet | choix | obligatoire | Collecte ; Déchèterie ; Autre
//	Message | texte-long | obligatoire
//	Pièce jointe | fichier
//
// The first part is the label, the second the kind (texte, email,
// telephone, texte-long, choix, fichier; accents and case do not matter),
// then the flag "obligatoire" and, for a choice, its options separated by
// ";". Empty lines and lines starting with "#" are ignored.
package form

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"portique/internal/valid"
)

// Kinds of fields.
const (
	Text     = "text"
	Email    = "email"
	Phone    = "phone"
	LongText = "longtext"
	Choice   = "choice"
	File     = "file"
)

// kindWords are the words an editor writes for each kind (folded: lower
// case, no accents).
var kindWords = map[string]string{
	"texte": Text, "text": Text,
	"email": Email, "e-mail": Email, "courriel": Email, "mel": Email,
	"telephone": Phone, "tel": Phone,
	"texte-long": LongText, "texte long": LongText, "paragraphe": LongText, "message": LongText,
	"choix": Choice, "liste": Choice,
	"fichier": File, "fichiers": File, "piece jointe": File, "pieces jointes": File,
}

// requiredWords mark a field as required.
var requiredWords = map[string]bool{"obligatoire": true, "requis": true, "*": true}

// Limits of a definition and of what a visitor sends.
const (
	MaxFields     = 20
	MaxLabel      = 100
	MaxOptions    = 30
	MaxOption     = 100
	MaxDefinition = 8000
	MaxText       = 200
	MaxLongText   = 5000
	MaxEmail      = 254
	MaxRecipient  = 254
	MaxNotice     = 2000
)

// Field is one field of a form.
type Field struct {
	Label    string
	Kind     string
	Required bool
	Options  []string // Choice only
}

// Name is the form name of the i-th field ("f3"): stable while the
// definition does not change order, and free of anything the editor typed.
func Name(i int) string { return fmt.Sprintf("f%d", i) }

// fold lowers s and drops the accents of the French letters, for matching
// the words of the definition.
func fold(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		switch r {
		case 'à', 'â', 'ä':
			return 'a'
		case 'é', 'è', 'ê', 'ë':
			return 'e'
		case 'î', 'ï':
			return 'i'
		case 'ô', 'ö':
			return 'o'
		case 'ù', 'û', 'ü':
			return 'u'
		case 'ç':
			return 'c'
		}
		return r
	}, s)
}

// Parse reads a definition. Errors are on field "fields", one message (the
// first problem, with its line number counted from 1).
func Parse(def string) ([]Field, error) {
	if len(def) > MaxDefinition {
		return nil, valid.One("fields", "contact.def.too_long", MaxDefinition)
	}
	if !utf8.ValidString(def) {
		return nil, valid.One("fields", "contact.def.encoding")
	}
	var out []Field
	for n, line := range strings.Split(strings.ReplaceAll(def, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f, key, arg := parseLine(line)
		if key != "" {
			if arg != "" {
				return nil, valid.One("fields", key, n+1, arg)
			}
			return nil, valid.One("fields", key, n+1)
		}
		if len(out) == MaxFields {
			return nil, valid.One("fields", "contact.def.too_many", MaxFields)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, valid.One("fields", "contact.def.empty")
	}
	return out, nil
}

// parseLine reads one line; a problem is a catalogue key (with the line
// number, then arg when not empty, as its arguments).
func parseLine(line string) (Field, string, string) {
	parts := strings.Split(line, "|")
	var f Field
	f.Label = strings.Join(strings.Fields(parts[0]), " ")
	switch {
	case f.Label == "":
		return f, "contact.def.label_missing", ""
	case utf8.RuneCountInString(f.Label) > MaxLabel:
		return f, "contact.def.label_long", ""
	case strings.ContainsFunc(f.Label, unicode.IsControl):
		return f, "contact.def.encoding_line", ""
	}
	if len(parts) < 2 {
		return f, "contact.def.kind_missing", f.Label
	}
	word := fold(strings.Join(strings.Fields(parts[1]), " "))
	kind, ok := kindWords[word]
	if !ok {
		return f, "contact.def.kind_unknown", strings.TrimSpace(parts[1])
	}
	f.Kind = kind
	for _, p := range parts[2:] {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
		case requiredWords[fold(p)]:
			f.Required = true
		case kind == Choice && f.Options == nil:
			for _, o := range strings.Split(p, ";") {
				o = strings.Join(strings.Fields(o), " ")
				switch {
				case o == "":
					continue
				case utf8.RuneCountInString(o) > MaxOption:
					return f, "contact.def.option_long", ""
				case strings.ContainsFunc(o, unicode.IsControl):
					return f, "contact.def.encoding_line", ""
				}
				for _, seen := range f.Options {
					if seen == o {
						return f, "contact.def.option_twice", o
					}
				}
				f.Options = append(f.Options, o)
			}
			if len(f.Options) > MaxOptions {
				return f, "contact.def.options_many", ""
			}
		default:
			return f, "contact.def.part_unknown", p
		}
	}
	if kind == Choice && len(f.Options) < 2 {
		return f, "contact.def.options_missing", f.Label
	}
	return f, "", ""
}

// Format writes fields back as a definition (Parse(Format(f)) == f).
func Format(fields []Field) string {
	words := map[string]string{Text: "texte", Email: "email", Phone: "telephone", LongText: "texte-long", Choice: "choix", File: "fichier"}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f.Label + " | " + words[f.Kind])
		if f.Required {
			b.WriteString(" | obligatoire")
		}
		if len(f.Options) > 0 {
			b.WriteString(" | " + strings.Join(f.Options, " ; "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Config is what the editor sets in the block: the fields, where the
// messages go, and the processing notice (RGPD) shown above the consent
// checkbox.
type Config struct {
	Fields    string `json:"fields"`              // the definition (see Parse)
	Recipient string `json:"recipient"`           // e-mail address the messages are sent to
	Purpose   string `json:"purpose"`             // finalité du traitement
	Retention string `json:"retention,omitempty"` // durée de conservation, in words
	Rights    string `json:"rights,omitempty"`    // how to exercise one's rights
	DPO       string `json:"dpo"`                 // contact of the data protection officer
}

// Normalize trims and checks a block's configuration; the keys of the
// errors are the Config's json names ("fields", "recipient"…).
func Normalize(c Config) (Config, error) {
	c.Fields = strings.TrimSpace(strings.ReplaceAll(c.Fields, "\r\n", "\n"))
	c.Recipient = strings.TrimSpace(c.Recipient)
	c.Purpose = strings.TrimSpace(c.Purpose)
	c.Retention = strings.TrimSpace(c.Retention)
	c.Rights = strings.TrimSpace(c.Rights)
	c.DPO = strings.TrimSpace(c.DPO)
	ve := valid.Errors{}
	if _, err := Parse(c.Fields); err != nil {
		if fe, ok := err.(valid.Errors); ok {
			ve.Merge(fe)
		}
	}
	switch {
	case c.Recipient == "":
		ve.Add("recipient", "contact.block.recipient_missing")
	case !isEmail(c.Recipient):
		ve.Add("recipient", "contact.block.recipient_bad")
	}
	if c.Purpose == "" {
		ve.Add("purpose", "contact.block.purpose_missing")
	}
	if c.DPO == "" {
		ve.Add("dpo", "contact.block.dpo_missing")
	}
	for k, v := range map[string]string{"purpose": c.Purpose, "retention": c.Retention, "rights": c.Rights, "dpo": c.DPO} {
		if utf8.RuneCountInString(v) > MaxNotice {
			ve.Add(k, "contact.block.notice_long", MaxNotice)
		}
	}
	if len(ve) > 0 {
		return c, ve
	}
	return c, nil
}

// isEmail accepts one bare address (no display name), as typed in a form.
func isEmail(s string) bool {
	if len(s) > MaxEmail || strings.ContainsAny(s, " <>,;\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".")
}

// Value is what a visitor sent for one field, checked.
type Value struct {
	Label string `json:"label"`
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// Check validates the values sent for fields (values[Name(i)]; a file
// field is checked by the caller, which passes the number of files sent
// for it in files[Name(i)]). It returns the values in field order, or
// errors keyed by field name.
func Check(fields []Field, values map[string]string, files map[string]int) ([]Value, valid.Errors) {
	ve := valid.Errors{}
	out := make([]Value, 0, len(fields))
	for i, f := range fields {
		name := Name(i)
		v := strings.TrimSpace(values[name])
		if f.Kind != LongText {
			v = strings.Join(strings.Fields(v), " ")
		} else {
			v = strings.ReplaceAll(v, "\r\n", "\n")
		}
		if !utf8.ValidString(v) {
			ve.Add(name, "contact.error.encoding", f.Label)
			continue
		}
		if f.Kind == File {
			if f.Required && files[name] == 0 {
				ve.Add(name, "contact.error.file_required", f.Label)
			}
			continue
		}
		if v == "" {
			if f.Required {
				ve.Add(name, "contact.error.required", f.Label)
			}
			out = append(out, Value{Label: f.Label, Kind: f.Kind})
			continue
		}
		switch f.Kind {
		case Text:
			if utf8.RuneCountInString(v) > MaxText {
				ve.Add(name, "contact.error.too_long", f.Label, MaxText)
			}
		case LongText:
			if utf8.RuneCountInString(v) > MaxLongText {
				ve.Add(name, "contact.error.too_long", f.Label, MaxLongText)
			}
		case Email:
			if !isEmail(v) {
				ve.Add(name, "contact.error.email", f.Label)
			}
		case Phone:
			if !isPhone(v) {
				ve.Add(name, "contact.error.phone", f.Label)
			}
		case Choice:
			ok := false
			for _, o := range f.Options {
				ok = ok || o == v
			}
			if !ok {
				ve.Add(name, "contact.error.choice", f.Label)
			}
		}
		out = append(out, Value{Label: f.Label, Kind: f.Kind, Value: v})
	}
	if len(ve) > 0 {
		return nil, ve
	}
	return out, nil
}

// isPhone accepts a French or international number: 6 to 15 digits, with
// spaces, dots, dashes, brackets and a leading "+".
func isPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15 && len(s) <= 30
}

// autocompleteWords give the autocomplete token (WCAG 1.3.5, RGAA 11.13)
// of a field whose label is a usual piece of personal data (folded).
var autocompleteWords = map[string]string{
	"nom": "name", "nom complet": "name", "nom et prenom": "name", "prenom et nom": "name", "vos nom et prenom": "name",
	"prenom": "given-name", "nom de famille": "family-name",
	"adresse": "street-address", "adresse postale": "street-address",
	"code postal": "postal-code", "commune": "address-level2", "ville": "address-level2",
	"organisme": "organization", "societe": "organization", "entreprise": "organization",
}

// Autocomplete is the autocomplete token of a field ("" when none fits):
// from its kind for e-mail and phone fields, from its label for text.
func Autocomplete(f Field) string {
	switch f.Kind {
	case Email:
		return "email"
	case Phone:
		return "tel"
	case Text:
		return autocompleteWords[fold(f.Label)]
	}
	return ""
}
