package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"portique/internal/access"
	"portique/internal/app/services"
	"portique/internal/db"
	"portique/internal/users"
	"portique/internal/valid"
)

// userCommand manages accounts from the command line:
//
//	portique user create --email … --name … [--admin] [--group NAME …]
//	portique user unlock EMAIL
//	portique user reset-2fa EMAIL (user_twofa.go)
//
// create prints a one-time invitation link (valid 72 h) for the person to
// choose their password; no password is ever given or printed.
func userCommand(ctx context.Context, e Env, args []string) error {
	if len(args) == 0 {
		return failure("cli.user.want_subcommand")
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, e, args[1:])
	case "unlock":
		return userUnlock(ctx, e, args[1:])
	case "reset-2fa":
		return userResetTwoFactor(ctx, e, args[1:])
	}
	return failure("cli.user.unknown_subcommand", args[0])
}

// cliActor is who acts from the command line: the system, named "cli" in
// the audit trail.
func cliActor() access.Actor {
	a := access.System()
	a.Name = "cli"
	return a
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func userCreate(ctx context.Context, e Env, args []string) error {
	var email, name string
	var admin bool
	var groups stringList
	cfg, _, err := settings(e, "user create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", say("cli.user.flag.email"))
		fs.StringVar(&name, "name", "", say("cli.user.flag.name"))
		fs.BoolVar(&admin, "admin", false, say("cli.user.flag.admin"))
		fs.Var(&groups, "group", say("cli.user.flag.group"))
	})
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	accounts, grs, err := services.Accounts(cfg, d, services.Options{Now: e.Now})
	if err != nil {
		return err
	}
	var ids []int64
	for _, name := range groups {
		g, err := grs.ByName(ctx, name)
		if errors.Is(err, db.ErrNotFound) {
			return failure("cli.user.no_group", name)
		}
		if err != nil {
			return err
		}
		ids = append(ids, g.ID)
	}
	u, link, err := accounts.Create(ctx, cliActor(), users.Form{Email: email, Name: name, Admin: admin, Groups: ids})
	if err := cliInvalid(err, "cli.user.invalid", nil); err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, say("cli.user.created", u.Email, u.ID))
	fmt.Fprintln(e.Stdout, say("cli.user.invitation", cfg.BaseURL+"/invitation/"+link.Token))
	return nil
}

// cliInvalid turns the validation errors of a store into one French line
// naming the flags (key is the message "COMMAND : %s"; flagOf names the
// flag of a field, the field itself when nil); other errors come back as
// they are.
func cliInvalid(err error, key string, flagOf func(string) string) error {
	var verrs valid.Errors
	if errors.As(err, &verrs) {
		var msgs []string
		for f, m := range verrs {
			if flagOf != nil {
				f = flagOf(f)
			}
			msgs = append(msgs, "--"+f+" : "+say(m.Key, m.Args...))
		}
		sort.Strings(msgs)
		return failure(key, strings.Join(msgs, " ; "))
	}
	return err
}

func userUnlock(ctx context.Context, e Env, args []string) error {
	accounts, u, done, err := accountArg(ctx, e, "user unlock", "cli.user.unlock_usage", args)
	if err != nil {
		return err
	}
	defer done()
	if err := accounts.Unlock(ctx, cliActor(), u.ID); err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, say("cli.user.unlocked", u.Email))
	return nil
}
