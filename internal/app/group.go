package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"portique/internal/app/services"
	"portique/internal/config"
	"portique/internal/db"
)

// groupCommand manages groups from the command line, with the rules of the
// admin screens (the users store's: names, uniqueness, built-in groups):
//
//	portique group create NAME
//	portique group list
//	portique group add EMAIL NAME
//	portique group remove EMAIL NAME
func groupCommand(ctx context.Context, e Env, args []string) error {
	if len(args) == 0 {
		return failure("cli.group.want_subcommand")
	}
	sub, args := args[0], args[1:]
	want := map[string]int{"create": 1, "list": 0, "add": 2, "remove": 2}
	n, ok := want[sub]
	if !ok {
		return failure("cli.group.unknown_subcommand", sub)
	}
	pos, cfg, err := positional(e, "group "+sub, args, nil)
	if err != nil {
		return err
	}
	if len(pos) != n {
		return failure("cli.group.usage_" + sub)
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
	switch sub {
	case "create":
		id, err := grs.Create(ctx, cliActor(), pos[0])
		if err := cliInvalid(err, "cli.group.invalid", nil); err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout, say("cli.group.created", strings.TrimSpace(pos[0]), id))
	case "list":
		all, err := grs.List(ctx)
		if err != nil {
			return err
		}
		for _, g := range all {
			note := ""
			if g.Builtin {
				note = say("cli.group.builtin")
			}
			fmt.Fprintln(e.Stdout, say("cli.group.line", g.Name, g.Members, note))
		}
	case "add", "remove":
		u, err := accounts.GetByEmail(ctx, pos[0])
		if errors.Is(err, db.ErrNotFound) {
			return failure("cli.group.no_account", pos[0])
		}
		if err != nil {
			return err
		}
		g, err := grs.ByName(ctx, pos[1])
		if errors.Is(err, db.ErrNotFound) {
			return failure("cli.user.no_group", pos[1])
		}
		if err != nil {
			return err
		}
		if sub == "add" {
			err = grs.AddMember(ctx, cliActor(), g.ID, u.ID)
		} else {
			err = grs.RemoveMember(ctx, cliActor(), g.ID, u.ID)
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout, say("cli.group.done_"+sub, u.Email, g.Name))
	}
	return nil
}

// positional parses a command whose arguments (EMAIL, NAME…) may come
// before or after the flags; it returns them with the settings.
func positional(e Env, name string, args []string, own func(fs *flag.FlagSet)) ([]string, *config.Config, error) {
	var pos []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		pos, args = append(pos, args[0]), args[1:]
	}
	cfg, fs, err := settings(e, name, args, own)
	if err != nil {
		return nil, nil, err
	}
	return append(pos, fs.Args()...), cfg, nil
}
