package backup_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"portique/internal/backup"
	"portique/internal/db"
	"portique/internal/dbtest"
)

var now = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// source is a small site: a migrated database on the suite's engine with
// rows of every portable type, and a data directory with files.
type source struct {
	d    *db.DB
	data string
}

func newSource(t testing.TB) *source {
	t.Helper()
	ctx := context.Background()
	s := &source{d: dbtest.NewDB(t), data: t.TempDir()}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.d.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Booleans, timestamps with and without NULL, text that JSON and SQL
	// both have to escape.
	exec("INSERT INTO users (id, email, name, is_admin, disabled, failed_count, locked_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		7, "elu@example.fr", "Élu \"test\" ; DROP TABLE users; --\n\tß", true, false, 3, now.Add(90*time.Minute+123456*time.Microsecond), now)
	exec("INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)", 3, "autre@example.fr", "", now)
	exec("INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)", 3, "Élus", now)
	exec("INSERT INTO memberships (user_id, group_id) VALUES (?, ?)", 7, 3)
	// A folder moved under a newer one: the parent's id is larger than
	// its child's, which a restore must load first.
	exec("INSERT INTO folders (id, parent_id, name, created_at) VALUES (?, NULL, ?, ?)", 20, "Parent", now)
	exec("INSERT INTO folders (id, parent_id, name, created_at) VALUES (?, ?, ?, ?)", 10, 20, "Enfant", now)
	exec("INSERT INTO folders (id, parent_id, name, created_at) VALUES (?, ?, ?, ?)", 30, 10, "Petit-enfant", now)
	// Bytes (every value of a byte) in a BLOB / BYTEA column.
	blob := make([]byte, 256)
	for i := range blob {
		blob[i] = byte(i)
	}
	exec("INSERT INTO pages (id, slug, path, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", 1, "", "/", "Accueil", now, now)
	exec("INSERT INTO images (id, page_id, sha256, width, height, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", 5, 1, "abc", 1, 1, 256, now)
	exec("INSERT INTO image_variants (sha256, width, real_width, real_height, media_type, data) VALUES (?, ?, ?, ?, ?, ?)", "abc", 0, 1, 1, "image/png", blob)
	exec("INSERT INTO documents (id, folder_id, title, filename, media_type, size, sha256, blob_key, published_on, added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		4, 10, "Rapport", "rapport.txt", "text/plain", int64(5_000_000_000), "k", "k", "2026-03-01", now, now)
	// The data directory: files of two areas, and what is left out.
	for name, body := range map[string]string{
		"blobs/ab/cd/abcd":        "octets d’un document",
		"acts/2026/arrete.pdf":    "%PDF-1.4 acte",
		"secret.key":              "clé",
		"blobs/tmp/up-123":        "upload en cours",
		"cache/pdfium/module":     "compilé",
		"outbox/0001.eml":         "courriel",
		"portique.db-wal":         "pas une base",
		".backup-old/files/x":     "reste d’une sauvegarde tuée",
		"blobs/ab/cd/.x.partial-": "",
	} {
		p := filepath.Join(s.data, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *source) src() backup.Source {
	p := filepath.Join(s.data, "portique.db")
	return backup.Source{DB: s.d, DataDir: s.data, Skip: []string{p, p + "-wal", p + "-shm"}, Version: "test", Now: func() time.Time { return now }}
}

// target is a fresh, empty place to restore into, on engine.
func target(t *testing.T, engine db.Dialect) backup.Target {
	t.Helper()
	dir := t.TempDir()
	tg := backup.Target{DataDir: filepath.Join(dir, "data"), SQLitePath: filepath.Join(dir, "data", "portique.db")}
	if engine == db.Postgres {
		tg.DBURL = dbtest.PostgresURL(t)
	}
	return tg
}

func open(t *testing.T, tg backup.Target) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), tg.DBURL, tg.SQLitePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func writeArchive(t testing.TB, s *source) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "a.tar.zst")
	if _, err := backup.WriteFile(context.Background(), p, s.src()); err != nil {
		t.Fatal(err)
	}
	return p
}

