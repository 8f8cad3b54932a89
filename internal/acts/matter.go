package acts

import (
	_ "embed"
	"encoding/json"
	"strings"
)

// The subject-matter classification is the ACTES nomenclature (levels 1
// and 2), the one the prefecture's dematerialised legality control and the
// SCDL open-data schema use. It is reference data, kept as a JSON file.
//
//go:embed nomenclature_actes.json
var nomenclatureJSON []byte

// Matter is one level-2 entry of the ACTES nomenclature.
type Matter struct {
	Code   string // "8.8"
	Name   string // "Environnement"
	Parent string // "Domaines de compétences par thèmes"
}

// SCDLName is the name the SCDL schema wants in DELIB_MATIERE_NOM: the
// level-1 and level-2 titles in accented lower case, without commas or
// parentheses, joined by a slash.
func (m Matter) SCDLName() string {
	clean := func(s string) string {
		s = strings.NewReplacer(",", "", "(", "", ")", "").Replace(strings.ToLower(s))
		return strings.Join(strings.Fields(s), " ")
	}
	return clean(m.Parent) + "/" + clean(m.Name)
}

var matters = loadMatters()

func loadMatters() []Matter {
	var n struct {
		Matters []struct {
			Code, Name string
			Subs       []struct{ Code, Name string }
		}
	}
	if err := json.Unmarshal(nomenclatureJSON, &n); err != nil {
		panic("acts: nomenclature: " + err.Error())
	}
	var out []Matter
	for _, m := range n.Matters {
		for _, s := range m.Subs {
			out = append(out, Matter{Code: s.Code, Name: s.Name, Parent: m.Name})
		}
	}
	return out
}

// Matters lists the classification, in order.
func Matters() []Matter { return matters }

// MatterOf returns the matter of a code (zero when unknown or empty).
func MatterOf(code string) Matter {
	for _, m := range matters {
		if m.Code == code {
			return m
		}
	}
	return Matter{}
}
