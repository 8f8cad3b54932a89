package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// CreateGroup inserts a group and returns its id.
func (s *Site) CreateGroup(t testing.TB, name string) int64 {
	t.Helper()
	var id int64
	if err := s.DB.QueryRow(context.Background(), "INSERT INTO groups (name, created_at) VALUES (?, ?) RETURNING id",
		name, time.Now().UTC()).Scan(&id); err != nil {
		t.Fatalf("browsertest: create group %q: %v", name, err)
	}
	return id
}

// CreateUser inserts an account (without a password: use LoginAs, or the
// users package to set one) member of the given groups, and returns its id.
func (s *Site) CreateUser(t testing.TB, email, name string, admin bool, groups ...int64) int64 {
	t.Helper()
	ctx := context.Background()
	if name == "" {
		name = strings.Split(email, "@")[0]
	}
	var id int64
	if err := s.DB.QueryRow(ctx, "INSERT INTO users (email, name, is_admin, created_at) VALUES (?, ?, ?, ?) RETURNING id",
		email, name, admin, time.Now().UTC()).Scan(&id); err != nil {
		t.Fatalf("browsertest: create user %q: %v", email, err)
	}
	for _, g := range groups {
		if _, err := s.DB.Exec(ctx, "INSERT INTO memberships (user_id, group_id) VALUES (?, ?)", id, g); err != nil {
			t.Fatalf("browsertest: add %q to group %d: %v", email, g, err)
		}
	}
	return id
}
