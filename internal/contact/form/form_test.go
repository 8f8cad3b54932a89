package form

import (
	"reflect"
	"strings"
	"testing"

	"portique/internal/valid"
)

const demo = `Nom | texte | obligatoire
Adresse e-mail | E-mail | obligatoire
Téléphone | Téléphone
# a comment
Commune | texte

Objet | choix | obligatoire | Collecte ; Déchèterie ; Autre
Message | texte-long | obligatoire
Pièce jointe | fichiers`

func TestParse(t *testing.T) {
	fields, err := Parse(demo)
	if err != nil {
		t.Fatal(err)
	}
	want := []Field{
		{Label: "Nom", Kind: Text, Required: true},
		{Label: "Adresse e-mail", Kind: Email, Required: true},
		{Label: "Téléphone", Kind: Phone},
		{Label: "Commune", Kind: Text},
		{Label: "Objet", Kind: Choice, Required: true, Options: []string{"Collecte", "Déchèterie", "Autre"}},
		{Label: "Message", Kind: LongText, Required: true},
		{Label: "Pièce jointe", Kind: File},
	}
	if !reflect.DeepEqual(fields, want) {
		t.Fatalf("Parse = %+v\nwant %+v", fields, want)
	}
	again, err := Parse(Format(fields))
	if err != nil || !reflect.DeepEqual(again, fields) {
		t.Fatalf("Parse(Format) = %+v, %v", again, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ def, key string }{
		{"", "contact.def.empty"},
		{"# only a comment", "contact.def.empty"},
		{"Nom", "contact.def.kind_missing"},
		{" | texte", "contact.def.label_missing"},
		{"Nom | date", "contact.def.kind_unknown"},
		{"Objet | choix | A", "contact.def.options_missing"},
		{"Objet | choix | A ; A", "contact.def.option_twice"},
		{"Nom | texte | souvent", "contact.def.part_unknown"},
		{strings.Repeat("x", 101) + " | texte", "contact.def.label_long"},
		{strings.Repeat("Nom | texte\n", MaxFields+1), "contact.def.too_many"},
		{strings.Repeat("x", MaxDefinition+1), "contact.def.too_long"},
		{"N\xffom | texte", "contact.def.encoding"},
	} {
		_, err := Parse(tc.def)
		ve, ok := err.(valid.Errors)
		if !ok || ve.Key("fields") != tc.key {
			t.Errorf("Parse(%.40q) = %v, want %s", tc.def, err, tc.key)
		}
	}
	// The line number is the first argument.
	_, err := Parse("Nom | texte\n\nCourriel | date")
	if m := err.(valid.Errors)["fields"]; len(m.Args) == 0 || m.Args[0] != 3 {
		t.Fatalf("line of the error = %v, want 3", m.Args)
	}
}

func TestCheck(t *testing.T) {
	fields, _ := Parse(demo)
	ok := map[string]string{"f0": "  Jeanne   Martin ", "f1": "jeanne@example.fr", "f2": "+33 1 23 45 67 89", "f4": "Déchèterie", "f5": "Bonjour,\r\nune question."}
	vals, ve := Check(fields, ok, nil)
	if ve != nil {
		t.Fatal(ve)
	}
	if vals[0].Value != "Jeanne Martin" || vals[5].Value != "Bonjour,\nune question." || len(vals) != 6 {
		t.Fatalf("values = %+v", vals)
	}
	bad := map[string]string{"f1": "jeanne@", "f2": "appelez-moi", "f4": "Facturation", "f5": strings.Repeat("a", MaxLongText+1)}
	_, ve = Check(fields, bad, nil)
	want := map[string]string{"f0": "contact.error.required", "f1": "contact.error.email", "f2": "contact.error.phone", "f4": "contact.error.choice", "f5": "contact.error.too_long"}
	for k, key := range want {
		if ve.Key(k) != key {
			t.Errorf("error of %s = %q, want %q", k, ve.Key(k), key)
		}
	}
	req := []Field{{Label: "PJ", Kind: File, Required: true}}
	if _, ve := Check(req, nil, nil); ve.Key("f0") != "contact.error.file_required" {
		t.Errorf("a required file = %v", ve)
	}
	if _, ve := Check(req, nil, map[string]int{"f0": 1}); ve != nil {
		t.Errorf("a file sent = %v", ve)
	}
}

func TestNormalize(t *testing.T) {
	_, err := Normalize(Config{Fields: "Nom | texte", Recipient: "contact@sydrav", Purpose: " "})
	ve := err.(valid.Errors)
	for k, key := range map[string]string{"recipient": "contact.block.recipient_bad", "purpose": "contact.block.purpose_missing", "dpo": "contact.block.dpo_missing"} {
		if ve.Key(k) != key {
			t.Errorf("%s: %q, want %q", k, ve.Key(k), key)
		}
	}
	c, err := Normalize(Config{Fields: " Nom | texte \r\n", Recipient: " contact@sydrav.fr ", Purpose: "Répondre", DPO: "dpo@sydrav.fr"})
	if err != nil || c.Recipient != "contact@sydrav.fr" || c.Fields != "Nom | texte" {
		t.Fatalf("Normalize = %+v, %v", c, err)
	}
}

// FuzzParse: any text either parses into fields that read back the same
// through Format, or gives one field error; it never panics.
func FuzzParse(f *testing.F) {
	f.Add(demo)
	f.Add("Objet | choix | ; ; a;b | obligatoire")
	f.Add("a|b|c|d|e")
	f.Add("\x00 | texte")
	f.Fuzz(func(t *testing.T, def string) {
		fields, err := Parse(def)
		if err != nil {
			if ve, ok := err.(valid.Errors); !ok || len(ve) != 1 || ve.Key("fields") == "" {
				t.Fatalf("error %v is not one field error", err)
			}
			return
		}
		if len(fields) == 0 || len(fields) > MaxFields {
			t.Fatalf("%d fields", len(fields))
		}
		again, err := Parse(Format(fields))
		if err != nil || !reflect.DeepEqual(again, fields) {
			t.Fatalf("Parse(Format(%q)) = %+v, %v; want %+v", def, again, err, fields)
		}
	})
}

func TestAutocomplete(t *testing.T) {
	for _, tc := range []struct {
		f    Field
		want string
	}{
		{Field{Label: "Nom", Kind: Text}, "name"},
		{Field{Label: " Prénom ", Kind: Text}, "given-name"},
		{Field{Label: "Commune", Kind: Text}, "address-level2"},
		{Field{Label: "Objet", Kind: Text}, ""},
		{Field{Label: "Courriel", Kind: Email}, "email"},
		{Field{Label: "Tél.", Kind: Phone}, "tel"},
		{Field{Label: "Nom", Kind: LongText}, ""},
	} {
		if got := Autocomplete(tc.f); got != tc.want {
			t.Errorf("Autocomplete(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
