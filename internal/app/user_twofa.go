package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"portique/internal/app/services"
	"portique/internal/db"
	"portique/internal/users"
)

// userResetTwoFactor is `portique user reset-2fa EMAIL`: it removes the
// second factor of an account, for the administrator who lost their phone
// and their recovery codes (no administrator may reset their own from the
// site, and nobody else may be left to do it). The person is not emailed:
// whoever runs it has the server in hand. Audit: twofa.reset by "cli".
func userResetTwoFactor(ctx context.Context, e Env, args []string) error {
	accounts, u, done, err := accountArg(ctx, e, "user reset-2fa", "twofa.cli.usage", args)
	if err != nil {
		return err
	}
	defer done()
	if _, err := accounts.ResetTwoFactor(ctx, cliActor(), u.ID); errors.Is(err, users.ErrTwoFactorOff) {
		return failure("twofa.cli.none", u.Email)
	} else if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, say("twofa.cli.reset", u.Email))
	return nil
}

// accountArg reads the EMAIL argument of `portique user CMD EMAIL` (before
// or after the flags; usage is the catalogue key of the error without
// one), opens the database and returns the accounts store, the account and
// the function that closes the database.
func accountArg(ctx context.Context, e Env, cmd, usage string, args []string) (*users.Accounts, *users.User, func(), error) {
	var email string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		email, args = args[0], args[1:]
	}
	cfg, fs, err := settings(e, cmd, args, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	if email == "" && fs.NArg() == 1 {
		email = fs.Arg(0)
	} else if fs.NArg() != 0 || email == "" {
		return nil, nil, nil, failure(usage)
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	done := func() { d.Close() }
	accounts, _, err := services.Accounts(cfg, d, services.Options{Now: e.Now})
	if err != nil {
		done()
		return nil, nil, nil, err
	}
	u, err := accounts.GetByEmail(ctx, email)
	if errors.Is(err, db.ErrNotFound) {
		err = failure("cli.user.no_account", email)
	}
	if err != nil {
		done()
		return nil, nil, nil, err
	}
	return accounts, u, done, nil
}