// dump reads the rows of a few tables in a form both engines agree on.
func dump(t *testing.T, d *db.DB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	row := func(q string, dest ...any) {
		rows, err := d.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			for _, x := range dest {
				v := *(x.(*any))
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC().Format(time.RFC3339Nano)
				}
				if bs, ok := v.([]byte); ok {
					v = hex.EncodeToString(bs)
				}
				fmt.Fprintf(&b, "%v|", v)
			}
			b.WriteString("\n")
		}
	}
	var a, c, e, f, g, h, i any
	row("SELECT id, email, name, is_admin, disabled, locked_until, created_at FROM users ORDER BY id", &a, &c, &e, &f, &g, &h, &i)
	row("SELECT id, name, builtin FROM groups ORDER BY id", &a, &c, &e)
	row("SELECT user_id, group_id FROM memberships", &a, &c)
	row("SELECT id, parent_id, name FROM folders ORDER BY id", &a, &c, &e)
	row("SELECT sha256, data FROM image_variants", &a, &c)
	row("SELECT id, size, published_on FROM documents", &a, &c, &e)
	return strings.NewReplacer("true", "1", "false", "0").Replace(b.String())
}

func TestRoundTrip(t *testing.T) {
	engines := []db.Dialect{db.SQLite}
	if os.Getenv(dbtest.EnvPostgres) != "" {
		engines = append(engines, db.Postgres)
	}
	s := newSource(t)
	archive := writeArchive(t, s)
	m, err := backup.VerifyFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	if m.Engine != string(dbtest.Engine()) || m.Version != "test" || len(m.Migrations) == 0 {
		t.Fatalf("manifest: %+v", m)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	got := strings.Join(paths, " ")
	for _, want := range []string{"files/blobs/ab/cd/abcd", "files/acts/2026/arrete.pdf", "files/secret.key"} {
		if !strings.Contains(got, want) {
			t.Errorf("archive lacks %s: %s", want, got)
		}
	}
	for _, left := range []string{"tmp/", "cache/", "outbox/", "portique.db", ".backup-", ".partial-", "search_", "schema_migrations"} {
		if strings.Contains(got, left) {
			t.Errorf("archive holds %s: %s", left, got)
		}
	}
	want := dump(t, s.d)
	for _, engine := range engines {
		t.Run(string(dbtest.Engine())+"→"+string(engine), func(t *testing.T) {
			tg := target(t, engine)
			if _, err := backup.Restore(context.Background(), archive, tg); err != nil {
				t.Fatal(err)
			}
			d := open(t, tg)
			if got := dump(t, d); got != want {
				t.Errorf("restored rows:\n%s\nwant:\n%s", got, want)
			}
			b, err := os.ReadFile(filepath.Join(tg.DataDir, "acts", "2026", "arrete.pdf"))
			if err != nil || string(b) != "%PDF-1.4 acte" {
				t.Errorf("restored file: %q %v", b, err)
			}
			info, err := os.Stat(filepath.Join(tg.DataDir, "blobs", "ab"))
			if err != nil || info.Mode().Perm() != 0o700 {
				t.Errorf("restored folder mode: %v %v", info, err)
			}
			// Ids go on after the restored ones (PostgreSQL's identity
			// sequences are reset).
			var id int64
			if err := d.QueryRow(context.Background(), "INSERT INTO users (email, name, created_at) VALUES ('nouveau@example.fr', 'n', ?) RETURNING id", now).Scan(&id); err != nil || id != 8 {
				t.Errorf("next user id = %d (%v), want 8", id, err)
			}
			// A restored database is not empty: a second restore is refused
			// unless forced, then replaces it.
			_, err = backup.Restore(context.Background(), archive, tg)
			if !errors.Is(err, backup.ErrNotEmpty) {
				t.Fatalf("restore into a restored site: %v, want a refusal", err)
			}
			tg.Force = true
			if _, err := backup.Restore(context.Background(), archive, tg); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, open(t, tg)); got != want {
				t.Errorf("rows after a forced restore:\n%s", got)
			}
		})
	}
}

// A database that was only migrated (the server started once on it) is
// still empty; one with an account is not, nor a data directory with files.
func TestRestoreTargetMustBeEmpty(t *testing.T) {
	ctx := context.Background()
	archive := writeArchive(t, newSource(t))
	tg := target(t, dbtest.Engine())
	d := open(t, tg)
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, "INSERT INTO users (email, name, created_at) VALUES ('x@example.fr', 'x', ?)", now); err != nil {
		t.Fatal(err)
	}
	_, err := backup.Restore(ctx, archive, tg)
	var be *backup.Error
	if !errors.As(err, &be) || be.Key != "backup.error.db_not_empty" || !errors.Is(err, backup.ErrNotEmpty) {
		t.Fatalf("restore into a database with an account: %v", err)
	}
	if _, err := d.Exec(ctx, "DELETE FROM users"); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, archive, tg); err != nil {
		t.Fatalf("restore into a migrated, empty database: %v", err)
	}

	tg = target(t, dbtest.Engine())
	os.MkdirAll(filepath.Join(tg.DataDir, "blobs"), 0o700)
	os.WriteFile(filepath.Join(tg.DataDir, "blobs", "x"), []byte("x"), 0o600)
	_, err = backup.Restore(ctx, archive, tg)
	if !errors.As(err, &be) || be.Key != "backup.error.data_not_empty" {
		t.Fatalf("restore into a data directory with files: %v", err)
	}
}

