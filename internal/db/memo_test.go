package db_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"portique/internal/db"
	"portique/internal/dbtest"
)

// A Memo reads once per key while nothing is written, reads again at once
// after a write of the content, keeps no failed read, and stays within its
// bound.
func TestMemo(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	var m db.Memo[string]
	loads := map[string]int{}
	value := "v1"
	get := func(key string) string {
		t.Helper()
		x, err := m.Get(ctx, d, key, func() (string, error) {
			loads[key]++
			return value + "/" + key, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for range 10 {
		if x := get("a"); x != "v1/a" {
			t.Fatalf("Get = %q", x)
		}
	}
	get("b")
	if loads["a"] != 1 || loads["b"] != 1 {
		t.Fatalf("loads with nothing written: %v, want one per key", loads)
	}
	// A change of the content (a setting: migration 0900's trigger).
	value = "v2"
	if _, err := d.Exec(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)", "memo.test", "1"); err != nil {
		t.Fatal(err)
	}
	if x := get("a"); x != "v2/a" || loads["a"] != 2 {
		t.Fatalf("after a write Get = %q (%d loads), want v2/a read again", x, loads["a"])
	}
	// A failed read is not kept.
	boom := errors.New("boom")
	if _, err := m.Get(ctx, d, "c", func() (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if x := get("c"); x != "v2/c" {
		t.Fatalf("after a failed read Get = %q", x)
	}
	// The bound: past Max keys it starts again.
	small := db.Memo[int]{Max: 4}
	n := 0
	for i := range 10 {
		if _, err := small.Get(ctx, d, strconv.Itoa(i), func() (int, error) { n++; return i, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if x, _ := small.Get(ctx, d, "0", func() (int, error) { n++; return -1, nil }); x != -1 || n != 11 {
		t.Fatalf("the first key was kept past the bound (value %d, %d loads)", x, n)
	}
	if x, _ := small.Get(ctx, d, "9", func() (int, error) { n++; return -1, nil }); x != 9 || n != 11 {
		t.Fatalf("the last key was not kept (value %d, %d loads)", x, n)
	}
}
