package calendar_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/calendar"
	"portique/internal/dbtest"
)

// A page block may only show a calendar its editor may see: a forged id and
// a calendar the editor may not see are refused alike, by the access rule.
func TestUnseenRefs(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	now := time.Now().UTC()
	const gElus, gTech = 10, 11
	for _, g := range []int64{gElus, gTech} {
		if _, err := d.Exec(ctx, "INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)", g, fmt.Sprint("g", g), now); err != nil {
			t.Fatal(err)
		}
	}
	// 1 public, 2 élus only, 3 technicians only.
	for id, g := range map[int64]int64{1: access.Everyone, 2: gElus, 3: gTech} {
		if _, err := d.Exec(ctx, "INSERT INTO calendars (id, name, created_at) VALUES (?, ?, ?)", id, fmt.Sprint("agenda ", id), now); err != nil {
			t.Fatal(err)
		}
		if err := access.AddNode(ctx, d, access.Calendar, id, 0); err != nil {
			t.Fatal(err)
		}
		if err := access.SetGrants(ctx, d, access.Calendar, id, []access.Grant{{GroupID: g, Level: access.View}}); err != nil {
			t.Fatal(err)
		}
	}
	s := calendar.New(d, nil)
	for _, c := range []struct {
		name string
		p    access.Principal
		want string
	}{
		{"élu", access.Member(7, false, []int64{gElus}), "map[3:true 999:true]"},
		{"technicien", access.Member(8, false, []int64{gTech}), "map[2:true 999:true]"},
		{"visitor", access.Anonymous(), "map[2:true 3:true 999:true]"},
		{"admin", access.Member(9, true, nil), "map[999:true]"},
	} {
		got, err := s.UnseenRefs(ctx, c.p, []int64{1, 2, 3, 2, 999})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != c.want {
			t.Errorf("%s: unseen = %v, want %s", c.name, got, c.want)
		}
	}
	if got, err := s.UnseenRefs(ctx, access.Anonymous(), nil); err != nil || len(got) != 0 {
		t.Fatalf("no references: %v, %v", got, err)
	}
}
