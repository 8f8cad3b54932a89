package acts_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// tableSchema is a Frictionless Table Schema (the format of the SCDL
// schemas), read from its JSON. The validator below applies what the
// schema says to a CSV and refuses to run on a schema using a feature it
// does not implement, so a new version of the schema cannot be half
// checked.
type tableSchema struct {
	Fields []struct {
		Name        string         `json:"name"`
		Type        string         `json:"type"`
		Format      string         `json:"format"`
		Constraints map[string]any `json:"constraints"`
	} `json:"fields"`
	MissingValues []string `json:"missingValues"`
	PrimaryKey    any      `json:"primaryKey"`
	CustomChecks  []struct {
		Name   string            `json:"name"`
		Params map[string]string `json:"params"`
	} `json:"custom_checks"`
}

func loadSchema(path string) (*tableSchema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s tableSchema
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	if s.MissingValues == nil {
		s.MissingValues = []string{""} // the Table Schema default
	}
	if s.PrimaryKey != nil {
		return nil, fmt.Errorf("primaryKey not implemented")
	}
	for _, f := range s.Fields {
		switch f.Type {
		case "string", "integer", "number", "date", "boolean", "year":
		default:
			return nil, fmt.Errorf("field %s: type %q not implemented", f.Name, f.Type)
		}
		switch {
		case f.Format == "", f.Format == "default":
		case f.Type == "string" && (f.Format == "uri" || f.Format == "email"):
		case f.Type == "date" && strings.Contains(f.Format, "%"):
		default:
			return nil, fmt.Errorf("field %s: format %q not implemented", f.Name, f.Format)
		}
		for c := range f.Constraints {
			switch c {
			case "required", "pattern", "enum", "minLength", "maxLength", "minimum", "maximum", "unique":
			default:
				return nil, fmt.Errorf("field %s: constraint %q not implemented", f.Name, c)
			}
		}
	}
	for _, c := range s.CustomChecks {
		switch c.Name {
		case "nomenclature-actes-value", "compare-columns-value":
		default:
			return nil, fmt.Errorf("custom check %q not implemented", c.Name)
		}
	}
	return &s, nil
}

// strftime turns the Python date format of a Table Schema into Go's.
func strftime(f string) string {
	return strings.NewReplacer("%Y", "2006", "%m", "01", "%d", "02", "%H", "15", "%M", "04", "%S", "05").Replace(f)
}

