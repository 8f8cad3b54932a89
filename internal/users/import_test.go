package users_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/jobs"
	"portique/internal/users"
	"portique/internal/valid"
)

func keys(r users.ImportRow) string {
	var k []string
	for _, m := range r.Errors {
		k = append(k, m.Key)
	}
	return strings.Join(k, ",")
}

func TestParseImport(t *testing.T) {
	rows, err := users.ParseImport(strings.NewReader("\ufeffCourriel;Nom;Groupes;Administrateur\r\n" +
		"Jeanne.Martin@Mairie-Nyons.fr ; Jeanne Martin ; Élus|Bureau ; non\r\n" +
		"\r\n" +
		"paul@sydrav.fr;Paul Roux;Techniciens, Élus;oui\r\n" +
		"pas-une-adresse;;;\r\n" +
		"jeanne.martin@mairie-nyons.fr;Doublon;;peut-être\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	r := rows[0]
	if r.Line != 2 || r.Email != "jeanne.martin@mairie-nyons.fr" || r.Name != "Jeanne Martin" || strings.Join(r.Groups, "/") != "Élus/Bureau" || r.Admin || len(r.Errors) != 0 {
		t.Errorf("row 1: %+v", r)
	}
	if rows[1].Line != 4 || !rows[1].Admin || strings.Join(rows[1].Groups, "/") != "Techniciens/Élus" {
		t.Errorf("row 2: %+v", rows[1])
	}
	if k := keys(rows[2]); k != "accounts.email.invalid,accounts.name.required" {
		t.Errorf("row 3 errors %q", k)
	}
	if k := keys(rows[3]); k != "accounts.import.error.duplicate,accounts.import.error.admin" || rows[3].Errors[0].Args[0] != 2 {
		t.Errorf("row 4 errors %q %+v", k, rows[3].Errors)
	}
	// Comma files split groups on "|" only.
	rows, err = users.ParseImport(strings.NewReader("email,name,groups\na@b.fr,A,\"Élus|Bureau\"\n"))
	if err != nil || strings.Join(rows[0].Groups, "/") != "Élus/Bureau" {
		t.Errorf("comma file: %+v %v", rows, err)
	}
	for in, key := range map[string]string{
		"":                           "accounts.import.error.empty",
		"nom;groupes\nA;B\n":         "accounts.import.error.header",
		"courriel;nom\n":             "accounts.import.error.no_rows",
		"courriel;nom\n\xff\xfe;x\n": "accounts.import.error.encoding",
	} {
		_, err := users.ParseImport(strings.NewReader(in))
		var ve valid.Errors
		if !errors.As(err, &ve) || ve["file"].Key != key {
			t.Errorf("%q: %v, want %s", in, err, key)
		}
	}
}

// Nothing is half-imported: one bad line, and no account exists; a good
// file creates every account and queues one invitation each.
func TestImportAllOrNothing(t *testing.T) {
	s := newStores(t, users.CheapParams)
	ctx := context.Background()
	elus, err := s.groups.Create(ctx, cli(), "Élus")
	if err != nil {
		t.Fatal(err)
	}
	s.mustAccount(t, "deja@sydrav.fr", "un mot de passe assez long")
	file := "courriel;nom;groupes\nanne@sydrav.fr;Anne;élus\nbruno@sydrav.fr;Bruno;Inconnu\ndeja@sydrav.fr;Déjà là;\n"
	rows, err := users.ParseImport(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.accounts.CheckImport(ctx, access.Actor{Principal: access.Member(99, false, nil)}, rows); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("a non-administrator checked an import: %v", err)
	}
	ok, err := s.accounts.CheckImport(ctx, cli(), rows)
	if err != nil || ok {
		t.Fatalf("check: %v %v", ok, err)
	}
	if keys(rows[0]) != "" || keys(rows[1]) != "accounts.import.error.group" || keys(rows[2]) != "accounts.email.taken" {
		t.Errorf("errors: %q %q %q", keys(rows[0]), keys(rows[1]), keys(rows[2]))
	}
	if _, err := s.accounts.Import(ctx, cli(), rows); !errors.Is(err, users.ErrImportInvalid) {
		t.Fatalf("import with errors: %v", err)
	}
	if _, err := s.accounts.GetByEmail(ctx, "anne@sydrav.fr"); err == nil {
		t.Fatal("half imported: anne exists")
	}
	// Rows that passed the check but became wrong since are checked again.
	rows, _ = users.ParseImport(strings.NewReader("courriel;nom;groupes\nanne@sydrav.fr;Anne;Élus\ncarl@sydrav.fr;Carl;\n"))
	if ok, _ := s.accounts.CheckImport(ctx, cli(), rows); !ok {
		t.Fatalf("good file refused: %+v", rows)
	}
	s.mustAccount(t, "carl@sydrav.fr", "un mot de passe assez long")
	if _, err := s.accounts.Import(ctx, cli(), rows); !errors.Is(err, users.ErrImportInvalid) {
		t.Fatalf("import after carl was created: %v", err)
	}
	if _, err := s.accounts.GetByEmail(ctx, "anne@sydrav.fr"); err == nil {
		t.Fatal("half imported after a late conflict")
	}
	rows, _ = users.ParseImport(strings.NewReader("courriel;nom;groupes\nanne@sydrav.fr;Anne;Élus\ndora@sydrav.fr;Dora;\n"))
	if ok, _ := s.accounts.CheckImport(ctx, cli(), rows); !ok {
		t.Fatal("good file refused")
	}
	n, err := s.accounts.Import(ctx, cli(), rows)
	if err != nil || n != 2 {
		t.Fatalf("import: %d %v", n, err)
	}
	u, err := s.accounts.GetByEmail(ctx, "anne@sydrav.fr")
	if err != nil || len(u.Groups) != 1 || u.Groups[0] != elus || u.HasPassword {
		t.Fatalf("anne: %+v %v", u, err)
	}
	if p, _ := jobs.Pending(ctx, s.db, users.JobInvite); p != 2 {
		t.Errorf("%d invitations queued", p)
	}
}

func FuzzParseImport(f *testing.F) {
	f.Add("courriel;nom;groupes\na@b.fr;A;X|Y\n")
	f.Add("email,name\n\"a@b.fr\",\"A \"\"B\"\"\"\n")
	f.Add("courriel;nom\n\"a@b.fr;A\n")
	f.Add("\ufeffcourriel;nom;administrateur\na@b.fr;A;oui\n;;\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := users.ParseImport(strings.NewReader(in))
		if err != nil {
			var ve valid.Errors
			if !errors.As(err, &ve) || ve["file"].Key == "" {
				t.Fatalf("not a file error: %v", err)
			}
			return
		}
		if len(rows) == 0 || len(rows) > users.MaxImportRows {
			t.Fatalf("%d rows", len(rows))
		}
		for _, r := range rows {
			if len(r.Errors) == 0 && (!users.ValidEmail(r.Email) || r.Name == "") {
				t.Fatalf("a bad row without error: %+v", r)
			}
		}
	})
}