// A table a future migration adds is archived without a change to the
// backup code; a schema that lacks it refuses the archive clearly.
func TestNewTableIsArchived(t *testing.T) {
	s := newSource(t)
	ctx := context.Background()
	ddl := "CREATE TABLE future_area (id INTEGER PRIMARY KEY, label TEXT NOT NULL, at DATETIME, ok BOOLEAN)"
	if s.d.Dialect() == db.Postgres {
		ddl = "CREATE TABLE future_area (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, label TEXT NOT NULL, at TIMESTAMPTZ, ok BOOLEAN)"
	}
	if _, err := s.d.Exec(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	if _, err := s.d.Exec(ctx, "INSERT INTO future_area (label, at, ok) VALUES ('a', ?, TRUE), ('b', NULL, FALSE)", now); err != nil {
		t.Fatal(err)
	}
	archive := writeArchive(t, s)
	m, err := backup.VerifyFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tb := range m.Tables {
		if tb.Name == "future_area" {
			found = tb.Rows == 2 && len(tb.Columns) == 4 && tb.Columns[2].Type == "timestamp" && tb.Columns[3].Type == "boolean"
		}
	}
	if !found {
		t.Fatalf("future_area not archived as it should be: %+v", m.Tables)
	}
	_, err = backup.Restore(ctx, archive, target(t, dbtest.Engine()))
	var be *backup.Error
	if !errors.As(err, &be) || be.Key != "backup.error.unknown_table" {
		t.Fatalf("restore of a table this schema lacks: %v", err)
	}
}

// Flipping any one byte of an archive that changes what it holds makes
// verify and restore refuse it, and the target stays empty (a good archive
// still restores into it). Some bytes of a zstd stream have slack (unused
// bits of a table, the window descriptor): flipped, they decode to the very
// same content, which is then intact; those positions are set aside, and
// the test asserts most positions did change the content.
func TestCorruptByteRefused(t *testing.T) {
	archive := writeArchive(t, newSource(t))
	good, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	content := func(b []byte) []byte {
		zr, err := zstd.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil
		}
		defer zr.Close()
		out, err := io.ReadAll(zr)
		if err != nil {
			return nil
		}
		return out
	}
	intact := content(good)
	if intact == nil {
		t.Fatal("the good archive does not decompress")
	}
	changed := 0
	n := len(good)
	positions := []int{0, 3, 4, 10, n / 4, n / 2, 3 * n / 4, n - 10, n - 4, n - 1}
	r := rand.New(rand.NewPCG(1, 2))
	for range 30 {
		positions = append(positions, r.IntN(n))
	}
	tg := target(t, dbtest.Engine())
	bad := filepath.Join(t.TempDir(), "altérée.tar.zst")
	for _, pos := range positions {
		b := bytes.Clone(good)
		b[pos] ^= 0x20
		if bytes.Equal(content(b), intact) {
			continue // zstd slack: the same archive, rightly accepted
		}
		changed++
		if err := os.WriteFile(bad, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := backup.VerifyFile(bad); !errors.Is(err, backup.ErrCorrupt) {
			t.Errorf("byte %d of %d flipped: verify says %v", pos, n, err)
		}
		if _, err := backup.Restore(context.Background(), bad, tg); !errors.Is(err, backup.ErrCorrupt) {
			t.Errorf("byte %d of %d flipped: restore says %v", pos, n, err)
		}
	}
	if changed < len(positions)*3/4 {
		t.Fatalf("only %d of %d flipped bytes changed the archive's content", changed, len(positions))
	}
	entries, _ := os.ReadDir(tg.DataDir)
	for _, e := range entries {
		if e.Name() != "portique.db" && !strings.HasPrefix(e.Name(), "portique.db-") {
			t.Errorf("a refused restore left %s in the data directory", e.Name())
		}
	}
	if _, err := backup.Restore(context.Background(), archive, tg); err != nil {
		t.Fatalf("the intact archive after refusals: %v", err)
	}
}

// rewrite decompresses an archive, lets edit change its entries, and
// compresses it again: the zstd checksums are then right, so only the
// manifest can tell.
func rewrite(t *testing.T, archive string, edit func(name string, body []byte) []byte) string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := zstd.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out bytes.Buffer
	zw, _ := zstd.NewWriter(&out)
	tr, tw := tar.NewReader(zr), tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		body = edit(h.Name, body)
		h.Size = int64(len(body))
		tw.WriteHeader(h)
		tw.Write(body)
	}
	tw.Close()
	zw.Close()
	p := filepath.Join(t.TempDir(), "modifiée.tar.zst")
	if err := os.WriteFile(p, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTamperedContentRefused(t *testing.T) {
	archive := writeArchive(t, newSource(t))
	for name, c := range map[string]struct {
		edit func(name string, body []byte) []byte
		key  string
	}{
		"a file's byte": {func(n string, b []byte) []byte {
			if n == "files/acts/2026/arrete.pdf" {
				b[0] ^= 1
			}
			return b
		}, "backup.error.hash"},
		"a row": {func(n string, b []byte) []byte {
			if strings.HasSuffix(n, "_users.jsonl") {
				b = bytes.Replace(b, []byte("elu@"), []byte("elo@"), 1)
			}
			return b
		}, "backup.error.hash"},
		"the manifest": {func(n string, b []byte) []byte {
			if n == "manifest.json" {
				b = bytes.Replace(b, []byte(`"test"`), []byte(`"tost"`), 1)
			}
			return b
		}, "backup.error.manifest_sum"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := backup.VerifyFile(rewrite(t, archive, c.edit))
			var be *backup.Error
			if !errors.As(err, &be) || be.Key != c.key || !errors.Is(err, backup.ErrCorrupt) {
				t.Fatalf("verify: %v, want %s", err, c.key)
			}
		})
	}
	// A manifest rewritten with its own sum still has to match the entries.
	for key, change := range map[string]func(m *backup.Manifest){
		"backup.error.unlisted": func(m *backup.Manifest) { m.Files = m.Files[1:] },
		"backup.error.missing":  func(m *backup.Manifest) { m.Files = append(m.Files, backup.File{Path: "files/en-trop", SHA256: "00"}) },
		"backup.error.rows":     func(m *backup.Manifest) { m.Tables[0].Rows++ },
		"backup.error.size":     func(m *backup.Manifest) { m.Files[0].Size++ },
	} {
		_, err := backup.VerifyFile(resign(t, archive, change))
		var be *backup.Error
		if !errors.As(err, &be) || be.Key != key {
			t.Errorf("verify: %v, want %s", err, key)
		}
	}
}

