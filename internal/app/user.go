package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/i18n"
	"portique/internal/users"
	"portique/internal/valid"
)

// userCommand manages accounts from the command line:
//
//	portique user create --email … --name … [--admin] [--group NAME …]
//	portique user unlock EMAIL
//
// create prints a one-time invitation link (valid 72 h) for the person to
// choose their password; no password is ever given or printed.
func userCommand(ctx context.Context, e Env, args []string) error {
	if len(args) == 0 {
		return errors.New("user: want a subcommand: create or unlock")
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, e, args[1:])
	case "unlock":
		return userUnlock(ctx, e, args[1:])
	}
	return fmt.Errorf("user: unknown subcommand %q (create, unlock)", args[0])
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func userCreate(ctx context.Context, e Env, args []string) error {
	var email, name string
	var admin bool
	var groups stringList
	cfg, _, err := settings(e, "user create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "email address of the account (required)")
		fs.StringVar(&name, "name", "", "display name (required)")
		fs.BoolVar(&admin, "admin", false, "make the account an administrator")
		fs.Var(&groups, "group", "name of a group to join (repeatable)")
	})
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	all, err := users.ListGroups(ctx, d)
	if err != nil {
		return err
	}
	var ids []int64
	for _, g := range groups {
		id := int64(0)
		for _, x := range all {
			if !x.Builtin && strings.EqualFold(x.Name, strings.TrimSpace(g)) {
				id = x.ID
			}
		}
		if id == 0 {
			return fmt.Errorf("user create: no group named %q", g)
		}
		ids = append(ids, id)
	}
	now := e.Now().UTC()
	var token string
	var uid int64
	err = d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if uid, err = users.Create(ctx, tx, users.Form{Email: email, Name: name, Admin: admin, Groups: ids}, now); err != nil {
			return err
		}
		if token, err = users.IssueToken(ctx, tx, uid, users.PurposeInvite, now, users.InviteTTL); err != nil {
			return err
		}
		if err := audit.Log(ctx, tx, audit.Entry{At: now, Actor: "cli", Action: "user.created", Object: fmt.Sprintf("user:%d", uid), Detail: users.NormalizeEmail(email)}); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{At: now, Actor: "cli", Action: "invitation.sent", Object: fmt.Sprintf("user:%d", uid), Detail: "lien affiché en ligne de commande"})
	})
	var verrs valid.Errors
	if errors.As(err, &verrs) {
		cat, cerr := i18n.Load("fr")
		if cerr != nil {
			return err
		}
		var msgs []string
		for f, m := range verrs {
			msgs = append(msgs, "--"+f+" : "+cat.T(m.Key, m.Args...))
		}
		sort.Strings(msgs)
		return fmt.Errorf("user create: %s", strings.Join(msgs, " ; "))
	}
	if err != nil {
		return fmt.Errorf("user create: %w", err)
	}
	fmt.Fprintf(e.Stdout, "Compte créé : %s (id %d).\n", users.NormalizeEmail(email), uid)
	fmt.Fprintf(e.Stdout, "Transmettez ce lien à la personne pour qu’elle choisisse son mot de passe (valable 72 heures, une seule fois) :\n%s/invitation/%s\n", cfg.BaseURL, token)
	return nil
}

func userUnlock(ctx context.Context, e Env, args []string) error {
	// EMAIL may come before or after the flags.
	var email string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		email, args = args[0], args[1:]
	}
	cfg, fs, err := settings(e, "user unlock", args, nil)
	if err != nil {
		return err
	}
	if email == "" && fs.NArg() == 1 {
		email = fs.Arg(0)
	} else if fs.NArg() != 0 || email == "" {
		return errors.New("user unlock: want exactly one EMAIL")
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	u, err := users.GetByEmail(ctx, d, email)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("user unlock: no account %q", email)
	}
	if err != nil {
		return err
	}
	if err := users.Unlock(ctx, d, u.ID); err != nil {
		return err
	}
	if err := audit.Log(ctx, d, audit.Entry{At: e.Now(), Actor: "cli", Action: "account.unlocked", Object: fmt.Sprintf("user:%d", u.ID), Detail: u.Email}); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "Compte déverrouillé : %s.\n", u.Email)
	return nil
}
