package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"portique/internal/db"
	"portique/internal/dbtest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	d := dbtest.NewDB(t)
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	var n int
	if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM groups WHERE builtin = ?", true).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("builtin groups = %d, want 2", n)
	}
}

func TestConflictAndNotFound(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	now := time.Now().UTC()
	if _, err := d.Exec(ctx, "INSERT INTO users (email, name, created_at) VALUES (?, ?, ?)", "a@x.fr", "A", now); err != nil {
		t.Fatal(err)
	}
	_, err := d.Exec(ctx, "INSERT INTO users (email, name, created_at) VALUES (?, ?, ?)", "a@x.fr", "B", now)
	if !errors.Is(err, db.ErrConflict) {
		t.Fatalf("duplicate insert err = %v, want ErrConflict", err)
	}
	// INSERT … RETURNING goes through QueryRow: the same error.
	var id int64
	err = d.QueryRow(ctx, "INSERT INTO users (email, name, created_at) VALUES (?, ?, ?) RETURNING id", "a@x.fr", "C", now).Scan(&id)
	if !errors.Is(err, db.ErrConflict) {
		t.Fatalf("duplicate insert … returning err = %v, want ErrConflict", err)
	}
	var name string
	err = db.NotFound(d.QueryRow(ctx, "SELECT name FROM users WHERE email = ?", "none@x.fr").Scan(&name))
	if !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("missing row err = %v, want ErrNotFound", err)
	}
}

func TestTimeRoundTripAndOrder(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	t1 := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	t2 := t1.Add(1500 * time.Millisecond)
	for i, at := range []time.Time{t2, t1} {
		if _, err := d.Exec(ctx, "INSERT INTO audit (at, action, detail) VALUES (?, ?, ?)", at, "test", string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	var got time.Time
	if err := d.QueryRow(ctx, "SELECT at FROM audit WHERE at < ? ORDER BY at LIMIT 1", t2).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(t1) {
		t.Fatalf("at = %v, want %v", got, t1)
	}
}

func TestInTxRollsBack(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)", "k", "v"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx err = %v", err)
	}
	var n int
	d.QueryRow(ctx, "SELECT COUNT(*) FROM settings").Scan(&n)
	if n != 0 {
		t.Fatalf("rows after rollback = %d, want 0", n)
	}
}

func TestRebindIgnoresQuotedMarks(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT ? , '?' , ?", "SELECT $1 , '?' , $2"},
		{"a = ?", "a = $1"},
	} {
		if got := db.RebindForTest(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Observe sees every statement, on the pool and inside a transaction, and
// nothing once stopped.
func TestObserve(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	var seen []string
	d.Observe(func(q string) { seen = append(seen, q) })
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM groups").Scan(&n); err != nil {
		t.Fatal(err)
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE groups SET name = name WHERE id = ?", 1); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT id FROM groups")
		if err != nil {
			return err
		}
		return rows.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Observe(nil)
	if _, err := d.Exec(ctx, "UPDATE groups SET name = name WHERE id = ?", 2); err != nil {
		t.Fatal(err)
	}
	want := []string{"SELECT COUNT(*) FROM groups", "UPDATE groups SET name = name WHERE id = ?", "SELECT id FROM groups"}
	if len(seen) != len(want) {
		t.Fatalf("seen %q, want %q", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("statement %d = %q, want %q", i, seen[i], want[i])
		}
	}
}