// resign rewrites an archive with a changed manifest and the right sums.
func resign(t *testing.T, archive string, change func(m *backup.Manifest)) string {
	t.Helper()
	var body []byte
	return rewrite(t, archive, func(n string, b []byte) []byte {
		switch n {
		case "manifest.json":
			var m backup.Manifest
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			change(&m)
			body, _ = json.Marshal(m)
			return body
		case "manifest.sha256":
			sum := sha256.Sum256(body)
			return []byte(hex.EncodeToString(sum[:]) + "\n")
		}
		return b
	})
}

func TestNewerArchivesRefused(t *testing.T) {
	archive := writeArchive(t, newSource(t))
	newer := resign(t, archive, func(m *backup.Manifest) { m.Migrations = append(m.Migrations, "9999_later") })
	if _, err := backup.VerifyFile(newer); err != nil {
		t.Fatalf("verify: %v (the archive is intact)", err)
	}
	_, err := backup.Restore(context.Background(), newer, target(t, dbtest.Engine()))
	if !errors.Is(err, backup.ErrNewerSchema) {
		t.Fatalf("restore of a newer schema: %v", err)
	}
	format := resign(t, archive, func(m *backup.Manifest) { m.Format = backup.Format + 1 })
	var be *backup.Error
	if _, err := backup.VerifyFile(format); !errors.As(err, &be) || be.Key != "backup.error.format" {
		t.Fatalf("verify of a newer format: %v", err)
	}
}

func TestWriteFileNeverOverwrites(t *testing.T) {
	s := newSource(t)
	p := writeArchive(t, s)
	before, _ := os.ReadFile(p)
	_, err := backup.WriteFile(context.Background(), p, s.src())
	var be *backup.Error
	if !errors.As(err, &be) || be.Key != "backup.error.exists" {
		t.Fatalf("second backup to the same name: %v", err)
	}
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Fatal("the first archive changed")
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Fatalf("files beside the archive: %v", entries)
	}
	info, _ := os.Stat(p)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("archive mode %v, want 0600 (it holds password hashes)", info.Mode().Perm())
	}
}
