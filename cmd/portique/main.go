// Command portique serves the public website and the private extranet of a
// public body. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"portique/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, app.Env{Args: os.Args[1:]}); err != nil {
		fmt.Fprintln(os.Stderr, "portique:", err)
		os.Exit(1)
	}
}