// validate checks a CSV (comma-separated, header first) against the
// schema and returns every error found, "row N column C: what".
func (s *tableSchema) validate(r io.Reader) []string {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	records, err := cr.ReadAll()
	if err != nil {
		return []string{"csv: " + err.Error()}
	}
	if len(records) == 0 {
		return []string{"no header"}
	}
	var names []string
	for _, f := range s.Fields {
		names = append(names, f.Name)
	}
	if !slices.Equal(records[0], names) {
		add("header %q, want %q", records[0], names)
		return errs
	}
	seen := map[string]map[string]int{}
	for i, rec := range records[1:] {
		row := i + 2
		if len(rec) != len(names) {
			add("row %d: %d cells, want %d", row, len(rec), len(names))
			continue
		}
		for j, f := range s.Fields {
			v := rec[j]
			missing := slices.Contains(s.MissingValues, v)
			if missing {
				if req, _ := f.Constraints["required"].(bool); req {
					add("row %d column %s: required value missing", row, f.Name)
				}
				continue
			}
			var num float64
			isNum := false
			switch f.Type {
			case "integer":
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					add("row %d column %s: %q is not an integer", row, f.Name, v)
					continue
				}
				num, isNum = float64(n), true
			case "number":
				n, err := strconv.ParseFloat(v, 64)
				if err != nil {
					add("row %d column %s: %q is not a number", row, f.Name, v)
					continue
				}
				num, isNum = n, true
			case "boolean":
				if !slices.Contains([]string{"true", "True", "TRUE", "1", "false", "False", "FALSE", "0"}, v) {
					add("row %d column %s: %q is not a boolean", row, f.Name, v)
				}
			case "year":
				if _, err := strconv.Atoi(v); err != nil || len(v) != 4 {
					add("row %d column %s: %q is not a year", row, f.Name, v)
				}
			case "date":
				layout := time.DateOnly
				if f.Format != "" && f.Format != "default" {
					layout = strftime(f.Format)
				}
				if _, err := time.Parse(layout, v); err != nil {
					add("row %d column %s: %q is not a date (%s)", row, f.Name, v, layout)
				}
			case "string":
				switch f.Format {
				case "uri":
					u, err := url.Parse(v)
					if err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "") {
						add("row %d column %s: %q is not a URI", row, f.Name, v)
					}
				case "email":
					if !regexp.MustCompile(`^[^@\s]+@[^@\s]+$`).MatchString(v) {
						add("row %d column %s: %q is not an e-mail address", row, f.Name, v)
					}
				}
			}
			for c, cv := range f.Constraints {
				switch c {
				case "pattern":
					// Table Schema patterns match the whole value (XML Schema style).
					re, err := regexp.Compile(`^(?:` + cv.(string) + `)$`)
					if err != nil {
						add("column %s: pattern %q: %v", f.Name, cv, err)
					} else if !re.MatchString(v) {
						add("row %d column %s: %q does not match %s", row, f.Name, v, cv)
					}
				case "enum":
					ok := false
					for _, e := range cv.([]any) {
						if fmt.Sprint(e) == v {
							ok = true
						}
					}
					if !ok {
						add("row %d column %s: %q not in %v", row, f.Name, v, cv)
					}
				case "minLength":
					if float64(len([]rune(v))) < cv.(float64) {
						add("row %d column %s: shorter than %v", row, f.Name, cv)
					}
				case "maxLength":
					if float64(len([]rune(v))) > cv.(float64) {
						add("row %d column %s: longer than %v", row, f.Name, cv)
					}
				case "minimum":
					if isNum && num < cv.(float64) {
						add("row %d column %s: below %v", row, f.Name, cv)
					}
				case "maximum":
					if isNum && num > cv.(float64) {
						add("row %d column %s: above %v", row, f.Name, cv)
					}
				case "unique":
					if u, _ := cv.(bool); u {
						if seen[f.Name] == nil {
							seen[f.Name] = map[string]int{}
						}
						if prev, dup := seen[f.Name][v]; dup {
							add("row %d column %s: %q already in row %d", row, f.Name, v, prev)
						}
						seen[f.Name][v] = row
					}
				}
			}
		}
		col := func(name string) string { return rec[slices.Index(names, name)] }
		for _, c := range s.CustomChecks {
			switch c.Name {
			case "nomenclature-actes-value":
				if msg := nomenclatureActes(col(c.Params["column"])); msg != "" {
					add("row %d column %s: %s", row, c.Params["column"], msg)
				}
			case "compare-columns-value":
				a, b := col(c.Params["column"]), col(c.Params["column2"])
				if a == "" || b == "" {
					continue
				}
				ok := map[string]bool{">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "==": a == b}[c.Params["op"]]
				if !ok {
					add("row %d: %s %q %s %s %q fails", row, c.Params["column"], a, c.Params["op"], c.Params["column2"], b)
				}
			}
		}
	}
	return errs
}

// nomenclatureActes is Validata's check of a matter name: the part before
// the slash is one of the nine level-1 titles of the ACTES nomenclature
// (without regard to case or accents) and the slash has no space around.
func nomenclatureActes(v string) string {
	if v == "" {
		return ""
	}
	i := strings.Index(v, "/")
	if i < 0 {
		return "the slash is missing"
	}
	if strings.HasSuffix(v[:i], " ") || strings.HasPrefix(v[i+1:], " ") {
		return "space around the slash"
	}
	fold := func(s string) string {
		var b strings.Builder
		for _, r := range norm.NFD.String(strings.ToLower(s)) {
			if !unicode.Is(unicode.Mn, r) {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	for _, n := range []string{"Commande publique", "Urbanisme", "Domaine et patrimoine", "Fonction publique",
		"Institutions et vie politique", "Libertés publiques et pouvoirs de police", "Finances locales",
		"Domaines de compétences par thèmes", "Autres domaines de compétences"} {
		if fold(n) == fold(v[:i]) {
			return ""
		}
	}
	return fmt.Sprintf("unknown prefix %q", v[:i])
}
