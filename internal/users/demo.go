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
	// TwoFactorSecret is the authenticator secret of the demo account that
	// has two-factor login on (SeedDemoTwoFactor), "" for the others.
	TwoFactorSecret string
}

// DemoResult is what SeedDemo created: the caller prints the accounts with a
// clear DEMO warning (demo mode only: outside it no password is ever printed).
type DemoResult struct {
	Groups   map[string]int64 // Élus, Techniciens, Stagiaires, Communication
	AdminID  int64
	Accounts []DemoAccount
}

// DemoGroups are the groups of the demo site.
// Communication is the communication team: it manages the residents'
// services (sorting guide, recycling centres).
var DemoGroups = []string{"Élus", "Techniciens", "Stagiaires", "Communication"}

// SeedDemo creates the demo groups, an administrator and one account per
// group, each with a random password. Run it on an empty database only.
func SeedDemo(ctx context.Context, d *db.DB, now time.Time, h *Hasher) (*DemoResult, error) {
	res := &DemoResult{Groups: map[string]int64{}}
	people := []DemoAccount{
		{Email: "admin@sydrav.example", Name: "Camille Administratrice"},
		{Email: "elu@sydrav.example", Name: "Jeanne Martin", Group: "Élus"},
		{Email: "technicien@sydrav.example", Name: "Karim Benali", Group: "Techniciens"},
		{Email: "stagiaire@sydrav.example", Name: "Lucas Petit", Group: "Stagiaires"},
		{Email: "communication@sydrav.example", Name: "Sophie Leroy", Group: "Communication"},
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

// SeedDemoTwoFactor adds the demo account that shows two-factor login: a
// member of group (the Élus) with an authenticator secret already
// confirmed, which the demo prints so anyone can add it to an app (or
// compute codes with CodeAt). No group requires two-factor login in the
// demo: that would lock the quick start's other accounts out.
func SeedDemoTwoFactor(ctx context.Context, d *db.DB, now time.Time, h *Hasher, group int64, groupName string) (DemoAccount, error) {
	acc := DemoAccount{Email: "double.authentification@sydrav.example", Name: "Nadia Roussel", Group: groupName, Password: demoPassword()}
	hash, err := h.Hash(ctx, acc.Password)
	if err != nil {
		return acc, err
	}
	e, err := newEnrolment("SYDRAV", acc.Email)
	if err != nil {
		return acc, err
	}
	acc.TwoFactorSecret = e.Secret
	err = d.InTx(ctx, func(tx *db.Tx) error {
		if acc.ID, err = create(ctx, tx, Form{Email: acc.Email, Name: acc.Name, Groups: []int64{group}}, now); err != nil {
			return fmt.Errorf("demo account %s: %w", acc.Email, err)
		}
		if err := setPasswordHash(ctx, tx, acc.ID, hash); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO user_totp (user_id, secret, created_at, confirmed_at) VALUES (?, ?, ?, ?)",
			acc.ID, e.Secret, now.UTC(), now.UTC())
		if err != nil {
			return err
		}
		return replaceRecoveryCodes(ctx, tx, acc.ID, newRecoveryCodes(RecoveryCodeCount), now.UTC())
	})
	return acc, err
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
