package acts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"portique/internal/acts"
)

const schemaPath = "testdata/scdl-deliberations/schema.json"

// The register's open-data export validates against the SCDL
// « Délibérations » schema kept in testdata (every field's type, format,
// constraints, the missing values and the custom checks), and holds the
// published public deliberations only.
func TestDeliberationsCSVValidatesAgainstSCDL(t *testing.T) {
	schema, err := loadSchema(schemaPath)
	must(t, err)
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.store.SaveSettings(ctx, f.sec, acts.Settings{CollName: "Syndicat mixte Drôme-Ardèche-Vaucluse pour la prévention et la valorisation des déchets", CollSIRET: "25260012300018", PrefID: "PREF026"}))
	ses := f.session("2026-03-17")
	a := delib(ses, "2026-014", `Adoption du budget primitif 2026, "budget principal" et annexe`)
	a.BudgetYear, a.BudgetName, a.PrefDate, a.MatterCode = "2026", "Budget principal", "2026-03-19", "7.1"
	b := delib(ses, "2026-015", "Désignation des représentants au conseil d'exploitation")
	b.MatterCode = "5.3"
	c := delib(ses, "2026-016", "Projet non publié")
	ida, idb := f.draft(a), f.draft(b)
	f.draft(c) // a draft: never exported
	private := delib(ses, "2026-017", "Délibération nominative")
	private.Individual, private.Public = true, false
	idp := f.draft(private)
	arrete := acts.Input{Kind: acts.Arrete, Number: "2026-A-001", Date: "2026-03-02", Subject: "Arrêté", Signer: who, Public: true}
	idr := f.draft(arrete)
	for _, id := range []int64{ida, idb, idp, idr} {
		f.publish(id)
	}

	rows, err := f.store.Deliberations(ctx, anonymous(), "https://www.sydrav.example")
	must(t, err)
	var buf bytes.Buffer
	must(t, acts.WriteCSV(&buf, rows))
	if errs := schema.validate(bytes.NewReader(buf.Bytes())); len(errs) > 0 {
		t.Fatalf("the export does not validate:\n%s\n%s", strings.Join(errs, "\n"), buf.String())
	}
	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want the header and 2 deliberations:\n%s", len(lines), out)
	}
	for _, want := range []string{"2026-014", "finances locales/décisions budgétaires", "PREF026", "2026-03-19", "https://www.sydrav.example/actes/" + itoa(ida) + "/telecharger", `"Adoption du budget primitif 2026, ""budget principal"" et annexe"`} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %q:\n%s", want, out)
		}
	}
	for _, never := range []string{"2026-016", "2026-017", "2026-A-001"} {
		if strings.Contains(out, never) {
			t.Errorf("export holds %s (draft, private or not a deliberation)", never)
		}
	}

	// The same data as JSON.
	var js bytes.Buffer
	must(t, acts.WriteJSON(&js, rows))
	var doc struct {
		Schema, Version string
		Data            []map[string]any
	}
	must(t, json.Unmarshal(js.Bytes(), &doc))
	if doc.Schema != "scdl/deliberations" || doc.Version != acts.SCDLVersion || len(doc.Data) != 2 || doc.Data[0]["DELIB_ID"] != "2026-014" || doc.Data[0]["VOTE_POUR"] != float64(33) {
		t.Fatalf("json = %s", js.String())
	}
}

// The validator finds what is wrong (so the test above can fail).
func TestTableSchemaValidatorFindsErrors(t *testing.T) {
	schema, err := loadSchema(schemaPath)
	must(t, err)
	header := strings.Join(acts.SCDLFields, ",")
	good := `SYDRAV,25260012300018,2026-1,2026-03-17,8.8,domaines de compétences par thèmes/environnement,Objet,2026,,PREF026,2026-03-18,42,35,33,1,1,https://x.example/a.pdf`
	if errs := schema.validate(strings.NewReader(header + "\n" + good + "\n")); len(errs) != 0 {
		t.Fatalf("a good row fails: %v", errs)
	}
	for name, row := range map[string]string{
		"siret":      `SYDRAV,2526,2026-1,2026-03-17,8.8,domaines de compétences par thèmes/environnement,Objet,2026,,,,42,35,33,1,1,`,
		"date":       `SYDRAV,25260012300018,2026-1,17/03/2026,8.8,domaines de compétences par thèmes/environnement,Objet,,,,,,,,,,`,
		"code":       `SYDRAV,25260012300018,2026-1,2026-03-17,88,domaines de compétences par thèmes/environnement,Objet,,,,,,,,,,`,
		"nom":        `SYDRAV,25260012300018,2026-1,2026-03-17,8.8,environnement,Objet,,,,,,,,,,`,
		"nom prefix": `SYDRAV,25260012300018,2026-1,2026-03-17,8.8,déchets/environnement,Objet,,,,,,,,,,`,
		"required":   `,25260012300018,2026-1,2026-03-17,8.8,domaines de compétences par thèmes/environnement,Objet,,,,,,,,,,`,
		"integer":    `SYDRAV,25260012300018,2026-1,2026-03-17,8.8,domaines de compétences par thèmes/environnement,Objet,,,,,42.5,,,,,`,
		"budget":     `SYDRAV,25260012300018,2026-1,2026-03-17,8.8,domaines de compétences par thèmes/environnement,Objet,26,,,,,,,,,`,
		"uri":        `SYDRAV,25260012300018,2026-1,2026-03-17,8.8,domaines de compétences par thèmes/environnement,Objet,,,,,,,,,,a.pdf`,
		"pref date":  `SYDRAV,25260012300018,2026-1,2026-03-17,8.8,domaines de compétences par thèmes/environnement,Objet,,,PREF026,2026-03-01,,,,,,`,
		"cells":      `SYDRAV,25260012300018`,
	} {
		if errs := schema.validate(strings.NewReader(header + "\n" + row + "\n")); len(errs) == 0 {
			t.Errorf("%s: a bad row validates", name)
		}
	}
	if errs := schema.validate(strings.NewReader("COLL_NOM\n")); len(errs) == 0 {
		t.Error("a wrong header validates")
	}
}
