package users

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"time"

	"portique/internal/db"
)

// DemoAccount is an account created by SeedDemo, with its generated password.
type DemoAccount struct {
	Email    string
	Name     string
	Group    string // "" for the administrator
	Password string
	ID       int64
}

// DemoResult is what SeedDemo created: the caller prints the accounts with a
// clear DEMO warning (demo mode only: outside it no password is ever printed).
type DemoResult struct {
	Groups   map[string]int64 // Élus, Techniciens, Stagiaires
	AdminID  int64
	Accounts []DemoAccount
}

// DemoGroups are the groups of the demo site.
var DemoGroups = []string{"Élus", "Techniciens", "Stagiaires"}

// SeedDemo creates the demo groups, an administrator and one account per
// group, each with a random password. Run it on an empty database only.
func SeedDemo(ctx context.Context, d *db.DB, now time.Time, h *Hasher) (*DemoResult, error) {
	res := &DemoResult{Groups: map[string]int64{}}
	people := []DemoAccount{
		{Email: "admin@sydrav.example", Name: "Camille Administratrice"},
		{Email: "elu@sydrav.example", Name: "Jeanne Martin", Group: "Élus"},
		{Email: "technicien@sydrav.example", Name: "Karim Benali", Group: "Techniciens"},
		{Email: "stagiaire@sydrav.example", Name: "Lucas Petit", Group: "Stagiaires"},
	}
	for i := range people {
		people[i].Password = demoPassword()
	}
	hashes := make([]string, len(people))
	for i, p := range people {
		var err error
		if hashes[i], err = h.Hash(ctx, p.Password); err != nil {
			return nil, err
		}
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for _, name := range DemoGroups {
			id, err := createGroup(ctx, tx, name, now)
			if err != nil {
				return fmt.Errorf("demo group %s: %w", name, err)
			}
			res.Groups[name] = id
		}
		for i, p := range people {
			f := Form{Email: p.Email, Name: p.Name, Admin: p.Group == ""}
			if p.Group != "" {
				f.Groups = []int64{res.Groups[p.Group]}
			}
			id, err := create(ctx, tx, f, now)
			if err != nil {
				return fmt.Errorf("demo account %s: %w", p.Email, err)
			}
			if err := setPasswordHash(ctx, tx, id, hashes[i]); err != nil {
				return err
			}
			people[i].ID = id
			if p.Group == "" {
				res.AdminID = id
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Accounts = people
	return res, nil
}

// demoPassword returns a readable random password of four French-ish
// syllable groups and digits, e.g. "bora-lemi-tuca-47".
func demoPassword() string {
	const cons, vows = "bcdfglmnprstv", "aeiou"
	pick := func(s string) byte {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(s))))
		if err != nil {
			panic(err)
		}
		return s[n.Int64()]
	}
	var b []byte
	for g := 0; g < 4; g++ {
		if g > 0 {
			b = append(b, '-')
		}
		b = append(b, pick(cons), pick(vows), pick(cons), pick(vows))
	}
	b = append(b, '-', pick("23456789"), pick("23456789"))
	return string(b)
}
