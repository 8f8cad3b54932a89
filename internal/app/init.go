package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"portique/internal/app/services"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/i18n"
	"portique/internal/site"
	"portique/internal/users"
)

// initCommand prepares a new site without the demo:
//
//	portique init --email … [--name …] [--site-name …] [settings set's flags]
//
// It creates the first administrator and prints their one-time invitation
// link. Run again, it creates nothing: it says the site is initialised and,
// while that administrator has not chosen a password yet, prints a new
// link (the previous one dies).
func initCommand(ctx context.Context, e Env, args []string) error {
	var email, name string
	values := map[string]*string{}
	cfg, fs, err := settings(e, "init", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", say("cli.init.flag.email"))
		fs.StringVar(&name, "name", "", say("cli.init.flag.name"))
		siteFlags(fs, values)
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return failure("cli.init.usage")
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := applySiteFlags(ctx, e, cfg, d, fs, values); err != nil {
		return err
	}
	if strings.TrimSpace(email) == "" {
		accounts, _, err := services.Accounts(cfg, d, services.Options{Now: e.Now})
		if err != nil {
			return err
		}
		if n, err := accounts.CountAdmins(ctx); err != nil || n > 0 {
			if err == nil {
				fmt.Fprintln(e.Stdout, say("cli.init.already", n))
			}
			return err
		}
		return failure("cli.init.usage")
	}
	return firstAdmin(ctx, e.Stdout, cfg, d, e, email, name)
}

// firstAdmin creates the first administrator (email, name) unless there is
// one, and prints the invitation link; see initCommand.
func firstAdmin(ctx context.Context, w io.Writer, cfg *config.Config, d *db.DB, e Env, email, name string) error {
	accounts, _, err := services.Accounts(cfg, d, services.Options{Now: e.Now})
	if err != nil {
		return err
	}
	n, err := accounts.CountAdmins(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintln(w, say("cli.init.already", n))
		u, err := accounts.GetByEmail(ctx, email)
		if err != nil || !u.Admin || u.HasPassword {
			return nil //nolint:nilerr // nothing more to do: the site is initialised
		}
		if _, link, err := accounts.Invite(ctx, cliActor(), u.ID); err == nil {
			fmt.Fprintln(w, say("cli.init.reinvited", u.Email))
			fmt.Fprintln(w, say("cli.user.invitation", cfg.BaseURL+"/invitation/"+link.Token))
		}
		return nil
	}
	if strings.TrimSpace(name) == "" {
		name = say("cli.init.default_name")
	}
	u, link, err := accounts.Create(ctx, cliActor(), users.Form{Email: email, Name: name, Admin: true})
	if err := cliInvalid(err, "cli.init.invalid", nil); err != nil {
		return err
	}
	fmt.Fprintln(w, say("cli.init.created", u.Email))
	fmt.Fprintln(w, say("cli.user.invitation", cfg.BaseURL+"/invitation/"+link.Token))
	fmt.Fprintln(w, say("cli.init.next", cfg.BaseURL+"/admin"))
	return nil
}

// firstStart runs when serve starts on a database without any account and
// without --demo: with --admin-email it creates that administrator (as
// init does), otherwise it says how to.
func firstStart(ctx context.Context, e Env, cfg *config.Config, d *db.DB) error {
	accounts, _, err := services.Accounts(cfg, d, services.Options{Now: e.Now})
	if err != nil {
		return err
	}
	if n, err := accounts.Count(ctx); err != nil || n > 0 {
		return err
	}
	if cfg.AdminEmail == "" {
		fmt.Fprintln(e.Stdout, say("cli.init.hint"))
		return nil
	}
	return firstAdmin(ctx, e.Stdout, cfg, d, e, cfg.AdminEmail, "")
}

// siteFlag is the flag of a site setting: its key with dashes, but the
// name, which is the shared --site-name, and the e-mail, --contact-email.
func siteFlag(key string) string {
	switch key {
	case site.Name:
		return "site-name"
	case site.ContactMail:
		return "contact-email"
	}
	return strings.ReplaceAll(key, "_", "-")
}

// siteFlags registers a flag per site setting (--site-name is a shared
// setting already).
func siteFlags(fs *flag.FlagSet, values map[string]*string) {
	for _, f := range site.Fields {
		if f.Key == site.Name || f.Key == site.LogoAlt {
			continue
		}
		v := new(string)
		values[f.Key] = v
		fs.StringVar(v, siteFlag(f.Key), "", say("site.field."+f.Key))
	}
	v := new(string)
	values["logo"] = v
	fs.StringVar(v, "logo", "", say("cli.settings.flag.logo"))
	v = new(string)
	values[site.LogoAlt] = v
	fs.StringVar(v, "logo-alt", "", say("site.field.logo_alt"))
}

// applySiteFlags stores the site settings given on the command line (only
// those given: the others stay) and returns how many were given.
func applySiteFlags(ctx context.Context, e Env, cfg *config.Config, d *db.DB, fs *flag.FlagSet, values map[string]*string) (int, error) {
	given := map[string]string{}
	var logo, alt string
	fs.Visit(func(f *flag.Flag) {
		switch {
		case f.Name == "site-name":
			given[site.Name] = cfg.SiteName
		case f.Name == "logo":
			logo = *values["logo"]
		case f.Name == "logo-alt":
			alt = *values[site.LogoAlt]
		default:
			for k, v := range values {
				if siteFlag(k) == f.Name && k != "logo" && k != site.LogoAlt {
					given[k] = *v
				}
			}
		}
	})
	st := services.Site(cfg, d, e.Now, i18n.MustLoad("fr"))
	if len(given) > 0 {
		if err := cliInvalid(st.Set(ctx, cliActor(), given), "cli.settings.invalid", siteFlag); err != nil {
			return 0, err
		}
		fmt.Fprintln(e.Stdout, say("cli.settings.saved", len(given)))
	}
	n := len(given)
	if logo != "" || alt != "" {
		n++
		if logo == "" {
			return 0, failure("cli.settings.logo_missing")
		}
		f, err := os.Open(logo)
		if err != nil {
			return 0, wrap(err, "cli.settings.logo_open", logo)
		}
		defer f.Close()
		if err := cliInvalid(st.SetLogo(ctx, cliActor(), alt, f), "cli.settings.invalid", siteFlag); err != nil {
			return 0, err
		}
		fmt.Fprintln(e.Stdout, say("cli.settings.logo_saved"))
	}
	return n, nil
}

// settingsCommand reads or changes the site settings:
//
//	portique settings show
//	portique settings set [--site-name …] [--siret …] [--logo FILE --logo-alt …] …
func settingsCommand(ctx context.Context, e Env, args []string) error {
	if len(args) == 0 || (args[0] != "set" && args[0] != "show") {
		return failure("cli.settings.usage")
	}
	sub := args[0]
	values := map[string]*string{}
	cfg, fs, err := settings(e, "settings "+sub, args[1:], func(fs *flag.FlagSet) {
		if sub == "set" {
			siteFlags(fs, values)
		}
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return failure("cli.settings.usage")
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if sub == "set" {
		n, err := applySiteFlags(ctx, e, cfg, d, fs, values)
		if err == nil && n == 0 {
			return failure("cli.settings.usage")
		}
		return err
	}
	cur, err := services.Site(cfg, d, e.Now, i18n.MustLoad("fr")).Current(ctx)
	if err != nil {
		return err
	}
	for _, f := range site.Fields {
		fmt.Fprintf(e.Stdout, "--%-20s %s\n", siteFlag(f.Key), strings.ReplaceAll(cur.Get(f.Key), "\n", " / "))
	}
	fmt.Fprintln(e.Stdout, say("cli.settings.status", say("site.status."+string(cur.Status()))))
	return nil
}
