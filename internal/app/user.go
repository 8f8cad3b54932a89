package app

import (
	"context"
	"fmt"
)

// userCommand manages accounts from the command line.
func userCommand(ctx context.Context, e Env, args []string) error {
	return fmt.Errorf("user: not available yet")
}
