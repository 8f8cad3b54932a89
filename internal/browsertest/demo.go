package browsertest

import (
	"context"
	"strings"
	"testing"
)

// DemoAccount returns the id, email and password of a demo account, as the
// program printed them when it created the demo site (Options{Demo: true}).
// group is "Élus", "Techniciens" or "Stagiaires", or "" for the
// administrator.
func (s *Site) DemoAccount(t testing.TB, group string) (id int64, email, password string) {
	t.Helper()
	role := group
	if role == "" {
		role = "Administrateur"
	}
	for _, line := range strings.Split(s.Stdout(), "\n") {
		f := strings.Fields(line)
		// "  Élus   elu@sydrav.example   mot de passe : XXXX"
		if len(f) >= 6 && f[0] == role && f[2] == "mot" && f[len(f)-2] == ":" {
			email, password = f[1], f[len(f)-1]
			break
		}
	}
	if email == "" {
		t.Fatalf("browsertest: no demo account %q in the program's output (started with Demo: true?):\n%s", role, s.Stdout())
	}
	if err := s.DB.QueryRow(context.Background(), "SELECT id FROM users WHERE email = ?", email).Scan(&id); err != nil {
		t.Fatalf("browsertest: demo account %s: %v", email, err)
	}
	return id, email, password
}
