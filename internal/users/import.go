package users

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/jobs"
	"portique/internal/valid"
)

// JobInvite is the job kind that sends the invitation of an imported
// account (it issues the link when it runs: no token waits in the queue).
const JobInvite = "accounts.invite"

// MaxImportRows bounds an import file.
const MaxImportRows = 2000

// ImportRow is one line of an accounts file, parsed and checked.
type ImportRow struct {
	Line   int // line number in the file (the header is line 1)
	Email  string
	Name   string
	Groups []string // group names as typed
	Admin  bool
	// Errors of the line: catalogue keys with their arguments.
	Errors []valid.Message
	// GroupIDs are the groups found (when every name is known).
	GroupIDs []int64
}

// ParseImport reads an accounts CSV file: a header naming the columns
// (courriel, nom, groupes, and optionally administrateur), then one account
// a line. The separator is the header's: semicolon or comma. Groups are
// separated by "|" (or by "," in a semicolon file). Errors about the file
// as a whole are valid.Errors on "file"; errors of a line are on its row.
func ParseImport(r io.Reader) ([]ImportRow, error) {
	br := bufio.NewReader(io.LimitReader(r, 4<<20))
	head, _ := br.Peek(4096)
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, valid.One("file", "accounts.import.error.empty")
	}
	if !utf8.Valid(head) {
		return nil, valid.One("file", "accounts.import.error.encoding")
	}
	first, _, _ := bytes.Cut(head, []byte("\n"))
	sep := ','
	if bytes.Count(first, []byte(";")) >= bytes.Count(first, []byte(",")) {
		sep = ';'
	}
	cr := csv.NewReader(br)
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, valid.One("file", "accounts.import.error.unreadable")
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "courriel", "email", "e-mail", "adresse":
			h = "courriel"
		case "nom", "name":
			h = "nom"
		case "groupes", "groupe", "groups":
			h = "groupes"
		case "administrateur", "admin":
			h = "administrateur"
		}
		if _, dup := cols[h]; !dup {
			cols[h] = i
		}
	}
	for _, need := range []string{"courriel", "nom"} {
		if _, ok := cols[need]; !ok {
			return nil, valid.One("file", "accounts.import.error.header")
		}
	}
	cell := func(rec []string, col string) string {
		i, ok := cols[col]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(strings.ToValidUTF8(rec[i], ""))
	}
	var rows []ImportRow
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			rows = append(rows, ImportRow{Line: line, Errors: []valid.Message{{Key: "accounts.import.error.line_unreadable"}}})
			if len(rows) > MaxImportRows {
				return nil, valid.One("file", "accounts.import.error.too_many", MaxImportRows)
			}
			continue
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // a blank line
		}
		row := ImportRow{Line: line, Email: NormalizeEmail(cell(rec, "courriel")), Name: cell(rec, "nom")}
		f := Form{Email: row.Email, Name: row.Name}
		if ve, ok := f.Validate().(valid.Errors); ok {
			for _, k := range []string{"email", "name"} {
				if m, ok := ve[k]; ok {
					row.Errors = append(row.Errors, m)
				}
			}
		}
		row.Email, row.Name = f.Email, f.Name
		if prev, dup := seen[row.Email]; dup && row.Email != "" {
			row.Errors = append(row.Errors, valid.Message{Key: "accounts.import.error.duplicate", Args: []any{prev}})
		} else {
			seen[row.Email] = line
		}
		gs := cell(rec, "groupes")
		splitter := func(r rune) bool { return r == '|' || (sep == ';' && r == ',') }
		for _, g := range strings.FieldsFunc(gs, splitter) {
			if g = strings.Join(strings.Fields(g), " "); g != "" {
				row.Groups = append(row.Groups, g)
			}
		}
		switch strings.ToLower(cell(rec, "administrateur")) {
		case "", "non", "no", "0", "faux", "false":
		case "oui", "yes", "1", "vrai", "true", "x":
			row.Admin = true
		default:
			row.Errors = append(row.Errors, valid.Message{Key: "accounts.import.error.admin"})
		}
		rows = append(rows, row)
		if len(rows) > MaxImportRows {
			return nil, valid.One("file", "accounts.import.error.too_many", MaxImportRows)
		}
	}
	if len(rows) == 0 {
		return nil, valid.One("file", "accounts.import.error.no_rows")
	}
	return rows, nil
}

// CheckImport completes the rows' errors against the database: taken
// addresses and unknown groups. It reports whether every row is valid.
// Administrators only.
func (s *Accounts) CheckImport(ctx context.Context, a access.Actor, rows []ImportRow) (bool, error) {
	if err := requireAdmin(a, "import accounts"); err != nil {
		return false, err
	}
	return checkImport(ctx, s.DB, rows)
}

func checkImport(ctx context.Context, q db.Querier, rows []ImportRow) (bool, error) {
	groups := map[string]int64{}
	gr, err := q.Query(ctx, "SELECT id, name FROM groups WHERE builtin = FALSE")
	if err != nil {
		return false, err
	}
	for gr.Next() {
		var id int64
		var name string
		if err := gr.Scan(&id, &name); err != nil {
			gr.Close()
			return false, err
		}
		groups[strings.ToLower(name)] = id
	}
	gr.Close()
	ok := true
	for i := range rows {
		r := &rows[i]
		r.GroupIDs = nil
		for _, g := range r.Groups {
			if id, found := groups[strings.ToLower(g)]; found {
				r.GroupIDs = append(r.GroupIDs, id)
			} else {
				r.Errors = append(r.Errors, valid.Message{Key: "accounts.import.error.group", Args: []any{g}})
			}
		}
		if r.Email != "" {
			var n int
			if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE email = ?", r.Email).Scan(&n); err != nil {
				return false, err
			}
			if n > 0 {
				r.Errors = append(r.Errors, valid.Message{Key: "accounts.email.taken"})
			}
		}
		if len(r.Errors) > 0 {
			ok = false
		}
	}
	return ok, nil
}

// ErrImportInvalid: some line of the file has an error; nothing was
// imported.
var ErrImportInvalid = errors.New("users: the import file has errors")

// Import creates every account of rows in one transaction — all or none —
// and queues their invitations (sent by the job queue once the accounts
// exist). The rows are checked again inside the transaction; any error
// returns ErrImportInvalid with the rows' errors filled, and nothing is
// written. Administrators only. Audit: user.created for each account and
// accounts.imported.
func (s *Accounts) Import(ctx context.Context, a access.Actor, rows []ImportRow) (int, error) {
	if err := requireAdmin(a, "import accounts"); err != nil {
		return 0, err
	}
	for i := range rows {
		if len(rows[i].Errors) > 0 {
			return 0, ErrImportInvalid
		}
	}
	now := s.now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		ok, err := checkImport(ctx, tx, rows)
		if err != nil {
			return err
		}
		if !ok {
			return ErrImportInvalid
		}
		for _, r := range rows {
			id, err := create(ctx, tx, Form{Email: r.Email, Name: r.Name, Admin: r.Admin, Groups: r.GroupIDs}, now)
			if err != nil {
				return err
			}
			u, err := get(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, a, now, "user.created", userObject(id), userDetail(u)); err != nil {
				return err
			}
			if _, err := jobs.Enqueue(ctx, tx, JobInvite, strconv.FormatInt(id, 10), now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, now, "accounts.imported", "", fmt.Sprintf("accounts=%d", len(rows)))
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}
